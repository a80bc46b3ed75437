package io.shulian.core.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.shulian.core.catalog.Catalog;
import io.shulian.core.trust.PinnedSenderTrust;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class PolicyEngineTest {
  static PolicyRequest fundRequest() {
    return PolicyRequest.builder().subject(PolicyFixtures.CIVIL).resource("housing.provident-fund.balance")
        .purpose("social-assistance-review").fields(List.of("balance")).build();
  }

  static PolicySet withSharing(String type) throws Exception {
    String text = new String(java.nio.file.Files.readAllBytes(PolicyFixtures.EXAMPLES.resolve("catalog.yaml")),
        StandardCharsets.UTF_8).replace("type: conditional\n      conditions: Approved application", "type: " + type
        + "\n      conditions: Approved application");
    return PolicySet.derivedOnly(Catalog.parse("catalog.yaml", text.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void swap_newVersion_replacesDecisionsAndCacheAtOnce() throws Exception {
    PolicySet conditional = withSharing("conditional");
    PolicySet unconditional = withSharing("unconditional");
    assertThat(conditional.versionHash()).isNotEqualTo(unconditional.versionHash());
    PolicyEngine e = PolicyEngine.builder(conditional).build();
    Decision d1 = e.decide(fundRequest());
    assertThat(d1.hasReason("GRANT_REQUIRED")).isTrue();
    assertThat(e.decide(fundRequest())).isSameAs(d1).as("cached");
    e.swap(unconditional);
    Decision d2 = e.decide(fundRequest());
    assertThat(d2.isPermit()).isTrue();
    assertThat(d2.policyVersion()).isEqualTo(unconditional.versionHash());
    e.swap(conditional);
    assertThat(e.decide(fundRequest()).isPermit()).isFalse();
  }

  @Test
  void swap_concurrentDecisions_eachFromOneVersion() throws Exception {
    PolicySet a = withSharing("conditional");
    PolicySet b = withSharing("unconditional");
    PolicyEngine e = PolicyEngine.builder(a).decisionCacheSize(0).build();
    AtomicBoolean stop = new AtomicBoolean();
    AtomicReference<String> bad = new AtomicReference<>();
    Thread t = new Thread(() -> {
      while (!stop.get()) {
        Decision d = e.decide(fundRequest());
        boolean consistent = d.isPermit() ? d.policyVersion().equals(b.versionHash()) : d.policyVersion().equals(a.versionHash());
        if (!consistent) {
          bad.set(d.toString());
        }
      }
    });
    t.start();
    for (int i = 0; i < 200; i++) {
      e.swap(i % 2 == 0 ? b : a);
    }
    stop.set(true);
    t.join();
    assertThat(bad.get()).isNull();
  }

  @Test
  void reload_invalidSource_keepsCurrentSet() throws Exception {
    PolicySet a = withSharing("conditional");
    PolicyEngine e = PolicyEngine.builder(a).build();
    try {
      e.reload(() -> PolicySet.parse(a.catalog(), "bad.yaml", "version: 1\nrules: [{id: x}]".getBytes(StandardCharsets.UTF_8)));
    } catch (io.shulian.core.catalog.InvalidDocumentException expected) {
      assertThat(expected.problems()).isNotEmpty();
    }
    assertThat(e.versionHash()).isEqualTo(a.versionHash());
  }

  @Test
  void decide_grantUses_countedOnlyOnPermitAndCachedDecisionsStillCount() throws Exception {
    Clock clock = Clock.fixed(PolicyFixtures.WED10, ZoneOffset.UTC);
    GrantUseCounter uses = GrantUseCounter.inMemory();
    PolicyEngine e = PolicyEngine.builder(PolicyFixtures.exampleSet()).withoutMaskHashKey().clock(clock).grantUses(uses)
        .grantVerifier(GrantVerifier.of(PinnedSenderTrust.of(List.of(PolicyFixtures.housing().signingCertificate())), clock))
        .build();
    Grant g = Grant.builder().issuer(PolicyFixtures.HOUSING).consumer(PolicyFixtures.CIVIL)
        .resource("housing.provident-fund.balance").fields(List.of("balance")).purpose("social-assistance-review")
        .validity(PolicyFixtures.WED10.minus(Duration.ofHours(1)), PolicyFixtures.WED10.plus(Duration.ofHours(1)))
        .maxUses(2).build();
    String token = GrantIssuer.of(PolicyFixtures.housing()).issue(g);
    PolicyRequest denied = PolicyRequest.builder().subject(PolicyFixtures.CIVIL).resource("housing.provident-fund.balance")
        .purpose("social-assistance-review").fields(List.of("applicant.phone")).build();
    assertThat(e.decide(denied, token).isPermit()).isFalse();
    assertThat(uses.used(g.key())).isZero();
    assertThat(e.decide(fundRequest(), token).isPermit()).isTrue();
    assertThat(e.decide(fundRequest(), token).isPermit()).isTrue();
    Decision third = e.decide(fundRequest(), token);
    assertThat(third.isPermit()).isFalse();
    assertThat(third.hasReason("GRANT_USED_UP")).isTrue();
    assertThat(uses.used(g.key())).isEqualTo(2);
  }

  @Test
  void decide_grantUseNotReplicated_deniedWithStateNotReplicated() throws Exception {
    Clock clock = Clock.fixed(PolicyFixtures.WED10, ZoneOffset.UTC);
    GrantUseCounter lagging = new GrantUseCounter() {
      @Override
      public boolean tryUse(String grantKey, long maxUses) {
        throw new StateNotReplicatedException("only 0 of 1 replica(s) acknowledged it", 0, 1);
      }

      @Override
      public long used(String grantKey) {
        return 1;
      }
    };
    PolicyEngine e = PolicyEngine.builder(PolicyFixtures.exampleSet()).withoutMaskHashKey().clock(clock).grantUses(lagging)
        .grantVerifier(GrantVerifier.of(PinnedSenderTrust.of(List.of(PolicyFixtures.housing().signingCertificate())), clock))
        .build();
    Grant g = Grant.builder().issuer(PolicyFixtures.HOUSING).consumer(PolicyFixtures.CIVIL)
        .resource("housing.provident-fund.balance").fields(List.of("balance")).purpose("social-assistance-review")
        .validity(PolicyFixtures.WED10.minus(Duration.ofHours(1)), PolicyFixtures.WED10.plus(Duration.ofHours(1)))
        .maxUses(2).build();

    Decision d = e.decide(fundRequest(), GrantIssuer.of(PolicyFixtures.housing()).issue(g));

    assertThat(d.isPermit()).isFalse();
    assertThat(d.hasReason("GRANT_STATE_UNAVAILABLE")).isTrue();
    assertThat(d.hasReason("STATE_NOT_REPLICATED")).isTrue();
  }

  @Test
  void decide_grantUseCannotBeRecorded_deniesAndRevokedGrantDenied() throws Exception {
    Clock clock = Clock.fixed(PolicyFixtures.WED10, ZoneOffset.UTC);
    AtomicReference<java.time.Instant> forgetAfter = new AtomicReference<>();
    GrantUseCounter broken = new GrantUseCounter() {
      @Override
      public boolean tryUse(String grantKey, long maxUses) {
        throw new AssertionError("the engine must pass the grant's expiry");
      }

      @Override
      public boolean tryUse(String grantKey, long maxUses, java.time.Instant until) {
        forgetAfter.set(until);
        throw new IllegalStateException("disk full");
      }

      @Override
      public long used(String grantKey) {
        return 0;
      }
    };
    GrantRevocations.InMemory revoked = GrantRevocations.inMemory();
    PolicyEngine e = PolicyEngine.builder(PolicyFixtures.exampleSet()).withoutMaskHashKey().clock(clock).grantUses(broken).revocations(revoked)
        .grantVerifier(GrantVerifier.of(PinnedSenderTrust.of(List.of(PolicyFixtures.housing().signingCertificate())), clock))
        .build();
    Grant g = Grant.builder().issuer(PolicyFixtures.HOUSING).consumer(PolicyFixtures.CIVIL)
        .resource("housing.provident-fund.balance").fields(List.of("balance")).purpose("social-assistance-review")
        .validity(PolicyFixtures.WED10.minus(Duration.ofHours(1)), PolicyFixtures.WED10.plus(Duration.ofHours(1)))
        .maxUses(2).build();
    String token = GrantIssuer.of(PolicyFixtures.housing()).issue(g);

    Decision d = e.decide(fundRequest(), token);
    assertThat(d.isPermit()).isFalse();
    assertThat(d.hasReason("GRANT_STATE_UNAVAILABLE")).isTrue();
    assertThat(forgetAfter.get()).isEqualTo(g.expiresAt());
    revoked.revoke(g.key());
    assertThat(e.decide(fundRequest(), token).hasReason("GRANT_REVOKED")).isTrue();
  }

  /** One rule: anyone may export the enterprise registry 3 times an hour. */
  static PolicySet exportThreePerHour() throws Exception {
    Catalog c = PolicyFixtures.exampleSet().catalog();
    return PolicySet.parse(c, "rate.yaml", ("version: \"1\"\nrules:\n"
        + "  - {id: export-3, effect: permit, subject: \"*\", action: export, resource: market.enterprise-registry,"
        + " conditions: {rate: {max: 3, per: 1h}}, basis: b}\n").getBytes(StandardCharsets.UTF_8));
  }

  static PolicyRequest exportRequest(io.shulian.core.party.PartyId subject) {
    return PolicyRequest.builder().subject(subject).resource("market.enterprise-registry").action(Action.EXPORT)
        .purpose("statistics").build();
  }

  @Test
  void decide_rateCondition_limitsPerConsumer() throws Exception {
    PolicySet s = exportThreePerHour();
    PolicyEngine e = PolicyEngine.builder(s).clock(Clock.fixed(PolicyFixtures.WED10, ZoneOffset.UTC)).build();
    PolicyRequest r = exportRequest(PolicyFixtures.CIVIL);
    PolicyRequest other = exportRequest(PolicyFixtures.MARKET);
    for (int i = 0; i < 3; i++) {
      assertThat(e.decide(r).isPermit()).isTrue();
    }
    assertThat(e.decide(r).hasReason("RATE_LIMITED")).isTrue();
    assertThat(e.decide(other).isPermit()).as("another consumer has its own count").isTrue();
  }

  @Test
  void decide_rateLimiterThrows_deniesWithRateStateUnavailable() throws Exception {
    PolicySet s = exportThreePerHour();
    RateLimiter broken = (key, max, per, now) -> {
      throw new IllegalStateException("shared counter unreachable");
    };
    PolicyEngine e = PolicyEngine.builder(s).clock(Clock.fixed(PolicyFixtures.WED10, ZoneOffset.UTC)).rateLimiter(broken)
        .build();
    PolicyRequest r = exportRequest(PolicyFixtures.CIVIL);

    Decision d = e.decide(r);

    assertThat(d.isPermit()).isFalse();
    assertThat(d.hasReason("RATE_STATE_UNAVAILABLE")).isTrue();
  }

  @Test
  void decision_toJson_roundTripsObligations() throws Exception {
    PolicyEngine e = PolicyEngine.builder(PolicyFixtures.exampleSet()).withoutMaskHashKey().build();
    Decision d = e.decide(PolicyRequest.builder().subject(PolicyFixtures.CIVIL).resource("housing.property-registry")
        .purpose("social-assistance-review").build());
    assertThat(d.isPermit()).isTrue();
    Obligations o = Decision.obligationsFromJson(d.toJson().getBytes(StandardCharsets.UTF_8));
    assertThat(o).isEqualTo(d.obligations());
  }

  @Test
  void decide_forbidThatFailsToEvaluate_denies() throws Exception {
    Catalog c = PolicyFixtures.exampleSet().catalog();
    PolicySet s = PolicySet.parse(c, "f.yaml", ("version: \"1\"\nrules:\n"
        + "  - {id: night-forbid, effect: forbid, subject: \"*\", action: query, resource: housing.property-registry,"
        + " conditions: {time: {from: \"22:00\", to: \"23:00\"}}, basis: b}\n").getBytes(StandardCharsets.UTF_8));
    // A clock so far in the future that the time-window condition cannot be evaluated.
    PolicyEngine e = PolicyEngine.builder(s).clock(Clock.fixed(java.time.Instant.MAX, ZoneOffset.UTC)).build();
    Decision d = e.decide(PolicyRequest.builder().subject(PolicyFixtures.CIVIL).resource("housing.property-registry")
        .purpose("housing-subsidy-review").build());
    assertThat(d.isPermit()).isFalse();
    assertThat(d.hasReason("FORBID_ERROR")).isTrue();
    assertThat(d.ruleIds()).containsExactly("night-forbid");
  }

  @Test
  void decide_permitThatFailsToEvaluate_doesNotApply() throws Exception {
    Catalog c = PolicyFixtures.exampleSet().catalog();
    PolicySet s = PolicySet.parse(c, "p.yaml", ("version: \"1\"\nrules:\n"
        + "  - {id: day-export, effect: permit, subject: \"*\", action: export, resource: housing.property-registry,"
        + " conditions: {time: {from: \"08:00\", to: \"18:00\"}}, basis: b}\n").getBytes(StandardCharsets.UTF_8));
    PolicyEngine e = PolicyEngine.builder(s).clock(Clock.fixed(java.time.Instant.MAX, ZoneOffset.UTC)).build();
    Decision d = e.decide(PolicyRequest.builder().subject(PolicyFixtures.CIVIL).resource("housing.property-registry")
        .action(Action.EXPORT).purpose("housing-subsidy-review").build());
    assertThat(d.isPermit()).isFalse();
    assertThat(d.hasReason("PERMIT_ERROR")).isTrue();
  }

  /** A policy with one export rule on the city's property registry under a level condition, for any subject. */
  static PolicyEngine levelRule(String relation) throws Exception {
    Catalog c = PolicyFixtures.exampleSet().catalog();
    PolicySet s = PolicySet.parse(c, "l.yaml", ("version: \"1\"\nrules:\n"
        + "  - {id: level-export, effect: permit, subject: \"*\", action: export, resource: housing.property-registry,"
        + " fields: [floorArea], conditions: {purpose: [statistics], level: " + relation + "}, basis: b}\n")
        .getBytes(StandardCharsets.UTF_8));
    return PolicyEngine.builder(s).build();
  }

  static Decision export(PolicyEngine e, String subject) {
    return e.decide(PolicyRequest.builder().subject(io.shulian.core.party.PartyId.parse(subject))
        .resource("housing.property-registry").action(Action.EXPORT).purpose("statistics").build());
  }

  @Test
  void levelUpperToLower_requesterOutsideProviderDivision_notMet() throws Exception {
    PolicyEngine e = levelRule("upper-to-lower");
    assertThat(export(e, "440604/11440604MB2C9012D6").isPermit()).as("a district of the provider's city").isTrue();
    assertThat(export(e, "440604001/11440604MB2C7777TQ").isPermit()).as("a town of the provider's city").isTrue();
    assertThat(export(e, "440305/11440604MB2C9012D6").hasReason("LEVEL_RELATION_NOT_MET")).as("another city's district")
        .isTrue();
    assertThat(export(e, "430104/11440604MB2C9012D6").hasReason("LEVEL_RELATION_NOT_MET")).as("another province's district")
        .isTrue();
  }

  @Test
  void levelLowerToUpper_providerOutsideRequesterDivision_notMet() throws Exception {
    PolicyEngine e = levelRule("lower-to-upper");
    assertThat(export(e, "440000/11440000MB2C3456PM").isPermit()).as("the provider's own province").isTrue();
    assertThat(export(e, "430000/11440000MB2C3456PM").hasReason("LEVEL_RELATION_NOT_MET")).as("another province").isTrue();
  }
}
