package io.shulian.core.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.keys.Suite;
import io.shulian.core.testing.TestParties;
import io.shulian.core.trust.PinnedSenderTrust;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Signed catalog submissions, and the catalog operations the hub applies them with. */
class CatalogSubmissionTest {
  static final String DOC = String.join("\n",
      "code: housing.rental-subsidy",
      "name: Rental subsidy",
      "provider: " + TestParties.HOUSING,
      "sharing: { type: unconditional }",
      "purposes: [statistics]",
      "fields:",
      "  - {name: amount, type: number, classification: general}", "");

  static Catalog example() throws Exception {
    return Catalog.load(Path.of("..", "docs", "examples", "catalog.yaml"));
  }

  static CatalogSubmission.SubmissionException.Reason refusal(String token, PartyIdentity trusted) {
    try {
      CatalogSubmission.verify(token, PinnedSenderTrust.of(List.of(trusted.signingCertificate())), Instant.now());
      throw new AssertionError("verified");
    } catch (CatalogSubmission.SubmissionException e) {
      return e.reason();
    }
  }

  @ParameterizedTest
  @EnumSource(Suite.class)
  void register_signedAndVerified_roundTrips(Suite suite) throws Exception {
    PartyIdentity housing = TestParties.pair(suite)[0];
    String token = CatalogSubmission.register(housing, DOC.getBytes(StandardCharsets.UTF_8), Instant.now());
    CatalogSubmission s = CatalogSubmission.verify(token, PinnedSenderTrust.of(List.of(housing.signingCertificate())),
        Instant.now());
    assertThat(s.issuer()).isEqualTo(housing.party());
    assertThat(s.action()).isEqualTo(CatalogSubmission.Action.REGISTER);
    assertThat(new String(s.document().orElseThrow(), StandardCharsets.UTF_8)).isEqualTo(DOC);
    assertThat(s.resourceCode()).isEmpty();
    CatalogSubmission w = CatalogSubmission.verify(CatalogSubmission.withdraw(housing, "housing.property-registry", Instant.now()),
        PinnedSenderTrust.of(List.of(housing.signingCertificate())), Instant.now());
    assertThat(w.resourceCode()).hasValue("housing.property-registry");
  }

  @Test
  void tamperedUnsignedExpiredOrOtherSigner_refused() throws Exception {
    PartyIdentity[] pair = TestParties.pair(Suite.INTL);
    PartyIdentity housing = pair[0];
    String token = CatalogSubmission.register(housing, DOC.getBytes(StandardCharsets.UTF_8), Instant.now());
    String[] p = token.split("\\.");
    String payload = new String(Base64.getUrlDecoder().decode(p[1]), StandardCharsets.UTF_8).replace("Rental", "Rentals");
    String tampered = p[0] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(payload.getBytes(StandardCharsets.UTF_8))
        + "." + p[2];
    assertThat(refusal(tampered, housing)).isEqualTo(CatalogSubmission.SubmissionException.Reason.SUBMISSION_BAD_SIGNATURE);
    String none = Base64.getUrlEncoder().withoutPadding().encodeToString(
        ("{\"alg\":\"none\",\"typ\":\"" + CatalogSubmission.TOKEN_TYPE + "\"}").getBytes(StandardCharsets.UTF_8)) + "." + p[1] + ".";
    assertThat(refusal(none, housing)).isEqualTo(CatalogSubmission.SubmissionException.Reason.SUBMISSION_MALFORMED);
    assertThat(refusal(token, pair[1])).isEqualTo(CatalogSubmission.SubmissionException.Reason.SUBMISSION_UNTRUSTED);
    String old = CatalogSubmission.register(housing, DOC.getBytes(StandardCharsets.UTF_8), Instant.now().minus(Duration.ofHours(2)));
    assertThat(refusal(old, housing)).isEqualTo(CatalogSubmission.SubmissionException.Reason.SUBMISSION_EXPIRED);
    assertThat(refusal("x".repeat(CatalogSubmission.MAX_TOKEN_CHARS + 1), housing))
        .isEqualTo(CatalogSubmission.SubmissionException.Reason.SUBMISSION_MALFORMED);
    assertThatThrownBy(() -> CatalogSubmission.withdraw(housing, "../x", Instant.now()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void withResource_addsOrReplaces_andChecksLikeParse() throws Exception {
    Catalog c = example();
    Catalog added = c.withResource("r.yaml", DOC.getBytes(StandardCharsets.UTF_8));
    assertThat(added.resource("housing.rental-subsidy")).isPresent();
    assertThat(added.resources()).hasSize(c.resources().size() + 1);
    assertThat(CatalogDiff.between(c, added).changes()).hasSize(1);
    assertThat(c.resourceHash("housing.rental-subsidy")).isEmpty();
    assertThat(added.resourceHash("housing.property-registry")).isEqualTo(c.resourceHash("housing.property-registry"));
    Catalog changed = added.withResource("r.yaml", DOC.replace("[statistics]", "[social-assistance-review]")
        .getBytes(StandardCharsets.UTF_8));
    assertThat(changed.resources()).hasSize(added.resources().size());
    assertThat(changed.resourceHash("housing.rental-subsidy")).isNotEqualTo(added.resourceHash("housing.rental-subsidy"));
    assertThat(Catalog.parse("again", changed.toJson().getBytes(StandardCharsets.UTF_8)).contentHash())
        .isEqualTo(changed.contentHash());
    assertThat(changed.withoutResource("housing.rental-subsidy").contentHash()).isEqualTo(c.contentHash());
    assertThat(c.withVersion("2026.12-1").version()).isEqualTo("2026.12-1");
  }

  @Test
  void withResource_everyProblemLocatedInTheResourceDocument() throws Exception {
    String bad = DOC.replace("[statistics]", "[nope]").replace("classification: general", "classification: secret")
        .replace("code: housing.rental-subsidy", "code: \"../x\"");
    assertThatThrownBy(() -> example().withResource("r.yaml", bad.getBytes(StandardCharsets.UTF_8)))
        .isInstanceOfSatisfying(InvalidDocumentException.class, e -> {
          assertThat(e.problems()).hasSizeGreaterThanOrEqualTo(3);
          assertThat(e.problems()).allSatisfy(p -> assertThat(p.location()).startsWith("r.yaml:"));
          assertThat(e.problems().toString()).contains("resource.code").contains("resource.purposes")
              .contains("resource.fields[0].classification");
        });
    assertThatThrownBy(() -> example().withResource("r.yaml", "a: [".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(InvalidDocumentException.class);
    assertThatThrownBy(() -> example().withResource("r.yaml", "- a\n- b\n".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(InvalidDocumentException.class);
  }
}
