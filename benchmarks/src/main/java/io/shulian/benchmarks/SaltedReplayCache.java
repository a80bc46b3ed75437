package io.shulian.benchmarks;

import io.shulian.core.envelope.ReplayCache;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A real replay cache that lets a benchmark open the same envelope again: each lookup mixes a
 * counter into the envelope id before it reaches the delegate, so the delegate sees a new id
 * every call and does its full work (insertion, expiry bookkeeping, eviction when full) while
 * the benchmark measures open() on the same bytes. Benchmark-only: it disables replay detection.
 */
final class SaltedReplayCache implements ReplayCache {
  private final ReplayCache delegate;
  private final AtomicLong salt = new AtomicLong();

  SaltedReplayCache(ReplayCache delegate) {
    this.delegate = delegate;
  }

  @Override
  public boolean firstSeen(UUID envelopeId, Instant forgetAfter) {
    UUID salted = new UUID(envelopeId.getMostSignificantBits(),
        envelopeId.getLeastSignificantBits() ^ salt.incrementAndGet());
    if (!delegate.firstSeen(salted, forgetAfter)) {
      throw new IllegalStateException("salted id collided; the benchmark setup is wrong");
    }
    return true;
  }
}
