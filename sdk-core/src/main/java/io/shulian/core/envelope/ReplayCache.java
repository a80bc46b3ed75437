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
 * returns true. They must fail closed: an implementation that cannot remember one more id (full,
 * or its store failed) throws instead of forgetting an id that has not expired. The embedded
 * default is in memory; a gateway keeps its ids in its state directory across restarts, and a city
 * running several gateways for one party plugs in a shared store.
 */
public interface ReplayCache {
  /**
   * Records an envelope id until {@code forgetAfter}; returns false if it was already recorded.
   *
   * @throws ReplayStateUnavailableException if the id cannot be recorded; the envelope must then be
   *     refused
   */
  boolean firstSeen(UUID envelopeId, Instant forgetAfter) throws ReplayStateUnavailableException;

  /**
   * Returns an in-memory cache (Caffeine) in which each id lives until its envelope expires (plus
   * the clock skew the opener allows). At most about {@code maxEntries} unexpired ids are kept (a
   * few more under concurrent calls); when that many have not expired yet, new ids are refused
   * with {@link ReplayStateUnavailableException} rather than an older id evicted, which would let
   * it be replayed. Expired ids are dropped within about a second of their time. Size it above the
   * expected envelopes per validity window.
   */
  static ReplayCache inMemory(long maxEntries, Clock clock) {
    if (maxEntries < 1) {
      throw new IllegalArgumentException("maxEntries must be positive, got " + maxEntries);
    }
    Cache<UUID, Instant> cache =
        Caffeine.newBuilder()
            .executor(Runnable::run) // maintenance on the caller: no pool hand-off per envelope
            .expireAfter(
                Expiry.<UUID, Instant>creating(
                    (id, forgetAfter) -> {
                      Duration d = Duration.between(clock.instant(), forgetAfter);
                      return d.isNegative() ? Duration.ZERO : d;
                    }))
            .build();
    return (id, forgetAfter) -> {
      if (cache.getIfPresent(id) != null) {
        return false; // seen and not expired: a replay, whether or not the cache is full
      }
      if (cache.estimatedSize() >= maxEntries) {
        cache.cleanUp(); // drop what has expired before deciding that the cache is full
        if (cache.estimatedSize() >= maxEntries) {
          throw new ReplayStateUnavailableException("the replay cache holds " + maxEntries
              + " envelope ids that have not expired yet; new envelopes are refused until some expire");
        }
      }
      return cache.asMap().putIfAbsent(id, forgetAfter) == null;
    };
  }
}
