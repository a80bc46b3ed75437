package io.shulian.gateway.authorize;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.shulian.core.catalog.Endpoint;
import io.shulian.core.envelope.EnvelopeHeader;
import io.shulian.core.policy.Action;
import io.shulian.core.policy.Decision;
import io.shulian.core.policy.Obligations;
import io.shulian.core.policy.PolicyEngine;
import io.shulian.core.policy.PolicyRequest;
import io.shulian.core.policy.Reason;
import io.shulian.core.policy.mask.Masker;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * Decides with the catalog and policy engine: sharing type, purpose, grant, level relation and
 * explicit rules; a PERMIT's obligations (masks, the resource's catalog fields, dropping unlisted
 * members) become a streaming JSON masker applied to the backend's response before it is sealed. A
 * response the masker refuses makes the filter throw {@link UnmaskableResponseException}.
 */
public final class CatalogPolicy implements ExchangePolicy {
  private final PolicyEngine engine;
  private final byte[] hashKey;
  private final Cache<Obligations, Masker> maskers = Caffeine.newBuilder().maximumSize(1_000).executor(Runnable::run).build();

  /**
   * @param hashKey the provider's secret for keyed-hash masks (at least 16 bytes)
   */
  public CatalogPolicy(PolicyEngine engine, byte[] hashKey) {
    this.engine = engine;
    this.hashKey = hashKey.clone();
  }

  public PolicyEngine engine() {
    return engine;
  }

  /**
   * The record format of a resource the catalog in use declares {@code delivery: dataset}; empty
   * for an ordinary resource or one not in the catalog.
   */
  public java.util.Optional<io.shulian.core.catalog.DatasetFormat> dataset(String resource) {
    return engine.policySet().catalog().resource(resource).flatMap(r -> java.util.Optional.ofNullable(r.dataset()));
  }

  /**
   * The endpoints the catalog in use declares for a resource (it changes when the policy set is
   * swapped); empty for a resource that declares none or is not in the catalog.
   */
  public List<Endpoint> endpoints(String resource) {
    return engine.policySet().catalog().resource(resource).map(r -> r.endpoints()).orElse(List.of());
  }

  @Override
  public boolean acceptsPush(io.shulian.core.party.PartyId sender, String resource) {
    return engine.policySet().catalog().resource(resource).map(r -> r.provider().equals(sender)
        || (r.provider().systemCode().isEmpty() && r.provider().equals(sender.organisation()))).orElse(false);
  }

  @Override
  public Verdict decide(EnvelopeHeader h, String action, @Nullable String grantToken) {
    return decide(h.sender(), h.resource(), h.purpose(), action, grantToken);
  }

  @Override
  public Verdict decidePush(io.shulian.core.party.PartyId receiver, String resource, String purpose) {
    return decide(receiver, resource, purpose, Action.RETURN_FLOW.wireName(), null);
  }

  private Verdict decide(io.shulian.core.party.PartyId subject, String resource, String purpose, String action,
      @Nullable String grantToken) {
    Action a = Action.fromWireName(action);
    if (a == null) {
      return Verdict.deny("UNKNOWN_ACTION", "unknown action", engine.versionHash());
    }
    PolicyRequest req = PolicyRequest.builder()
        .subject(subject)
        .resource(resource)
        .action(a)
        .purpose(purpose)
        .build();
    Decision d = grantToken == null ? engine.decide(req) : engine.decide(req, grantToken);
    if (!d.isPermit()) {
      List<String> codes = new ArrayList<>();
      for (Reason r : d.reasons()) {
        codes.add(r.code().wireName());
      }
      return new Verdict(false, codes.isEmpty() ? List.of("DENIED") : codes, d.ruleIds(), List.of(), d.policyVersion(),
          UnaryOperator.identity());
    }
    Obligations ob = d.obligations();
    if (!ob.needMasking()) {
      return Verdict.permit(d.ruleIds(), d.policyVersion());
    }
    Masker m = maskers.get(ob, k -> k.masker().hashKey(hashKey).build());
    List<String> obligations = new ArrayList<>();
    ob.masks().forEach((path, spec) -> obligations.add("mask:" + path + ":" + spec.function().name().toLowerCase(java.util.Locale.ROOT)));
    if (ob.dropUnlisted()) {
      obligations.add("drop-unlisted");
    }
    ob.recordDivision().forEach((path, code) -> obligations.add("record-division:" + path + ":" + code));
    return Verdict.permitMasked(d.ruleIds(), obligations, d.policyVersion(), m);
  }
}
