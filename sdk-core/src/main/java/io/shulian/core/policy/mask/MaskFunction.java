package io.shulian.core.policy.mask;

import org.jspecify.annotations.Nullable;

/**
 * The built-in masking functions. When two obligations name one field the stricter wins:
 * {@link #DROP} over {@link #HASH} over the partial functions over {@link #NONE}.
 */
public enum MaskFunction {
  /** Leaves the value as it is. */
  NONE("none", 0, 0, 0),
  /** Keeps the first {@code keepFirst} and last {@code keepLast} characters (defaults 0 and 0: hides all). */
  PARTIAL("partial", 1, 0, 0),
  /** Chinese name: keeps the first character (张**). */
  NAME("name", 1, 1, 0),
  /** Resident ID number: keeps the first 6 (region code) and last 4 characters. */
  ID_NUMBER("id-number", 1, 6, 4),
  /** Mobile number: keeps the first 3 and last 4 digits (138****5678). */
  PHONE("phone", 1, 3, 4),
  /** Address: keeps everything up to the district or county (区, 县, 旗; else the last 市) and writes **** for the rest. */
  ADDRESS("address", 1, 0, 0),
  /** Bank card: keeps the first 4 and last 4 digits. */
  BANK_CARD("bank-card", 1, 4, 4),
  /** Keyed hash: HMAC-SHA256 (or HMAC-SM3) under the provider's secret, base64url; joins still work. */
  HASH("hash", 2, 0, 0),
  /** Removes the member from its object (or the element from its array). */
  DROP("drop", 3, 0, 0);

  private final String wireName;
  private final int strictness;
  final int defaultKeepFirst;
  final int defaultKeepLast;

  MaskFunction(String wireName, int strictness, int keepFirst, int keepLast) {
    this.wireName = wireName;
    this.strictness = strictness;
    this.defaultKeepFirst = keepFirst;
    this.defaultKeepLast = keepLast;
  }

  public String wireName() {
    return wireName;
  }

  /** Returns 3 for drop, 2 for hash, 1 for the partial functions, 0 for none. */
  public int strictness() {
    return strictness;
  }

  /** Parses a wire name; returns null for an unknown function. */
  public static @Nullable MaskFunction fromWireName(String s) {
    for (MaskFunction f : values()) {
      if (f.wireName.equals(s)) {
        return f;
      }
    }
    return null;
  }

  boolean isPartial() {
    return strictness == 1;
  }
}
