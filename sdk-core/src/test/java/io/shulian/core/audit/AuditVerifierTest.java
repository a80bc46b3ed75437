package io.shulian.core.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shulian.core.internal.audit.RecordCodec;
import io.shulian.core.internal.audit.SegmentFormat;
import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.keys.Suite;
import io.shulian.core.testing.LogSurgery;
import io.shulian.core.testing.TestParties;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditVerifierTest {
  @TempDir static Path shared;
  static Path original;
  @TempDir Path tmp;

  /** 60 records in several segments, a checkpoint every 10 (synchronous appends), a final one. */
  @BeforeAll
  static void writeLog() throws Exception {
    original = shared.resolve("orig");
    try (AuditLog log = AuditLog.builder(original, AuditFixtures.operator(Suite.INTL))
        .segmentMaxBytes(4096).checkpointEveryRecords(10).open()) {
      for (int i = 0; i < 60; i++) {
        log.append(AuditFixtures.record(i)).get();
      }
    }
    assertThat(LogSurgery.segments(original)).hasSizeGreaterThan(3);
  }

  private Path copy() throws Exception {
    return LogSurgery.copy(original, tmp.resolve("copy-" + System.nanoTime()));
  }

  private static VerificationReport verify(Path dir) throws AuditException {
    return AuditVerifier.verify(dir, AuditFixtures.trust(Suite.INTL));
  }

  private static VerificationReport.Problem tampered(Path dir) throws AuditException {
    VerificationReport r = verify(dir);
    assertThat(r.intact()).as("must not be intact").isFalse();
    return r.problem().orElseThrow();
  }

  @Test
  void verify_untouched_intactAndFullyCovered() throws Exception {
    VerificationReport r = verify(original);
    assertThat(r.intact()).as(r.summary()).isTrue();
    assertThat(r.records()).isEqualTo(60);
    assertThat(r.coveredRecords()).isEqualTo(60);
    assertThat(r.checkpoints()).isGreaterThanOrEqualTo(6);
    assertThat(r.summary()).startsWith("intact: 60 records");
  }

  @Test
  void verify_oneByteChangedAnywhere_neverIntact() throws Exception {
    Random rnd = new Random(7);
    List<Path> files = new ArrayList<>(LogSurgery.segments(original));
    files.add(original.resolve(SegmentFormat.CHECKPOINTS_FILE));
    for (int i = 0; i < 80; i++) {
      Path dir = copy();
      Path f = dir.resolve(files.get(rnd.nextInt(files.size())).getFileName());
      byte[] d = Files.readAllBytes(f);
      int at = rnd.nextInt(d.length);
      d[at] ^= (byte) (1 + rnd.nextInt(255));
      Files.write(f, d);
      try {
        VerificationReport r = verify(dir);
        assertThat(r.intact()).as("byte " + at + " of " + f.getFileName() + ": " + r.summary()).isFalse();
      } catch (AuditException e) {
        // detected as untrusted signer, unsupported version or not a log: also not "intact"
        assertThat(e.reason()).isNotEqualTo(AuditException.Reason.LOG_UNAVAILABLE);
      }
    }
  }

  @Test
  void verify_recordDeleted_namesSegmentOffsetAndSeq() throws Exception {
    Path dir = copy();
    Path seg = LogSurgery.segments(dir).get(1);
    int[] f = LogSurgery.frames(seg).get(1);
    LogSurgery.splice(seg, f[0], f[1], new byte[0]);
    VerificationReport.Problem p = tampered(dir);
    assertThat(p.file()).isEqualTo(seg.getFileName().toString());
    assertThat(p.offset()).isEqualTo(f[0]);
    assertThat(p.description()).contains("deleted, inserted or reordered");
  }

  @Test
  void verify_recordsReordered_detected() throws Exception {
    Path dir = copy();
    Path seg = LogSurgery.segments(dir).get(0);
    List<int[]> fr = LogSurgery.frames(seg);
    byte[] a = LogSurgery.range(seg, fr.get(2)[0], fr.get(2)[1]);
    byte[] b = LogSurgery.range(seg, fr.get(3)[0], fr.get(3)[1]);
    byte[] ba = new byte[a.length + b.length];
    System.arraycopy(b, 0, ba, 0, b.length);
    System.arraycopy(a, 0, ba, b.length, a.length);
    LogSurgery.splice(seg, fr.get(2)[0], fr.get(3)[1], ba);
    VerificationReport.Problem p = tampered(dir);
    assertThat(p.offset()).isEqualTo(fr.get(2)[0]);
  }

  @Test
  void verify_recordInserted_detected() throws Exception {
    Path dir = copy();
    Path seg = LogSurgery.segments(dir).get(2);
    int[] f = LogSurgery.frames(seg).get(0);
    LogSurgery.splice(seg, f[1], f[1], LogSurgery.range(seg, f[0], f[1]));
    assertThat(tampered(dir).offset()).isEqualTo(f[1]);
  }

  @Test
  void verify_truncatedPastCheckpoint_detected() throws Exception {
    Path dir = copy();
    List<Path> segs = LogSurgery.segments(dir);
    Path last = segs.get(segs.size() - 1);
    int[] f = LogSurgery.frames(last).get(0);
    LogSurgery.splice(last, f[0], (int) Files.size(last), new byte[0]);
    assertThat(tampered(dir).description()).contains("truncated");

    Path dir2 = copy();
    List<Path> segs2 = LogSurgery.segments(dir2);
    Files.delete(segs2.get(segs2.size() - 1));
    assertThat(tampered(dir2).description()).contains("truncated");
  }

  @Test
  void verify_checkpointSignatureReplaced_detected() throws Exception {
    Path dir = copy();
    Path cpf = dir.resolve(SegmentFormat.CHECKPOINTS_FILE);
    List<String> lines = Files.readAllLines(cpf);
    ObjectNode first = (ObjectNode) Checkpoint.JSON.readTree(lines.get(0));
    ObjectNode second = (ObjectNode) Checkpoint.JSON.readTree(lines.get(1));
    first.put("sig", second.get("sig").asText());
    lines.set(0, first.toString());
    Files.write(cpf, (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8));
    VerificationReport.Problem p = tampered(dir);
    assertThat(p.file()).isEqualTo("checkpoints.jsonl line 1");
    assertThat(p.description()).contains("does not verify");
  }

  @Test
  void verify_recordRewrittenWithValidChain_checkpointRootMismatch() throws Exception {
    Path dir = copy();
    Path seg = LogSurgery.segments(dir).get(1);
    int[] f = LogSurgery.frames(seg).get(0);
    byte[] d = Files.readAllBytes(seg);
    int body = f[0] + 8;
    int len = RecordCodec.getInt(d, f[0]);
    // change the payload size field (8 bytes before status, outcome and latency at the end of the body)
    AuditEntry e = RecordCodec.decode(d, body, len);
    RecordCodec.Sink s = new RecordCodec.Sink(256);
    RecordCodec.encode(e.seq(), e.record().toBuilder().payloadBytes(e.record().payloadBytes() + 1).build(), s);
    System.arraycopy(s.array(), 0, d, body, len);
    Files.write(seg, d);
    LogSurgery.rechain(dir);
    VerificationReport.Problem p = tampered(dir);
    assertThat(p.description()).contains("does not match the records").contains("Merkle root");
  }

  @Test
  void verify_recordsForgedAndCheckpointsDeleted_notProven() throws Exception {
    Path dir = copy();
    LogSurgery.forge(dir, 7, r -> r.toBuilder().resource("civil.other").build());
    Files.delete(dir.resolve(SegmentFormat.CHECKPOINTS_FILE));
    VerificationReport r = verify(dir);
    assertThat(r.proven()).as(r.summary()).isFalse();
    assertThat(r.uncoveredRecords()).isEqualTo(60);
    assertThat(r.summary()).startsWith("NOT PROVEN").contains("checkpoints.jsonl is missing").doesNotContain("intact");
  }

  @Test
  void verify_untouched_proven() throws Exception {
    VerificationReport r = verify(original);
    assertThat(r.proven()).as(r.summary()).isTrue();
    assertThat(r.summary()).startsWith("intact");
  }

  private static List<String> checkpointLines(Path dir) throws Exception {
    return Files.readAllLines(dir.resolve(SegmentFormat.CHECKPOINTS_FILE));
  }

  private static void writeCheckpointLines(Path dir, List<String> lines) throws Exception {
    Files.write(dir.resolve(SegmentFormat.CHECKPOINTS_FILE), (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void verify_duplicateCheckpointLines_countedOnce() throws Exception {
    int distinct = verify(original).checkpoints();
    Path dir = copy();
    List<String> lines = new ArrayList<>(checkpointLines(dir));
    lines.add(2, lines.get(2));
    lines.add(lines.get(lines.size() - 1));
    writeCheckpointLines(dir, lines);
    VerificationReport r = verify(dir);
    assertThat(r.intact()).as(r.summary()).isTrue();
    assertThat(r.checkpoints()).isEqualTo(distinct);
    assertThat(r.summary()).contains("2 repeated checkpoint lines");
    assertThat(AuditLogReader.checkpoints(dir)).hasSize(distinct);
  }

  @Test
  void verify_checkpointLineGoesBackwards_tampered() throws Exception {
    Path dir = copy();
    List<String> lines = new ArrayList<>(checkpointLines(dir));
    lines.add(lines.get(1));
    writeCheckpointLines(dir, lines);
    assertThat(tampered(dir).description()).contains("smaller than the checkpoint before it");
  }

  @Test
  void verify_twoDifferentCheckpointsOfOneSize_tampered() throws Exception {
    Path dir = copy();
    List<String> lines = new ArrayList<>(checkpointLines(dir));
    ObjectNode last = (ObjectNode) Checkpoint.JSON.readTree(lines.get(lines.size() - 1));
    last.put("root", ((ObjectNode) Checkpoint.JSON.readTree(lines.get(1))).get("root").asText());
    lines.add(last.toString());
    writeCheckpointLines(dir, lines);
    assertThat(tampered(dir).description()).contains("conflicts with");
    // the same tree signed again (as after a key rotation) is no conflict, but each signature must verify
    Path again = copy();
    List<String> lines2 = new ArrayList<>(checkpointLines(again));
    ObjectNode resigned = (ObjectNode) Checkpoint.JSON.readTree(lines2.get(lines2.size() - 1));
    resigned.put("time", "2030-01-01T00:00:00Z");
    lines2.add(resigned.toString());
    writeCheckpointLines(again, lines2);
    assertThat(tampered(again).description()).contains("does not verify");
  }

  @Test
  void verify_trustedEarlierCheckpoint_truncationBelowItDetected() throws Exception {
    List<Checkpoint> all = AuditLogReader.checkpoints(original);
    Checkpoint kept = all.stream().filter(c -> c.treeSize() == 40).findFirst().orElseThrow();
    Path dir = copy();
    // the attacker cuts records and checkpoints back to tree size 20, consistently
    LogSurgery.truncate(dir, 20);
    List<String> lines = new ArrayList<>();
    for (String l : checkpointLines(dir)) {
      if (Checkpoint.fromTree(Checkpoint.JSON.readTree(l)).treeSize() <= 20) {
        lines.add(l);
      }
    }
    writeCheckpointLines(dir, lines);
    VerificationReport alone = verify(dir);
    assertThat(alone.proven()).as("undetectable from the directory alone: " + alone.summary()).isTrue();
    VerificationReport r = AuditVerifier.verify(dir, AuditFixtures.trust(Suite.INTL), List.of(kept));
    assertThat(r.intact()).isFalse();
    assertThat(r.problem().orElseThrow().description()).contains("trusted checkpoint").contains("40")
        .contains("only 20");
  }

  @Test
  void verify_trustedEarlierCheckpoint_rewrittenUncoveredTailDetected() throws Exception {
    List<Checkpoint> all = AuditLogReader.checkpoints(original);
    Checkpoint kept = all.stream().filter(c -> c.treeSize() == 30).findFirst().orElseThrow();
    Path dir = copy();
    // drop the checkpoints after 20 and rewrite record 25: to the directory alone it looks like a crash tail
    List<String> lines = new ArrayList<>();
    for (String l : checkpointLines(dir)) {
      if (Checkpoint.fromTree(Checkpoint.JSON.readTree(l)).treeSize() <= 20) {
        lines.add(l);
      }
    }
    writeCheckpointLines(dir, lines);
    LogSurgery.forge(dir, 25, rec -> rec.toBuilder().resource("civil.other").build());
    VerificationReport alone = verify(dir);
    assertThat(alone.intact()).isTrue();
    assertThat(alone.proven()).isFalse();
    VerificationReport r = AuditVerifier.verify(dir, AuditFixtures.trust(Suite.INTL), List.of(kept));
    assertThat(r.problem().orElseThrow().description()).contains("trusted checkpoint").contains("does not match");
    // the trusted checkpoint of the untouched log is consistent
    VerificationReport ok = AuditVerifier.verify(original, AuditFixtures.trust(Suite.INTL), List.of(kept));
    assertThat(ok.proven()).as(ok.summary()).isTrue();
    assertThat(ok.summary()).contains("consistent with 1 trusted checkpoint");
  }

  @Test
  void verify_trustedCheckpointOfAnotherLog_rejected() throws Exception {
    Path other = tmp.resolve("other");
    AuditFixtures.writeLog(other, Suite.INTL, 50, 10);
    List<Checkpoint> theirs = AuditLogReader.checkpoints(other);
    Checkpoint foreign = theirs.get(theirs.size() - 1);
    VerificationReport r = AuditVerifier.verify(original, AuditFixtures.trust(Suite.INTL), List.of(foreign));
    assertThat(r.problem().orElseThrow().description()).contains("another log");
  }

  @Test
  void verify_foreignTrustAnchor_untrustedSigner() throws Exception {
    PartyIdentity other = PartyIdentity.generateSelfSigned(Suite.INTL, TestParties.DISTRICT, Duration.ofDays(1));
    assertThatThrownBy(() -> AuditVerifier.verify(original, CheckpointTrust.pinned(List.of(other.signingCertificate()))))
        .isInstanceOfSatisfying(AuditException.class, ex -> {
          assertThat(ex.reason()).isEqualTo(AuditException.Reason.UNTRUSTED_SIGNER);
          assertThat(ex.getMessage()).contains("not among the trusted certificates");
        });
  }

  @Test
  void verify_directoryWithoutLog_notALog() throws Exception {
    Path empty = Files.createDirectories(tmp.resolve("empty"));
    assertThatThrownBy(() -> verify(empty)).isInstanceOfSatisfying(AuditException.class,
        ex -> assertThat(ex.reason()).isEqualTo(AuditException.Reason.NOT_A_LOG));
    Path notADir = Files.writeString(tmp.resolve("file"), "x");
    assertThatThrownBy(() -> verify(notADir)).isInstanceOfSatisfying(AuditException.class,
        ex -> assertThat(ex.reason()).isEqualTo(AuditException.Reason.NOT_A_LOG));
  }

  @Test
  void verify_recordOfNewerFormatVersion_unsupportedVersion() throws Exception {
    Path dir = copy();
    Path seg = LogSurgery.segments(dir).get(1);
    int[] f = LogSurgery.frames(seg).get(0);
    byte[] d = Files.readAllBytes(seg);
    d[f[0] + 8] = (byte) (io.shulian.core.internal.audit.RecordCodec.VERSION + 1);
    Files.write(seg, d);
    LogSurgery.rechain(dir);
    assertThatThrownBy(() -> verify(dir)).isInstanceOfSatisfying(AuditException.class, ex -> {
      assertThat(ex.reason()).isEqualTo(AuditException.Reason.UNSUPPORTED_VERSION);
      assertThat(ex.getMessage()).contains("newer");
    });
  }

  @Test
  void open_damageUnderCheckpoint_refusesToWrite() throws Exception {
    Path dir = copy();
    Path seg = LogSurgery.segments(dir).get(0);
    byte[] d = Files.readAllBytes(seg);
    d[SegmentFormat.HEADER_BYTES + 20] ^= 1;
    Files.write(seg, d);
    assertThatThrownBy(() -> AuditLog.builder(dir, AuditFixtures.operator(Suite.INTL)).open())
        .isInstanceOfSatisfying(AuditException.class,
            ex -> assertThat(ex.reason()).isEqualTo(AuditException.Reason.LOG_CORRUPT));
  }

  @Test
  void open_tornTailAfterLastCheckpoint_truncatedAndKept() throws Exception {
    Path dir = tmp.resolve("torn");
    try (AuditLog log = AuditLog.builder(dir, AuditFixtures.operator(Suite.INTL)).open()) {
      for (int i = 0; i < 5; i++) {
        log.append(AuditFixtures.record(i)).get();
      }
      log.checkpoint().get();
      log.append(AuditFixtures.record(5)).get();
    }
    // close wrote a checkpoint over 6; drop it to make record 5 uncovered, then tear record 5
    Path cpf = dir.resolve(SegmentFormat.CHECKPOINTS_FILE);
    List<String> lines = Files.readAllLines(cpf);
    Files.writeString(cpf, String.join("\n", lines.subList(0, lines.size() - 1)) + "\n");
    Path seg = LogSurgery.segments(dir).get(0);
    int[] f = LogSurgery.frames(seg).get(5);
    LogSurgery.splice(seg, f[1] - 10, f[1], new byte[0]);
    VerificationReport before = verify(dir);
    assertThat(before.intact()).isTrue();
    assertThat(before.tornTailBytes()).isEqualTo(f[1] - 10 - f[0]);
    try (AuditLog log = AuditLog.builder(dir, AuditFixtures.operator(Suite.INTL)).open()) {
      assertThat(log.size()).isEqualTo(5);
      assertThat(log.recoveredTailBytes()).isEqualTo(f[1] - 10 - f[0]);
      assertThat(log.append(AuditFixtures.record(5)).get()).isEqualTo(5);
    }
    assertThat(Files.exists(dir.resolve("torn-" + seg.getFileName() + "-" + f[0] + ".bin"))).isTrue();
    VerificationReport after = verify(dir);
    assertThat(after.intact()).as(after.summary()).isTrue();
    assertThat(after.records()).isEqualTo(6);
  }

  @Test
  void verify_largeSegmentHashedInParallel_chainBreakNamedAtExactRecord() throws Exception {
    Path dir = tmp.resolve("big");
    AuditFixtures.writeLog(dir, Suite.INTL, 6000, 100_000);
    assertThat(verify(dir).intact()).isTrue();
    Path seg = LogSurgery.segments(dir).get(0);
    int[] f = LogSurgery.frames(seg).get(4321);
    byte[] d = Files.readAllBytes(seg);
    int len = RecordCodec.getInt(d, f[0]);
    d[f[0] + 8 + 20] ^= 1; // inside the time field
    RecordCodec.putInt(d, f[0] + 4, SegmentFormat.crc(d, f[0] + 8, len + 32));
    Files.write(seg, d);
    VerificationReport.Problem p = tampered(dir);
    assertThat(p.seq()).isEqualTo(4321);
    assertThat(p.offset()).isEqualTo(f[0]);
    assertThat(p.description()).contains("hash chain breaks");
  }
}
