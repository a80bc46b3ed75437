package io.shulian.core.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.trust.PinnedSenderTrust;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Fuzz targets for {@link GrantVerifier#verify} and {@link GrantVerifier#check}: whatever token
 * arrives, it verifies only a grant a trusted issuer signed, and otherwise throws a
 * {@link GrantException}; checking a verified grant against a request returns null or a
 * {@code GrantException}. Any other exception, a hang or an out-of-memory fails.
 *
 * <p>The first target takes the input as the token (each byte one character), verified against the
 * three stored issuers (Ed25519, P-256, SM2). Random bytes never pass the signature, so the second
 * target signs its input as the claims with the stored Ed25519 issuer key: mutations then reach the
 * claim parsing (types, party ids, times, use counts). A grant that verifies must survive a round
 * trip: issued again by {@link GrantIssuer}, it verifies to an equal grant. A normal build replays
 * the seeds in {@code GrantVerifierFuzzTestInputs/}; {@code JAZZER_FUZZ=1} fuzzes one target
 * (docs/fuzzing.md).
 */
class GrantVerifierFuzzTest {
  private static final Map<String, PartyIdentity> ISSUERS = GrantFuzzFixtures.issuers();
  private static final Instant NOW = GrantFuzzFixtures.issuedAt();
  private static final GrantVerifier VERIFIER = GrantVerifier.of(
      PinnedSenderTrust.of(GrantFuzzFixtures.certificates(ISSUERS)), Clock.fixed(NOW, ZoneOffset.UTC));
  private static final PartyIdentity ED25519 = ISSUERS.get("intl");
  private static final List<Grant> SEED_GRANTS = seedGrants();

  @FuzzTest(maxDuration = "30s")
  void verify_arbitraryToken_throwsOnlyGrantException(byte[] data) {
    VerifiedGrant vg;
    try {
      vg = VERIFIER.verify(new String(data, StandardCharsets.ISO_8859_1));
    } catch (GrantException expected) {
      return;
    }
    // nobody but the issuers can sign: only a seed's grant may verify
    if (!SEED_GRANTS.contains(vg.grant())) {
      throw new AssertionError("a grant that is no seed's verified: " + vg.grant());
    }
    check(vg);
  }

  @FuzzTest(maxDuration = "30s")
  void verify_signedArbitraryClaims_throwsOnlyGrantExceptionAndReissuesEqual(byte[] claims) {
    VerifiedGrant vg;
    try {
      vg = VERIFIER.verify(GrantFuzzFixtures.sign(ED25519, claims));
    } catch (GrantException expected) {
      return;
    }
    check(vg);
    Grant g = vg.grant();
    try {
      assertThat(VERIFIER.verify(GrantIssuer.of(ED25519).issue(g)).grant()).isEqualTo(g);
    } catch (GrantException e) {
      throw new AssertionError("a verified grant, issued again, no longer verifies: " + e.getMessage(), e);
    }
  }

  /** The fixtures are still valid: each issuer's seed token and the seed claims verify. */
  @Test
  void seeds_verify() throws Exception {
    assertThat(SEED_GRANTS).hasSize(3);
    for (byte[] c : GrantFuzzFixtures.seeds(GrantFuzzFixtures.CLAIMS).values()) {
      check(VERIFIER.verify(GrantFuzzFixtures.sign(ED25519, c)));
    }
  }

  /** Checks a verified grant against its own request and a foreign one: a result, never a crash. */
  private static void check(VerifiedGrant vg) {
    Grant g = vg.grant();
    List<String> fields = List.copyOf(g.fields());
    GrantRevocations none = GrantRevocations.inMemory();
    GrantVerifier.check(vg, g.issuer(), g.consumer(), g.resource(), g.purpose(), fields, NOW, none);
    GrantVerifier.check(vg, g.issuer(), GrantFuzzFixtures.CONSUMER, "housing.property-registry",
        "social-assistance-review", List.of("owner.name"), g.notBefore(), none);
  }

  private static List<Grant> seedGrants() {
    try {
      List<Grant> out = new java.util.ArrayList<>();
      for (Map.Entry<String, byte[]> s : GrantFuzzFixtures.seeds(GrantFuzzFixtures.TOKEN).entrySet()) {
        if (s.getKey().endsWith(".jwt")) {
          out.add(VERIFIER.verify(new String(s.getValue(), StandardCharsets.US_ASCII)).grant());
        }
      }
      return out;
    } catch (GrantException e) {
      throw new IllegalStateException("a seed grant does not verify: " + e.getMessage(), e);
    }
  }
}
