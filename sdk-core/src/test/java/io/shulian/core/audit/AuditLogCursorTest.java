package io.shulian.core.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shulian.core.internal.audit.LogScanner;
import io.shulian.core.internal.audit.SegmentFormat;
import io.shulian.core.keys.PartyCertificate;
import io.shulian.core.keys.Suite;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link AuditLogReader.Cursor}: successive batches read incrementally (checkpoints and certificates
 * parsed once, the segment position kept) and always the same as a fresh {@link
 * AuditLogReader#readBatch} of the log as it is on disk, whatever happened to the files in between.
 */
class AuditLogCursorTest {
  @TempDir Path tmp;

  private static AuditLog.Builder builder(Path dir) {
    return AuditLog.builder(dir, AuditFixtures.operator(Suite.INTL)).segmentMaxBytes(4096).checkpointEveryRecords(10)
        .checkpointInterval(java.time.Duration.ofHours(1));
  }

  private static Path writeLog(Path dir, int n, int offset) throws Exception {
    try (AuditLog l = builder(dir).open()) {
      for (int i = 0; i < n; i++) {
        l.append(AuditFixtures.record(offset + i)).get();
      }
    }
    return dir;
  }

  /** The cursor's batch must equal what a fresh reader finds in the files now. */
  private static RecordBatch readAndCompare(AuditLogReader.Cursor c, Path dir, long from, int max) throws Exception {
    RecordBatch got = c.read(from, max);
    RecordBatch fresh = AuditLogReader.readBatch(dir, from, max, null);
    assertSame(got, fresh);
    return got;
  }

  static void assertSame(RecordBatch got, RecordBatch fresh) {
    assertThat(got.logId()).isEqualTo(fresh.logId());
    assertThat(got.hashAlgorithm()).isEqualTo(fresh.hashAlgorithm());
    assertThat(got.firstSeq()).isEqualTo(fresh.firstSeq());
    assertThat(got.bodies()).as("bodies of %s", fresh).containsExactlyElementsOf(fresh.bodies());
    for (int i = 0; i < fresh.bodies().size(); i++) { // the views a shipper encodes from: the same bytes, read-only
      java.nio.ByteBuffer view = got.body(i);
      assertThat(view.isReadOnly()).isTrue();
      byte[] bytes = new byte[view.remaining()];
      view.get(bytes);
      assertThat(bytes).isEqualTo(fresh.bodies().get(i));
    }
    assertThat(got.chainHead()).isEqualTo(fresh.chainHead());
    assertThat(got.checkpoints()).as("checkpoints of %s", fresh).containsExactlyElementsOf(fresh.checkpoints());
    assertThat(pems(got.certificates())).containsExactlyInAnyOrderElementsOf(pems(fresh.certificates()));
    assertThat(got.logSize()).isEqualTo(fresh.logSize());
  }

  private static List<String> pems(List<PartyCertificate> certs) {
    return certs.stream().map(c -> PartyCertificate.toPem(List.of(c))).toList();
  }

  private static long lines(Path f) throws Exception {
    return Files.readAllLines(f.resolve(SegmentFormat.CHECKPOINTS_FILE)).size();
  }

  private static long pemFiles(Path dir) throws Exception {
    try (Stream<Path> s = Files.list(dir.resolve(SegmentFormat.CERTS_DIR))) {
      return s.count();
    }
  }

  @Test
  void cursor_successiveBatches_parseEachCheckpointAndCertificateOnce() throws Exception {
    Path dir = writeLog(tmp.resolve("log"), 200, 0);
    AuditLogReader.Cursor c = AuditLogReader.cursor(dir);
    long seq = 0;
    int batches = 0;
    List<byte[]> all = new ArrayList<>();
    while (true) {
      RecordBatch b = c.read(seq, 7);
      if (b.bodies().isEmpty()) {
        break;
      }
      all.addAll(b.bodies());
      seq = b.nextSeq();
      batches++;
    }
    assertThat(seq).isEqualTo(200);
    assertThat(batches).isGreaterThan(20);
    assertThat(all).containsExactlyElementsOf(AuditLogReader.readBatch(dir, 0, 1000, null).bodies());
    assertThat(LogScanner.segments(dir)).hasSizeGreaterThan(3);
    // each checkpoint line and certificate file parsed once, the segment holding fromSeq searched once
    assertThat(c.checkpointLinesParsed()).isEqualTo(lines(dir));
    assertThat(c.certificateFilesParsed()).isEqualTo(pemFiles(dir));
    assertThat(c.segmentSearches()).isEqualTo(1);
  }

  @Test
  void cursor_batchOfManyRecords_readInAFewFileReadsNotTwoPerRecord() throws Exception {
    Path dir = tmp.resolve("big");
    try (AuditLog l = AuditLog.builder(dir, AuditFixtures.operator(Suite.INTL)).checkpointEveryRecords(100)
        .checkpointInterval(java.time.Duration.ofHours(1)).open()) {
      for (int i = 0; i < 500; i++) {
        l.append(AuditFixtures.record(i)).get();
      }
    }
    assertThat(LogScanner.segments(dir)).hasSize(1);
    AuditLogReader.Cursor c = AuditLogReader.cursor(dir);
    RecordBatch b = c.read(0, 500);
    assertSame(b, AuditLogReader.readBatch(dir, 0, 500, null));
    assertThat(b.bodies()).hasSize(500);
    // the shipper's hot path: the frames come from a few large reads, not a header and a frame read per record
    assertThat(c.recordFileReads()).isLessThanOrEqualTo(4);
    long before = c.recordFileReads();
    assertThat(c.read(b.nextSeq(), 500).bodies()).isEmpty();
    assertThat(c.recordFileReads() - before).isLessThanOrEqualTo(1);
  }

  @Test
  void cursor_writerAppendsRollsOverAndCheckpoints_eachBatchMatchesFreshRead() throws Exception {
    Path dir = tmp.resolve("log");
    try (AuditLog l = builder(dir).checkpointEveryRecords(1000).open()) {
      AuditLogReader.Cursor c = AuditLogReader.cursor(dir);
      long seq = 0;
      int written = 0;
      for (int round = 0; round < 12; round++) {
        for (int i = 0; i < 9; i++) {
          l.append(AuditFixtures.record(written++)).get();
        }
        if (round % 3 == 1) {
          l.checkpoint().get(); // a checkpoint appended between two batches
        }
        RecordBatch b = readAndCompare(c, dir, seq, 5);
        if (round % 3 == 1) {
          assertThat(b.nextSeq()).isLessThan(written); // the checkpoint lies beyond this batch: left for later
        }
        seq = b.nextSeq();
      }
      while (seq < written) {
        seq = readAndCompare(c, dir, seq, 50).nextSeq();
      }
      assertThat(LogScanner.segments(dir)).hasSizeGreaterThan(2);
      assertThat(c.checkpointLinesParsed()).isEqualTo(lines(dir));
    }
  }

  @Test
  void cursor_oldSegmentsPruned_resumesAtTheSameRecord() throws Exception {
    Path dir = writeLog(tmp.resolve("log"), 120, 0);
    AuditLogReader.Cursor c = AuditLogReader.cursor(dir);
    List<Path> segs = LogScanner.segments(dir);
    long secondFirst = firstSeq(segs.get(2));
    long seq = 0;
    while (seq < secondFirst + 3) {
      seq = c.read(seq, 4).nextSeq();
    }
    Files.delete(segs.get(0));
    Files.delete(segs.get(1)); // archived by the operator
    RecordBatch b = readAndCompare(c, dir, seq, 9);
    assertThat(b.bodies()).hasSize(9);
    assertThatThrownBy(() -> c.read(0, 5)).isInstanceOf(AuditException.class).hasMessageContaining("older segments were removed");
  }

  @Test
  void readBatch_hintAfterOldSegmentPruned_resumesAtTheSameRecord() throws Exception {
    Path dir = writeLog(tmp.resolve("log"), 120, 0);
    List<Path> segs = LogScanner.segments(dir);
    RecordBatch prev = AuditLogReader.readBatch(dir, 0, (int) firstSeq(segs.get(2)) + 3, null);
    RecordBatch expected = AuditLogReader.readBatch(dir, prev.nextSeq(), 9, null);
    Files.delete(segs.get(0));
    RecordBatch b = AuditLogReader.readBatch(dir, prev.nextSeq(), 9, prev);
    assertSame(b, AuditLogReader.readBatch(dir, prev.nextSeq(), 9, null));
    assertThat(b.bodies()).containsExactlyElementsOf(expected.bodies());
  }

  @Test
  void cursor_fromSeqInPrunedSegment_refusedNotMislabelled() throws Exception {
    Path dir = writeLog(tmp.resolve("log"), 120, 0);
    List<Path> segs = LogScanner.segments(dir);
    Files.delete(segs.get(0));
    long first = firstSeq(segs.get(1));
    assertThatThrownBy(() -> AuditLogReader.cursor(dir).read(first - 1, 5)).isInstanceOf(AuditException.class)
        .hasMessageContaining("seq " + (first - 1)).hasMessageContaining("starts at seq " + first);
    assertThat(AuditLogReader.cursor(dir).read(first, 5).bodies()).hasSize(5);
  }

  @Test
  void cursor_filesReplacedByAnotherLog_readsTheFilesNowThere() throws Exception {
    Path dir = writeLog(tmp.resolve("log"), 90, 0);
    Path other = writeLog(tmp.resolve("other"), 95, 500); // another log, other records, same shape
    AuditLogReader.Cursor c = AuditLogReader.cursor(dir);
    long seq = 0;
    while (seq < 40) {
      seq = c.read(seq, 8).nextSeq();
    }
    // replaced by rename (new files) ...
    replaceAll(dir, other, true);
    RecordBatch b = readAndCompare(c, dir, seq, 8);
    assertThat(b.logId()).isEqualTo(AuditLogReader.readBatch(other, 0, 1, null).logId());
    seq = b.nextSeq();
    // ... and rewritten in place (same files, same inodes) by the first log again
    Path back = writeLog(tmp.resolve("third"), 90, 900);
    replaceAll(dir, back, false);
    readAndCompare(c, dir, seq, 8);
    readAndCompare(c, dir, 3, 8);
  }

  @Test
  void cursor_segmentTruncatedBehindItsBack_returnsOnlyWhatTheFileHolds() throws Exception {
    Path dir = writeLog(tmp.resolve("log"), 40, 0);
    AuditLogReader.Cursor c = AuditLogReader.cursor(dir);
    long seq = c.read(0, 30).nextSeq();
    assertThat(seq).isEqualTo(30);
    Path last = LogScanner.segments(dir).get(LogScanner.segments(dir).size() - 1);
    try (FileChannel ch = FileChannel.open(last, StandardOpenOption.WRITE)) {
      ch.truncate(SegmentFormat.HEADER_BYTES);
    }
    RecordBatch b = readAndCompare(c, dir, seq, 10);
    assertThat(b.bodies()).isEmpty();
    assertThat(b.logSize()).isLessThan(30);
  }

  @Test
  void cursor_checkpointFileReplacedOrCut_returnsTheCheckpointsNowThere() throws Exception {
    Path dir = writeLog(tmp.resolve("log"), 100, 0);
    AuditLogReader.Cursor c = AuditLogReader.cursor(dir);
    readAndCompare(c, dir, 0, 15);
    Path f = dir.resolve(SegmentFormat.CHECKPOINTS_FILE);
    List<String> all = Files.readAllLines(f);
    // cut to its first lines, in place
    Files.write(f, (String.join("\n", all.subList(0, 2)) + "\n").getBytes(StandardCharsets.UTF_8));
    RecordBatch b = readAndCompare(c, dir, 15, 30);
    assertThat(b.checkpoints()).isEmpty();
    readAndCompare(c, dir, 0, 30);
    Files.write(f, (String.join("\n", all) + "\n").getBytes(StandardCharsets.UTF_8));
    readAndCompare(c, dir, 0, 30);
    // rewritten in place (same file) with another log's checkpoints, then replaced by a new file
    Path other = writeLog(tmp.resolve("other"), 100, 0);
    Files.write(f, Files.readAllBytes(other.resolve(SegmentFormat.CHECKPOINTS_FILE)));
    readAndCompare(c, dir, 15, 30);
    Files.write(f, (String.join("\n", all) + "\n").getBytes(StandardCharsets.UTF_8));
    readAndCompare(c, dir, 15, 30);
    Files.copy(other.resolve(SegmentFormat.CHECKPOINTS_FILE), f, StandardCopyOption.REPLACE_EXISTING);
    readAndCompare(c, dir, 15, 30);
    // deleted
    Files.delete(f);
    assertThat(readAndCompare(c, dir, 15, 30).checkpoints()).isEmpty();
  }

  @Test
  void cursor_certificateFileReplaced_reparsed() throws Exception {
    Path dir = writeLog(tmp.resolve("log"), 20, 0);
    AuditLogReader.Cursor c = AuditLogReader.cursor(dir);
    readAndCompare(c, dir, 0, 5);
    Path pem;
    try (Stream<Path> s = Files.list(dir.resolve(SegmentFormat.CERTS_DIR))) {
      pem = s.findFirst().orElseThrow();
    }
    FileTime mtime = Files.getLastModifiedTime(pem);
    PartyCertificate gm = AuditFixtures.operator(Suite.GM).signingCertificate();
    Files.writeString(pem, PartyCertificate.toPem(List.of(gm)), StandardCharsets.US_ASCII);
    Files.setLastModifiedTime(pem, FileTime.fromMillis(mtime.toMillis() + 2000));
    RecordBatch b = readAndCompare(c, dir, 5, 5);
    assertThat(pems(b.certificates())).containsExactly(PartyCertificate.toPem(List.of(gm)));
    Files.delete(pem);
    assertThat(readAndCompare(c, dir, 10, 5).certificates()).isEmpty();
  }

  @Test
  void cursor_cutAtACheckpointInsideTheBatch_goesOnFromThereWithoutASearch() throws Exception {
    Path dir = writeLog(tmp.resolve("log"), 60, 0);
    AuditLogReader.Cursor c = AuditLogReader.cursor(dir);
    RecordBatch b = readAndCompare(c, dir, 0, 25);
    assertThat(b.checkpoints()).extracting(Checkpoint::treeSize).contains(10L, 20L);
    readAndCompare(c, dir, 20, 25); // a Kafka shipper sends up to the checkpoint at 20 and goes on there
    readAndCompare(c, dir, 20, 40); // ... or reads the same run again, larger
    assertThat(c.segmentSearches()).isEqualTo(1);
    readAndCompare(c, dir, 7, 5); // not a place it kept: searched
    assertThat(c.segmentSearches()).isEqualTo(2);
  }

  @Test
  void cursor_restartAndRewind_matchFreshReads() throws Exception {
    Path dir = writeLog(tmp.resolve("log"), 150, 0);
    AuditLogReader.Cursor c = AuditLogReader.cursor(dir);
    long seq = 0;
    while (seq < 120) {
      seq = readAndCompare(c, dir, seq, 11).nextSeq();
    }
    // the receiver acknowledged less than was sent (a restored hub): read again from there
    readAndCompare(c, dir, 37, 11);
    readAndCompare(c, dir, 0, 200);
    // a restarted shipper: a new cursor from the acknowledged seq
    AuditLogReader.Cursor restarted = AuditLogReader.cursor(dir);
    readAndCompare(restarted, dir, seq, 11);
  }

  @Test
  void cursor_randomReadsWhileWriting_alwaysMatchFreshRead() throws Exception {
    Path dir = tmp.resolve("log");
    Random r = new Random(16);
    try (AuditLog l = builder(dir).checkpointEveryRecords(13).open()) {
      AuditLogReader.Cursor c = AuditLogReader.cursor(dir);
      int written = 0;
      long seq = 0;
      for (int step = 0; step < 60; step++) {
        for (int i = r.nextInt(6); i > 0; i--) {
          l.append(AuditFixtures.record(written++)).get();
        }
        if (r.nextInt(5) == 0) {
          l.checkpoint().get();
        }
        long from = r.nextInt(8) == 0 ? r.nextInt(written + 1) : seq;
        if (written == 0) {
          continue;
        }
        seq = readAndCompare(c, dir, from, 1 + r.nextInt(12)).nextSeq();
      }
    }
  }

  private static long firstSeq(Path segment) throws Exception {
    byte[] h = new byte[SegmentFormat.HEADER_BYTES];
    try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.READ)) {
      ch.read(java.nio.ByteBuffer.wrap(h), 0);
    }
    return SegmentFormat.decodeHeader(h, h.length).firstSeq;
  }

  /** Makes {@code dir} hold the files of {@code from}: by rename (new files) or rewritten in place. */
  private static void replaceAll(Path dir, Path from, boolean rename) throws Exception {
    for (Path p : LogScanner.segments(dir)) {
      if (!Files.exists(from.resolve(p.getFileName()))) {
        Files.delete(p);
      }
    }
    List<Path> files = new ArrayList<>(LogScanner.segments(from));
    files.add(from.resolve(SegmentFormat.CHECKPOINTS_FILE));
    try (Stream<Path> s = Files.list(from.resolve(SegmentFormat.CERTS_DIR))) {
      s.forEach(files::add);
    }
    for (Path p : files) {
      Path target = dir.resolve(from.relativize(p));
      if (rename) {
        Path t = Files.createTempFile(dir, "replace", ".tmp");
        Files.copy(p, t, StandardCopyOption.REPLACE_EXISTING);
        Files.move(t, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } else {
        Files.write(target, Files.readAllBytes(p));
      }
    }
  }
}
