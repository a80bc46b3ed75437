package io.shulian.gateway.authorize;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.shulian.core.catalog.Endpoint;
import io.shulian.core.envelope.EnvelopeHeader;
import io.shulian.core.policy.Action;
import io.shulian.core.policy.Decision;
import io.shulian.core.policy.PolicyEngine;
import io.shulian.core.policy.PolicyRequest;
import io.shulian.core.policy.Reason;
import io.shulian.core.policy.mask.MaskSpec;
import io.shulian.core.policy.mask.Masker;
import io.shulian.core.policy.mask.MaskingException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * Decides with the catalog and policy engine: sharing type, purpose, grant, level relation and
 * explicit rules; a PERMIT's masking obligations become a streaming JSON masker applied to the
 * backend's response before it is sealed.
 */
public final class CatalogPolicy implements ExchangePolicy {
  private final PolicyEngine engine;
  private final byte[] hashKey;
  private final Cache<Map<String, MaskSpec>, Masker> maskers = Caffeine.newBuilder().maximumSize(1_000).executor(Runnable::run).build();

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
   * The endpoints the catalog in use declares for a resource (it changes when the policy set is
   * swapped); empty for a resource that declares none or is not in the catalog.
   */
  public List<Endpoint> endpoints(String resource) {
    return engine.policySet().catalog().resource(resource).map(r -> r.endpoints()).orElse(List.of());
  }

  @Override
  public Verdict decide(EnvelopeHeader h, String action, @Nullable String grantToken) {
    Action a = Action.fromWireName(action);
    if (a == null) {
      return Verdict.deny("UNKNOWN_ACTION", "unknown action", engine.versionHash());
    }
    PolicyRequest req = PolicyRequest.builder()
        .subject(h.sender())
        .resource(h.resource())
        .action(a)
        .purpose(h.purpose())
        .build();
    Decision d = grantToken == null ? engine.decide(req) : engine.decide(req, grantToken);
    if (!d.isPermit()) {
      List<String> codes = new ArrayList<>();
      for (Reason r : d.reasons()) {
        codes.add(r.code());
      }
      return new Verdict(false, codes.isEmpty() ? List.of("DENIED") : codes, d.ruleIds(), List.of(), d.policyVersion(),
          UnaryOperator.identity());
    }
    Map<String, MaskSpec> masks = d.obligations().masks();
    if (masks.isEmpty()) {
      return Verdict.permit(d.ruleIds(), d.policyVersion());
    }
    Masker m = maskers.get(masks, k -> Masker.builder().fields(k).hashKey(hashKey).build());
    List<String> obligations = new ArrayList<>();
    masks.forEach((path, spec) -> obligations.add("mask:" + path + ":" + spec.function().name().toLowerCase(java.util.Locale.ROOT)));
    UnaryOperator<byte[]> filter = body -> {
      try {
        return m.mask(body);
      } catch (MaskingException e) {
        throw new IllegalArgumentException("response cannot be masked: " + e.code());
      }
    };
    return new Verdict(true, List.of(), d.ruleIds(), obligations, d.policyVersion(), filter);
  }
}
