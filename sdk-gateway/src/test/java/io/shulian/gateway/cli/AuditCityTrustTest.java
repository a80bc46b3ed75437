package io.shulian.gateway.cli;

import static io.shulian.gateway.cli.CliRun.ok;
import static io.shulian.gateway.cli.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

import io.shulian.core.audit.AuditDecision;
import io.shulian.core.audit.AuditLog;
import io.shulian.core.audit.AuditRecord;
import io.shulian.core.audit.Direction;
import io.shulian.core.audit.HashAlgorithm;
import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.party.PartyId;
import io.shulian.gateway.cli.CliRun.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code audit verify} and {@code audit check-proof} trusting the city root (with CRL or bundle), as {@code open} does. */
class AuditCityTrustTest {
  @TempDir Path tmp;

  private String p(String name) {
    return tmp.resolve(name).toString();
  }

  /** A city CA, an operator issued by it, and an audit log the operator signed. */
  private void cityAndLog() throws Exception {
    ok("ca", "init", "--suite", "intl", "--name", "Audit City Root", "--out", p("ca"), "--ca-password", "capw");
    ok("ca", "issue", "--ca", p("ca"), "--party", TrustCommandsTest.A, "--out", p("op"), "--ca-password", "capw",
        "--password", "pw");
    ok("ca", "crl", "--ca", p("ca"), "--out", p("crl.pem"), "--ca-password", "capw");
    PartyIdentity op = PartyIdentity.load(tmp.resolve("op/key.p12"), "pw".toCharArray());
    try (AuditLog l = AuditLog.builder(tmp.resolve("log"), op).checkpointEveryRecords(2).open()) {
      for (int i = 0; i < 4; i++) {
        l.append(AuditRecord.builder()
            .time(Instant.now().minusSeconds(60 - i))
            .envelopeId("env-" + i)
            .direction(Direction.REQUEST_IN)
            .sender(PartyId.parse(TrustCommandsTest.B))
            .receiver(op.party())
            .resource("civil.marriage")
            .purpose("social-assistance-review")
            .decision(AuditDecision.permit())
            .payloadDigest(HashAlgorithm.SHA_256, new byte[32])
            .payloadBytes(10)
            .status(200)
            .outcome("OK")
            .latency(Duration.ofMillis(5))
            .build()).get();
      }
    }
  }

  @Test
  void auditVerify_cityRootAndCrl_acceptsTheOperatorIssuedByTheCity() throws Exception {
    cityAndLog();

    Run r = run("audit", "verify", "--log", p("log"), "--trust", p("ca/root.pem"), "--crl", p("crl.pem"),
        "--operator", TrustCommandsTest.A);

    assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.OK);
  }

  @Test
  void auditVerify_cityRootAndSignedBundle_accepted() throws Exception {
    cityAndLog();
    Files.writeString(tmp.resolve("bundle.yaml"), "version: 3\nvalidFor: 12h\nparties:\n  - party: "
        + TrustCommandsTest.A + "\n    name: operator\n    certificates: [op/cert.pem]\n");
    ok("bundle", "sign", "--ca", p("ca"), "--in", p("bundle.yaml"), "--out", p("bundle.jws"), "--ca-password", "capw");

    Run r = run("audit", "verify", "--log", p("log"), "--trust", p("ca/root.pem"), "--trust", p("bundle.jws"),
        "--operator", TrustCommandsTest.A);

    assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.OK);
  }

  @Test
  void auditVerify_operatorRevokedByTheCity_rejected() throws Exception {
    cityAndLog();
    ok("ca", "revoke", "--ca", p("ca"), "--serial", TrustCommandsTest.serialOfSigningCert(tmp.resolve("op/cert.pem")), "--reason",
        "key-compromise", "--ca-password", "capw");
    ok("ca", "crl", "--ca", p("ca"), "--out", p("crl.pem"), "--ca-password", "capw");

    Run r = run("audit", "verify", "--log", p("log"), "--trust", p("ca/root.pem"), "--crl", p("crl.pem"),
        "--operator", TrustCommandsTest.A);

    assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.REJECTED);
    assertThat(r.err()).contains("REVOKED").doesNotContain("\tat ");
  }

  @Test
  void auditVerify_anotherCitysRoot_rejected() throws Exception {
    cityAndLog();
    ok("ca", "init", "--suite", "intl", "--name", "Other Root", "--out", p("other"), "--ca-password", "capw");
    ok("ca", "crl", "--ca", p("other"), "--out", p("other-crl.pem"), "--ca-password", "capw");

    Run r = run("audit", "verify", "--log", p("log"), "--trust", p("other/root.pem"), "--crl", p("other-crl.pem"),
        "--operator", TrustCommandsTest.A);

    assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.REJECTED);
    assertThat(r.err()).contains("UNTRUSTED_SIGNER").doesNotContain("\tat ");
  }

  @Test
  void auditVerify_rootWithoutCrl_usageErrorUnlessNoCrlCheck() throws Exception {
    cityAndLog();

    Run r = run("audit", "verify", "--log", p("log"), "--trust", p("ca/root.pem"), "--operator", TrustCommandsTest.A);
    assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("--crl");

    Run insecure = run("audit", "verify", "--log", p("log"), "--trust", p("ca/root.pem"), "--no-crl-check",
        "--operator", TrustCommandsTest.A);
    assertThat(insecure.code()).as(insecure.err()).isEqualTo(ExitCodes.OK);
    assertThat(insecure.err()).contains("--no-crl-check");
  }

  @Test
  void auditCheckProof_cityRootAndCrl_acceptsAndRevokedRejected() throws Exception {
    cityAndLog();
    ok("audit", "prove", "--log", p("log"), "--seq", "1", "--out", p("proof.json"));

    ok("audit", "check-proof", "--proof", p("proof.json"), "--trust", p("ca/root.pem"), "--crl", p("crl.pem"),
        "--operator", TrustCommandsTest.A);

    ok("ca", "revoke", "--ca", p("ca"), "--serial", TrustCommandsTest.serialOfSigningCert(tmp.resolve("op/cert.pem")), "--reason",
        "key-compromise", "--ca-password", "capw");
    ok("ca", "crl", "--ca", p("ca"), "--out", p("crl.pem"), "--ca-password", "capw");
    Run r = run("audit", "check-proof", "--proof", p("proof.json"), "--trust", p("ca/root.pem"), "--crl", p("crl.pem"),
        "--operator", TrustCommandsTest.A);
    assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.REJECTED);
  }

  @Test
  void auditVerify_checkpointsSignedByAnotherCityParty_rejected() throws Exception {
    cityAndLog();

    // B's certificate is issued by the same city and not revoked, but B does not operate this log
    Run r = run("audit", "verify", "--log", p("log"), "--trust", p("ca/root.pem"), "--crl", p("crl.pem"),
        "--operator", TrustCommandsTest.B);

    assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.REJECTED);
    assertThat(r.err()).contains("UNTRUSTED_SIGNER").contains(TrustCommandsTest.B).doesNotContain("\tat ");
  }

  @Test
  void auditVerify_cityRootWithoutOperator_usageError() throws Exception {
    cityAndLog();

    Run r = run("audit", "verify", "--log", p("log"), "--trust", p("ca/root.pem"), "--crl", p("crl.pem"));

    assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("--operator");
  }
}
