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
import io.shulian.core.testing.LogSurgery;
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
  static Path p12;

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
    p12 = dir.resolve("operator.p12");
    op.store(p12, "pw".toCharArray());
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
    // requests are the even i; i = 2, 6, 10 are denied; every record carries 100 payload bytes: request
    // bytes count the 3 permitted requests, response bytes the 6 responses (odd i)
    assertThat(json).contains("\"requests\" : 6").contains("\"permitted\" : 3").contains("\"NO_GRANT\" : 3")
        .contains("\"responseBytes\" : 600").contains("\"requestBytes\" : 300");
    Run c = run("audit", "stats", "--log", log.toString(), "--format", "csv", "--from", "2026-01-05T08:00:04Z",
        "--to", "2026-01-05T08:00:08Z");
    assertThat(c.code).isZero();
    assertThat(c.out).startsWith("provider,consumer,resource,requests");
    assertThat(c.out.lines().skip(1).findFirst().orElseThrow()).contains(",2,1,1,NO_GRANT=1,100,200,");
    Run bad = run("audit", "stats", "--log", log.toString(), "--format", "xml");
    assertThat(bad.code).isEqualTo(ExitCodes.USAGE);
  }

  /** A copy of the test log, to be altered. */
  static Path copyOfLog(String name) throws Exception {
    Path copy = Files.createDirectories(dir.resolve(name));
    try (var files = Files.newDirectoryStream(log)) {
      for (Path p : files) {
        if (Files.isRegularFile(p)) {
          Files.copy(p, copy.resolve(p.getFileName()));
        }
      }
    }
    return copy;
  }

  static List<String> checkpointLines(Path log, long maxTreeSize) throws Exception {
    List<String> out = new java.util.ArrayList<>();
    for (String l : Files.readAllLines(log.resolve("checkpoints.jsonl"))) {
      if (new com.fasterxml.jackson.databind.ObjectMapper().readTree(l).get("treeSize").asLong() <= maxTreeSize) {
        out.add(l);
      }
    }
    return out;
  }

  static AuditRecord permitted(AuditRecord r) {
    return r.toBuilder().decision(AuditDecision.permit()).status(200).outcome("OK").build();
  }

  @Test
  void verify_recordsForgedAndCheckpointsDeleted_exit3UnlessAllowUnsignedTail() throws Exception {
    Path forged = copyOfLog("forged");
    LogSurgery.forge(forged, 2, AuditCommandTest::permitted); // a denial turned into a permit
    Files.delete(forged.resolve("checkpoints.jsonl"));

    Run r = run("audit", "verify", "--log", forged.toString(), "--trust", cert.toString());
    assertThat(r.code).as(r.out + r.err).isEqualTo(ExitCodes.REJECTED);
    assertThat(r.out).startsWith("NOT PROVEN").doesNotContain("intact");
    assertThat(r.err).contains("12 records").contains("checkpoints.jsonl is missing").contains("--allow-unsigned-tail");

    Run allowed = run("audit", "verify", "--log", forged.toString(), "--trust", cert.toString(), "--allow-unsigned-tail");
    assertThat(allowed.code).as(allowed.err).isEqualTo(ExitCodes.OK);
    assertThat(allowed.out).startsWith("NOT PROVEN").contains("checkpoints.jsonl is missing");
    assertThat(allowed.err).contains("WARNING");

    // and the writer (a gateway starting on this directory) refuses to sign the forged history
    Run seal = run("audit", "checkpoint", "--log", forged.toString(), "--key", p12.toString(), "--password", "pw");
    assertThat(seal.code).as(seal.err).isEqualTo(ExitCodes.REJECTED);
    assertThat(seal.err).contains("--acknowledge-unproven");
  }

  @Test
  void verify_uncoveredTail_exit3UnlessAllowUnsignedTail() throws Exception {
    Path tail = copyOfLog("tail");
    Files.write(tail.resolve("checkpoints.jsonl"), checkpointLines(tail, 8));
    Run r = run("audit", "verify", "--log", tail.toString(), "--trust", cert.toString());
    assertThat(r.code).isEqualTo(ExitCodes.REJECTED);
    assertThat(r.out).contains("NOT SIGNED: 4 records");
    Run allowed = run("audit", "verify", "--log", tail.toString(), "--trust", cert.toString(), "--allow-unsigned-tail");
    assertThat(allowed.code).as(allowed.err).isEqualTo(ExitCodes.OK);
  }

  @Test
  void verify_trustedEarlierCheckpoint_detectsLogAndCheckpointsCutBackTogether() throws Exception {
    Path trusted = dir.resolve("trusted-8.json");
    Files.writeString(trusted, checkpointLines(log, 8).get(checkpointLines(log, 8).size() - 1));
    Path cut = copyOfLog("cut");
    LogSurgery.truncate(cut, 4);
    Files.write(cut.resolve("checkpoints.jsonl"), checkpointLines(cut, 4));

    Run alone = run("audit", "verify", "--log", cut.toString(), "--trust", cert.toString());
    assertThat(alone.code).as("the directory alone cannot show it: " + alone.out).isEqualTo(ExitCodes.OK);
    Run r = run("audit", "verify", "--log", cut.toString(), "--trust", cert.toString(), "--checkpoint", trusted.toString());
    assertThat(r.code).isEqualTo(ExitCodes.REJECTED);
    assertThat(r.err).contains("trusted checkpoint").contains("tree size 8").contains("only 4");
    Run good = run("audit", "verify", "--log", log.toString(), "--trust", cert.toString(), "--checkpoint", trusted.toString());
    assertThat(good.code).as(good.err).isEqualTo(ExitCodes.OK);
    assertThat(good.out).contains("consistent with 1 trusted checkpoint");
  }

  @Test
  void verify_collectorsCopyOfCheckpoints_detectsRewrittenTailThatLooksLikeACrash() throws Exception {
    Path collectorCopy = dir.resolve("collector-checkpoints.jsonl");
    Files.copy(log.resolve("checkpoints.jsonl"), collectorCopy);
    Path forged = copyOfLog("forged-tail");
    Files.write(forged.resolve("checkpoints.jsonl"), checkpointLines(forged, 4));
    LogSurgery.forge(forged, 6, AuditCommandTest::permitted);

    Run lenient = run("audit", "verify", "--log", forged.toString(), "--trust", cert.toString(), "--allow-unsigned-tail");
    assertThat(lenient.code).as("with the flag an unsigned tail is accepted").isEqualTo(ExitCodes.OK);
    Run r = run("audit", "verify", "--log", forged.toString(), "--trust", cert.toString(), "--allow-unsigned-tail",
        "--checkpoint", collectorCopy.toString());
    assertThat(r.code).isEqualTo(ExitCodes.REJECTED);
    assertThat(r.err).contains("trusted checkpoint").contains("does not match");
  }

  @Test
  void verify_duplicatedCheckpointLines_countedOnce() throws Exception {
    Run before = run("audit", "verify", "--log", log.toString(), "--trust", cert.toString());
    Path dup = copyOfLog("dup");
    List<String> lines = new java.util.ArrayList<>(Files.readAllLines(dup.resolve("checkpoints.jsonl")));
    lines.add(lines.get(lines.size() - 1));
    lines.add(lines.get(lines.size() - 1));
    Files.write(dup.resolve("checkpoints.jsonl"), lines);
    Run r = run("audit", "verify", "--log", dup.toString(), "--trust", cert.toString());
    assertThat(r.code).as(r.err).isEqualTo(ExitCodes.OK);
    assertThat(r.out.lines().findFirst()).isEqualTo(before.out.lines().findFirst());
    assertThat(r.out).contains("2 repeated checkpoint lines");
    lines.add(lines.get(1));
    Files.write(dup.resolve("checkpoints.jsonl"), lines);
    Run back = run("audit", "verify", "--log", dup.toString(), "--trust", cert.toString());
    assertThat(back.code).isEqualTo(ExitCodes.REJECTED);
    assertThat(back.err).contains("smaller than the checkpoint before it");
  }

  @Test
  void checkpoint_acknowledgeUnproven_sealsTheGapAndVerifyReportsItLoudly() throws Exception {
    Path forged = copyOfLog("acknowledged");
    LogSurgery.forge(forged, 2, AuditCommandTest::permitted);
    Files.delete(forged.resolve("checkpoints.jsonl"));

    Run ack = run("audit", "checkpoint", "--log", forged.toString(), "--key", p12.toString(), "--password", "pw",
        "--acknowledge-unproven", "checkpoints.jsonl deleted, incident 2026-17");
    assertThat(ack.code).as(ack.err).isEqualTo(ExitCodes.OK);
    assertThat(ack.out).contains("acknowledged").contains("seq 0..11");

    Run r = run("audit", "verify", "--log", forged.toString(), "--trust", cert.toString());
    assertThat(r.code).isEqualTo(ExitCodes.REJECTED);
    assertThat(r.out).contains("ACKNOWLEDGED").contains("incident 2026-17");
    assertThat(r.err).contains("--allow-acknowledged");
    Run allowed = run("audit", "verify", "--log", forged.toString(), "--trust", cert.toString(), "--allow-acknowledged");
    assertThat(allowed.code).as(allowed.err).isEqualTo(ExitCodes.OK);
    assertThat(allowed.out).contains("ACKNOWLEDGED");
    Path proof = dir.resolve("acknowledged-proof.json");
    assertThat(run("audit", "prove", "--log", forged.toString(), "--seq", "2", "--out", proof.toString()).code).isZero();
    Run checked = run("audit", "check-proof", "--proof", proof.toString(), "--trust", cert.toString());
    assertThat(checked.code).as(checked.err).isZero();
    assertThat(checked.out).contains("ACKNOWLEDGED").contains("incident 2026-17");

    // a plain checkpoint on an intact log needs no acknowledgement
    Path intact = copyOfLog("intact-checkpoint");
    Run plain = run("audit", "checkpoint", "--log", intact.toString(), "--key", p12.toString(), "--password", "pw");
    assertThat(plain.code).as(plain.err).isEqualTo(ExitCodes.OK);
  }

  @Test
  void stats_csv_resourceOrReasonLedByTabOrCarriageReturnAndAFormula_writtenAsText() throws Exception {
    PartyIdentity op = PartyIdentity.generateSelfSigned(Suite.INTL, CONSUMER, Duration.ofDays(1));
    Path formulas = dir.resolve("formulas");
    try (AuditLog l = AuditLog.builder(formulas, op).open()) {
      l.append(AuditRecord.builder()
          .time(Instant.parse("2026-01-05T08:00:00Z"))
          .envelopeId("-")
          .direction(Direction.REQUEST_OUT)
          .sender(CONSUMER)
          .receiver(AuditRecord.UNKNOWN_PARTY)
          .resource("\t=HYPERLINK(\"http://x/\")")
          .purpose("social-assistance-review")
          .decision(AuditDecision.deny("\r@SUM(A1)"))
          .status(400)
          .outcome("UNKNOWN_RESOURCE")
          .build()).get();
    }

    Run c = run("audit", "stats", "--log", formulas.toString(), "--format", "csv");

    assertThat(c.code).as(c.err).isZero();
    assertThat(c.out).contains("\"'\t=HYPERLINK(\"\"http://x/\"\")\"").doesNotContain(",\t=").doesNotContain("\"\t=");
    assertThat(c.out).contains("'\r@SUM(A1)").doesNotContain("\"\r@");
  }

  @Test
  void stats_gatewayRefusalsWithoutEnvelope_eachCountedUnderItsReason() throws Exception {
    PartyIdentity op = PartyIdentity.generateSelfSigned(Suite.INTL, CONSUMER, Duration.ofDays(1));
    Path refusals = dir.resolve("refusals");
    String[] reasons = {"UNKNOWN_APP", "UNKNOWN_APP", "PURPOSE_REQUIRED", "UNKNOWN_RESOURCE"};
    try (AuditLog l = AuditLog.builder(refusals, op).open()) {
      for (int i = 0; i < reasons.length; i++) {
        l.append(AuditRecord.builder()
            .time(Instant.parse("2026-01-05T08:00:00Z").plusSeconds(i))
            .envelopeId("-")
            .direction(Direction.REQUEST_OUT)
            .sender(CONSUMER)
            .receiver(AuditRecord.UNKNOWN_PARTY)
            .resource("civil.marriage")
            .purpose("social-assistance-review")
            .decision(AuditDecision.deny(reasons[i]))
            .status(400)
            .outcome(reasons[i])
            .build()).get();
      }
    }
    Run r = run("audit", "stats", "--log", refusals.toString(), "--format", "json");
    assertThat(r.code).as(r.err).isZero();
    assertThat(r.out).contains("\"requests\" : 4").contains("\"denied\" : 4").contains("\"UNKNOWN_APP\" : 2")
        .contains("\"PURPOSE_REQUIRED\" : 1").contains("\"UNKNOWN_RESOURCE\" : 1");
  }

  @Test
  void stats_replayedEnvelopeRefusedByProvider_countedAsItsOwnRequest() throws Exception {
    PartyIdentity op = PartyIdentity.generateSelfSigned(Suite.INTL, PROVIDER, Duration.ofDays(1));
    Path consumerSide = dir.resolve("replay-consumer");
    Path providerSide = dir.resolve("replay-provider");
    AuditRecord sent = AuditRecord.builder()
        .time(Instant.parse("2026-01-05T08:00:00Z"))
        .envelopeId("env-replayed")
        .direction(Direction.REQUEST_OUT)
        .sender(CONSUMER)
        .receiver(PROVIDER)
        .resource("civil.marriage")
        .purpose("social-assistance-review")
        .decision(AuditDecision.permit())
        .status(200)
        .outcome("OK")
        .build();
    try (AuditLog l = AuditLog.builder(consumerSide, op).open()) {
      l.append(sent).get();
    }
    try (AuditLog l = AuditLog.builder(providerSide, op).open()) {
      l.append(sent.toBuilder().direction(Direction.REQUEST_IN).build()).get();
      l.append(sent.toBuilder().direction(Direction.REQUEST_IN).time(Instant.parse("2026-01-05T08:00:01Z"))
          .decision(AuditDecision.deny("REPLAYED")).status(409).outcome("REPLAYED").build()).get();
    }
    // the same directory given twice adds nothing
    Run r = run("audit", "stats", "--log", consumerSide.toString(), providerSide.toString(), providerSide.toString(),
        "--format", "json");
    assertThat(r.code).as(r.err).isZero();
    assertThat(r.out).contains("\"requests\" : 2").contains("\"permitted\" : 1").contains("\"REPLAYED\" : 1");
  }

  @Test
  void checkpoint_afterKeyRotation_refusedUntilTheOldSigningCertificateIsTrusted() throws Exception {
    Path rotated = copyOfLog("rotated");
    Path newKey = dir.resolve("new-operator.p12");
    PartyIdentity.generateSelfSigned(Suite.INTL, PROVIDER, Duration.ofDays(1)).store(newKey, "pw".toCharArray());

    Run refused = run("audit", "checkpoint", "--log", rotated.toString(), "--key", newKey.toString(), "--password", "pw");
    assertThat(refused.code).isEqualTo(ExitCodes.REJECTED);
    assertThat(refused.err).contains("cannot verify").contains("--trust").doesNotContain("\tat ");
    Run sealed = run("audit", "checkpoint", "--log", rotated.toString(), "--key", newKey.toString(), "--password", "pw",
        "--trust", cert.toString());
    assertThat(sealed.code).as(sealed.err).isEqualTo(ExitCodes.OK);
    assertThat(sealed.out).contains("checkpoint signed").doesNotContain("acknowledged");
    // from now on the new key alone opens it
    Run again = run("audit", "checkpoint", "--log", rotated.toString(), "--key", newKey.toString(), "--password", "pw");
    assertThat(again.code).as(again.err).isEqualTo(ExitCodes.OK);
  }
}
