package io.shulian.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.shulian.core.audit.AuditException;
import io.shulian.core.catalog.InvalidDocumentException;
import io.shulian.core.catalog.Problem;
import io.shulian.core.envelope.BadSignatureException;
import io.shulian.core.envelope.EnvelopeException;
import io.shulian.core.envelope.ReplayStateUnavailableException;
import io.shulian.core.keys.KeyMaterialException;
import io.shulian.core.policy.GrantException;
import io.shulian.core.policy.ReasonCode;
import io.shulian.core.policy.mask.MaskingException;
import io.shulian.core.trust.BundleException;
import io.shulian.core.trust.TrustException;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The error codes are documented wire strings (problem responses, audit records, CLI messages,
 * metric labels): these tests pin them, so that turning them into enums, or a later rename, cannot
 * change what leaves the process.
 */
class ErrorCodeTest {

  private static List<String> wire(ErrorCode[] codes) {
    return Arrays.stream(codes).map(ErrorCode::wireName).collect(Collectors.toList());
  }

  @Test
  void wireNames_envelope_unchanged() {
    assertThat(wire(EnvelopeException.Reason.values())).containsExactly("TOO_LARGE", "MALFORMED",
        "ALGORITHM_NOT_ALLOWED", "UNKNOWN_CRITICAL_HEADER", "EMBEDDED_KEY_REFUSED", "INVALID_KEY",
        "DECRYPTION_FAILED", "WRONG_RECEIVER", "UNTRUSTED_SENDER", "BAD_SIGNATURE", "EXPIRED", "NOT_YET_VALID",
        "REPLAYED", "SUITE_MISMATCH", "SENDER_MISMATCH", "REPLAY_STATE_UNAVAILABLE");
  }

  @Test
  void wireNames_bundle_prefixedWithBundle() {
    assertThat(wire(BundleException.Reason.values())).containsExactly("BUNDLE_TOO_LARGE", "BUNDLE_MALFORMED",
        "BUNDLE_BAD_SIGNATURE", "BUNDLE_ROLLBACK", "BUNDLE_EXPIRED", "BUNDLE_NOT_YET_VALID", "BUNDLE_NOT_RECORDED");
    assertThat(new BundleException(BundleException.Reason.ROLLBACK, "older").code()).isEqualTo("BUNDLE_ROLLBACK");
  }

  @Test
  void wireNames_trustAuditGrantMaskKeysDocument_unchanged() {
    assertThat(wire(TrustException.Reason.values())).containsExactly("UNKNOWN_KEY", "EXPIRED", "NOT_YET_VALID",
        "UNKNOWN_ISSUER", "REVOKED", "WRONG_USAGE", "PARTY_MISMATCH", "STALE_CRL", "STALE_BUNDLE", "BAD_TRUST_MATERIAL");
    assertThat(wire(AuditException.Reason.values())).containsExactly("LOG_UNAVAILABLE", "NOT_A_LOG",
        "UNSUPPORTED_VERSION", "LOG_CORRUPT", "MALFORMED_PROOF", "PROOF_INVALID", "UNTRUSTED_SIGNER");
    assertThat(wire(MaskingException.Reason.values())).containsExactly("INVALID_JSON", "JSON_TOO_DEEP",
        "JSON_TOO_LARGE", "SHAPE_MISMATCH", "ALIASED_FIELD", "DUPLICATE_FIELD", "RECORD_OUTSIDE_DIVISION");
    assertThat(new KeyMaterialException("wrong password").code()).isEqualTo("BAD_KEY_MATERIAL");
    assertThat(new InvalidDocumentException("catalog c.yaml", List.of(new Problem("c.yaml:1:1", "", "bad"))).code())
        .isEqualTo("INVALID_DOCUMENT");
  }

  @Test
  void exceptions_codeIsTheWireNameOfTheirTypedReason() {
    ShulianException[] all = {
      new BadSignatureException("no"),
      new ReplayStateUnavailableException("full", new IllegalStateException()),
      new TrustException(TrustException.Reason.STALE_CRL, "stale"),
      new AuditException(AuditException.Reason.LOG_CORRUPT, "bad"),
      new GrantException(GrantException.Reason.GRANT_EXPIRED, "old"),
      new BundleException(BundleException.Reason.EXPIRED, "old"),
      new KeyMaterialException("bad", new java.io.IOException("x")),
    };
    for (ShulianException e : all) {
      assertThat(e.code()).isEqualTo(e.errorCode().wireName());
      assertThat(e.errorCode()).isInstanceOf(Enum.class);
    }
    assertThat(((EnvelopeException) all[0]).reason()).isEqualTo(EnvelopeException.Reason.BAD_SIGNATURE);
    assertThat(((EnvelopeException) all[1]).reason()).isEqualTo(EnvelopeException.Reason.REPLAY_STATE_UNAVAILABLE);
    assertThat(all[1].getCause()).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void reasonCode_everyGrantReason_hasTheDecisionCodeOfTheSameName() {
    for (GrantException.Reason r : GrantException.Reason.values()) {
      assertThat(ReasonCode.of(r).wireName()).isEqualTo(r.wireName());
    }
  }

  @Test
  void reasonCode_wireNames_unchanged() {
    assertThat(wire(ReasonCode.values())).containsExactlyInAnyOrder("PERMITTED", "FIELDS_DROPPED",
        "UNKNOWN_RESOURCE", "UNKNOWN_PURPOSE", "UNKNOWN_FIELD", "RETURN_FLOW_OUTSIDE_DIVISION",
        "RETURN_FLOW_NOT_DOWNWARD", "NOT_SHARED", "FORBIDDEN", "FORBID_ERROR", "FIELD_FORBIDDEN", "NO_PERMIT",
        "PERMIT_ERROR", "RATE_LIMITED", "RATE_STATE_UNAVAILABLE", "PURPOSE_NOT_ALLOWED", "LEVEL_RELATION_NOT_MET", "OUTSIDE_TIME_WINDOW",
        "CORE_FIELD_NOT_PERMITTED", "FIELD_NOT_PERMITTED", "NO_FIELDS_PERMITTED", "GRANT_REQUIRED",
        "GRANT_STATE_UNAVAILABLE", "STATE_NOT_REPLICATED", "GRANT_MALFORMED", "GRANT_UNTRUSTED", "GRANT_BAD_SIGNATURE",
        "GRANT_NOT_YET_VALID", "GRANT_EXPIRED", "GRANT_REVOKED", "GRANT_USED_UP", "GRANT_WRONG_CONSUMER",
        "GRANT_WRONG_RESOURCE", "GRANT_WRONG_ISSUER", "GRANT_WRONG_PURPOSE", "GRANT_FIELDS_NOT_GRANTED");
  }
}
