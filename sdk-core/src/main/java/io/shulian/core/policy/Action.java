package io.shulian.core.policy;

import java.util.Locale;
import org.jspecify.annotations.Nullable;

/** What a consumer does with a resource. */
public enum Action {
  /** Read records on request. */
  QUERY,
  /** Receive updates as they happen. */
  SUBSCRIBE,
  /** Take a bulk copy. */
  EXPORT,
  /** 回流: data flowing from a higher administrative level back down to a lower one. */
  RETURN_FLOW,
  /**
   * Create, change or delete data at the provider: every POST, PUT, PATCH and DELETE. No derived
   * rule permits it, and a PERMIT rule's {@code action: "*"} does not cover it: only a PERMIT that
   * names {@code write} does.
   */
  WRITE;

  /** Returns {@code query}, {@code subscribe}, {@code export}, {@code return-flow} or {@code write}. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** Returns true for {@link #WRITE}, the one action that changes data at the provider. */
  public boolean writes() {
    return this == WRITE;
  }

  /** Parses a wire name; returns null for anything else. */
  public static @Nullable Action fromWireName(String s) {
    for (Action a : values()) {
      if (a.wireName().equals(s)) {
        return a;
      }
    }
    return null;
  }
}
