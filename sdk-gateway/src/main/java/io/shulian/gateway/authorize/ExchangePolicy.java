package io.shulian.gateway.authorize;

import io.shulian.core.envelope.EnvelopeHeader;

/** Decides an opened request at the provider. Implementations are thread-safe and fast. */
@FunctionalInterface
public interface ExchangePolicy {
  /** Decides the request whose verified header is given; never throws for a request it denies. */
  Verdict decide(EnvelopeHeader request, String action);

  /** Denies everything: the gateway's behaviour when no policy is configured. */
  static ExchangePolicy denyAll() {
    return (h, a) -> Verdict.deny("NO_POLICY", "no access policy is configured", "");
  }
}
