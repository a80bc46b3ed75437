package io.shulian.gateway.authorize;

import io.shulian.core.envelope.EnvelopeHeader;
import org.jspecify.annotations.Nullable;

/** Decides an opened request at the provider. Implementations are thread-safe and fast. */
@FunctionalInterface
public interface ExchangePolicy {
  /**
   * Decides the request whose verified header is given; never throws for a request it denies.
   *
   * @param action the action of the matched endpoint: {@code write} for every POST, PUT, PATCH and
   *     DELETE; for a GET the read the consumer asked for ({@code query} by default, {@code export},
   *     {@code return-flow}, ...) or the one the endpoint names. A policy that permits reads only
   *     must deny {@code write}.
   * @param grantToken the grant JWT the consumer presented inside the envelope, or null
   */
  Verdict decide(EnvelopeHeader request, String action, @Nullable String grantToken);

  /**
   * Decides a data set this gateway pushes down to {@code receiver} (docs/return-flow.md "Push"):
   * the receiver is the subject, as the consumer is for an ordinary exchange, and the action is
   * always {@code return-flow}. The default denies ({@code PUSH_NOT_DECIDABLE}): a policy that
   * cannot decide a push never lets one through. {@link CatalogPolicy} decides with the catalog
   * and policy engine exactly as for a request of the receiver.
   */
  default Verdict decidePush(io.shulian.core.party.PartyId receiver, String resource, String purpose) {
    return Verdict.deny("PUSH_NOT_DECIDABLE", "this policy does not decide pushes", "");
  }

  /**
   * Receiver role of a data set push (docs/return-flow.md "Push"): whether {@code sender}, whose
   * envelope verified, may push data sets of {@code resource} here, i.e. is its provider. The
   * default takes every sender the gateway's sender trust accepts (a policy without a catalog
   * cannot name providers); {@link CatalogPolicy} takes only the resource's provider in the
   * catalog (or a system of that organisation, when the catalog names the organisation) and
   * nobody for a resource the catalog does not list.
   */
  default boolean acceptsPush(io.shulian.core.party.PartyId sender, String resource) {
    return true;
  }

  /** Denies everything: the gateway's behaviour when no policy is configured. */
  static ExchangePolicy denyAll() {
    return (h, a, g) -> Verdict.deny("NO_POLICY", "no access policy is configured", "");
  }
}
