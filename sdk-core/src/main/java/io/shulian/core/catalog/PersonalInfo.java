package io.shulian.core.catalog;

import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Personal-information category of a field. Each category but {@link #NONE} has a masking function
 * of the same name, which the rules derived from the catalog apply by default.
 */
public enum PersonalInfo {
  ID_NUMBER,
  PHONE,
  NAME,
  ADDRESS,
  BANK_CARD,
  NONE;

  /** Returns {@code id-number}, {@code phone}, {@code name}, {@code address}, {@code bank-card} or {@code none}. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** Parses a wire name; returns null for anything else. */
  public static @Nullable PersonalInfo fromWireName(String s) {
    for (PersonalInfo t : values()) {
      if (t.wireName().equals(s)) {
        return t;
      }
    }
    return null;
  }
}
