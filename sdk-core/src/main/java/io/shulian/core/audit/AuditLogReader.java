package io.shulian.core.audit;

import io.shulian.core.internal.audit.LogScanner;
import io.shulian.core.internal.audit.MerkleProofs;
import io.shulian.core.internal.audit.RecordCodec;
import io.shulian.core.internal.audit.SegmentFormat;
import io.shulian.core.internal.audit.TreeHasher;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Reads a log directory without writing to it: its records, its checkpoints, and proofs. Every
 * read checks the chain on the way (not signatures: that is {@link AuditVerifier}'s job) and stops
 * with an error at the first damage, so nothing is read from a broken log silently.
 */
public final class AuditLogReader {
  private AuditLogReader() {}

  /** Receives records in sequence order. */
  @FunctionalInterface
  public interface RecordConsumer {
    void accept(AuditEntry entry) throws AuditException;
  }

  /**
   * Calls {@code consumer} with every record of the log in order.
   *
   * @return the number of records read
   * @throws AuditException NOT_A_LOG, UNSUPPORTED_VERSION, LOG_CORRUPT at damage (a torn tail is
   *     skipped), LOG_UNAVAILABLE on I/O errors
   */
  public static long forEach(Path dir, RecordConsumer consumer) throws AuditException {
    LogScanner.Result r = scan(dir, new LogScanner.Visitor() {
      @Override
      public void record(long seq, byte[] data, int off, int len, byte[] leaf, Path segment, long offset)
          throws AuditException {
        try {
          consumer.accept(RecordCodec.decode(data, off, len));
        } catch (RecordCodec.MalformedRecordException e) {
          throw new AuditException(e.newerVersion() ? AuditException.Reason.UNSUPPORTED_VERSION
              : AuditException.Reason.LOG_CORRUPT, segment.getFileName() + " offset " + offset + " (seq " + seq + "): "
              + e.getMessage());
        }
      }
    }, null);
    return r.records;
  }

  /**
   * The record bytes after which {@link #readBatch} ends a batch (it may go past by one record, at
   * most 1 MiB): 4 MiB, so that a batch in the collector's JSON form (bodies in base64, 4/3 of their
   * size) stays within the hub's 8 MiB request limit whatever the records' size.
   */
  public static final int MAX_BATCH_BYTES = 4 << 20;

  /**
   * Reads up to {@code maxRecords} records from seq {@code fromSeq} as they are stored, with the
   * checkpoints inside that run and the certificates the writer presented: the unit a shipper sends
   * to the collector. Safe while a writer appends: the checkpoints are read first, so every
   * checkpoint returned is covered by the records returned (or lies past them and is left for the
   * next batch); a frame or checkpoint line still being written at the end is not returned yet.
   * Frame CRCs and sequence numbers are checked on the way; hashes and signatures are the
   * collector's to verify. A shipper reading batch after batch uses a {@link #cursor} instead.
   *
   * @param previous the batch read before, if it ended at {@code fromSeq}: reading then continues at
   *     its file position (checked against the files first) instead of skipping from the start of
   *     the segment; may be null
   * @return the batch, empty if the log holds no record at {@code fromSeq} yet
   * @throws AuditException NOT_A_LOG, LOG_CORRUPT (a bad frame before the end, segments that do
   *     not continue each other, {@code fromSeq} before the first record the directory still
   *     holds), LOG_UNAVAILABLE on I/O errors
   */
  public static RecordBatch readBatch(Path dir, long fromSeq, int maxRecords, @Nullable RecordBatch previous)
      throws AuditException {
    Cursor c = new Cursor(dir);
    if (previous != null && previous.segment != null) {
      c.end = new Position(previous.segment, previous.segmentKey, previous.offset, previous.nextSeq(), previous.chainHead());
    }
    return c.read(fromSeq, maxRecords);
  }

  /**
   * Returns a cursor over the log in {@code dir}: {@link Cursor#read} gives the same batches as
   * {@link #readBatch}, but keeps what it read between calls.
   */
  public static Cursor cursor(Path dir) {
    return new Cursor(dir);
  }

  /** Returns the checkpoints of the log, oldest first (signatures not checked). */
  public static List<Checkpoint> checkpoints(Path dir) throws AuditException {
    requireLog(dir);
    try {
      return AuditLog.readCheckpoints(dir, false).checkpoints;
    } catch (IOException e) {
      throw new AuditException(AuditException.Reason.LOG_UNAVAILABLE, "cannot read checkpoints of " + dir + ": " + e.getMessage(), e);
    }
  }

  /**
   * Builds an inclusion proof of record {@code seq} against the latest checkpoint.
   *
   * @throws AuditException LOG_CORRUPT if the log does not match its checkpoint; MALFORMED_PROOF
   *     (with a clear message) if no checkpoint covers the record yet or it does not exist
   */
  public static InclusionProof proveInclusion(Path dir, long seq) throws AuditException {
    List<Checkpoint> cps = checkpoints(dir);
    if (cps.isEmpty()) {
      throw new AuditException(AuditException.Reason.MALFORMED_PROOF, dir + " has no checkpoint yet: nothing to prove against");
    }
    Checkpoint cp = cps.get(cps.size() - 1);
    if (seq < 0 || seq >= cp.treeSize()) {
      throw new AuditException(AuditException.Reason.MALFORMED_PROOF, "record seq " + seq
          + " is not covered by the latest checkpoint (it covers seq 0.." + (cp.treeSize() - 1)
          + "); a record newer than that is proven after the next checkpoint");
    }
    Tree t = tree(dir, cp.treeSize(), seq);
    if (!Arrays.equals(MerkleProofs.subtreeHash(t.hasher, t.leaves, 0, (int) cp.treeSize()), cp.root())) {
      throw new AuditException(AuditException.Reason.LOG_CORRUPT, "the records of " + dir
          + " do not match the latest checkpoint; run 'shulian audit verify'");
    }
    List<byte[]> path = MerkleProofs.inclusionPath(t.hasher, t.leaves, (int) seq, (int) cp.treeSize());
    return new InclusionProof(cp, seq, t.body, path, AuditVerifier.presentedCertificates(dir));
  }

  /**
   * Builds a consistency proof between checkpoints number {@code from} and {@code to} (1-based, in
   * the order of {@code checkpoints.jsonl}).
   */
  public static ConsistencyProof proveConsistency(Path dir, int from, int to) throws AuditException {
    List<Checkpoint> cps = checkpoints(dir);
    if (from < 1 || to < from || to > cps.size()) {
      throw new AuditException(AuditException.Reason.MALFORMED_PROOF, "checkpoints must satisfy 1 <= from <= to <= "
          + cps.size() + " (the log has " + cps.size() + "), got from " + from + " to " + to);
    }
    Checkpoint a = cps.get(from - 1);
    Checkpoint b = cps.get(to - 1);
    Tree t = tree(dir, b.treeSize(), -1);
    if (!Arrays.equals(MerkleProofs.subtreeHash(t.hasher, t.leaves, 0, (int) b.treeSize()), b.root())
        || !Arrays.equals(MerkleProofs.subtreeHash(t.hasher, t.leaves, 0, (int) a.treeSize()), a.root())) {
      throw new AuditException(AuditException.Reason.LOG_CORRUPT, "the records of " + dir
          + " do not match its checkpoints; run 'shulian audit verify'");
    }
    List<byte[]> path = MerkleProofs.consistencyPath(t.hasher, t.leaves, (int) a.treeSize(), (int) b.treeSize());
    return new ConsistencyProof(a, b, path, AuditVerifier.presentedCertificates(dir));
  }

  private static final class Tree {
    TreeHasher hasher = TreeHasher.forId(1);
    final MerkleProofs.Leaves leaves = new MerkleProofs.Leaves();
    byte[] body = new byte[0];
  }

  private static Tree tree(Path dir, long size, long wantSeq) throws AuditException {
    if (size > Integer.MAX_VALUE / TreeHasher.SIZE) {
      throw new AuditException(AuditException.Reason.LOG_UNAVAILABLE, "proofs over more than "
          + Integer.MAX_VALUE / TreeHasher.SIZE + " records are not supported yet");
    }
    Tree t = new Tree();
    LogScanner.Result r = scan(dir, new LogScanner.Visitor() {
      @Override
      public void record(long seq, byte[] data, int off, int len, byte[] leaf, Path segment, long offset) {
        if (seq < size) {
          t.leaves.add(leaf, 0);
        }
        if (seq == wantSeq) {
          t.body = Arrays.copyOfRange(data, off, off + len);
        }
      }
    }, t);
    if (r.records < size) {
      throw new AuditException(AuditException.Reason.LOG_CORRUPT, dir + " holds " + r.records
          + " records but its checkpoint covers " + size + "; run 'shulian audit verify'");
    }
    return t;
  }

  private static void requireLog(Path dir) throws AuditException {
    if (!Files.isDirectory(dir)) {
      throw new AuditException(AuditException.Reason.NOT_A_LOG, dir + " is not a directory");
    }
    try {
      if (LogScanner.segments(dir).isEmpty()) {
        throw new AuditException(AuditException.Reason.NOT_A_LOG, dir + " is not a Shulian audit log: it holds no segment-*.log files");
      }
    } catch (IOException e) {
      throw new AuditException(AuditException.Reason.LOG_UNAVAILABLE, "cannot list " + dir + ": " + e.getMessage(), e);
    }
  }

  private static LogScanner.Result scan(Path dir, LogScanner.Visitor v, @Nullable Tree t) throws AuditException {
    requireLog(dir);
    LogScanner.Result r;
    try {
      r = new LogScanner(dir).scan(v);
    } catch (AuditException e) {
      throw e;
    } catch (Exception e) {
      throw new AuditException(AuditException.Reason.LOG_UNAVAILABLE, "cannot read " + dir + ": " + e, e);
    }
    if (t != null && r.hashAlgorithm != 0) {
      t.hasher = TreeHasher.forId(r.hashAlgorithm);
    }
    if (r.problem != null) {
      LogScanner.Problem p = r.problem;
      switch (p.kind) {
        case TORN_TAIL:
          break;
        case NOT_A_LOG:
          throw new AuditException(AuditException.Reason.NOT_A_LOG, dir + " is not a Shulian audit log: " + p.message);
        case NEWER_VERSION:
          throw new AuditException(AuditException.Reason.UNSUPPORTED_VERSION, dir + ": " + p.where() + ": " + p.message);
        case IO_ERROR:
          throw new AuditException(AuditException.Reason.LOG_UNAVAILABLE, dir + ": " + p.message);
        default:
          throw new AuditException(AuditException.Reason.LOG_CORRUPT, dir + " is damaged at " + p.where() + ": "
              + p.message + "; run 'shulian audit verify'");
      }
    }
    return r;
  }

  /** A place in the log: the frame of record {@code seq} starts at {@code offset} of the segment file {@code segment}. */
  private static final class Position {
    final String segment;
    final @Nullable Object fileKey;
    final long offset;
    final long seq;
    /** The chain value stored before record {@code seq}. */
    final byte[] chain;

    Position(String segment, @Nullable Object fileKey, long offset, long seq, byte[] chain) {
      this.segment = segment;
      this.fileKey = fileKey;
      this.offset = offset;
      this.seq = seq;
      this.chain = chain.clone();
    }
  }

  /**
   * Reads successive batches of one log for a shipper. Between calls it keeps where the last batch
   * started and ended (segment file, its identity, offset, seq and chain value), the checkpoints
   * already parsed (and how far {@code checkpoints.jsonl} was read), and the parsed certificates of
   * {@code certs/} by file name, size, modification time and identity. Every call checks what it
   * kept against the files before using it: a position is used only if its segment is still the
   * same file, at least that long, and still stores the kept chain value just before it (or, at a
   * segment's start, a header continuing it); the checkpoint file is continued only if it is the
   * same file, not shorter, and still holds the last line read at the same place. Anything else —
   * a rotated, pruned, truncated or replaced file — and it reads that part again from scratch, so a
   * batch always equals what {@link #readBatch} finds in the files at that moment. Not for use by
   * several threads at once.
   */
  public static final class Cursor {
    private final Path dir;
    /** Where the last batch ended. */
    @Nullable Position end;
    /** Where the last batch started, and where each checkpoint inside it ends (a shipper cutting at one goes on from there). */
    private final List<Position> marks = new ArrayList<>();

    private @Nullable Object cpFileKey;
    /** Bytes of the checkpoint file read, up to the end of the last complete line. */
    private long cpRead;
    /** The last complete line read (with its newline), ending at {@link #cpRead}. */
    private byte[] cpLastLine = new byte[0];
    private int cpLines;
    private @Nullable Checkpoint cpLast;
    /** Every checkpoint of the file with a tree size of at least {@link #cpFloor}, oldest first. */
    private final List<Checkpoint> cpKept = new ArrayList<>();
    private long cpFloor;

    private final java.util.Map<String, CertFile> certFiles = new java.util.HashMap<>();

    private long checkpointLinesParsed;
    private long certificateFilesParsed;
    private long segmentSearches;
    /** The frames of the segment being read come through here: one large read for many frames. */
    private final Window window = new Window();

    Cursor(Path dir) {
      this.dir = dir;
    }

    /**
     * Reads the batch {@link #readBatch} would read now, from seq {@code fromSeq}.
     *
     * @throws AuditException as {@link #readBatch}
     */
    public RecordBatch read(long fromSeq, int maxRecords) throws AuditException {
      if (fromSeq < 0 || maxRecords < 1) {
        throw new IllegalArgumentException("fromSeq " + fromSeq + " and maxRecords " + maxRecords + " must be >= 0 and >= 1");
      }
      if (!Files.isDirectory(dir)) {
        throw new AuditException(AuditException.Reason.NOT_A_LOG, dir + " is not a directory");
      }
      try {
        List<Checkpoint> cps = checkpoints(fromSeq);
        List<io.shulian.core.keys.PartyCertificate> certs = certificates();
        return records(fromSeq, maxRecords, cps, certs);
      } catch (IOException e) {
        end = null;
        marks.clear();
        throw new AuditException(AuditException.Reason.LOG_UNAVAILABLE, "cannot read " + dir + ": " + e.getMessage(), e);
      } catch (AuditException | RuntimeException e) {
        end = null;
        marks.clear();
        throw e;
      }
    }

    /**
     * The log's id, from the header of its first segment.
     *
     * @throws AuditException NOT_A_LOG, LOG_CORRUPT (a damaged header), LOG_UNAVAILABLE on I/O errors
     */
    public String logId() throws AuditException {
      if (!Files.isDirectory(dir)) {
        throw new AuditException(AuditException.Reason.NOT_A_LOG, dir + " is not a directory");
      }
      try {
        List<Path> segs = LogScanner.segments(dir);
        if (segs.isEmpty()) {
          throw new AuditException(AuditException.Reason.NOT_A_LOG, dir + " is not a Shulian audit log: it holds no segment-*.log files");
        }
        return header(segs.get(0)).logIdHex();
      } catch (IOException e) {
        throw new AuditException(AuditException.Reason.LOG_UNAVAILABLE, "cannot read " + dir + ": " + e.getMessage(), e);
      }
    }

    /** Checkpoint lines parsed so far (each line once while the file only grows). */
    long checkpointLinesParsed() {
      return checkpointLinesParsed;
    }

    /** Certificate files parsed so far (each once while it is unchanged). */
    long certificateFilesParsed() {
      return certificateFilesParsed;
    }

    /** How often the segment holding {@code fromSeq} was searched from the segment headers. */
    long segmentSearches() {
      return segmentSearches;
    }

    /** File reads of record frames so far. */
    long recordFileReads() {
      return window.reads;
    }

    /**
     * A window on the segment file being read: a run of its bytes read at once, so a batch of
     * frames costs a few reads instead of two per record. Only the bytes of one open file, and only
     * while it is open: what a later batch reads comes from the file again.
     */
    private static final class Window {
      /** Bytes read at once (a frame larger than this is read whole into a larger buffer). */
      static final int CHUNK = 256 << 10;
      byte[] buf = new byte[0];
      private long start;
      private int length;
      private java.nio.channels.@Nullable FileChannel ch;
      long reads;

      void open(java.nio.channels.FileChannel ch) {
        this.ch = ch;
        this.length = 0;
      }

      void close() {
        ch = null;
        length = 0;
        if (buf.length > CHUNK) {
          buf = new byte[0]; // a huge frame's buffer is not kept
        }
      }

      /** Makes {@code n} bytes at file {@code offset} available, reading if needed; returns how many are (fewer at the end of the file). */
      int cover(long offset, int n) throws IOException {
        if (offset >= start && offset + n <= start + length) {
          return n;
        }
        java.nio.channels.FileChannel c = ch;
        if (c == null) {
          throw new IllegalStateException("no segment open");
        }
        if (buf.length < Math.max(n, CHUNK)) {
          buf = new byte[Math.max(n, CHUNK)];
        }
        reads++;
        start = offset;
        length = readFully(c, buf, offset);
        return Math.min(n, length);
      }

      /** The index in {@link #buf} of file {@code offset}, which {@link #cover} made available. */
      int at(long offset) {
        return (int) (offset - start);
      }
    }

    // ---- checkpoints ----

    private void resetCheckpoints(long floor) {
      cpFileKey = null;
      cpRead = 0;
      cpLastLine = new byte[0];
      cpLines = 0;
      cpLast = null;
      cpKept.clear();
      cpFloor = floor;
    }

    /** The checkpoints with a tree size of at least {@code fromSeq}, the file read on from where it was read last. */
    private List<Checkpoint> checkpoints(long fromSeq) throws IOException, AuditException {
      Path f = dir.resolve(SegmentFormat.CHECKPOINTS_FILE);
      java.nio.file.attribute.BasicFileAttributes a;
      try {
        a = Files.readAttributes(f, java.nio.file.attribute.BasicFileAttributes.class, java.nio.file.LinkOption.NOFOLLOW_LINKS);
      } catch (java.nio.file.NoSuchFileException e) {
        resetCheckpoints(0);
        return List.of();
      }
      if (!a.isRegularFile() || a.size() > (1L << 30)) {
        resetCheckpoints(0);
        throw new AuditException(AuditException.Reason.LOG_CORRUPT, f + " is not a regular file of at most 1 GiB");
      }
      if (cpFileKey == null || !cpFileKey.equals(a.fileKey()) || a.size() < cpRead || fromSeq < cpFloor) {
        resetCheckpoints(fromSeq);
      }
      try {
        readCheckpoints(f, a.fileKey(), fromSeq);
      } catch (IOException | AuditException | RuntimeException e) {
        resetCheckpoints(0);
        throw e;
      }
      cpKept.removeIf(c -> c.treeSize() < fromSeq);
      cpFloor = Math.max(cpFloor, fromSeq);
      return List.copyOf(cpKept);
    }

    private void readCheckpoints(Path f, @Nullable Object key, long fromSeq) throws IOException, AuditException {
      byte[] data;
      long at = cpRead - cpLastLine.length;
      try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(f, java.nio.file.StandardOpenOption.READ)) {
        long size = ch.size();
        if (size < cpRead || size - at > (1L << 30)) {
          resetCheckpoints(fromSeq);
          at = 0;
        }
        data = new byte[(int) (size - at)];
        int n = readFully(ch, data, at);
        if (n < data.length) {
          data = Arrays.copyOf(data, n);
        }
      }
      int pos = 0;
      if (at > 0 || cpLastLine.length > 0) {
        // the line read last must still be there: otherwise the file was rewritten, read it all again
        if (data.length < cpLastLine.length
            || !Arrays.equals(data, 0, cpLastLine.length, cpLastLine, 0, cpLastLine.length)) {
          resetCheckpoints(fromSeq);
          readCheckpoints(f, key, fromSeq);
          return;
        }
        pos = cpLastLine.length;
      }
      cpFileKey = key;
      while (pos < data.length) {
        int nl = pos;
        while (nl < data.length && data[nl] != '\n') {
          nl++;
        }
        if (nl == data.length) {
          break; // a line still being written (a torn line is cut off by the writer when it reopens)
        }
        cpLines++;
        checkpointLinesParsed++;
        Checkpoint cp = AuditLog.parseLine(f, cpLines, data, pos, nl);
        if (!AuditLog.repeats(f, cpLines, cpLast, cp)) {
          cpLast = cp;
          if (cp.treeSize() >= cpFloor) {
            cpKept.add(cp);
          }
        }
        cpLastLine = Arrays.copyOfRange(data, pos, nl + 1);
        cpRead = at + nl + 1;
        pos = nl + 1;
      }
    }

    // ---- certificates ----

    private static final class CertFile {
      final long size;
      final java.nio.file.attribute.FileTime modified;
      final @Nullable Object key;
      final List<io.shulian.core.keys.PartyCertificate> certificates;

      CertFile(java.nio.file.attribute.BasicFileAttributes a, List<io.shulian.core.keys.PartyCertificate> certificates) {
        this.size = a.size();
        this.modified = a.lastModifiedTime();
        this.key = a.fileKey();
        this.certificates = List.copyOf(certificates);
      }

      boolean same(java.nio.file.attribute.BasicFileAttributes a) {
        return size == a.size() && modified.equals(a.lastModifiedTime()) && java.util.Objects.equals(key, a.fileKey());
      }
    }

    /** The certificates of {@code certs/}, a file parsed again only when its size, time or identity changed. */
    private List<io.shulian.core.keys.PartyCertificate> certificates() {
      Path certs = dir.resolve(SegmentFormat.CERTS_DIR);
      java.util.TreeMap<String, CertFile> now = new java.util.TreeMap<>();
      if (Files.isDirectory(certs)) {
        try (java.nio.file.DirectoryStream<Path> ds = Files.newDirectoryStream(certs, "*.pem")) {
          for (Path p : ds) {
            String name = p.getFileName().toString();
            java.nio.file.attribute.BasicFileAttributes a;
            try {
              a = Files.readAttributes(p, java.nio.file.attribute.BasicFileAttributes.class);
            } catch (IOException e) {
              continue; // gone meanwhile
            }
            CertFile c = certFiles.get(name);
            if (c == null || !c.same(a)) {
              List<io.shulian.core.keys.PartyCertificate> parsed;
              certificateFilesParsed++;
              try {
                parsed = io.shulian.core.keys.PartyCertificate.readPem(p);
              } catch (io.shulian.core.keys.KeyMaterialException e) {
                parsed = List.of(); // an unreadable presented certificate only means the trust has less to go on
              }
              c = new CertFile(a, parsed);
            }
            now.put(name, c);
          }
        } catch (IOException e) {
          now.clear(); // as AuditVerifier: a certificate directory that cannot be read presents nothing
        }
      }
      certFiles.clear();
      certFiles.putAll(now);
      List<io.shulian.core.keys.PartyCertificate> out = new ArrayList<>();
      for (CertFile c : now.values()) {
        out.addAll(c.certificates);
      }
      return out;
    }

    // ---- records ----

    private static @Nullable Object fileKey(Path p) throws IOException {
      try {
        return Files.readAttributes(p, java.nio.file.attribute.BasicFileAttributes.class,
            java.nio.file.LinkOption.NOFOLLOW_LINKS).fileKey();
      } catch (java.nio.file.NoSuchFileException e) {
        return null;
      }
    }

    /** True if {@code p} still describes the files: same segment file, long enough, the kept chain value just before it. */
    private boolean stillValid(Position p, List<Path> segs, String logId) throws IOException, AuditException {
      Path seg = null;
      for (Path s : segs) {
        if (s.getFileName().toString().equals(p.segment)) {
          seg = s;
        }
      }
      if (seg == null || p.offset < SegmentFormat.HEADER_BYTES) {
        return false;
      }
      if (p.fileKey != null && !p.fileKey.equals(fileKey(seg))) {
        return false;
      }
      try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(seg, java.nio.file.StandardOpenOption.READ)) {
        if (ch.size() < p.offset) {
          return false;
        }
        if (p.offset == SegmentFormat.HEADER_BYTES) {
          SegmentFormat.Header h = header(seg);
          return h.firstSeq == p.seq && Arrays.equals(h.prevChain, p.chain) && h.logIdHex().equals(logId);
        }
        byte[] stored = new byte[TreeHasher.SIZE];
        return readFully(ch, stored, p.offset - TreeHasher.SIZE) == stored.length && Arrays.equals(stored, p.chain);
      }
    }

    private RecordBatch records(long fromSeq, int maxRecords, List<Checkpoint> checkpoints,
        List<io.shulian.core.keys.PartyCertificate> certificates) throws IOException, AuditException {
      List<Path> segs = LogScanner.segments(dir);
      if (segs.isEmpty()) {
        throw new AuditException(AuditException.Reason.NOT_A_LOG, dir + " is not a Shulian audit log: it holds no segment-*.log files");
      }
      SegmentFormat.Header first = header(segs.get(0));
      String logId = first.logIdHex();
      HashAlgorithm alg = HashAlgorithm.ofId(first.hashAlgorithm);
      int si = -1;
      long offset = SegmentFormat.HEADER_BYTES;
      long seq = 0;
      byte[] chain = new byte[0];
      List<Position> known = new ArrayList<>(marks);
      if (end != null) {
        known.add(0, end);
      }
      for (Position p : known) {
        if (p.seq == fromSeq && stillValid(p, segs, logId)) {
          for (int i = 0; i < segs.size(); i++) {
            if (segs.get(i).getFileName().toString().equals(p.segment)) {
              si = i;
            }
          }
          offset = p.offset;
          seq = p.seq;
          chain = p.chain;
          break;
        }
      }
      if (si < 0) {
        // the segment that holds fromSeq: the last whose first seq is not after it
        segmentSearches++;
        SegmentFormat.Header h = first;
        si = 0;
        for (int i = segs.size() - 1; i > 0; i--) {
          SegmentFormat.Header hi = header(segs.get(i));
          if (hi.firstSeq <= fromSeq) {
            si = i;
            h = hi;
            break;
          }
        }
        if (fromSeq < h.firstSeq) {
          throw new AuditException(AuditException.Reason.LOG_CORRUPT, "seq " + fromSeq + " is no longer in " + dir
              + ": the log there starts at seq " + h.firstSeq + " (older segments were removed)");
        }
        if (!h.logIdHex().equals(logId)) {
          throw corrupt(segs.get(si), 0, h.firstSeq, "segment belongs to log " + h.logIdHex() + ", not " + logId);
        }
        seq = h.firstSeq;
        chain = h.prevChain;
      }
      // the chain value after the record read last: one array overwritten per record, not one each
      chain = Arrays.copyOf(chain, TreeHasher.SIZE);
      java.util.Set<Long> cuts = new java.util.HashSet<>();
      for (Checkpoint cp : checkpoints) {
        cuts.add(cp.treeSize());
      }
      List<Position> seen = new ArrayList<>();
      List<byte[]> bodies = new ArrayList<>();
      long bytes = 0;
      Object key = null;
      outer:
      for (; si < segs.size(); si++) {
        Path seg = segs.get(si);
        if (offset < 0) {
          SegmentFormat.Header h = header(seg);
          if (h.firstSeq != seq || !Arrays.equals(h.prevChain, chain) || !h.logIdHex().equals(logId)) {
            throw corrupt(seg, 0, seq, "segment header does not continue the segment before it");
          }
          offset = SegmentFormat.HEADER_BYTES;
        }
        boolean last = si == segs.size() - 1;
        key = fileKey(seg);
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(seg, java.nio.file.StandardOpenOption.READ)) {
          long size = ch.size();
          window.open(ch);
          while (true) {
            if ((seq == fromSeq || seq > fromSeq && cuts.contains(seq))
                && (seen.isEmpty() || seen.get(seen.size() - 1).seq != seq)) {
              seen.add(new Position(seg.getFileName().toString(), key, offset, seq, chain));
            }
            if (offset >= size || bodies.size() >= maxRecords || bytes >= MAX_BATCH_BYTES) {
              break;
            }
            if (window.cover(offset, 8) < 8) {
              break outer; // a frame still being written (or a torn tail the writer moves aside on reopen)
            }
            int len = RecordCodec.getInt(window.buf, window.at(offset));
            if (len < SegmentFormat.MIN_BODY_BYTES || len > SegmentFormat.MAX_BODY_BYTES) {
              if (last) {
                break outer;
              }
              throw corrupt(seg, offset, seq, "record length field is impossible");
            }
            int frameBytes = len + SegmentFormat.FRAME_OVERHEAD;
            if (window.cover(offset, frameBytes) < frameBytes) {
              break outer;
            }
            byte[] frame = window.buf;
            int at = window.at(offset);
            if (RecordCodec.getInt(frame, at + 4) != SegmentFormat.crc(frame, at + 8, len + TreeHasher.SIZE)) {
              if (last && offset + frameBytes >= size) {
                break outer; // the newest frame, perhaps not completely in the file yet
              }
              throw corrupt(seg, offset, seq, "record frame checksum does not match");
            }
            if (RecordCodec.getLong(frame, at + 8 + RecordCodec.SEQ_OFFSET) != seq) {
              throw corrupt(seg, offset, seq, "record has seq " + RecordCodec.getLong(frame,
                  at + 8 + RecordCodec.SEQ_OFFSET) + " where seq " + seq + " belongs");
            }
            System.arraycopy(frame, at + 8 + len, chain, 0, TreeHasher.SIZE);
            if (seq >= fromSeq) {
              bodies.add(Arrays.copyOfRange(frame, at + 8, at + 8 + len));
              bytes += len;
            }
            seq++;
            offset += frameBytes;
          }
        } finally {
          window.close();
        }
        if (last || bodies.size() >= maxRecords || bytes >= MAX_BATCH_BYTES) {
          break;
        }
        offset = -1;
      }
      Path endSeg = segs.get(Math.min(si, segs.size() - 1));
      if (seq < fromSeq) {
        // the log holds no record at fromSeq (yet): nothing to keep
        marks.clear();
        end = null;
        return new RecordBatch(logId, alg, fromSeq, List.of(), chain, List.of(), certificates, seq, null, null, -1);
      }
      long endSeq = fromSeq + bodies.size();
      List<Checkpoint> inside = new ArrayList<>();
      for (Checkpoint cp : checkpoints) {
        if (cp.treeSize() >= fromSeq && cp.treeSize() <= endSeq && cp.logId().equals(logId)) {
          inside.add(cp);
        }
      }
      marks.clear();
      marks.addAll(seen);
      String endName = endSeg.getFileName().toString();
      end = offset < 0 ? null : new Position(endName, key, offset, seq, chain);
      return new RecordBatch(logId, alg, fromSeq, bodies, chain, inside, certificates, seq,
          end == null ? null : endName, key, offset);
    }
  }

  private static int readFully(java.nio.channels.FileChannel ch, byte[] b, long at) throws IOException {
    java.nio.ByteBuffer bb = java.nio.ByteBuffer.wrap(b);
    while (bb.hasRemaining()) {
      if (ch.read(bb, at + bb.position()) < 0) {
        break;
      }
    }
    return bb.position();
  }

  private static SegmentFormat.Header header(Path seg) throws IOException, AuditException {
    byte[] b = new byte[SegmentFormat.HEADER_BYTES];
    int n;
    try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(seg, java.nio.file.StandardOpenOption.READ)) {
      n = readFully(ch, b, 0);
    }
    try {
      return SegmentFormat.decodeHeader(b, n);
    } catch (SegmentFormat.BadHeaderException e) {
      throw new AuditException(e.newerVersion ? AuditException.Reason.UNSUPPORTED_VERSION : AuditException.Reason.LOG_CORRUPT,
          seg.getFileName() + ": " + e.getMessage());
    }
  }

  private static AuditException corrupt(Path seg, long offset, long seq, String what) {
    return new AuditException(AuditException.Reason.LOG_CORRUPT, seg.getFileName() + " offset " + offset + " (seq " + seq
        + "): " + what + "; run 'shulian audit verify'");
  }
}
