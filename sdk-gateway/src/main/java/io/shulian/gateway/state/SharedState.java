package io.shulian.gateway.state;

import io.shulian.core.envelope.ReplayCache;
import io.shulian.core.policy.GrantUseCounter;
import io.shulian.core.policy.RateLimiter;
import java.util.Optional;

/**
 * Where a provider gateway keeps what must hold across its requests: the ids of opened envelopes
 * (replay), the uses of grants and the rate-limit counters. The embedded default is this process
 * ({@link StateStore}, durable in the state directory); replicas of one department share {@link
 * RedisState}. Both keep the same contract (tested against both by the state contract tests):
 * {@link ReplayCache#firstSeen} is atomic and fails closed, {@link GrantUseCounter#tryUse} never
 * lets more than {@code maxUses} calls succeed under any concurrency, {@link
 * RateLimiter#tryAcquire} allows at most {@code max} in one window.
 */
public interface SharedState extends AutoCloseable {
  /** The ids of opened request envelopes, each kept until its envelope expires. */
  ReplayCache replayCache();

  /** The uses of grants. */
  GrantUseCounter grantUses();

  /** The counters of {@code rate} conditions. */
  RateLimiter rateLimiter();

  /** Why the store cannot be used now, if it cannot (the gateway then reports not ready). */
  Optional<String> unavailable();

  /** Releases the store; later uses throw or refuse. */
  @Override
  void close();
}
