package io.shulian.core.internal.audit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ForkJoinTask;
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

    /** False if {@link #record} does nothing: the scan then skips the per-record callback. */
    default boolean wantsRecords() {
      return true;
    }

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

  /** Bytes of a segment held in memory at a time (grown for a larger frame). */
  static final int DEFAULT_BUFFER_BYTES = 4 << 20;
  /** Records per hashing task; a task starts at a tree size that is a multiple of this. */
  static final int DEFAULT_TASK_RECORDS = 256;
  /**
   * Largest single read. Small enough for the kernel's copy and the JDK's copy out of its cached
   * temporary direct buffer to stay in the CPU cache: 64 KiB reads measured about 4 times faster
   * than 1 MiB reads (and than one read of a whole segment).
   */
  private static final int MAX_READ_BYTES = 64 << 10;

  private final Path dir;
  private final TreeSet<Long> checkSizes = new TreeSet<>();
  private final int bufferBytes;
  private final int taskRecords;
  private final boolean parallel;

  public LogScanner(Path dir) {
    this(dir, DEFAULT_BUFFER_BYTES, DEFAULT_TASK_RECORDS, Runtime.getRuntime().availableProcessors() > 1);
  }

  /**
   * A scanner with its own read buffer size, task size (a power of two) and parallelism; tests
   * use small ones to cross every buffer and task boundary.
   */
  LogScanner(Path dir, int bufferBytes, int taskRecords, boolean parallel) {
    if (bufferBytes < SegmentFormat.HEADER_BYTES || Integer.bitCount(taskRecords) != 1) {
      throw new IllegalArgumentException("bufferBytes " + bufferBytes + ", taskRecords " + taskRecords);
    }
    this.dir = dir;
    this.bufferBytes = bufferBytes;
    this.taskRecords = taskRecords;
    this.parallel = parallel;
  }

  /** Asks for {@link Visitor#atSize} at tree size {@code size}. */
  public LogScanner checkAt(long size) {
    checkSizes.add(size);
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

  /**
   * Scans the log. Records are read in large blocks and checked in tasks of {@link #taskRecords}
   * on all cores: each task checks CRCs, versions and sequence numbers, computes leaf hashes,
   * checks each stored chain value against the stored value before it, and folds its leaves into
   * a Merkle subtree. The tasks' results are then taken in log order on the calling thread, which
   * calls the visitor and reports the first problem, so the outcome does not depend on threads.
   */
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
    Run run = new Run(r, visitor);
    run.segments(segs);
    r.records = run.seq;
    r.chain = run.chain;
    return r;
  }

  private static final ThreadLocal<TreeHasher[]> HASHERS = ThreadLocal.withInitial(() -> new TreeHasher[3]);

  /** The calling thread's hasher for {@code id}: a digest is reused, never created per record. */
  private static TreeHasher hasher(int id) {
    TreeHasher[] hs = HASHERS.get();
    if (hs[id] == null) {
      hs[id] = TreeHasher.forId(id);
    }
    return hs[id];
  }

  /** One scan: the state that carries over from record to record and segment to segment. */
  private final class Run {
    final Result r;
    final Visitor visitor;
    final boolean wantsRecords;
    /** The tree sizes to report, ascending, and the index of the first one not yet reached. */
    final long[] checks;
    int nextCheck;
    /** Records verified so far, which is the sequence number expected next. */
    long seq;
    /** The chain value after the last verified record. */
    final byte[] chain = new byte[TreeHasher.SIZE];
    final byte[] leaf = new byte[TreeHasher.SIZE];
    @Nullable MerkleFrontier frontier;
    /** The buffer whose frames are being checked, and the one the next bytes are read into meanwhile. */
    byte[] buf = new byte[Math.min(bufferBytes, MAX_READ_BYTES)];
    byte[] spare = new byte[0];
    /** Length of the segment being read. */
    long segmentBytes;
    int[] offsets = new int[1024];
    byte[] leaves = new byte[1024 * TreeHasher.SIZE];

    Run(Result r, Visitor visitor) {
      this.r = r;
      this.visitor = visitor;
      this.wantsRecords = visitor.wantsRecords();
      this.checks = checkSizes.stream().mapToLong(Long::longValue).toArray();
    }

    void segments(List<Path> segs) throws Exception {
      for (int si = 0; si < segs.size(); si++) {
        Path seg = segs.get(si);
        boolean last = si == segs.size() - 1;
        r.validEnd = 0; // an I/O error is reported at the end of the last good frame of this segment
        try (FileChannel ch = FileChannel.open(seg, StandardOpenOption.READ)) {
          if (!segment(ch, segs, si, last)) {
            return;
          }
        } catch (IOException e) {
          r.problem = new Problem(Kind.IO_ERROR, "cannot read: " + e, seg, r.validEnd, seq, last);
          return;
        }
      }
    }

    /** Checks one segment; false if it ends the scan with a problem. */
    private boolean segment(FileChannel ch, List<Path> segs, int si, boolean last) throws Exception {
      Path seg = segs.get(si);
      long size = ch.size();
      r.lastSegmentLength = size;
      r.validEnd = 0;
      int n = read(ch, buf, 0, 0, (int) Math.min(size, SegmentFormat.HEADER_BYTES));
      SegmentFormat.Header h;
      try {
        h = SegmentFormat.decodeHeader(buf, n);
      } catch (SegmentFormat.BadHeaderException e) {
        Kind k = e.newerVersion ? Kind.NEWER_VERSION
            : e.notALog && !(last && n < SegmentFormat.MAGIC.length) ? (si == 0 ? Kind.NOT_A_LOG : Kind.BAD_SEGMENT)
            : last && n < SegmentFormat.HEADER_BYTES ? Kind.TORN_TAIL : Kind.BAD_SEGMENT;
        r.problem = new Problem(k, Objects.requireNonNullElse(e.getMessage(), "bad segment header"), seg, 0, seq,
            last);
        return false;
      }
      long index = SegmentFormat.segmentIndex(seg.getFileName().toString());
      if (h.index != index) {
        r.problem = new Problem(Kind.BAD_SEGMENT, "header says segment " + h.index + " but the file name says " + index,
            seg, 0, seq, last);
        return false;
      }
      if (si == 0) {
        r.logId = h.logIdHex();
        r.hashAlgorithm = h.hashAlgorithm;
        frontier = new MerkleFrontier(TreeHasher.forId(h.hashAlgorithm));
        r.frontier = frontier;
        if (index != 0) {
          r.problem = new Problem(Kind.BAD_SEGMENT, "the first segment is missing: log starts with segment " + index,
              seg, 0, seq, last);
          return false;
        }
      } else {
        if (!h.logIdHex().equals(r.logId) || h.hashAlgorithm != r.hashAlgorithm) {
          r.problem = new Problem(Kind.BAD_SEGMENT, "segment belongs to another log (log id " + h.logIdHex() + ", not "
              + r.logId + ")", seg, 0, seq, last);
          return false;
        }
        long prevIndex = SegmentFormat.segmentIndex(segs.get(si - 1).getFileName().toString());
        if (index != prevIndex + 1) {
          r.problem = new Problem(Kind.BAD_SEGMENT, "segment " + (prevIndex + 1) + " is missing", seg, 0, seq, last);
          return false;
        }
      }
      if (h.firstSeq != seq || !MessageDigest.isEqual(h.prevChain, chain)) {
        r.problem = new Problem(Kind.TAMPERED, "segment header starts at seq " + h.firstSeq
            + (h.firstSeq == seq ? " but with a different chain value" : "") + ", but the log so far ends before seq " + seq
            + " (records deleted, inserted, or segments swapped)", seg, 0, seq, last);
        return false;
      }
      if (si == 0) {
        while (nextCheck < checks.length && checks[nextCheck] <= 0) {
          if (checks[nextCheck++] == 0) {
            visitor.atSize(0, Objects.requireNonNull(frontier).root(), chain.clone());
          }
        }
      }
      r.validEnd = SegmentFormat.HEADER_BYTES;
      return frames(ch, seg, size, last);
    }

    /** Reads up to {@code len} bytes at file position {@code at} into b[off..]; fewer only at end of file. */
    private int read(FileChannel ch, byte[] b, long at, int off, int len) throws IOException {
      int n = 0;
      while (n < len) {
        int got = ch.read(ByteBuffer.wrap(b, off + n, Math.min(len - n, MAX_READ_BYTES)), at + n);
        if (got < 0) {
          break;
        }
        n += got;
      }
      return n;
    }

    /**
     * Fills {@code b}, which holds {@code have} bytes from file position {@code at}, up to its
     * capacity or the end of the segment; returns how many bytes it holds then.
     */
    private int fill(FileChannel ch, byte[] b, int have, long at) throws IOException {
      int want = (int) Math.min(b.length - have, segmentBytes - at - have);
      int got = read(ch, b, at + have, have, want);
      if (got < want) {
        segmentBytes = at + have + got; // the file shrank while being read
        r.lastSegmentLength = segmentBytes;
      }
      return have + got;
    }

    /**
     * Checks the frames of a segment a buffer at a time; false if it ends the scan with a problem.
     * The next buffer is read while the tasks of this one run.
     */
    private boolean frames(FileChannel ch, Path seg, long size, boolean last) throws Exception {
      segmentBytes = size;
      long fileOff = SegmentFormat.HEADER_BYTES; // file position of buf[0]
      if (buf.length < bufferBytes && buf.length < size - fileOff) {
        // small logs get small buffers (never below a header, which the next segment reads into it)
        buf = new byte[(int) Math.max(SegmentFormat.HEADER_BYTES, Math.min(bufferBytes, size - fileOff))];
      }
      int have = fill(ch, buf, 0, fileOff);
      while (true) {
        boolean more = fileOff + have < segmentBytes;
        if (have == 0) {
          return true;
        }
        // frame boundaries and lengths (cheap, sequential); CRCs are checked in the tasks
        int count = 0;
        int p = 0;
        int bad = 0;
        while (p < have) {
          int len = have - p < 8 ? SegmentFormat.TRUNCATED : RecordCodec.getInt(buf, p);
          if (len != SegmentFormat.TRUNCATED && (len < SegmentFormat.MIN_BODY_BYTES || len > SegmentFormat.MAX_BODY_BYTES)) {
            bad = SegmentFormat.BAD_LENGTH;
            break;
          }
          if (len == SegmentFormat.TRUNCATED || have - p < len + SegmentFormat.FRAME_OVERHEAD) {
            if (!more) {
              bad = SegmentFormat.TRUNCATED;
            }
            break;
          }
          if (count == offsets.length) {
            offsets = Arrays.copyOf(offsets, count * 2);
          }
          offsets[count++] = p;
          p += len + SegmentFormat.FRAME_OVERHEAD;
        }
        if (count == 0 && bad == 0) {
          // one frame larger than the buffer: grow it (frames are at most MAX_BODY_BYTES)
          buf = Arrays.copyOf(buf, Math.max(buf.length * 2, RecordCodec.getInt(buf, 0) + SegmentFormat.FRAME_OVERHEAD));
          have = fill(ch, buf, have, fileOff);
          continue;
        }
        int use = count;
        if (more && bad == 0) {
          // end the batch where a task boundary falls, so the next batch starts with whole subtrees
          long end = seq + count;
          long aligned = end & -(long) taskRecords;
          if (aligned > seq) {
            use = (int) (aligned - seq);
          }
        }
        int consumed = use < count ? offsets[use] : p;
        List<Task> tasks = tasks(use);
        ForkJoinTask<?> @Nullable [] jobs = start(tasks);
        int next = 0;
        IOException readFailure = null;
        boolean prefetch = bad == 0 && (more || consumed < have);
        if (prefetch) {
          if (spare.length < buf.length) {
            spare = new byte[buf.length];
          }
          next = have - consumed;
          System.arraycopy(buf, consumed, spare, 0, next);
          try {
            next = fill(ch, spare, next, fileOff + consumed);
          } catch (IOException e) {
            readFailure = e; // reported once the records before it are checked
          }
        }
        finish(tasks, jobs);
        for (Task t : tasks) {
          if (!merge(t, seg, fileOff, last)) {
            return false;
          }
        }
        if (readFailure != null) {
          throw readFailure;
        }
        if (bad != 0) {
          long at = fileOff + p;
          Kind k = bad == SegmentFormat.TRUNCATED && last ? Kind.TORN_TAIL : Kind.BAD_FRAME;
          String msg = bad == SegmentFormat.TRUNCATED ? "incomplete record frame (" + (segmentBytes - at) + " bytes left)"
              : "record length field is impossible";
          r.problem = new Problem(k, msg, seg, at, seq, last);
          return false;
        }
        if (prefetch) {
          byte[] b = buf;
          buf = spare;
          spare = b;
        }
        fileOff += consumed;
        have = next;
      }
    }

    /** Splits frames [0, count) of the buffer into tasks that start at task boundaries of the tree. */
    private List<Task> tasks(int count) {
      if (leaves.length < count * TreeHasher.SIZE) {
        leaves = new byte[Math.max(leaves.length * 2, count * TreeHasher.SIZE)];
      }
      List<Task> tasks = new ArrayList<>();
      byte[] before = chain.clone();
      for (int i = 0; i < count; ) {
        long g = seq + i;
        int n = (int) Math.min(count - i, taskRecords - (g & (taskRecords - 1)));
        tasks.add(new Task(this, before, i, i + n, g, (g & (taskRecords - 1)) == 0));
        i += n;
      }
      return tasks;
    }

    /** Hands the tasks to the fork-join pool, or returns null if this thread will run them alone. */
    private ForkJoinTask<?> @Nullable [] start(List<Task> tasks) {
      if (!parallel || tasks.size() < 2) {
        return null;
      }
      ForkJoinTask<?>[] jobs = new ForkJoinTask<?>[tasks.size()];
      for (int i = 0; i < jobs.length; i++) {
        jobs[i] = ForkJoinTask.adapt(tasks.get(i)::run).fork();
      }
      return jobs;
    }

    /** Runs what no pool thread has taken (newest first, as the pool takes the oldest) and waits for the rest. */
    private void finish(List<Task> tasks, ForkJoinTask<?> @Nullable [] jobs) {
      if (jobs == null) {
        for (Task t : tasks) {
          t.run();
        }
        return;
      }
      for (int i = jobs.length - 1; i >= 0; i--) {
        if (jobs[i].tryUnfork()) {
          jobs[i].invoke();
        }
      }
      for (ForkJoinTask<?> j : jobs) {
        j.join();
      }
    }

    /** Takes a task's result into the scan in log order; false at its problem. */
    private boolean merge(Task t, Path seg, long fileOff, boolean last) throws Exception {
      MerkleFrontier f = Objects.requireNonNull(frontier, "frontier"); // set from the first segment's header
      int end = t.from + t.good;
      if (!wantsRecords && t.tree && (nextCheck == checks.length || checks[nextCheck] > seq + t.good)) {
        // nothing to call back or report inside this task: take its subtree whole
        seq += t.good;
      } else {
        int snapshot = 0;
        for (int i = t.from; i < end; i++) {
          int pos = offsets[i];
          int len = RecordCodec.getInt(buf, pos);
          if (wantsRecords) {
            System.arraycopy(leaves, i * TreeHasher.SIZE, leaf, 0, TreeHasher.SIZE);
            visitor.record(seq, buf, pos + 8, len, leaf, seg, fileOff + pos);
          }
          if (!t.tree) {
            f.append(leaves, i * TreeHasher.SIZE);
          }
          seq++;
          if (nextCheck < checks.length && checks[nextCheck] == seq) {
            byte[] root;
            if (t.tree) {
              MerkleFrontier upTo = f.copy();
              upTo.append(t.snapshots.get(snapshot++));
              root = upTo.root();
            } else {
              root = f.root();
            }
            int stored = pos + 8 + len;
            visitor.atSize(seq, root, Arrays.copyOfRange(buf, stored, stored + TreeHasher.SIZE));
            nextCheck++;
          }
        }
      }
      if (t.tree && t.local != null) {
        f.append(t.local);
      }
      if (t.good > 0) {
        int pos = offsets[end - 1];
        int stored = pos + 8 + RecordCodec.getInt(buf, pos);
        System.arraycopy(buf, stored, chain, 0, TreeHasher.SIZE);
        r.validEnd = fileOff + stored + TreeHasher.SIZE;
      }
      if (t.problem != null) {
        r.problem = new Problem(t.problem, t.message, seg, fileOff + offsets[end], seq, last);
        return false;
      }
      return true;
    }
  }

  /**
   * Frames [from, to) of a batch, whose first record has sequence number {@code seq0}: checks each
   * record up to the first bad one and hashes it. If {@code tree} ({@code seq0} is a multiple of
   * the task size), it also folds its leaves into a Merkle frontier of its own, with a copy at
   * each tree size the scan reports; otherwise the caller appends its leaves one by one.
   */
  private static final class Task {
    final Run run;
    final byte[] buf;
    final int[] offsets;
    final byte[] leaves;
    final byte[] before;
    final int from;
    final int to;
    final long seq0;
    final boolean tree;
    int good;
    @Nullable Kind problem;
    String message = "";
    @Nullable MerkleFrontier local;
    final List<MerkleFrontier> snapshots = new ArrayList<>(0);

    Task(Run run, byte[] before, int from, int to, long seq0, boolean tree) {
      this.run = run;
      this.buf = run.buf;
      this.offsets = run.offsets;
      this.leaves = run.leaves;
      this.before = before;
      this.from = from;
      this.to = to;
      this.seq0 = seq0;
      this.tree = tree;
    }

    void run() {
      TreeHasher th = hasher(run.r.hashAlgorithm);
      CRC32C crc = new CRC32C();
      byte[] c = new byte[TreeHasher.SIZE];
      long[] checks = run.checks;
      int check = Arrays.binarySearch(checks, seq0 + 1);
      check = check < 0 ? -check - 1 : check;
      MerkleFrontier f = tree ? new MerkleFrontier(th) : null;
      local = f;
      for (int i = from; i < to; i++) {
        int pos = offsets[i];
        int len = RecordCodec.getInt(buf, pos);
        int body = pos + 8;
        int stored = body + len;
        crc.reset();
        crc.update(buf, body, len + TreeHasher.SIZE);
        if ((int) crc.getValue() != RecordCodec.getInt(buf, pos + 4)) {
          fail(Kind.BAD_FRAME, "record checksum (CRC-32C) does not match");
          return;
        }
        int version = buf[body] & 0xff;
        if (version < 1 || version > RecordCodec.VERSION) {
          fail(version > RecordCodec.VERSION ? Kind.NEWER_VERSION : Kind.TAMPERED, "record format version " + version
              + (version > RecordCodec.VERSION
                  ? " is newer than this version of Shulian reads (" + RecordCodec.VERSION + ")" : " is unknown"));
          return;
        }
        long seq = seq0 + (i - from);
        long recSeq = RecordCodec.getLong(buf, body + RecordCodec.SEQ_OFFSET);
        if (recSeq != seq) {
          fail(Kind.TAMPERED, "record has seq " + recSeq + " where seq " + seq
              + " belongs (a record was deleted, inserted or reordered)");
          return;
        }
        int leafOff = i * TreeHasher.SIZE;
        // the byte before the body is the last of this frame's CRC, checked above: only this task touches it
        th.leafInPlace(buf, body, len, leaves, leafOff);
        if (i == 0) {
          th.chain(before, 0, leaves, leafOff, c);
        } else {
          int prev = offsets[i - 1];
          th.chain(buf, prev + 8 + RecordCodec.getInt(buf, prev), leaves, leafOff, c);
        }
        if (!Arrays.equals(c, 0, TreeHasher.SIZE, buf, stored, stored + TreeHasher.SIZE)) {
          fail(Kind.TAMPERED, "hash chain breaks: the record or one before it was changed");
          return;
        }
        good++;
        if (f != null) {
          f.append(leaves, leafOff);
          if (check < checks.length && checks[check] == seq + 1) {
            snapshots.add(f.copy());
            check++;
          }
        }
      }
    }

    private void fail(Kind kind, String msg) {
      problem = kind;
      message = msg;
    }
  }
}
