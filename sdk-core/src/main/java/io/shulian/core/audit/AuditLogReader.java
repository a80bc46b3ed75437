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

  /** The most bytes of record bodies {@link #readBatch} returns at once. */
  public static final int MAX_BATCH_BYTES = 8 << 20;

  /**
   * Reads up to {@code maxRecords} records from seq {@code fromSeq} as they are stored, with the
   * checkpoints inside that run and the certificates the writer presented: the unit a shipper sends
   * to the collector. Safe while a writer appends: the checkpoints are read first, so every
   * checkpoint returned is covered by the records returned (or lies past them and is left for the
   * next batch); a frame still being written at the end is not returned yet. Frame CRCs and sequence
   * numbers are checked on the way; hashes and signatures are the collector's to verify.
   *
   * @param previous the batch read before, if it ended at {@code fromSeq}: reading then continues at
   *     its file position instead of skipping from the start of the segment; may be null
   * @return the batch, empty if the log holds no record at {@code fromSeq} yet
   * @throws AuditException NOT_A_LOG, LOG_CORRUPT (a bad frame before the end, a chain that does
   *     not link, a seq beyond the log's first record missing), LOG_UNAVAILABLE on I/O errors
   */
  public static RecordBatch readBatch(Path dir, long fromSeq, int maxRecords, @Nullable RecordBatch previous)
      throws AuditException {
    if (fromSeq < 0 || maxRecords < 1) {
      throw new IllegalArgumentException("fromSeq " + fromSeq + " and maxRecords " + maxRecords + " must be >= 0 and >= 1");
    }
    requireLog(dir);
    List<Checkpoint> cps = checkpoints(dir);
    try {
      return new BatchReader(dir, fromSeq, maxRecords, previous, cps, AuditVerifier.presentedCertificates(dir)).read();
    } catch (IOException e) {
      throw new AuditException(AuditException.Reason.LOG_UNAVAILABLE, "cannot read " + dir + ": " + e.getMessage(), e);
    }
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

  /** One {@link #readBatch}: finds the segment that holds {@code fromSeq} and reads frames from there. */
  private static final class BatchReader {
    private final Path dir;
    private final long fromSeq;
    private final int maxRecords;
    private final @Nullable RecordBatch previous;
    private final List<Checkpoint> checkpoints;
    private final List<io.shulian.core.keys.PartyCertificate> certificates;

    BatchReader(Path dir, long fromSeq, int maxRecords, @Nullable RecordBatch previous, List<Checkpoint> checkpoints,
        List<io.shulian.core.keys.PartyCertificate> certificates) {
      this.dir = dir;
      this.fromSeq = fromSeq;
      this.maxRecords = maxRecords;
      this.previous = previous;
      this.checkpoints = checkpoints;
      this.certificates = certificates;
    }

    RecordBatch read() throws IOException, AuditException {
      List<Path> segs = LogScanner.segments(dir);
      SegmentFormat.Header first = header(segs.get(0));
      String logId = first.logIdHex();
      HashAlgorithm alg = HashAlgorithm.ofId(first.hashAlgorithm);
      // the segment that holds fromSeq: the last whose first seq is not after it
      int si = 0;
      long offset = SegmentFormat.HEADER_BYTES;
      long seq;
      byte[] chain;
      if (previous != null && previous.logId().equals(logId) && previous.nextSeq() == fromSeq
          && previous.segment >= 0 && previous.segment < segs.size()) {
        si = previous.segment;
        offset = previous.offset;
        seq = fromSeq;
        chain = previous.chainHead();
      } else {
        SegmentFormat.Header h = first;
        for (int i = 1; i < segs.size(); i++) {
          SegmentFormat.Header next = header(segs.get(i));
          if (next.firstSeq > fromSeq) {
            break;
          }
          si = i;
          h = next;
        }
        seq = h.firstSeq;
        chain = h.prevChain.clone();
      }
      List<byte[]> bodies = new ArrayList<>();
      long bytes = 0;
      byte[] head = new byte[8];
      outer:
      for (; si < segs.size(); si++) {
        if (offset < 0) {
          SegmentFormat.Header h = header(segs.get(si));
          if (h.firstSeq != seq || !Arrays.equals(h.prevChain, chain) || !h.logIdHex().equals(logId)) {
            throw corrupt(segs.get(si), 0, seq, "segment header does not continue the segment before it");
          }
          offset = SegmentFormat.HEADER_BYTES;
        }
        boolean last = si == segs.size() - 1;
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(segs.get(si),
            java.nio.file.StandardOpenOption.READ)) {
          long size = ch.size();
          while (offset < size) {
            if (bodies.size() >= maxRecords || bytes >= MAX_BATCH_BYTES) {
              break outer;
            }
            if (readFully(ch, head, offset) < 8) {
              break outer; // a frame still being written (or a torn tail the writer moves aside on reopen)
            }
            int len = RecordCodec.getInt(head, 0);
            if (len < SegmentFormat.MIN_BODY_BYTES || len > SegmentFormat.MAX_BODY_BYTES) {
              if (last) {
                break outer;
              }
              throw corrupt(segs.get(si), offset, seq, "record length field is impossible");
            }
            boolean wanted = seq >= fromSeq;
            int frameBytes = len + SegmentFormat.FRAME_OVERHEAD;
            byte[] frame = new byte[frameBytes];
            if (readFully(ch, frame, offset) < frameBytes) {
              break outer;
            }
            if (RecordCodec.getInt(frame, 4) != SegmentFormat.crc(frame, 8, len + TreeHasher.SIZE)) {
              if (last && offset + frameBytes >= size) {
                break outer; // the newest frame, perhaps not completely in the file yet
              }
              throw corrupt(segs.get(si), offset, seq, "record frame checksum does not match");
            }
            if (RecordCodec.getLong(frame, 8 + RecordCodec.SEQ_OFFSET) != seq) {
              throw corrupt(segs.get(si), offset, seq, "record has seq " + RecordCodec.getLong(frame,
                  8 + RecordCodec.SEQ_OFFSET) + " where seq " + seq + " belongs");
            }
            chain = Arrays.copyOfRange(frame, 8 + len, frameBytes);
            if (wanted) {
              bodies.add(Arrays.copyOfRange(frame, 8, 8 + len));
              bytes += len;
            }
            seq++;
            offset += frameBytes;
          }
        }
        if (!last) {
          offset = -1;
        }
      }
      int endSegment = Math.min(si, segs.size() - 1);
      if (seq < fromSeq) {
        return new RecordBatch(logId, alg, fromSeq, List.of(), chain, List.of(), certificates, seq, -1, 0);
      }
      long end = fromSeq + bodies.size();
      List<Checkpoint> inside = new ArrayList<>();
      for (Checkpoint cp : checkpoints) {
        if (cp.treeSize() >= fromSeq && cp.treeSize() <= end && cp.logId().equals(logId)) {
          inside.add(cp);
        }
      }
      long logSize = seq;
      return new RecordBatch(logId, alg, fromSeq, bodies, chain, inside, certificates, logSize, endSegment, offset);
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
}
