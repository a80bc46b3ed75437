package io.shulian.hub.access;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Per-client token buckets: each client (a department's party, an operator, or an address for the
 * unauthenticated) may make {@code burst} requests at once and {@code perSecond} on average. The
 * number of buckets is bounded; when full, the idle (refilled) ones are dropped, and if none is, a
 * new client shares one overflow bucket, so a flood of identities cannot grow memory.
 *
 * <p>Thread-safe.
 */
public final class RateLimiter {
  private static final int MAX_CLIENTS = 100_000;
  private static final String OVERFLOW = "\u0000overflow";

  private final double perSecond;
  private final double burst;
  private final LongSupplier nanos;
  private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

  private static final class Bucket {
    double tokens;
    long at;

    Bucket(double tokens, long at) {
      this.tokens = tokens;
      this.at = at;
    }
  }

  /**
   * @param perSecond average requests per second per client (more than 0)
   * @param burst requests a client may make at once (at least 1)
   * @param nanos a monotonic clock (System::nanoTime)
   */
  public RateLimiter(double perSecond, int burst, LongSupplier nanos) {
    if (!(perSecond > 0) || burst < 1) {
      throw new IllegalArgumentException("rate limit: perSecond > 0 and burst >= 1");
    }
    this.perSecond = perSecond;
    this.burst = burst;
    this.nanos = nanos;
  }

  /** Takes one token of {@code client}'s bucket; returns 0 if allowed, else the seconds to wait (at least 1). */
  public long acquire(String client) {
    long now = nanos.getAsLong();
    String key = client;
    if (!buckets.containsKey(key) && buckets.size() >= MAX_CLIENTS) {
      buckets.entrySet().removeIf(e -> refilled(e.getValue(), now));
      if (buckets.size() >= MAX_CLIENTS) {
        key = OVERFLOW;
      }
    }
    Bucket b = buckets.computeIfAbsent(key, k -> new Bucket(burst, now));
    synchronized (b) {
      b.tokens = Math.min(burst, b.tokens + (now - b.at) / 1e9 * perSecond);
      b.at = now;
      if (b.tokens >= 1) {
        b.tokens -= 1;
        return 0;
      }
      return Math.max(1, (long) Math.ceil((1 - b.tokens) / perSecond));
    }
  }

  private boolean refilled(Bucket b, long now) {
    synchronized (b) {
      return b.tokens + (now - b.at) / 1e9 * perSecond >= burst;
    }
  }
}
