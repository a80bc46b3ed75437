package io.shulian.benchmarks;

import io.shulian.core.envelope.ReplayCache;
import io.shulian.core.envelope.ReplayStateUnavailableException;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A real replay cache that lets a benchmark open the same envelope again: each lookup mixes a
 * counter into the envelope id before it reaches the delegate, so the delegate sees a new id
 * every call and does its full work (insertion, expiry bookkeeping) while the benchmark measures
 * open() on the same bytes. Ids are kept 10 s instead of until the envelope expires, so the cache
 * reaches its steady state (as many ids expire as arrive) instead of filling up: a full cache
 * refuses new ids rather than evicting unexpired ones. Benchmark-only: it disables replay detection.
 */
final class SaltedReplayCache implements ReplayCache {
  private final ReplayCache delegate;
  private final AtomicLong salt = new AtomicLong();

  SaltedReplayCache(ReplayCache delegate) {
    this.delegate = delegate;
  }

  @Override
  public boolean firstSeen(UUID envelopeId, Instant forgetAfter) throws ReplayStateUnavailableException {
    UUID salted = new UUID(envelopeId.getMostSignificantBits(),
        envelopeId.getLeastSignificantBits() ^ salt.incrementAndGet());
    Instant soon = Instant.now().plusSeconds(10);
    if (!delegate.firstSeen(salted, forgetAfter.isAfter(soon) ? soon : forgetAfter)) {
      throw new IllegalStateException("salted id collided; the benchmark setup is wrong");
    }
    return true;
  }
}
