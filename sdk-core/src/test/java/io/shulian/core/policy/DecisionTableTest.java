package io.shulian.core.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shulian.core.policy.mask.MaskSpec;
import io.shulian.core.trust.PinnedSenderTrust;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvFileSource;

/** The decision table in src/test/resources/policy/decision-table.csv, one row a case. */
class DecisionTableTest {

  @ParameterizedTest(name = "{index}: {0}")
  @CsvFileSource(resources = "/policy/decision-table.csv", delimiter = '|', numLinesToSkip = 1, maxCharsPerColumn = 4096)
  void decide_tableRow_matchesExpectation(String name, String subject, String action, String resource, String purpose,
      String fields, String grant, String at, String effect, String reason, String rule, String masks) throws Exception {
    Instant now = at(at);
    GrantRevocations.InMemory revocations = GrantRevocations.inMemory();
    GrantUseCounter uses = GrantUseCounter.inMemory();
    PolicyEngine engine = PolicyEngine.builder(PolicyFixtures.exampleSet()).withoutMaskHashKey()
        .clock(Clock.fixed(now, ZoneOffset.UTC))
        .revocations(revocations)
        .grantUses(uses)
        .grantVerifier(GrantVerifier.of(PinnedSenderTrust.of(List.of(
            PolicyFixtures.housing().signingCertificate(), PolicyFixtures.market().signingCertificate())),
            Clock.fixed(now, ZoneOffset.UTC)))
        .build();
    PolicyRequest req = PolicyRequest.builder()
        .subject(PolicyFixtures.SUBJECTS.get(subject))
        .action(Action.fromWireName(action))
        .resource(PolicyFixtures.RESOURCES.getOrDefault(resource, resource))
        .purpose(PolicyFixtures.PURPOSES.getOrDefault(purpose, purpose))
        .fields(fields.equals("-") ? List.of() : Arrays.asList(fields.split(";")))
        .build();

    Decision d;
    if (grant.equals("none")) {
      d = engine.decide(req);
    } else {
      String token = grant(grant, now, revocations, uses);
      d = engine.decide(req, token);
    }

    assertThat(d.effect()).as("%s: %s", name, d).isEqualTo(Decision.Effect.valueOf(effect));
    assertThat(d.hasReason(reason)).as("%s: reason %s in %s", name, reason, d.reasons()).isTrue();
    if (!rule.equals("-")) {
      assertThat(d.ruleIds()).as(name).contains(rule);
    }
    assertThat(d.policyVersion()).isEqualTo(PolicyFixtures.exampleSet().versionHash());
    if (d.effect() == Decision.Effect.DENY) {
      assertThatThrownBy(d::obligations).as("a DENY has no obligations to mask with").isInstanceOf(IllegalStateException.class);
    }
    if (!masks.equals("-")) {
      Map<String, MaskSpec> m = d.obligations().masks();
      for (String kv : masks.split(";")) {
        String[] p = kv.split("=");
        if (p[0].equals("audit")) {
          assertThat(d.obligations().audit().wireName()).as(name).isEqualTo(p[1]);
        } else if (p[0].equals("records")) {
          assertThat(d.obligations().recordDivision()).as("%s: records bound to the requester's division", name)
              .containsEntry(p[1], req.subject().divisionCode());
        } else if (p[0].equals("unlisted")) {
          assertThat(d.obligations().dropUnlisted()).as("%s: unlisted members dropped", name).isEqualTo(p[1].equals("drop"));
        } else {
          assertThat(m.get(p[0])).as("%s: mask of %s in %s", name, p[0], m).isNotNull();
          assertThat(m.get(p[0]).function().wireName()).as("%s: mask of %s", name, p[0]).isEqualTo(p[1]);
        }
      }
    }
  }

  static Instant at(String s) {
    switch (s) {
      case "wed10":
        return PolicyFixtures.WED10;
      case "wed22":
        return PolicyFixtures.WED10.plus(Duration.ofHours(12));
      case "sat10":
        return PolicyFixtures.WED10.plus(Duration.ofDays(3));
      default:
        throw new IllegalArgumentException("unknown time " + s);
    }
  }

  /** Issues the grant a row names: a valid one or one broken in exactly one way. */
  static String grant(String kind, Instant now, GrantRevocations.InMemory revocations, GrantUseCounter uses) {
    Grant.Builder b = Grant.builder()
        .issuer(PolicyFixtures.HOUSING)
        .consumer(PolicyFixtures.CIVIL)
        .resource("housing.provident-fund.balance")
        .fields(List.of("applicant.name", "applicant.idNumber", "balance"))
        .purpose("social-assistance-review")
        .validity(now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(30)))
        .maxUses(5);
    GrantIssuer issuer = GrantIssuer.of(PolicyFixtures.housing());
    switch (kind) {
      case "valid":
        break;
      case "expired":
        b.validity(now.minus(Duration.ofDays(30)), now.minus(Duration.ofSeconds(1)));
        break;
      case "not-yet":
        b.validity(now.plus(Duration.ofDays(1)), now.plus(Duration.ofDays(30)));
        break;
      case "revoked": {
        Grant g = b.build();
        revocations.revoke(g.key());
        return issuer.issue(g);
      }
      case "used-up": {
        Grant g = b.maxUses(1).build();
        assertThat(uses.tryUse(g.key(), 1)).isTrue();
        return issuer.issue(g);
      }
      case "other-consumer":
        b.consumer(PolicyFixtures.MARKET);
        break;
      case "other-resource":
        b.resource("housing.property-registry");
        break;
      case "other-purpose":
        b.purpose("housing-subsidy-review");
        break;
      case "stats-purpose":
        b.purpose("statistics");
        break;
      case "with-core":
        b.fields(List.of("bankCard"));
        break;
      case "forged":
        return GrantIssuer.of(PolicyFixtures.forgedHousing()).issue(b.build());
      case "tampered": {
        String t = issuer.issue(b.build());
        int i = t.lastIndexOf('.') + 5;
        char c = t.charAt(i) == 'A' ? 'B' : 'A';
        return t.substring(0, i) + c + t.substring(i + 1);
      }
      case "wrong-issuer":
        return GrantIssuer.of(PolicyFixtures.market()).issue(b.issuer(PolicyFixtures.MARKET).build());
      default:
        throw new IllegalArgumentException("unknown grant kind " + kind);
    }
    return issuer.issue(b.build());
  }
}
