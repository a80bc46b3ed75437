package io.shulian.core.policy;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Counts requests per consumer and rule in fixed windows, for {@code rate} conditions. The
 * in-memory default suits one process; several gateways share counts (e.g. in Redis) through this
 * interface. Implementations are thread-safe. One that cannot count a request throws (any {@link
 * RuntimeException}); the policy engine then does not apply the rule ({@code RATE_STATE_UNAVAILABLE}).
 */
public interface RateLimiter {
  /** Counts one request under {@code key} and returns true, or returns false if {@code max} are already counted in the window. */
  boolean tryAcquire(String key, long max, Duration per, Instant now);

  static RateLimiter inMemory() {
    return new InMemory();
  }

  /** Fixed windows aligned to the epoch, kept in a map. */
  final class InMemory implements RateLimiter {
    private final ConcurrentHashMap<String, long[]> windows = new ConcurrentHashMap<>();

    InMemory() {}

    @Override
    public boolean tryAcquire(String key, long max, Duration per, Instant now) {
      long window = now.toEpochMilli() / per.toMillis();
      long[] w = windows.computeIfAbsent(key, k -> new long[] {window, 0});
      synchronized (w) {
        if (w[0] != window) {
          w[0] = window;
          w[1] = 0;
        }
        if (w[1] >= max) {
          return false;
        }
        w[1]++;
        return true;
      }
    }
  }
}
