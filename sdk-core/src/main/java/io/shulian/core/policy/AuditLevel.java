package io.shulian.core.policy;

import java.util.Locale;
import org.jspecify.annotations.Nullable;

/** How much of an exchange the audit log keeps; merged obligations take the highest. */
public enum AuditLevel {
  /** Only the decision. */
  MINIMAL,
  /** Decision, parties, resource, purpose and fields: the default. */
  STANDARD,
  /** Also a digest of the payload. */
  FULL;

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static @Nullable AuditLevel fromWireName(String s) {
    for (AuditLevel a : values()) {
      if (a.wireName().equals(s)) {
        return a;
      }
    }
    return null;
  }
}
