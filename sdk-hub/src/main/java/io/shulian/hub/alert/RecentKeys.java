package io.shulian.hub.alert;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A stream rule's state per subject (a consumer, a consumer and resource), for at most {@code max}
 * subjects: past that, the least recently seen subject (by arrival, not by record time) is dropped
 * for each new one (counted, and logged once), so that records naming ever new subjects cannot
 * grow the hub's memory without bound. Below {@code max} nothing is dropped, so the rule decides
 * as with unbounded state; state is never dropped by record time, which a gateway with a skewed
 * clock could otherwise use to wipe the other subjects' windows. Not thread-safe (the rules hold
 * their lock).
 */
final class RecentKeys<V> {
  private static final Logger LOG = LoggerFactory.getLogger(RecentKeys.class);

  private final String rule;
  private final int max;
  private final LinkedHashMap<String, V> map = new LinkedHashMap<>(16, 0.75f, true);
  private long evicted;

  RecentKeys(String rule, int max) {
    if (max < 1) {
      throw new IllegalArgumentException("at least one key");
    }
    this.rule = rule;
    this.max = max;
  }

  /** The state of {@code key}, made by {@code create} if there is none. */
  V get(String key, Function<String, V> create) {
    V v = map.get(key);
    if (v == null) {
      v = create.apply(key);
      put(key, v);
    }
    return v;
  }

  /** Holds {@code value} for {@code key} unless it is held already (then it is only seen again); true if it was not held. */
  boolean add(String key, V value) {
    if (map.get(key) != null) {
      return false;
    }
    put(key, value);
    return true;
  }

  private void put(String key, V value) {
    if (map.size() >= max) {
      Iterator<String> eldest = map.keySet().iterator();
      eldest.next();
      eldest.remove();
      if (evicted++ == 0) {
        LOG.atWarn().addKeyValue("event", "alert_rule_state_full").addKeyValue("rule", rule)
            .log("{} holds state for {} subjects, its limit: from now on the least recently seen is dropped for each new one",
                rule, max);
      }
    }
    map.put(key, value);
  }

  /** The subjects held. */
  int size() {
    return map.size();
  }

  /** Calls {@code action} with the state of every subject held. */
  void forEach(java.util.function.Consumer<V> action) {
    map.values().forEach(action);
  }

  /** The subjects dropped because {@code max} were held. */
  long evicted() {
    return evicted;
  }
}
