package io.shulian.gateway.assess;

import java.util.Locale;
import org.jspecify.annotations.Nullable;

/** How much a finding matters, lowest first; the order is the ranking. */
public enum Severity {
  /** Worth knowing; nothing to fix. */
  INFO,
  /** Hygiene: ineffective or misleading configuration. */
  LOW,
  /** Data may flow wider or longer than intended; fix in the next review. */
  MEDIUM,
  /** Data flows to parties or for uses nobody approved, or trust is about to fail. */
  HIGH,
  /** Core data (核心数据) flows without approval. */
  CRITICAL;

  /** Returns the lower-case name used in JSON and on the command line. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Returns the severity with this wire name, or null. */
  public static @Nullable Severity fromWireName(String s) {
    for (Severity v : values()) {
      if (v.wireName().equals(s)) {
        return v;
      }
    }
    return null;
  }
}
