package io.shulian.core.internal.audit;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import java.util.zip.CRC32C;
import org.jspecify.annotations.Nullable;

/**
 * Reads every segment of a log directory in order and checks what needs no key: segment headers
 * (magic, version, log id, hash algorithm, first sequence number, chain continuity), frame lengths
 * and CRCs, contiguous sequence numbers and the hash chain. It recomputes leaf hashes and the
 * Merkle frontier, and reports the tree root and chain head at requested tree sizes. Used by the
 * writer on open (recovery) and by the verifier. Stops at the first problem.
 */
public final class LogScanner {
  /** Receives each good record; may stop the scan by throwing. */
  public interface Visitor {
    default void record(long seq, byte[] data, int bodyOff, int bodyLen, byte[] leaf, Path segment, long offset)
        throws Exception {}

    /** Called when the tree reaches a size that was asked for with {@link #checkAt}. */
    default void atSize(long size, byte[] root, byte[] chainHead) throws Exception {}
  }

  /** What went wrong first. */
  public enum Kind {
    NOT_A_LOG,
    NEWER_VERSION,
    /** The last segment ends in an incomplete frame or a header shorter than its length. */
    TORN_TAIL,
    /** A frame fails its length or CRC check (possibly a crash tail if it is in the last segment). */
    BAD_FRAME,
    /** A frame is well formed but its content contradicts the log (sequence, chain, version). */
    TAMPERED,
    /** Segment headers do not continue each other. */
    BAD_SEGMENT,
    IO_ERROR
  }

  /** The first problem found and where. */
  public static final class Problem {
    public final Kind kind;
    public final String message;
    public final @Nullable Path segment;
    public final long offset;
    /** The sequence number expected at the position. */
    public final long seq;
    public final boolean inLastSegment;

    Problem(Kind kind, String message, @Nullable Path segment, long offset, long seq, boolean inLastSegment) {
      this.kind = kind;
      this.message = message;
      this.segment = segment;
      this.offset = offset;
      this.seq = seq;
      this.inLastSegment = inLastSegment;
    }

    /** "segment-00000001.log offset 1234 (seq 42)". */
    public String where() {
      return (segment == null ? "log" : segment.getFileName().toString()) + " offset " + offset + " (seq " + seq + ")";
    }

    @Override
    public String toString() {
      return kind + " at " + where() + ": " + message;
    }
  }

  /** The state after a scan. */
  public static final class Result {
    public @Nullable String logId;
    public int hashAlgorithm;
    public long records;
    public byte[] chain = new byte[TreeHasher.SIZE];
    public @Nullable MerkleFrontier frontier;
    public final List<Path> segments = new ArrayList<>();
    /** Offset after the last good frame of the last segment. */
    public long validEnd;
    public long lastSegmentLength;
    public @Nullable Problem problem;
  }

  private final Path dir;
  private final TreeMap<Long, Boolean> checkSizes = new TreeMap<>();

  public LogScanner(Path dir) {
    this.dir = dir;
  }

  /** Asks for {@link Visitor#atSize} at tree size {@code size}. */
  public LogScanner checkAt(long size) {
    checkSizes.put(size, Boolean.TRUE);
    return this;
  }

  /** Lists the segment files of {@code dir} in order. */
  public static List<Path> segments(Path dir) throws IOException {
    TreeMap<Long, Path> out = new TreeMap<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "segment-*.log")) {
      for (Path p : ds) {
        long i = SegmentFormat.segmentIndex(p.getFileName().toString());
        if (i >= 0) {
          out.put(i, p);
        }
      }
    }
    return new ArrayList<>(out.values());
  }

  public Result scan(Visitor visitor) throws Exception {
    Result r = new Result();
    List<Path> segs;
    try {
      segs = segments(dir);
    } catch (IOException e) {
      r.problem = new Problem(Kind.IO_ERROR, "cannot list " + dir + ": " + e, null, 0, 0, false);
      return r;
    }
    r.segments.addAll(segs);
    CRC32C crc = new CRC32C();
    byte[] leaf = new byte[TreeHasher.SIZE];
    byte[] chain = r.chain;
    long seq = 0;
    Long nextCheck = checkSizes.isEmpty() ? null : checkSizes.firstKey();
    for (int si = 0; si < segs.size(); si++) {
      Path seg = segs.get(si);
      boolean last = si == segs.size() - 1;
      byte[] data;
      try {
        data = Files.readAllBytes(seg);
      } catch (IOException | OutOfMemoryError e) {
        r.problem = new Problem(Kind.IO_ERROR, "cannot read: " + e, seg, 0, seq, last);
        return finish(r, seq, chain);
      }
      r.lastSegmentLength = data.length;
      r.validEnd = 0;
      SegmentFormat.Header h;
      try {
        h = SegmentFormat.decodeHeader(data, data.length);
      } catch (SegmentFormat.BadHeaderException e) {
        Kind k = e.newerVersion ? Kind.NEWER_VERSION
            : e.notALog && !(last && data.length < SegmentFormat.MAGIC.length) ? (si == 0 ? Kind.NOT_A_LOG : Kind.BAD_SEGMENT)
            : last && data.length < SegmentFormat.HEADER_BYTES ? Kind.TORN_TAIL : Kind.BAD_SEGMENT;
        r.problem = new Problem(k, e.getMessage(), seg, 0, seq, last);
        return finish(r, seq, chain);
      }
      long index = SegmentFormat.segmentIndex(seg.getFileName().toString());
      if (h.index != index) {
        r.problem = new Problem(Kind.BAD_SEGMENT, "header says segment " + h.index + " but the file name says " + index,
            seg, 0, seq, last);
        return finish(r, seq, chain);
      }
      if (si == 0) {
        r.logId = h.logIdHex();
        r.hashAlgorithm = h.hashAlgorithm;
        r.frontier = new MerkleFrontier(TreeHasher.forId(h.hashAlgorithm));
        if (index != 0) {
          r.problem = new Problem(Kind.BAD_SEGMENT, "the first segment is missing: log starts with segment " + index,
              seg, 0, seq, last);
          return finish(r, seq, chain);
        }
      } else {
        if (!h.logIdHex().equals(r.logId) || h.hashAlgorithm != r.hashAlgorithm) {
          r.problem = new Problem(Kind.BAD_SEGMENT, "segment belongs to another log (log id " + h.logIdHex() + ", not "
              + r.logId + ")", seg, 0, seq, last);
          return finish(r, seq, chain);
        }
        long prevIndex = SegmentFormat.segmentIndex(segs.get(si - 1).getFileName().toString());
        if (index != prevIndex + 1) {
          r.problem = new Problem(Kind.BAD_SEGMENT, "segment " + (prevIndex + 1) + " is missing", seg, 0, seq, last);
          return finish(r, seq, chain);
        }
      }
      if (h.firstSeq != seq || !MessageDigest.isEqual(h.prevChain, chain)) {
        r.problem = new Problem(Kind.TAMPERED, "segment header starts at seq " + h.firstSeq
            + (h.firstSeq == seq ? " but with a different chain value" : "") + ", but the log so far ends before seq " + seq
            + " (records deleted, inserted, or segments swapped)", seg, 0, seq, last);
        return finish(r, seq, chain);
      }
      if (si == 0 && checkSizes.containsKey(0L)) {
        visitor.atSize(0, r.frontier.root(), chain.clone());
      }
      int pos = SegmentFormat.HEADER_BYTES;
      r.validEnd = pos;
      // pass 1 (sequential, cheap): frame boundaries, lengths and CRCs up to the first bad frame
      int[] offsets = new int[Math.max(16, data.length / 256)];
      int count = 0;
      Problem frameProblem = null;
      while (pos < data.length) {
        int len = SegmentFormat.frame(data, pos, data.length, crc);
        if (len < 0) {
          Kind k = len == SegmentFormat.TRUNCATED && last ? Kind.TORN_TAIL : Kind.BAD_FRAME;
          String msg = len == SegmentFormat.TRUNCATED ? "incomplete record frame (" + (data.length - pos) + " bytes left)"
              : len == SegmentFormat.BAD_LENGTH ? "record length field is impossible"
              : "record checksum (CRC-32C) does not match";
          frameProblem = new Problem(k, msg, seg, pos, seq + count, last);
          break;
        }
        if (count == offsets.length) {
          offsets = Arrays.copyOf(offsets, count * 2);
        }
        offsets[count++] = pos;
        pos += 8 + len + TreeHasher.SIZE;
      }
      // pass 2 (parallel): leaf hashes, and each stored chain value against its predecessor's
      byte[] leaves = new byte[count * TreeHasher.SIZE];
      boolean[] chainOk = new boolean[count];
      hashFrames(r.hashAlgorithm, data, offsets, count, h.prevChain, leaves, chainOk);
      // pass 3 (sequential): versions, sequence numbers, chain verdicts, Merkle frontier
      for (int i = 0; i < count; i++) {
        pos = offsets[i];
        int body = pos + 8;
        int len = RecordCodec.getInt(data, pos);
        int version = data[body] & 0xff;
        if (version != RecordCodec.VERSION) {
          r.problem = new Problem(version > RecordCodec.VERSION ? Kind.NEWER_VERSION : Kind.TAMPERED,
              "record format version " + version + (version > RecordCodec.VERSION
                  ? " is newer than this version of Shulian reads (" + RecordCodec.VERSION + ")" : " is unknown"),
              seg, pos, seq, last);
          return finish(r, seq, chain);
        }
        long recSeq = RecordCodec.getLong(data, body + RecordCodec.SEQ_OFFSET);
        if (recSeq != seq) {
          r.problem = new Problem(Kind.TAMPERED, "record has seq " + recSeq + " where seq " + seq
              + " belongs (a record was deleted, inserted or reordered)", seg, pos, seq, last);
          return finish(r, seq, chain);
        }
        if (!chainOk[i]) {
          r.problem = new Problem(Kind.TAMPERED, "hash chain breaks: the record or one before it was changed",
              seg, pos, seq, last);
          return finish(r, seq, chain);
        }
        System.arraycopy(data, body + len, chain, 0, TreeHasher.SIZE);
        System.arraycopy(leaves, i * TreeHasher.SIZE, leaf, 0, TreeHasher.SIZE);
        visitor.record(seq, data, body, len, leaf, seg, pos);
        r.frontier.append(leaves, i * TreeHasher.SIZE);
        seq++;
        r.validEnd = body + len + TreeHasher.SIZE;
        if (nextCheck != null && seq == nextCheck) {
          visitor.atSize(seq, r.frontier.root(), chain.clone());
          nextCheck = checkSizes.higherKey(nextCheck);
        }
      }
      if (frameProblem != null) {
        r.problem = frameProblem;
        return finish(r, seq, chain);
      }
    }
    return finish(r, seq, chain);
  }

  private static final ThreadLocal<TreeHasher[]> HASHERS = ThreadLocal.withInitial(() -> new TreeHasher[3]);

  private static TreeHasher hasher(int id) {
    TreeHasher[] hs = HASHERS.get();
    if (hs[id] == null) {
      hs[id] = TreeHasher.forId(id);
    }
    return hs[id];
  }

  /**
   * Computes every frame's leaf hash and checks its stored chain value against the stored value of
   * the frame before it (or the segment header's for the first). Each record is independent given
   * the stored values, so large segments are hashed on all cores.
   */
  private static void hashFrames(int alg, byte[] data, int[] offsets, int count, byte[] prevChain, byte[] leaves,
      boolean[] chainOk) {
    java.util.function.IntConsumer one = i -> {
      TreeHasher th = hasher(alg);
      int pos = offsets[i];
      int len = RecordCodec.getInt(data, pos);
      th.leaf(data, pos + 8, len, leaves, i * TreeHasher.SIZE);
      byte[] prev;
      int prevOff;
      if (i == 0) {
        prev = prevChain;
        prevOff = 0;
      } else {
        prev = data;
        prevOff = offsets[i - 1] + 8 + RecordCodec.getInt(data, offsets[i - 1]);
      }
      byte[] c = new byte[TreeHasher.SIZE];
      th.chain(prev, prevOff, leaves, i * TreeHasher.SIZE, c);
      int stored = pos + 8 + len;
      chainOk[i] = Arrays.equals(c, 0, TreeHasher.SIZE, data, stored, stored + TreeHasher.SIZE);
    };
    java.util.stream.IntStream range = java.util.stream.IntStream.range(0, count);
    (count >= 4096 ? range.parallel() : range).forEach(one);
  }

  private static Result finish(Result r, long seq, byte[] chain) {
    r.records = seq;
    r.chain = chain;
    return r;
  }
}
