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
  RETURN_FLOW;

  /** Returns {@code query}, {@code subscribe}, {@code export} or {@code return-flow}. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
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
