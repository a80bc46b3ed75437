package io.shulian.core.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shulian.core.internal.audit.RecordCodec;
import io.shulian.core.keys.Suite;
import io.shulian.core.testing.LogSurgery;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class AuditLogTest {
  @TempDir Path tmp;

  @ParameterizedTest
  @EnumSource(Suite.class)
  void append_manyRecords_readBackInOrderAndVerifyIntact(Suite suite) throws Exception {
    Path dir = tmp.resolve("log");
    AuditFixtures.writeLog(dir, suite, 500, 64);
    List<AuditEntry> back = new ArrayList<>();
    AuditLogReader.forEach(dir, back::add);
    assertThat(back).hasSize(500);
    for (int i = 0; i < 500; i++) {
      assertThat(back.get(i).seq()).isEqualTo(i);
      assertThat(back.get(i).record()).isEqualTo(AuditFixtures.record(i));
    }
    VerificationReport rep = AuditVerifier.verify(dir, AuditFixtures.trust(suite));
    assertThat(rep.intact()).as(rep.summary()).isTrue();
    assertThat(rep.records()).isEqualTo(500);
    assertThat(rep.uncoveredRecords()).isZero();
    assertThat(rep.hashAlgorithm()).isEqualTo(suite == Suite.GM ? HashAlgorithm.SM3 : HashAlgorithm.SHA_256);
    // checkpoints fall on group-commit boundaries, so how many there are depends on batching
    assertThat(rep.checkpoints()).isEqualTo(AuditLogReader.checkpoints(dir).size()).isPositive();
  }

  @Test
  void append_futureCompletesWithSequenceNumbers() throws Exception {
    try (AuditLog log = AuditLog.builder(tmp.resolve("log"), AuditFixtures.operator(Suite.INTL)).open()) {
      assertThat(log.append(AuditFixtures.record(0)).get()).isZero();
      assertThat(log.append(AuditFixtures.record(1)).get()).isEqualTo(1);
      assertThat(log.size()).isEqualTo(2);
      Checkpoint cp = log.checkpoint().get();
      assertThat(cp.treeSize()).isEqualTo(2);
      assertThat(cp.logId()).isEqualTo(log.logId());
      assertThat(log.latestCheckpoint()).contains(cp);
    }
  }

  @Test
  void commitDelay_loneRecords_areForcedWithoutLingering() throws Exception {
    try (AuditLog log = AuditLog.builder(tmp.resolve("log"), AuditFixtures.operator(Suite.INTL))
        .commitDelay(java.time.Duration.ofSeconds(1)).open()) {
      for (int i = 0; i < 5; i++) {
        assertThat(log.append(AuditFixtures.record(i)).get()).isEqualTo(i);
      }
      assertThat(log.lingeredGroups()).isZero();
    }
  }

  @Test
  void commitDelay_burstOfAppends_lingersForSharedGroupsAndKeepsOrder() throws Exception {
    Path dir = tmp.resolve("log");
    List<CompletableFuture<Long>> futures = new ArrayList<>();
    long lingered;
    long forced;
    try (AuditLog log = AuditLog.builder(dir, AuditFixtures.operator(Suite.INTL))
        .commitDelay(java.time.Duration.ofMillis(20)).open()) {
      for (int i = 0; i < 300; i++) {
        futures.add(log.append(AuditFixtures.record(i)));
      }
      CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
      lingered = log.lingeredGroups();
      forced = log.forcedGroups();
    }
    for (int i = 0; i < futures.size(); i++) {
      assertThat(futures.get(i).get()).isEqualTo(i);
    }
    // a burst shares groups; every group of several records was gathered by lingering
    assertThat(forced).isLessThan(300);
    assertThat(lingered).isPositive().isLessThanOrEqualTo(forced);
    VerificationReport rep = AuditVerifier.verify(dir, AuditFixtures.trust(Suite.INTL));
    assertThat(rep.intact()).as(rep.summary()).isTrue();
    assertThat(rep.records()).isEqualTo(300);
  }

  @Test
  void reopen_continuesChainAndSequence() throws Exception {
    Path dir = tmp.resolve("log");
    AuditFixtures.writeLog(dir, Suite.INTL, 10, 1000);
    String id;
    try (AuditLog log = AuditLog.builder(dir, AuditFixtures.operator(Suite.INTL)).open()) {
      id = log.logId();
      assertThat(log.size()).isEqualTo(10);
      assertThat(log.append(AuditFixtures.record(10)).get()).isEqualTo(10);
    }
    try (AuditLog log = AuditLog.builder(dir, AuditFixtures.operator(Suite.INTL)).open()) {
      assertThat(log.logId()).isEqualTo(id);
      assertThat(log.size()).isEqualTo(11);
    }
    VerificationReport rep = AuditVerifier.verify(dir, AuditFixtures.trust(Suite.INTL));
    assertThat(rep.intact()).as(rep.summary()).isTrue();
    assertThat(rep.records()).isEqualTo(11);
  }

  @Test
  void rotation_smallSegments_chainAndCheckpointsContinueAcrossSegments() throws Exception {
    Path dir = tmp.resolve("log");
    try (AuditLog log = AuditLog.builder(dir, AuditFixtures.operator(Suite.INTL))
        .segmentMaxBytes(4096).checkpointEveryRecords(7).open()) {
      for (int i = 0; i < 300; i++) {
        log.append(AuditFixtures.record(i));
      }
      log.checkpoint().get();
    }
    try (Stream<Path> s = Files.list(dir)) {
      assertThat(s.filter(p -> p.getFileName().toString().startsWith("segment-")).count()).isGreaterThan(10);
    }
    VerificationReport rep = AuditVerifier.verify(dir, AuditFixtures.trust(Suite.INTL));
    assertThat(rep.intact()).as(rep.summary()).isTrue();
    assertThat(rep.records()).isEqualTo(300);
    assertThat(rep.coveredRecords()).isEqualTo(300);
  }

  @Test
  void verify_recordsAfterLastCheckpoint_reportedAsNotSigned() throws Exception {
    Path dir = tmp.resolve("log");
    try (AuditLog log = AuditLog.builder(dir, AuditFixtures.operator(Suite.INTL)).checkpointEveryRecords(5).open()) {
      for (int i = 0; i < 5; i++) {
        log.append(AuditFixtures.record(i)).get();
      }
      log.checkpoint().get();
      for (int i = 5; i < 8; i++) {
        log.append(AuditFixtures.record(i)).get();
      }
      VerificationReport rep = AuditVerifier.verify(dir, AuditFixtures.trust(Suite.INTL));
      assertThat(rep.intact()).isTrue();
      assertThat(rep.coveredRecords()).isEqualTo(5);
      assertThat(rep.uncoveredRecords()).isEqualTo(3);
      assertThat(rep.summary()).contains("NOT SIGNED: 3 records");
    }
  }

  /** A log of 20 records with checkpoints every 5 (synchronous appends), closed. */
  private Path closedLog(String name) throws Exception {
    Path dir = tmp.resolve(name);
    try (AuditLog log = AuditLog.builder(dir, AuditFixtures.operator(Suite.INTL)).checkpointEveryRecords(5).open()) {
      for (int i = 0; i < 20; i++) {
        log.append(AuditFixtures.record(i)).get();
      }
    }
    return dir;
  }

  private static AuditRecord permitted(AuditRecord r) {
    return r.toBuilder().decision(AuditDecision.permit()).status(200).outcome("OK").build();
  }

  private static void assertRefused(Path dir, String... messageParts) {
    assertThatThrownBy(() -> AuditLog.builder(dir, AuditFixtures.operator(Suite.INTL)).open())
        .isInstanceOfSatisfying(AuditException.class, e -> {
          assertThat(e.reason()).isEqualTo(AuditException.Reason.LOG_CORRUPT);
          assertThat(e.getMessage()).contains(messageParts);
        });
  }

  @Test
  void open_recordsForgedAndCheckpointsDeleted_refused() throws Exception {
    Path dir = closedLog("log");
    LogSurgery.forge(dir, 3, AuditLogTest::permitted);
    Files.delete(dir.resolve("checkpoints.jsonl"));
    assertRefused(dir, "checkpoints.jsonl", "shulian audit checkpoint");
    // an empty checkpoint file is no better: every log this writer creates starts with a signed checkpoint
    Files.createFile(dir.resolve("checkpoints.jsonl"));
    assertRefused(dir, "no signed checkpoint");
  }

  @Test
  void open_recordsForgedUnderKeptCheckpoints_refused() throws Exception {
    Path dir = closedLog("log");
    LogSurgery.forge(dir, 3, AuditLogTest::permitted);
    assertRefused(dir, "does not match");
  }

  @Test
  void open_checkpointSignatureForged_refused() throws Exception {
    Path dir = closedLog("log");
    Path cpf = dir.resolve("checkpoints.jsonl");
    List<String> lines = Files.readAllLines(cpf);
    String last = lines.get(lines.size() - 1);
    com.fasterxml.jackson.databind.node.ObjectNode n = (com.fasterxml.jackson.databind.node.ObjectNode) Checkpoint.JSON.readTree(last);
    n.put("sig", Checkpoint.JSON.readTree(lines.get(lines.size() - 2)).get("sig").asText());
    lines.set(lines.size() - 1, n.toString());
    Files.write(cpf, lines);
    assertRefused(dir, "signature");
  }

  @Test
  void open_latestCheckpointSignedByAnotherKey_refusedUnlessThatKeyIsTrusted() throws Exception {
    Path dir = closedLog("log");
    io.shulian.core.keys.PartyIdentity rotated = io.shulian.core.keys.PartyIdentity.generateSelfSigned(Suite.INTL,
        io.shulian.core.testing.TestParties.CIVIL, java.time.Duration.ofDays(1));
    assertThatThrownBy(() -> AuditLog.builder(dir, rotated).open())
        .isInstanceOfSatisfying(AuditException.class, e -> assertThat(e.getMessage())
            .contains("cannot verify").contains("--trust"));
    try (AuditLog log = AuditLog.builder(dir, rotated)
        .previousSigningCertificates(List.of(AuditFixtures.operator(Suite.INTL).signingCertificate())).open()) {
      assertThat(log.append(AuditFixtures.record(20)).get()).isEqualTo(20);
    }
    VerificationReport rep = AuditVerifier.verify(dir, CheckpointTrust.pinned(List.of(
        AuditFixtures.operator(Suite.INTL).signingCertificate(), rotated.signingCertificate())));
    assertThat(rep.intact()).as(rep.summary()).isTrue();
    assertThat(rep.uncoveredRecords()).isZero();
    // and the gateway with the new key opens it on its own from now on
    AuditLog.builder(dir, rotated).open().close();
  }

  @Test
  void open_crashTailAfterValidCheckpoint_opensWithoutOperator() throws Exception {
    Path dir = closedLog("log");
    // a crash after 3 more records were forced but before their checkpoint: drop the final checkpoint
    Path cpf = dir.resolve("checkpoints.jsonl");
    List<String> lines = Files.readAllLines(cpf);
    try (AuditLog log = AuditLog.builder(dir, AuditFixtures.operator(Suite.INTL)).open()) {
      for (int i = 20; i < 23; i++) {
        log.append(AuditFixtures.record(i)).get();
      }
    }
    Files.write(cpf, lines);
    try (AuditLog log = AuditLog.builder(dir, AuditFixtures.operator(Suite.INTL)).open()) {
      assertThat(log.size()).isEqualTo(23);
      assertThat(log.append(AuditFixtures.record(23)).get()).isEqualTo(23);
    }
    VerificationReport rep = AuditVerifier.verify(dir, AuditFixtures.trust(Suite.INTL));
    assertThat(rep.intact()).as(rep.summary()).isTrue();
    assertThat(rep.uncoveredRecords()).isZero();
    assertThat(rep.acknowledged()).isEmpty();
  }

  @Test
  void open_acknowledgeUnproven_signsTheGapAndVerifyReportsIt() throws Exception {
    Path dir = closedLog("log");
    LogSurgery.forge(dir, 12, AuditLogTest::permitted);
    Files.delete(dir.resolve("checkpoints.jsonl"));
    try (AuditLog log = AuditLog.builder(dir, AuditFixtures.operator(Suite.INTL))
        .acknowledgeUnprovenRecords("checkpoints.jsonl lost in incident 42").open()) {
      assertThat(log.latestCheckpoint().orElseThrow().acknowledgment()).hasValueSatisfying(a -> {
        assertThat(a.fromSeq()).isZero();
        assertThat(a.reason()).isEqualTo("checkpoints.jsonl lost in incident 42");
      });
      log.append(AuditFixtures.record(20)).get();
    }
    // the writer opens it again without the option: the gap is sealed
    AuditLog.builder(dir, AuditFixtures.operator(Suite.INTL)).open().close();
    VerificationReport rep = AuditVerifier.verify(dir, AuditFixtures.trust(Suite.INTL));
    assertThat(rep.intact()).as(rep.summary()).isTrue();
    assertThat(rep.uncoveredRecords()).isZero();
    assertThat(rep.acknowledged()).singleElement().satisfies(cp -> assertThat(cp.treeSize()).isEqualTo(20));
    assertThat(rep.summary()).contains("ACKNOWLEDGED").contains("seq 0..19").contains("incident 42");
  }

  @Test
  void open_acknowledgeUnproven_refusesRecordsThatContradictACheckpoint() throws Exception {
    Path dir = closedLog("log");
    LogSurgery.forge(dir, 3, AuditLogTest::permitted);
    assertThatThrownBy(() -> AuditLog.builder(dir, AuditFixtures.operator(Suite.INTL))
        .acknowledgeUnprovenRecords("trying to launder").open())
        .isInstanceOfSatisfying(AuditException.class, e -> {
          assertThat(e.reason()).isEqualTo(AuditException.Reason.LOG_CORRUPT);
          assertThat(e.getMessage()).contains("new log directory");
        });
  }

  @Test
  void open_newLog_startsWithASignedEmptyCheckpoint() throws Exception {
    Path dir = tmp.resolve("log");
    try (AuditLog log = AuditLog.builder(dir, AuditFixtures.operator(Suite.INTL)).open()) {
      assertThat(log.latestCheckpoint()).hasValueSatisfying(cp -> assertThat(cp.treeSize()).isZero());
    }
    assertThat(AuditLogReader.checkpoints(dir)).first().satisfies(cp -> assertThat(cp.treeSize()).isZero());
  }

  @Test
  void append_logDirectoryDeletedWhileOpen_failsClosed() throws Exception {
    Path dir = tmp.resolve("log");
    try (AuditLog log = AuditLog.builder(dir, AuditFixtures.operator(Suite.INTL)).open()) {
      log.append(AuditFixtures.record(0)).get();
      deleteTree(dir);
      assertUnavailable(log.append(AuditFixtures.record(1)));
      assertThat(log.failure()).hasValueSatisfying(e -> assertThat(e.getMessage()).contains("deleted or replaced"));
      assertUnavailable(log.append(AuditFixtures.record(2)));
    }
  }

  @Test
  void append_logDirectoryReplacedWhileOpen_failsClosed() throws Exception {
    Path dir = tmp.resolve("log");
    try (AuditLog log = AuditLog.builder(dir, AuditFixtures.operator(Suite.INTL)).open()) {
      log.append(AuditFixtures.record(0)).get();
      Files.move(dir, tmp.resolve("moved-away"));
      LogSurgery.copy(tmp.resolve("moved-away"), dir);
      assertUnavailable(log.append(AuditFixtures.record(1)));
    }
  }

  @Test
  void append_segmentReplacedWhileOpen_failsClosed() throws Exception {
    Path dir = tmp.resolve("log");
    try (AuditLog log = AuditLog.builder(dir, AuditFixtures.operator(Suite.INTL)).open()) {
      log.append(AuditFixtures.record(0)).get();
      Path seg = LogSurgery.segments(dir).get(0);
      Path copy = tmp.resolve("seg-copy");
      Files.copy(seg, copy);
      Files.move(copy, seg, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      assertUnavailable(log.append(AuditFixtures.record(1)));
    }
  }

  @Test
  void append_checkpointFileDeletedWhileOpen_failsClosed() throws Exception {
    Path dir = tmp.resolve("log");
    try (AuditLog log = AuditLog.builder(dir, AuditFixtures.operator(Suite.INTL)).open()) {
      log.append(AuditFixtures.record(0)).get();
      Files.delete(dir.resolve("checkpoints.jsonl"));
      assertUnavailable(log.append(AuditFixtures.record(1)));
      assertThat(log.failure()).hasValueSatisfying(e -> assertThat(e.getMessage()).contains("checkpoints.jsonl"));
    }
  }

  @Test
  void idle_logDirectoryDeleted_failureReportedWithoutAnAppend() throws Exception {
    Path dir = tmp.resolve("log");
    try (AuditLog log = AuditLog.builder(dir, AuditFixtures.operator(Suite.INTL)).open()) {
      log.append(AuditFixtures.record(0)).get();
      deleteTree(dir);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (log.failure().isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(log.failure()).as("the writer checks its files while idle").isPresent();
    }
  }

  private static void deleteTree(Path dir) throws java.io.IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) s.sorted(java.util.Comparator.reverseOrder())::iterator) {
        Files.delete(p);
      }
    }
  }

  @Test
  void open_secondWriterOnSameDirectory_refused() throws Exception {
    Path dir = tmp.resolve("log");
    try (AuditLog log = AuditLog.builder(dir, AuditFixtures.operator(Suite.INTL)).open()) {
      assertThatThrownBy(() -> AuditLog.builder(dir, AuditFixtures.operator(Suite.INTL)).open())
          .isInstanceOf(AuditException.class).hasMessageContaining("another writer");
    }
  }

  @Test
  void open_directoryOfOtherFiles_notALog() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("docs"));
    Files.writeString(dir.resolve("notes.txt"), "hello");
    assertThatThrownBy(() -> AuditLog.builder(dir, AuditFixtures.operator(Suite.INTL)).open())
        .isInstanceOfSatisfying(AuditException.class, e -> assertThat(e.reason()).isEqualTo(AuditException.Reason.NOT_A_LOG));
  }

  @Test
  void open_directoryUnderAFile_failsClosed() throws Exception {
    Path file = Files.writeString(tmp.resolve("file"), "x");
    assertThatThrownBy(() -> AuditLog.builder(file.resolve("log"), AuditFixtures.operator(Suite.INTL)).open())
        .isInstanceOfSatisfying(AuditException.class,
            e -> assertThat(e.reason()).isEqualTo(AuditException.Reason.LOG_UNAVAILABLE));
  }

  @Test
  void open_readOnlyDirectory_failsClosed() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("ro"));
    assertThat(dir.toFile().setWritable(false, false)).isTrue();
    try {
      org.junit.jupiter.api.Assumptions.assumeFalse(Files.isWritable(dir), "running as root: permissions not enforced");
      assertThatThrownBy(() -> AuditLog.builder(dir, AuditFixtures.operator(Suite.INTL)).open())
          .isInstanceOfSatisfying(AuditException.class,
              e -> assertThat(e.reason()).isEqualTo(AuditException.Reason.LOG_UNAVAILABLE));
    } finally {
      dir.toFile().setWritable(true, false);
    }
  }

  private static void assertUnavailable(CompletableFuture<?> f) {
    assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
        .cause().isInstanceOfSatisfying(AuditException.class,
            e -> assertThat(e.reason()).isEqualTo(AuditException.Reason.LOG_UNAVAILABLE));
  }

  @Test
  void append_afterChannelClosed_failsAndLaterAppendsFailFast() throws Exception {
    Path dir = tmp.resolve("log");
    try (AuditLog log = AuditLog.builder(dir, AuditFixtures.operator(Suite.INTL)).open()) {
      log.append(AuditFixtures.record(0)).get();
      java.lang.reflect.Field f = AuditLog.class.getDeclaredField("segment");
      f.setAccessible(true);
      ((FileChannel) f.get(log)).close();
      assertUnavailable(log.append(AuditFixtures.record(1)));
      CompletableFuture<Long> next = log.append(AuditFixtures.record(2));
      assertThat(next).isCompletedExceptionally();
      assertUnavailable(next);
      assertThat(log.failure()).isPresent();
    }
    // reopening recovers: the failed records were never acknowledged
    try (AuditLog log = AuditLog.builder(dir, AuditFixtures.operator(Suite.INTL)).open()) {
      assertThat(log.size()).isEqualTo(1);
      assertThat(log.append(AuditFixtures.record(1)).get()).isEqualTo(1);
    }
    assertThat(AuditVerifier.verify(dir, AuditFixtures.trust(Suite.INTL)).intact()).isTrue();
  }

  @Test
  void append_nextSegmentPathIsADirectory_failsClosed() throws Exception {
    Path dir = tmp.resolve("log");
    try (AuditLog log = AuditLog.builder(dir, AuditFixtures.operator(Suite.INTL)).segmentMaxBytes(4096).open()) {
      Files.createDirectory(dir.resolve("segment-00000001.log"));
      List<CompletableFuture<Long>> fs = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        fs.add(log.append(AuditFixtures.record(i)));
      }
      assertUnavailable(fs.get(99));
      assertUnavailable(log.append(AuditFixtures.record(100)));
    }
  }

  @Test
  void checkpoint_diskFull_failsClosed() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(Files.isWritable(Path.of("/dev/full")), "/dev/full not available");
    Path dir = tmp.resolve("log");
    try (AuditLog log = AuditLog.builder(dir, AuditFixtures.operator(Suite.INTL)).open()) {
      log.append(AuditFixtures.record(0)).get();
      // the checkpoint file now lives on a device that is always full (ENOSPC on write)
      java.lang.reflect.Field f = AuditLog.class.getDeclaredField("checkpoints");
      f.setAccessible(true);
      ((FileChannel) f.get(log)).close();
      f.set(log, FileChannel.open(Path.of("/dev/full"), java.nio.file.StandardOpenOption.WRITE));
      assertUnavailable(log.checkpoint());
      assertUnavailable(log.append(AuditFixtures.record(1)));
      assertThat(log.failure().get().getMessage()).contains("checkpoint");
    }
  }

  @Test
  void append_afterClose_failsFast() throws Exception {
    AuditLog log = AuditLog.builder(tmp.resolve("log"), AuditFixtures.operator(Suite.INTL)).open();
    log.close();
    assertUnavailable(log.append(AuditFixtures.record(0)));
  }

  @Test
  void listener_appendsCommitsAndFailures_reported() throws Exception {
    List<AuditRecord> appended = new java.util.concurrent.CopyOnWriteArrayList<>();
    java.util.concurrent.atomic.AtomicInteger committed = new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.atomic.AtomicInteger failures = new java.util.concurrent.atomic.AtomicInteger();
    AuditLog.Listener l = new AuditLog.Listener() {
      @Override
      public void onAppend(AuditRecord r) {
        appended.add(r);
      }

      @Override
      public void onCommit(int records, long durationNanos) {
        assertThat(durationNanos).isNotNegative();
        committed.addAndGet(records);
      }

      @Override
      public void onFailure() {
        failures.incrementAndGet();
      }
    };
    AuditLog log = AuditLog.builder(tmp.resolve("log"), AuditFixtures.operator(Suite.INTL)).listener(l).open();
    for (int i = 0; i < 28; i++) {
      log.append(AuditFixtures.record(i)).get();
    }
    log.close();
    assertThat(appended).hasSize(28).element(3).isEqualTo(AuditFixtures.record(3));
    assertThat(committed.get()).isEqualTo(28);
    assertThat(failures.get()).isZero();
    assertUnavailable(log.append(AuditFixtures.record(28)));
    assertThat(failures.get()).isEqualTo(1);
  }

  @Test
  void listener_throwing_neverFailsAnAppend() throws Exception {
    AuditLog.Listener l = new AuditLog.Listener() {
      @Override
      public void onAppend(AuditRecord r) {
        throw new IllegalStateException("listener bug");
      }

      @Override
      public void onCommit(int records, long durationNanos) {
        throw new IllegalStateException("listener bug");
      }
    };
    try (AuditLog log = AuditLog.builder(tmp.resolve("log"), AuditFixtures.operator(Suite.INTL)).listener(l).open()) {
      assertThat(log.append(AuditFixtures.record(0)).get()).isZero();
      assertThat(log.append(AuditFixtures.record(1)).get()).isEqualTo(1);
    }
  }

  @Test
  void recordCodec_roundTripsEveryField() throws Exception {
    for (int i = 0; i < 50; i++) {
      RecordCodec.Sink s = new RecordCodec.Sink(16);
      RecordCodec.encode(i * 3L, AuditFixtures.record(i), s);
      AuditEntry e = RecordCodec.decode(s.array(), 0, s.position());
      assertThat(e.seq()).isEqualTo(i * 3L);
      assertThat(e.record()).isEqualTo(AuditFixtures.record(i));
      for (int cut = 0; cut < s.position(); cut += 7) {
        int c = cut;
        assertThatThrownBy(() -> RecordCodec.decode(s.array(), 0, c)).isInstanceOf(RecordCodec.MalformedRecordException.class);
      }
    }
  }

  @Test
  void append_refusedRequestFromUnknownParty_recordedAndVerified() throws Exception {
    Path dir = tmp.resolve("log");
    AuditRecord refused = AuditFixtures.record(1).toBuilder()
        .sender(AuditRecord.UNKNOWN_PARTY).envelopeId("-").resource("-")
        .decision(AuditDecision.deny("UNTRUSTED_SENDER")).status(403).outcome("UNTRUSTED_SENDER").build();
    try (AuditLog log = AuditLog.builder(dir, AuditFixtures.operator(Suite.INTL)).open()) {
      log.append(refused).get();
    }
    List<AuditEntry> back = new ArrayList<>();
    AuditLogReader.forEach(dir, back::add);
    assertThat(back).singleElement().satisfies(e -> assertThat(e.record()).isEqualTo(refused));
    assertThat(AuditVerifier.verify(dir, AuditFixtures.trust(Suite.INTL)).intact()).isTrue();
    assertThatThrownBy(() -> refused.toBuilder().sender("").build()).isInstanceOf(IllegalArgumentException.class);
  }
}
