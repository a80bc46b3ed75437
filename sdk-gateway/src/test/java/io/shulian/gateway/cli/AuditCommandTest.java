package io.shulian.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.shulian.core.audit.AuditDecision;
import io.shulian.core.audit.AuditLog;
import io.shulian.core.audit.AuditRecord;
import io.shulian.core.audit.Direction;
import io.shulian.core.audit.HashAlgorithm;
import io.shulian.core.keys.PartyCertificate;
import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.keys.Suite;
import io.shulian.core.party.CreditCode;
import io.shulian.core.party.PartyId;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditCommandTest {
  static final PartyId PROVIDER = PartyId.of("440600", CreditCode.withCheckCharacter("11440600MB2C5678C"), null);
  static final PartyId CONSUMER = PartyId.of("440600", CreditCode.withCheckCharacter("11440600MB2C1234H"), "housing");
  @TempDir static Path dir;
  static Path log;
  static Path cert;
  static Path foreign;

  @BeforeAll
  static void writeLog() throws Exception {
    PartyIdentity op = PartyIdentity.generateSelfSigned(Suite.INTL, PROVIDER, Duration.ofDays(1));
    log = dir.resolve("log");
    try (AuditLog l = AuditLog.builder(log, op).checkpointEveryRecords(4).open()) {
      for (int i = 0; i < 12; i++) {
        boolean deny = i % 4 == 2;
        l.append(AuditRecord.builder()
            .time(Instant.parse("2026-01-05T08:00:00Z").plusSeconds(i))
            .envelopeId("env-" + i / 2)
            .direction(i % 2 == 0 ? Direction.REQUEST_IN : Direction.RESPONSE_OUT)
            .sender(i % 2 == 0 ? CONSUMER : PROVIDER)
            .receiver(i % 2 == 0 ? PROVIDER : CONSUMER)
            .resource("civil.marriage")
            .purpose("social-assistance-review")
            .decision(deny ? AuditDecision.deny("NO_GRANT") : AuditDecision.permit())
            .payloadDigest(HashAlgorithm.SHA_256, new byte[32])
            .payloadBytes(100)
            .status(deny ? 403 : 200)
            .outcome(deny ? "DENIED" : "OK")
            .latency(Duration.ofMillis(10 + i))
            .build()).get();
      }
    }
    cert = dir.resolve("operator.pem");
    Files.writeString(cert, PartyCertificate.toPem(List.of(op.signingCertificate())));
    foreign = dir.resolve("foreign.pem");
    Files.writeString(foreign, PartyCertificate.toPem(List.of(
        PartyIdentity.generateSelfSigned(Suite.INTL, CONSUMER, Duration.ofDays(1)).signingCertificate())));
  }

  static final class Run {
    final int code;
    final String out;
    final String err;

    Run(int code, String out, String err) {
      this.code = code;
      this.out = out;
      this.err = err;
    }
  }

  static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = ShulianCli.commandLine(new PrintWriter(out), new PrintWriter(err)).execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void verify_intactLog_exit0() {
    Run r = run("audit", "verify", "--log", log.toString(), "--trust", cert.toString());
    assertThat(r.code).as(r.err).isEqualTo(ExitCodes.OK);
    assertThat(r.out).startsWith("intact: 12 records");
  }

  @Test
  void verify_tamperedByte_exit3NamingPosition() throws Exception {
    Path copy = Files.createDirectories(dir.resolve("tampered"));
    for (Path p : Files.newDirectoryStream(log, "*.*")) {
      if (Files.isRegularFile(p)) {
        Files.copy(p, copy.resolve(p.getFileName()));
      }
    }
    Path seg = copy.resolve("segment-00000000.log");
    byte[] d = Files.readAllBytes(seg);
    d[200] ^= 1;
    Files.write(seg, d);
    Run r = run("audit", "verify", "--log", copy.toString(), "--trust", cert.toString());
    assertThat(r.code).isEqualTo(ExitCodes.REJECTED);
    assertThat(r.err).contains("TAMPERED").contains("segment-00000000.log offset");
  }

  @Test
  void verify_foreignTrustOrNotALog_clearErrorsNoStackTrace() throws Exception {
    Run r = run("audit", "verify", "--log", log.toString(), "--trust", foreign.toString());
    assertThat(r.code).isEqualTo(ExitCodes.REJECTED);
    assertThat(r.err).contains("UNTRUSTED_SIGNER").doesNotContain("\tat ");
    Path empty = Files.createDirectories(dir.resolve("empty"));
    Run r2 = run("audit", "verify", "--log", empty.toString(), "--trust", cert.toString());
    assertThat(r2.code).isEqualTo(ExitCodes.FAILURE);
    assertThat(r2.err).contains("not an audit log").doesNotContain("\tat ");
  }

  @Test
  void proveAndCheck_inclusion_roundTrip() throws Exception {
    Path proof = dir.resolve("proof-5.json");
    Run p = run("audit", "prove", "--log", log.toString(), "--seq", "5", "--out", proof.toString());
    assertThat(p.code).as(p.err).isZero();
    Run c = run("audit", "check-proof", "--proof", proof.toString(), "--trust", cert.toString());
    assertThat(c.code).as(c.err).isZero();
    assertThat(c.out).contains("inclusion proof verified: record seq 5").contains("env-2");

    String json = Files.readString(proof).replaceFirst("\"seq\" : 5", "\"seq\" : 4");
    Path bad = dir.resolve("proof-bad.json");
    Files.writeString(bad, json);
    Run c2 = run("audit", "check-proof", "--proof", bad.toString(), "--trust", cert.toString());
    assertThat(c2.code).isEqualTo(ExitCodes.REJECTED);
    assertThat(c2.err).contains("PROOF_INVALID");

    Run c3 = run("audit", "check-proof", "--proof", proof.toString(), "--trust", cert.toString(),
        "--log-id", "00112233445566778899aabbccddeeff");
    assertThat(c3.code).isEqualTo(ExitCodes.REJECTED);
    assertThat(c3.err).contains("not for log");
  }

  @Test
  void proveAndCheck_consistency_roundTrip() throws Exception {
    Path proof = dir.resolve("consistency.json");
    Run p = run("audit", "prove-consistency", "--log", log.toString(), "--from", "1", "--out", proof.toString());
    assertThat(p.code).as(p.err).isZero();
    Run c = run("audit", "check-proof", "--proof", proof.toString(), "--trust", cert.toString());
    assertThat(c.code).as(c.err).isZero();
    assertThat(c.out).contains("consistency proof verified");
    Run bad = run("audit", "prove-consistency", "--log", log.toString(), "--from", "9", "--to", "2");
    assertThat(bad.code).isEqualTo(ExitCodes.REJECTED);
    assertThat(bad.err).contains("from <= to");
  }

  @Test
  void checkProof_garbage_rejectedNoStackTrace() throws Exception {
    Path junk = dir.resolve("junk.json");
    Files.writeString(junk, "not json");
    Run r = run("audit", "check-proof", "--proof", junk.toString(), "--trust", cert.toString());
    assertThat(r.code).isEqualTo(ExitCodes.REJECTED);
    assertThat(r.err).contains("MALFORMED_PROOF").doesNotContain("\tat ");
  }

  @Test
  void prove_seqNotCovered_clearError() {
    Run r = run("audit", "prove", "--log", log.toString(), "--seq", "99");
    assertThat(r.code).isEqualTo(ExitCodes.REJECTED);
    assertThat(r.err).contains("not covered");
  }

  @Test
  void stats_formats_countRequestsAndDenials() throws Exception {
    Run t = run("audit", "stats", "--log", log.toString());
    assertThat(t.code).as(t.err).isZero();
    assertThat(t.out).contains("civil.marriage").contains("NO_GRANT=");
    Run j = run("audit", "stats", "--log", log.toString(), "--format", "json");
    assertThat(j.code).isZero();
    Path out = dir.resolve("stats.json");
    run("audit", "stats", "--log", log.toString(), "--format", "json", "--out", out.toString());
    String json = Files.readString(out, StandardCharsets.UTF_8);
    // requests are the even i; i = 2, 6, 10 are denied; responses (odd i) carry 100 bytes each
    assertThat(json).contains("\"requests\" : 6").contains("\"permitted\" : 3").contains("\"NO_GRANT\" : 3")
        .contains("\"bytes\" : 600");
    Run c = run("audit", "stats", "--log", log.toString(), "--format", "csv", "--from", "2026-01-05T08:00:04Z",
        "--to", "2026-01-05T08:00:08Z");
    assertThat(c.code).isZero();
    assertThat(c.out).startsWith("provider,consumer,resource,requests");
    assertThat(c.out.lines().skip(1).findFirst().orElseThrow()).contains(",2,1,1,NO_GRANT=1,200,");
    Run bad = run("audit", "stats", "--log", log.toString(), "--format", "xml");
    assertThat(bad.code).isEqualTo(ExitCodes.USAGE);
  }
}
