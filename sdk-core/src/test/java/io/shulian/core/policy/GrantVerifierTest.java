package io.shulian.core.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.keys.Suite;
import io.shulian.core.testing.TestParties;
import io.shulian.core.trust.PinnedSenderTrust;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class GrantVerifierTest {
  static Grant grant(PartyIdentity issuer) {
    Instant now = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    return Grant.builder()
        .id("g-1")
        .issuer(issuer.party())
        .consumer(PolicyFixtures.CIVIL)
        .resource("housing.provident-fund.balance")
        .fields(List.of("balance"))
        .purpose("social-assistance-review")
        .validity(now.minusSeconds(60), now.plus(Duration.ofDays(1)))
        .maxUses(3)
        .build();
  }

  static String b64(String s) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  @ParameterizedTest
  @EnumSource(Suite.class)
  void verify_issuedToken_roundTrips(Suite suite) throws Exception {
    PartyIdentity housing = TestParties.pair(suite)[0];
    Grant g = grant(housing);
    String token = GrantIssuer.of(housing).issue(g);
    VerifiedGrant vg = GrantVerifier.of(PinnedSenderTrust.of(List.of(housing.signingCertificate()))).verify(token);
    assertThat(vg.grant()).isEqualTo(g);
    assertThat(vg.grant().id()).isEqualTo("g-1");
    assertThat(vg.grant().fields()).containsExactly("balance");
    String alg = new String(Base64.getUrlDecoder().decode(token.substring(0, token.indexOf('.'))), StandardCharsets.UTF_8);
    assertThat(alg).contains(suite == Suite.GM ? "\"SM2-SM3\"" : "\"EdDSA\"").contains("shulian-grant+jwt");
  }

  @Test
  void verify_p256Issuer_usesEs256() throws Exception {
    PartyIdentity housing = TestParties.p256Pair()[0];
    String token = GrantIssuer.of(housing).issue(grant(housing));
    VerifiedGrant vg = GrantVerifier.of(PinnedSenderTrust.of(List.of(housing.signingCertificate()))).verify(token);
    assertThat(vg.grant().issuer()).isEqualTo(housing.party());
  }

  @Test
  void verify_hostileHeaders_refused() throws Exception {
    PartyIdentity housing = PolicyFixtures.housing();
    String token = GrantIssuer.of(housing).issue(grant(housing));
    GrantVerifier v = GrantVerifier.of(PinnedSenderTrust.of(List.of(housing.signingCertificate())));
    String[] parts = token.split("\\.");
    String kid = housing.signingCertificate().keyId().value();
    String typ = "\"typ\":\"shulian-grant+jwt\"";
    String[][] cases = {
      {"{\"alg\":\"none\"," + typ + ",\"kid\":\"" + kid + "\"}", "GRANT_MALFORMED"},
      {"{\"alg\":\"HS256\"," + typ + ",\"kid\":\"" + kid + "\"}", "GRANT_BAD_SIGNATURE"},
      {"{\"alg\":\"ES256\"," + typ + ",\"kid\":\"" + kid + "\"}", "GRANT_BAD_SIGNATURE"},
      {"{\"alg\":\"EdDSA\",\"kid\":\"" + kid + "\"}", "GRANT_MALFORMED"},
      {"{\"alg\":\"EdDSA\",\"typ\":\"JWT\",\"kid\":\"" + kid + "\"}", "GRANT_MALFORMED"},
      {"{\"alg\":\"EdDSA\"," + typ + "}", "GRANT_MALFORMED"},
      {"{\"alg\":\"EdDSA\"," + typ + ",\"kid\":\"" + kid + "\",\"crit\":[\"exp\"],\"exp\":1}", "GRANT_MALFORMED"},
      {"{\"alg\":\"EdDSA\"," + typ + ",\"kid\":\"" + kid + "\",\"jku\":\"https://evil.example/jwks\"}", "GRANT_MALFORMED"},
      {"{\"alg\":\"EdDSA\"," + typ + ",\"kid\":\"not-a-key-id\"}", "GRANT_MALFORMED"},
    };
    for (String[] c : cases) {
      String t = b64(c[0]) + "." + parts[1] + "." + parts[2];
      assertThatThrownBy(() -> v.verify(t)).as(c[0]).isInstanceOf(GrantException.class)
          .extracting(e -> ((GrantException) e).code()).isEqualTo(c[1]);
    }
    for (String junk : new String[] {"", "a.b", "a.b.c", token + ".x", "x".repeat(20_000)}) {
      assertThatThrownBy(() -> v.verify(junk)).as(junk.length() > 20 ? "long" : junk).isInstanceOf(GrantException.class)
          .extracting(e -> ((GrantException) e).code()).isEqualTo("GRANT_MALFORMED");
    }
  }

  @Test
  void verify_changedClaims_badSignature() throws Exception {
    PartyIdentity housing = PolicyFixtures.housing();
    String token = GrantIssuer.of(housing).issue(grant(housing));
    String[] parts = token.split("\\.");
    String claims = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
        .replace("\"max_uses\":3", "\"max_uses\":3000");
    assertThat(claims).contains("3000");
    GrantVerifier v = GrantVerifier.of(PinnedSenderTrust.of(List.of(housing.signingCertificate())));
    assertThatThrownBy(() -> v.verify(parts[0] + "." + b64(claims) + "." + parts[2]))
        .extracting(e -> ((GrantException) e).code()).isEqualTo("GRANT_BAD_SIGNATURE");
  }

  @Test
  void issue_forAnotherIssuer_refused() {
    PartyIdentity housing = PolicyFixtures.housing();
    assertThatThrownBy(() -> GrantIssuer.of(housing).issue(grant(PolicyFixtures.market())))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not the signing party");
  }

  @Test
  void build_badValues_refusedWithName() {
    Instant now = Instant.now();
    assertThatThrownBy(() -> Grant.builder().issuer(PolicyFixtures.HOUSING).consumer(PolicyFixtures.CIVIL).resource("r")
        .fields(List.of("f")).purpose("p").validity(now, now).maxUses(1).build()).hasMessageContaining("notBefore");
    assertThatThrownBy(() -> Grant.builder().issuer(PolicyFixtures.HOUSING).consumer(PolicyFixtures.CIVIL).resource("r")
        .fields(List.of("f")).purpose("p").validity(now, now.plusSeconds(1)).maxUses(0).build()).hasMessageContaining("maxUses");
    assertThatThrownBy(() -> Grant.builder().issuer(PolicyFixtures.HOUSING).consumer(PolicyFixtures.CIVIL).resource("r")
        .purpose("p").validity(now, now.plusSeconds(1)).maxUses(1).build()).hasMessageContaining("at least one field");
  }

  @Test
  void tryUse_concurrent_neverExceedsMax() throws Exception {
    GrantUseCounter c = GrantUseCounter.inMemory();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Integer>> fs = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        fs.add(pool.submit(() -> {
          int ok = 0;
          for (int i = 0; i < 10_000; i++) {
            if (c.tryUse("g", 1_000)) {
              ok++;
            }
          }
          return ok;
        }));
      }
      int total = 0;
      for (Future<Integer> f : fs) {
        total += f.get();
      }
      assertThat(total).isEqualTo(1_000);
      assertThat(c.used("g")).isEqualTo(1_000);
    } finally {
      pool.shutdownNow();
      pool.awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
