package io.shulian.core.envelope;

import java.util.Locale;

/**
 * Data classification level of GB/T 43697-2024 (数据分类分级): general, important, core. When in
 * doubt, grade higher.
 */
public enum Classification {
  /** 一般数据. */
  GENERAL,
  /** 重要数据. */
  IMPORTANT,
  /** 核心数据. */
  CORE;

  /** Returns the wire name: {@code general}, {@code important} or {@code core}. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * Parses a wire name.
   *
   * @throws IllegalArgumentException for anything but general, important or core
   */
  public static Classification fromWireName(String s) {
    switch (s) {
      case "general":
        return GENERAL;
      case "important":
        return IMPORTANT;
      case "core":
        return CORE;
      default:
        throw new IllegalArgumentException("classification must be general, important or core");
    }
  }
}
