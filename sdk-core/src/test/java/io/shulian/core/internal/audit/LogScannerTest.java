package io.shulian.core.internal.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.shulian.core.audit.AuditDecision;
import io.shulian.core.audit.AuditLog;
import io.shulian.core.audit.AuditRecord;
import io.shulian.core.audit.Direction;
import io.shulian.core.audit.HashAlgorithm;
import io.shulian.core.keys.Suite;
import io.shulian.core.testing.TestParties;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The scanner reads segments a buffer at a time and checks records in tasks on several threads;
 * these tests cross every buffer and task boundary and compare what it reports with a plain
 * recomputation from the files, and check that damage is reported the same way whatever the
 * buffer, task size and threads.
 */
class LogScannerTest {
  private static final HexFormat HEX = HexFormat.of();
  private static final int RECORDS = 300;

  @TempDir static Path shared;
  static Path log;
  @TempDir Path tmp;

  /** Buffer bytes, task records, parallel, wants records, report every size (else every 7th). */
  private static final Object[][] CONFIGS = {
      {LogScanner.DEFAULT_BUFFER_BYTES, LogScanner.DEFAULT_TASK_RECORDS, true, true, true},
      {SegmentFormat.HEADER_BYTES, 1, false, true, true},
      {700, 2, true, false, true},
      {1000, 4, true, true, false},
      {3000, 8, false, false, false},
      {5000, 16, true, false, true},
      {2048, 64, true, false, false},
  };

  @BeforeAll
  static void writeLog() throws Exception {
    log = shared.resolve("log");
    Random rnd = new Random(7);
    try (AuditLog l = AuditLog.builder(log, TestParties.pair(Suite.INTL)[1])
        .segmentMaxBytes(4096).checkpointEveryRecords(7).open()) {
      List<CompletableFuture<Long>> fs = new ArrayList<>();
      for (int i = 0; i < RECORDS; i++) {
        fs.add(l.append(record(i, rnd)));
      }
      CompletableFuture.allOf(fs.toArray(new CompletableFuture<?>[0])).get();
    }
    assertThat(LogScanner.segments(log)).hasSizeGreaterThan(10);
  }

  /** Records of varied size, so that frames end at every offset of a buffer. */
  private static AuditRecord record(int i, Random rnd) {
    byte[] digest = new byte[32];
    rnd.nextBytes(digest);
    return AuditRecord.builder()
        .time(Instant.parse("2026-01-05T08:00:00Z").plusMillis(i))
        .envelopeId("env-" + i)
        .direction(Direction.REQUEST_IN)
        .sender(TestParties.HOUSING)
        .receiver(TestParties.CIVIL)
        .resource("civil.marriage")
        .purpose("review-" + "x".repeat(rnd.nextInt(200)))
        .decision(AuditDecision.builder(AuditDecision.Effect.PERMIT).build())
        .payloadDigest(HashAlgorithm.SHA_256, digest)
        .payloadBytes(i)
        .status(200)
        .outcome("OK")
        .latency(Duration.ofMillis(1))
        .build();
  }

  /** What a scan reported. */
  private static final class Seen {
    final List<String> records = new ArrayList<>();
    final TreeMap<Long, String> sizes = new TreeMap<>();
    LogScanner.Result result = new LogScanner.Result();

    String problem() {
      LogScanner.Problem p = result.problem;
      return p == null ? "none" : p.kind + " " + p.segment.getFileName() + " " + p.offset + " " + p.seq + " "
          + p.inLastSegment + " " + p.message;
    }

    String end() {
      return result.records + " " + HEX.formatHex(result.chain) + " " + HEX.formatHex(result.frontier.root()) + " "
          + result.validEnd + " " + result.lastSegmentLength;
    }
  }

  private static Seen scan(Path dir, Object[] c, long upTo) throws Exception {
    LogScanner s = new LogScanner(dir, (int) c[0], (int) c[1], (boolean) c[2]);
    boolean wants = (boolean) c[3];
    for (long n = 0; n <= upTo; n += (boolean) c[4] ? 1 : 7) {
      s.checkAt(n);
    }
    Seen seen = new Seen();
    seen.result = s.scan(new LogScanner.Visitor() {
      @Override
      public void record(long seq, byte[] data, int off, int len, byte[] leaf, Path segment, long offset) {
        seen.records.add(seq + " " + HEX.formatHex(leaf) + " " + segment.getFileName() + " " + offset + " "
            + HEX.formatHex(data, off, off + len));
      }

      @Override
      public boolean wantsRecords() {
        return wants;
      }

      @Override
      public void atSize(long size, byte[] root, byte[] chainHead) {
        seen.sizes.put(size, HEX.formatHex(root) + " " + HEX.formatHex(chainHead));
      }
    });
    return seen;
  }

  private static byte[] sha256(int prefix, byte[]... parts) throws Exception {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    md.update((byte) prefix);
    for (byte[] p : parts) {
      md.update(p);
    }
    return md.digest();
  }

  /** RFC 9162 MTH by its recursive definition. */
  private static byte[] mth(List<byte[]> leaves, int from, int to) throws Exception {
    int n = to - from;
    if (n == 0) {
      return MessageDigest.getInstance("SHA-256").digest();
    }
    if (n == 1) {
      return leaves.get(from);
    }
    int k = Integer.highestOneBit(n - 1);
    return sha256(1, mth(leaves, from, from + k), mth(leaves, from + k, to));
  }

  @Test
  void scan_everyBufferAndTaskSize_matchesRecomputationFromFiles() throws Exception {
    // the reference: frames parsed from whole files, hashes with MessageDigest, MTH by recursion
    List<byte[]> leaves = new ArrayList<>();
    List<String> records = new ArrayList<>();
    List<byte[]> chains = new ArrayList<>();
    byte[] chain = new byte[32];
    chains.add(chain);
    long lastLength = 0;
    for (Path seg : LogScanner.segments(log)) {
      byte[] d = Files.readAllBytes(seg);
      lastLength = d.length;
      int pos = SegmentFormat.HEADER_BYTES;
      while (pos < d.length) {
        int len = RecordCodec.getInt(d, pos);
        byte[] body = java.util.Arrays.copyOfRange(d, pos + 8, pos + 8 + len);
        byte[] leaf = sha256(0, body);
        chain = sha256(2, chain, leaf);
        assertThat(HEX.formatHex(d, pos + 8 + len, pos + 8 + len + 32)).isEqualTo(HEX.formatHex(chain));
        records.add(leaves.size() + " " + HEX.formatHex(leaf) + " " + seg.getFileName() + " " + pos + " "
            + HEX.formatHex(body));
        leaves.add(leaf);
        chains.add(chain);
        pos += 8 + len + 32;
      }
    }
    assertThat(leaves).hasSize(RECORDS);
    for (Object[] c : CONFIGS) {
      Seen s = scan(log, c, RECORDS);
      String cfg = java.util.Arrays.toString(c);
      assertThat(s.result.problem).as(cfg).isNull();
      assertThat(s.result.records).as(cfg).isEqualTo(RECORDS);
      assertThat(s.records).as(cfg).isEqualTo((boolean) c[3] ? records : List.of());
      assertThat(s.sizes.keySet()).as(cfg).hasSize((boolean) c[4] ? RECORDS + 1 : RECORDS / 7 + 1);
      for (var e : s.sizes.entrySet()) {
        int n = (int) (long) e.getKey();
        assertThat(e.getValue()).as(cfg + " size " + n)
            .isEqualTo(HEX.formatHex(mth(leaves, 0, n)) + " " + HEX.formatHex(chains.get(n)));
      }
      assertThat(s.end()).as(cfg).isEqualTo(RECORDS + " " + HEX.formatHex(chain) + " "
          + HEX.formatHex(mth(leaves, 0, RECORDS)) + " " + lastLength + " " + lastLength);
    }
  }

  private Path copy() throws Exception {
    Path to = Files.createDirectories(tmp.resolve("copy-" + System.nanoTime()));
    try (Stream<Path> s = Files.list(log)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        if (Files.isRegularFile(p)) {
          Files.copy(p, to.resolve(p.getFileName()));
        }
      }
    }
    return to;
  }

  /** Flips one byte (or cuts a file short) and requires the same report from every configuration. */
  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20})
  void scan_damagedLog_sameFirstProblemWhateverBufferTaskOrThreads(int seed) throws Exception {
    Random rnd = new Random(seed);
    Path dir = copy();
    List<Path> segs = LogScanner.segments(dir);
    // damage late segments more often: the scan must have verified much before reaching it
    Path seg = segs.get(Math.max(0, segs.size() - 1 - rnd.nextInt(Math.min(segs.size(), 6))));
    byte[] d = Files.readAllBytes(seg);
    if (seed % 5 == 0) {
      d = java.util.Arrays.copyOf(d, SegmentFormat.HEADER_BYTES + rnd.nextInt(d.length - SegmentFormat.HEADER_BYTES));
    } else {
      d[SegmentFormat.HEADER_BYTES + rnd.nextInt(d.length - SegmentFormat.HEADER_BYTES)] ^= (byte) (1 + rnd.nextInt(255));
    }
    Files.write(seg, d);
    Seen first = scan(dir, CONFIGS[0], RECORDS);
    if (seed % 5 != 0) {
      assertThat(first.result.problem).as("a changed byte is always found").isNotNull();
    }
    assertThat(first.sizes.lastKey()).isEqualTo(first.result.records);
    for (Object[] c : CONFIGS) {
      Seen s = scan(dir, c, RECORDS);
      String cfg = java.util.Arrays.toString(c);
      assertThat(s.problem()).as(cfg).isEqualTo(first.problem());
      assertThat(s.end()).as(cfg).isEqualTo(first.end());
      TreeMap<Long, String> want = new TreeMap<>(first.sizes);
      if (!(boolean) c[4]) {
        want.keySet().removeIf(n -> n % 7 != 0);
      }
      assertThat(s.sizes).as(cfg).isEqualTo(want);
      if ((boolean) c[3]) {
        assertThat(s.records).as(cfg).isEqualTo(first.records);
      }
    }
  }
}
