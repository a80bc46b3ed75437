package io.shulian.core.envelope;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/**
 * Remembers the ids of opened envelopes until they expire, so that each is opened only once.
 * Implementations must be thread-safe and atomic: of two concurrent calls with one id, exactly one
 * returns true. The embedded default is in memory; a city running several gateways for one party
 * plugs in a shared store.
 */
public interface ReplayCache {
  /**
   * Records an envelope id until {@code forgetAfter}; returns false if it was already recorded.
   */
  boolean firstSeen(UUID envelopeId, Instant forgetAfter);

  /**
   * Returns an in-memory cache (Caffeine) in which each id lives until its envelope expires (plus
   * the clock skew the opener allows). {@code maxEntries} bounds memory; size it above the
   * expected envelopes per validity window, because an id evicted early could be replayed.
   */
  static ReplayCache inMemory(long maxEntries, Clock clock) {
    if (maxEntries < 1) {
      throw new IllegalArgumentException("maxEntries must be positive, got " + maxEntries);
    }
    Cache<UUID, Instant> cache =
        Caffeine.newBuilder()
            .maximumSize(maxEntries)
            .executor(Runnable::run) // maintenance on the caller: no pool hand-off per envelope
            .expireAfter(
                Expiry.<UUID, Instant>creating(
                    (id, forgetAfter) -> {
                      Duration d = Duration.between(clock.instant(), forgetAfter);
                      return d.isNegative() ? Duration.ZERO : d;
                    }))
            .build();
    return (id, forgetAfter) -> cache.asMap().putIfAbsent(id, forgetAfter) == null;
  }
}
