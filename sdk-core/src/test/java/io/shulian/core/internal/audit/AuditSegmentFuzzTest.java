package io.shulian.core.internal.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.shulian.core.audit.AuditEntry;
import io.shulian.core.audit.AuditException;
import io.shulian.core.audit.AuditLogReader;
import io.shulian.core.audit.AuditVerifier;
import io.shulian.core.audit.CheckpointTrust;
import io.shulian.core.audit.VerificationReport;
import io.shulian.core.keys.Suite;
import io.shulian.core.testing.FuzzSeeds;
import io.shulian.core.testing.TestParties;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fuzz targets for the audit log readers over a segment file an attacker wrote: {@link LogScanner}
 * and {@link RecordCodec#decode}, {@link AuditLogReader#forEach} and {@link AuditVerifier#verify}
 * on a directory that holds the input as {@code segment-00000000.log}. Damage must come out as a
 * scan problem, a {@link RecordCodec.MalformedRecordException}, an {@link AuditException} or a
 * verification report naming it; any other exception, a hang or an out-of-memory fails. The three
 * readers must agree on the number of good records.
 *
 * <p>The first target takes the input as the whole segment. Random bytes rarely pass the header and
 * frame CRCs and the hash chain, so the second target takes its input as record bodies (each a u16
 * length and the bytes) and frames them itself with a valid header, CRCs and chain values: mutations
 * then reach the record decoder and the sequence check. A record that decodes must re-encode to a
 * record that decodes equal. A normal build replays the seeds in {@code AuditSegmentFuzzTestInputs/}
 * (segments of real logs, SHA-256 and SM3, and record bodies); {@code JAZZER_FUZZ=1} fuzzes one target
 * (docs/fuzzing.md).
 */
class AuditSegmentFuzzTest {
  private static final CheckpointTrust TRUST = CheckpointTrust.pinned(List.of(TestParties.pair(Suite.INTL)[1].signingCertificate()));
  private static final byte[] LOG_ID = new byte[SegmentFormat.LOG_ID_BYTES];

  @TempDir
  static Path dir;

  @FuzzTest(maxDuration = "30s")
  void read_arbitrarySegment_reportsTypedCorruption(byte[] segment) {
    readAll(segment);
  }

  @FuzzTest(maxDuration = "30s")
  void read_arbitraryBodiesInValidFrames_reportsTypedCorruptionAndReencodesEqual(byte[] bodies) {
    readAll(frame(bodies));
  }

  /** The seeds still reach the decoder: the segments of real logs and the framed bodies read intact. */
  @Test
  void seeds_realSegmentsAndBodies_readIntact() throws Exception {
    Map<String, byte[]> segments = FuzzSeeds.of(getClass(), "read_arbitrarySegment_reportsTypedCorruption");
    for (String name : List.of("sha256-4.log", "sm3-4.log")) {
      Files.write(dir.resolve(SegmentFormat.segmentName(0)), segments.get(name));
      assertThat(AuditLogReader.forEach(dir, e -> { })).as(name).isEqualTo(4);
      assertThat(AuditVerifier.verify(dir, TRUST).intact()).as(name).isTrue();
    }
    Map<String, byte[]> bodies = FuzzSeeds.of(getClass(), "read_arbitraryBodiesInValidFrames_reportsTypedCorruptionAndReencodesEqual");
    Files.write(dir.resolve(SegmentFormat.segmentName(0)), frame(bodies.get("3-records")));
    assertThat(AuditLogReader.forEach(dir, e -> { })).isEqualTo(3);
  }

  /**
   * The time field at its extremes: seconds at the ends of the long range with a nanosecond field
   * that is negative or above 999,999,999 (which the encoder never writes) must be a malformed
   * record, not an ArithmeticException from {@code Instant.ofEpochSecond}.
   */
  @Test
  void decode_timeFieldOutOfRange_malformedRecord() {
    RecordCodec.Sink s = new RecordCodec.Sink(256);
    RecordCodec.encode(0, AuditFuzzFixtures.record(1), s);
    byte[] body = java.util.Arrays.copyOf(s.array(), s.position());
    long[][] cases = {{Long.MIN_VALUE, -1}, {Long.MAX_VALUE, 1_999_999_999}, {0, -1}, {0, 1_000_000_000}};
    for (long[] c : cases) {
      byte[] b = body.clone();
      RecordCodec.putLong(b, 9, c[0]);
      RecordCodec.putInt(b, 17, (int) c[1]);
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> RecordCodec.decode(b, 0, b.length))
          .as("seconds %d, nanos %d", c[0], c[1])
          .isInstanceOf(RecordCodec.MalformedRecordException.class);
    }
  }

  /** Writes the segment and reads it with the scanner, the reader and the verifier. */
  private static void readAll(byte[] segment) {
    Path file = dir.resolve(SegmentFormat.segmentName(0));
    try {
      Files.write(file, segment);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    long[] decoded = {0};
    LogScanner.Result scan;
    try {
      scan = new LogScanner(dir).scan(new LogScanner.Visitor() {
        @Override
        public void record(long seq, byte[] data, int off, int len, byte[] leaf, Path seg, long offset) {
          try {
            AuditEntry e = RecordCodec.decode(data, off, len);
            assertThat(e.seq()).isEqualTo(seq);
            RecordCodec.Sink again = new RecordCodec.Sink(len);
            RecordCodec.encode(e.seq(), e.record(), again);
            assertThat(RecordCodec.decode(again.array(), 0, again.position())).isEqualTo(e);
            decoded[0]++;
          } catch (RecordCodec.MalformedRecordException expected) {
            // the reader and the verifier name it; the scanner checks frames, not content
          }
        }
      });
    } catch (Exception e) {
      throw new AssertionError("the scanner threw " + e, e);
    }
    if (scan.problem == null) {
      assertThat(scan.validEnd).as("end of the last good frame").isEqualTo(segment.length);
    }
    long read = -1;
    try {
      read = AuditLogReader.forEach(dir, entry -> { });
    } catch (AuditException expected) {
      // NOT_A_LOG, UNSUPPORTED_VERSION, LOG_CORRUPT
    }
    if (read >= 0) {
      assertThat(read).isEqualTo(scan.records).isEqualTo(decoded[0]);
    }
    try {
      VerificationReport r = AuditVerifier.verify(dir, TRUST);
      assertThat(r.records()).isEqualTo(scan.records);
      assertThat(r.intact()).isEqualTo(scan.problem == null || scan.problem.kind == LogScanner.Kind.TORN_TAIL);
    } catch (AuditException expected) {
      // NOT_A_LOG, UNSUPPORTED_VERSION
    }
  }

  /**
   * A SHA-256 segment whose frames hold the bodies of {@code in} (u16 length, bytes; the last may
   * be cut short, which makes a torn frame), with correct length fields, CRCs and chain values.
   */
  static byte[] frame(byte[] in) {
    TreeHasher h = TreeHasher.forId(1);
    RecordCodec.Sink out = new RecordCodec.Sink(SegmentFormat.HEADER_BYTES + in.length * 2);
    byte[] header = new SegmentFormat.Header(SegmentFormat.FORMAT_VERSION, 1, 0, LOG_ID, 0, new byte[TreeHasher.SIZE]).encode();
    out.bytes(header, 0, header.length);
    byte[] chain = new byte[TreeHasher.SIZE];
    int pos = 0;
    while (pos + 2 <= in.length) {
      int n = ((in[pos] & 0xff) << 8) | (in[pos + 1] & 0xff);
      pos += 2;
      int have = Math.min(n, in.length - pos);
      byte[] body = java.util.Arrays.copyOfRange(in, pos, pos + have);
      pos += have;
      byte[] next = new byte[TreeHasher.SIZE];
      h.chain(chain, h.leaf(body), 0, next);
      byte[] crcInput = new byte[body.length + TreeHasher.SIZE];
      System.arraycopy(body, 0, crcInput, 0, body.length);
      System.arraycopy(next, 0, crcInput, body.length, TreeHasher.SIZE);
      out.u32(n);
      out.u32(SegmentFormat.crc(crcInput, 0, crcInput.length));
      out.bytes(body, 0, body.length);
      if (have < n) {
        break; // a torn last frame: its body is cut short
      }
      out.bytes(next, 0, TreeHasher.SIZE);
      chain = next;
    }
    return java.util.Arrays.copyOf(out.array(), out.position());
  }
}
