package io.shulian.core.audit;

import io.shulian.core.internal.audit.LogScanner;
import io.shulian.core.internal.audit.MerkleProofs;
import io.shulian.core.internal.audit.RecordCodec;
import io.shulian.core.internal.audit.TreeHasher;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
}
