package io.shulian.core.testing;

import io.shulian.core.audit.AuditEntry;
import io.shulian.core.audit.AuditRecord;
import io.shulian.core.internal.audit.LogScanner;
import io.shulian.core.internal.audit.RecordCodec;
import io.shulian.core.internal.audit.SegmentFormat;
import io.shulian.core.internal.audit.TreeHasher;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * Test tools that alter audit log files the way an attacker (or a disk) might, for the tests of every
 * module: they know the segment format so the tests outside sdk-core need not.
 */
public final class LogSurgery {
  private LogSurgery() {}

  public static Path copy(Path from, Path to) throws IOException {
    Files.createDirectories(to);
    try (Stream<Path> s = Files.list(from)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        if (Files.isRegularFile(p)) {
          Files.copy(p, to.resolve(p.getFileName()));
        }
      }
    }
    return to;
  }

  /** Offsets of the frames of a segment file. */
  public static List<int[]> frames(Path segment) throws IOException {
    byte[] d = Files.readAllBytes(segment);
    List<int[]> out = new ArrayList<>();
    int pos = SegmentFormat.HEADER_BYTES;
    while (pos < d.length) {
      int len = RecordCodec.getInt(d, pos);
      int end = pos + 8 + len + TreeHasher.SIZE;
      out.add(new int[] {pos, end});
      pos = end;
    }
    return out;
  }

  public static List<Path> segments(Path dir) throws IOException {
    return LogScanner.segments(dir);
  }

  /** Replaces bytes [from, to) of a file with {@code insert}. */
  public static void splice(Path file, int from, int to, byte[] insert) throws IOException {
    byte[] d = Files.readAllBytes(file);
    byte[] out = new byte[d.length - (to - from) + insert.length];
    System.arraycopy(d, 0, out, 0, from);
    System.arraycopy(insert, 0, out, from, insert.length);
    System.arraycopy(d, to, out, from + insert.length, d.length - to);
    Files.write(file, out);
  }

  /**
   * Recomputes every CRC, chain value and segment header of the log, as a forger without the
   * signing key would after changing a record: only the signed checkpoints then disagree.
   */
  public static void rechain(Path dir) throws IOException {
    byte[] chain = new byte[TreeHasher.SIZE];
    byte[] leaf = new byte[TreeHasher.SIZE];
    TreeHasher h = null;
    for (Path seg : segments(dir)) {
      byte[] d = Files.readAllBytes(seg);
      if (h == null) {
        h = TreeHasher.forId(d[10]);
      }
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

  /**
   * Does what the attacker of issue 12 did: re-encodes record {@code seq} with {@code change}
   * applied (with {@link RecordCodec}, so it is a well-formed record), then recomputes every CRC and
   * chain value ({@link #rechain}). Only a signed checkpoint can tell the difference afterwards.
   */
  public static void forge(Path dir, long seq, UnaryOperator<AuditRecord> change) throws Exception {
    long first = 0;
    for (Path seg : segments(dir)) {
      List<int[]> fs = frames(seg);
      if (seq < first + fs.size()) {
        int[] f = fs.get((int) (seq - first));
        byte[] d = Files.readAllBytes(seg);
        AuditEntry e = RecordCodec.decode(d, f[0] + 8, RecordCodec.getInt(d, f[0]));
        RecordCodec.Sink s = new RecordCodec.Sink(256);
        RecordCodec.encode(seq, change.apply(e.record()), s);
        byte[] frame = new byte[8 + s.position() + TreeHasher.SIZE];
        RecordCodec.putInt(frame, 0, s.position());
        System.arraycopy(s.array(), 0, frame, 8, s.position());
        splice(seg, f[0], f[1], frame);
        rechain(dir);
        return;
      }
      first += fs.size();
    }
    throw new IllegalArgumentException("no record " + seq);
  }

  /** Cuts the log after {@code records} records (a frame boundary) and deletes later segments. */
  public static void truncate(Path dir, long records) throws IOException {
    long first = 0;
    for (Path seg : segments(dir)) {
      List<int[]> fs = frames(seg);
      if (first >= records && first > 0) {
        Files.delete(seg);
      } else if (records < first + fs.size()) {
        int cut = records == first ? SegmentFormat.HEADER_BYTES : fs.get((int) (records - first - 1))[1];
        splice(seg, cut, (int) Files.size(seg), new byte[0]);
      }
      first += fs.size();
    }
  }

  public static byte[] range(Path file, int from, int to) throws IOException {
    return Arrays.copyOfRange(Files.readAllBytes(file), from, to);
  }
}
