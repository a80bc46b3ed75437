package io.shulian.core.audit;

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
import java.util.stream.Stream;

/** Test tools that alter log files the way an attacker (or a disk) might. */
final class LogSurgery {
  private LogSurgery() {}

  static Path copy(Path from, Path to) throws IOException {
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
  static List<int[]> frames(Path segment) throws IOException {
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

  static List<Path> segments(Path dir) throws IOException {
    return LogScanner.segments(dir);
  }

  /** Replaces bytes [from, to) of a file with {@code insert}. */
  static void splice(Path file, int from, int to, byte[] insert) throws IOException {
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
  static void rechain(Path dir) throws IOException {
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

  static byte[] range(Path file, int from, int to) throws IOException {
    return Arrays.copyOfRange(Files.readAllBytes(file), from, to);
  }
}
