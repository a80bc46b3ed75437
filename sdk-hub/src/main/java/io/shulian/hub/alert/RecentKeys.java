package io.shulian.hub.alert;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A stream rule's state per subject (a consumer, a consumer and resource), for at most {@code max}
 * subjects. State that has left the rule's window is dropped as the stream moves on (dropping it
 * changes no result); past {@code max} subjects with live state, the least recently seen one is
 * dropped (counted, and logged once) so that records naming ever new subjects cannot grow the
 * hub's memory without bound. Not thread-safe (the rules hold their lock).
 */
final class RecentKeys<V> {
  private static final Logger LOG = LoggerFactory.getLogger(RecentKeys.class);

  /** Whether a subject's state has left the window of a record at {@code epochSecond}. */
  @FunctionalInterface
  interface Idle<V> {
    boolean at(V state, long epochSecond);
  }

  private final String rule;
  private final int max;
  private final Idle<V> idle;
  private final LinkedHashMap<String, V> map = new LinkedHashMap<>(16, 0.75f, true);
  private long evicted;

  RecentKeys(String rule, int max, Idle<V> idle) {
    if (max < 1) {
      throw new IllegalArgumentException("at least one key");
    }
    this.rule = rule;
    this.max = max;
    this.idle = idle;
  }

  /** The state of {@code key} for a record at {@code epochSecond}, made by {@code create} if there is none. */
  V get(String key, long epochSecond, Function<String, V> create) {
    // the least recently seen first: drop what has left the window (the key asked for too: its state is then empty)
    for (Iterator<V> it = map.values().iterator(); it.hasNext(); ) {
      if (!idle.at(it.next(), epochSecond)) {
        break;
      }
      it.remove();
    }
    V v = map.get(key);
    if (v == null) {
      if (map.size() >= max) {
        Iterator<String> eldest = map.keySet().iterator();
        eldest.next();
        eldest.remove();
        if (evicted++ == 0) {
          LOG.atWarn().addKeyValue("event", "alert_rule_state_full").addKeyValue("rule", rule)
              .log("{} holds state for {} subjects, its limit: the least recently seen are dropped from now on", rule, max);
        }
      }
      v = create.apply(key);
      map.put(key, v);
    }
    return v;
  }

  /** The subjects held. */
  int size() {
    return map.size();
  }

  /** Calls {@code action} with the state of every subject held. */
  void forEach(java.util.function.Consumer<V> action) {
    map.values().forEach(action);
  }

  /** The subjects with live state dropped because {@code max} were held. */
  long evicted() {
    return evicted;
  }
}
