package io.shulian.gateway.cli;

import io.shulian.core.audit.AuditEntry;
import io.shulian.core.audit.AuditRecord;
import io.shulian.core.internal.audit.LogScanner;
import io.shulian.core.internal.audit.RecordCodec;
import io.shulian.core.internal.audit.SegmentFormat;
import io.shulian.core.internal.audit.TreeHasher;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Does to a log directory exactly what the attacker of issue 12 (finding 4) did: rewrites records
 * as well-formed records ({@link RecordCodec}) and recomputes every CRC and chain value and the
 * segment headers' chain links, so that only a signed checkpoint can tell.
 */
final class AuditForgery {
  private AuditForgery() {}

  /** Replaces record {@code seq} with {@code change} applied to it, then re-chains the whole log. */
  static void rewrite(Path dir, long seq, UnaryOperator<AuditRecord> change) throws Exception {
    long first = 0;
    for (Path seg : LogScanner.segments(dir)) {
      byte[] d = Files.readAllBytes(seg);
      int pos = SegmentFormat.HEADER_BYTES;
      while (pos < d.length) {
        int len = RecordCodec.getInt(d, pos);
        int end = pos + 8 + len + TreeHasher.SIZE;
        if (first == seq) {
          AuditEntry e = RecordCodec.decode(d, pos + 8, len);
          RecordCodec.Sink s = new RecordCodec.Sink(256);
          RecordCodec.encode(seq, change.apply(e.record()), s);
          byte[] out = new byte[d.length - (end - pos) + 8 + s.position() + TreeHasher.SIZE];
          System.arraycopy(d, 0, out, 0, pos);
          RecordCodec.putInt(out, pos, s.position());
          System.arraycopy(s.array(), 0, out, pos + 8, s.position());
          System.arraycopy(d, end, out, pos + 8 + s.position() + TreeHasher.SIZE, d.length - end);
          Files.write(seg, out);
          rechain(dir);
          return;
        }
        first++;
        pos = end;
      }
    }
    throw new IllegalArgumentException("the log has no record " + seq);
  }

  /** Recomputes every segment header's chain link and CRC, and every record's chain value and CRC. */
  static void rechain(Path dir) throws Exception {
    byte[] chain = new byte[TreeHasher.SIZE];
    byte[] leaf = new byte[TreeHasher.SIZE];
    List<Path> segs = LogScanner.segments(dir);
    for (Path seg : segs) {
      byte[] d = Files.readAllBytes(seg);
      TreeHasher h = TreeHasher.forId(d[10]);
      System.arraycopy(chain, 0, d, 40, TreeHasher.SIZE);
      RecordCodec.putInt(d, 72, SegmentFormat.crc(d, 0, 72));
      int pos = SegmentFormat.HEADER_BYTES;
      while (pos < d.length) {
        int len = RecordCodec.getInt(d, pos);
        h.leaf(d, pos + 8, len, leaf, 0);
        h.chain(chain, leaf, 0, chain);
        System.arraycopy(chain, 0, d, pos + 8 + len, TreeHasher.SIZE);
        RecordCodec.putInt(d, pos + 4, SegmentFormat.crc(d, pos + 8, len + TreeHasher.SIZE));
        pos += 8 + len + TreeHasher.SIZE;
      }
      Files.write(seg, d);
    }
  }

  /** Cuts the (single-segment) log after {@code records} records. */
  static void truncate(Path dir, long records) throws Exception {
    Path seg = LogScanner.segments(dir).get(0);
    byte[] d = Files.readAllBytes(seg);
    int pos = SegmentFormat.HEADER_BYTES;
    for (long i = 0; i < records; i++) {
      pos += 8 + RecordCodec.getInt(d, pos) + TreeHasher.SIZE;
    }
    Files.write(seg, java.util.Arrays.copyOf(d, pos));
  }
}
