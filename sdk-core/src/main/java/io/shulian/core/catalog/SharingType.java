package io.shulian.core.catalog;

import java.util.Locale;

/** Sharing type of a resource (国发〔2016〕51号): sharing is the rule, not sharing needs a legal basis. */
public enum SharingType {
  /** 无条件共享: any member party that states an allowed purpose. */
  UNCONDITIONAL,
  /** 有条件共享: only with a grant the provider issued on an approved application. */
  CONDITIONAL,
  /** 不予共享: never, with a legal basis stated in the catalog. */
  NOT_SHARED;

  /** Returns {@code unconditional}, {@code conditional} or {@code not-shared}. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** Parses a wire name; returns null for anything else. */
  public static @org.jspecify.annotations.Nullable SharingType fromWireName(String s) {
    for (SharingType t : values()) {
      if (t.wireName().equals(s)) {
        return t;
      }
    }
    return null;
  }
}
