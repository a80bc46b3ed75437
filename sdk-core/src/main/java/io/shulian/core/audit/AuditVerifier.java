package io.shulian.core.audit;

import io.shulian.core.internal.audit.LogScanner;
import io.shulian.core.internal.audit.SegmentFormat;
import io.shulian.core.keys.KeyMaterialException;
import io.shulian.core.keys.PartyCertificate;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Verifies a log directory offline: recomputes the hash chain over every record, the Merkle root
 * and chain head at every checkpoint, and checks every checkpoint signature against a trust
 * anchor. Reads only; safe to run while a writer appends (records after the last complete frame
 * are reported as a torn tail).
 *
 * <p>What the directory alone cannot show: a log cut back together with its checkpoint file to an
 * earlier point, or records after the last checkpoint rewritten after later checkpoints were
 * removed. A checkpoint kept outside the log (the operator's register, the collector's copy of
 * {@code checkpoints.jsonl}) catches both: pass it as a trusted checkpoint, and the records must
 * reach its tree size and reproduce its root and chain head.
 */
public final class AuditVerifier {
  private AuditVerifier() {}

  /**
   * Verifies the log in {@code dir}.
   *
   * @return the report; tampering is a report, not an exception
   * @throws AuditException NOT_A_LOG if {@code dir} holds no audit log, UNSUPPORTED_VERSION for a
   *     newer format, UNTRUSTED_SIGNER if a checkpoint's key is not trusted (a foreign anchor),
   *     LOG_UNAVAILABLE if files cannot be read
   */
  public static VerificationReport verify(Path dir, CheckpointTrust trust) throws AuditException {
    return verify(dir, trust, List.of());
  }

  /**
   * Verifies the log in {@code dir} and that it is consistent with checkpoints kept outside it
   * ({@code trusted}: from the operator's archive register or the collector): each must be signed
   * by a key {@code trust} accepts, belong to this log, and the records must reach its tree size and
   * reproduce its Merkle root and chain head there. That is what an RFC 9162 consistency proof from
   * the trusted checkpoint to the log's latest one shows, computed here from the records
   * themselves. A failure is a {@linkplain VerificationReport#problem() problem}.
   *
   * @throws AuditException as {@link #verify(Path, CheckpointTrust)}
   */
  public static VerificationReport verify(Path dir, CheckpointTrust trust, Collection<Checkpoint> trusted)
      throws AuditException {
    if (!Files.isDirectory(dir)) {
      throw new AuditException(AuditException.Reason.NOT_A_LOG, dir + " is not a directory");
    }
    List<Path> segments;
    try {
      segments = LogScanner.segments(dir);
    } catch (IOException e) {
      throw new AuditException(AuditException.Reason.LOG_UNAVAILABLE, "cannot list " + dir + ": " + e.getMessage(), e);
    }
    Path cpFile = dir.resolve(SegmentFormat.CHECKPOINTS_FILE);
    if (segments.isEmpty()) {
      throw new AuditException(AuditException.Reason.NOT_A_LOG, dir + " is not a Shulian audit log: it holds no "
          + "segment-*.log files" + (Files.exists(cpFile) ? " (but has checkpoints: segments were deleted?)" : ""));
    }
    List<Checkpoint> cps;
    VerificationReport.Problem cpProblem = null;
    boolean cpFileMissing = false;
    int repeatedLines = 0;
    try {
      AuditLog.CheckpointFile cpf = AuditLog.readCheckpoints(dir, false);
      cps = cpf.checkpoints;
      cpFileMissing = !cpf.exists;
      repeatedLines = cpf.repeatedLines;
    } catch (IOException e) {
      throw new AuditException(AuditException.Reason.LOG_UNAVAILABLE, "cannot read " + cpFile + ": " + e.getMessage(), e);
    } catch (AuditException e) {
      if (e.reason() != AuditException.Reason.LOG_CORRUPT) {
        throw e;
      }
      cps = List.of();
      cpProblem = new VerificationReport.Problem("checkpoint file is damaged: " + e.getMessage(),
          SegmentFormat.CHECKPOINTS_FILE, -1, -1);
    }
    List<PartyCertificate> presented = presentedCertificates(dir);

    // checkpoint signatures first: they are few, and a foreign trust anchor should fail fast
    Set<String> signers = new LinkedHashSet<>();
    int goodSignatures = 0;
    for (int i = 0; i < cps.size() && cpProblem == null; i++) {
      Checkpoint cp = cps.get(i);
      try {
        PartyCertificate c = cp.verify(trust, presented);
        signers.add(c.keyId().value());
        goodSignatures++;
      } catch (AuditException e) {
        if (e.reason() == AuditException.Reason.UNTRUSTED_SIGNER && i == 0) {
          throw e;
        }
        cpProblem = new VerificationReport.Problem("checkpoint " + (i + 1) + " (tree size " + cp.treeSize() + "): "
            + e.getMessage(), SegmentFormat.CHECKPOINTS_FILE + " line " + (i + 1), -1, -1);
      }
    }
    List<Checkpoint> signed = cps.subList(0, goodSignatures);

    // checkpoints kept outside the log: distinct, oldest first, each signed by a trusted key
    List<Checkpoint> outside = new ArrayList<>(new LinkedHashSet<>(trusted));
    outside.sort(Comparator.comparingLong(Checkpoint::treeSize));
    VerificationReport.Problem trustedProblem = null;
    for (Checkpoint t : outside) {
      try {
        t.verify(trust, presented);
      } catch (AuditException e) {
        trustedProblem = new VerificationReport.Problem("trusted checkpoint (tree size " + t.treeSize() + ", " + t.time()
            + ") is not signed by a trusted key: " + e.getMessage(), "trusted checkpoint", -1, -1);
        break;
      }
    }

    LogScanner scanner = new LogScanner(dir);
    for (Checkpoint cp : signed) {
      scanner.checkAt(cp.treeSize());
    }
    for (Checkpoint t : outside) {
      scanner.checkAt(t.treeSize());
    }
    final VerificationReport.Problem[] rootProblem = {null};
    final VerificationReport.Problem[] outsideProblem = {trustedProblem};
    final int[] matched = {0};
    final long[] covered = {0};
    final int[] outsideMatched = {0};
    final List<Checkpoint> acknowledged = new ArrayList<>();
    LogScanner.Result scan;
    try {
      scan = scanner.scan(new LogScanner.Visitor() {
        int next;

        @Override
        public boolean wantsRecords() {
          return false;
        }

        int nextOutside;

        @Override
        public void atSize(long size, byte[] root, byte[] chainHead) throws Stop {
          while (nextOutside < outside.size() && outside.get(nextOutside).treeSize() == size) {
            Checkpoint t = outside.get(nextOutside++);
            if (!MessageDigest.isEqual(t.root(), root) || !MessageDigest.isEqual(t.chainHead(), chainHead)) {
              if (outsideProblem[0] == null) {
                outsideProblem[0] = new VerificationReport.Problem("the log does not match the trusted checkpoint at tree"
                    + " size " + size + " (" + t.time() + "): its " + (MessageDigest.isEqual(t.root(), root) ? "chain head"
                    : "Merkle root") + " differs, so a record at or before seq " + (size - 1) + " was changed, removed,"
                    + " inserted or reordered since that checkpoint was taken", "trusted checkpoint", -1, size - 1);
              }
            } else {
              outsideMatched[0]++;
            }
          }
          while (next < signed.size() && signed.get(next).treeSize() == size) {
            Checkpoint cp = signed.get(next);
            if (!MessageDigest.isEqual(cp.root(), root) || !MessageDigest.isEqual(cp.chainHead(), chainHead)) {
              rootProblem[0] = new VerificationReport.Problem("checkpoint " + (next + 1) + " (tree size " + size
                  + ") does not match the records: " + (MessageDigest.isEqual(cp.root(), root) ? "chain head" : "Merkle root")
                  + " differs, so a record at or before seq " + (size - 1) + " was changed, removed, inserted or reordered",
                  SegmentFormat.CHECKPOINTS_FILE + " line " + (next + 1), -1, size - 1);
              throw new Stop();
            }
            matched[0]++;
            covered[0] = size;
            if (cp.acknowledgment().isPresent()) {
              acknowledged.add(cp);
            }
            next++;
          }
        }
      });
    } catch (Stop e) {
      scan = null;
    } catch (Exception e) {
      throw new AuditException(AuditException.Reason.LOG_UNAVAILABLE, "cannot read " + dir + ": " + e, e);
    }
    String logId = scan != null && scan.logId != null ? scan.logId : "unknown";
    if (scan == null) {
      return new VerificationReport(logId, hashOf(segments), covered[0], matched[0], covered[0], 0, List.copyOf(signers),
          rootProblem[0], cpFileMissing, repeatedLines, acknowledged, outsideMatched[0]);
    }
    HashAlgorithm alg = scan.hashAlgorithm == 0 ? HashAlgorithm.SHA_256 : HashAlgorithm.ofId(scan.hashAlgorithm);
    long torn = 0;
    VerificationReport.Problem problem = null;
    if (scan.problem != null) {
      LogScanner.Problem p = scan.problem;
      switch (p.kind) {
        case NOT_A_LOG:
          if (cps.isEmpty() && segments.size() == 1 && cpProblem == null) {
            throw new AuditException(AuditException.Reason.NOT_A_LOG, dir + " is not a Shulian audit log: " + p.message);
          }
          problem = new VerificationReport.Problem("first segment header is damaged: " + p.message,
              p.segment == null ? "log" : p.segment.getFileName().toString(), 0, 0);
          break;
        case NEWER_VERSION:
          throw new AuditException(AuditException.Reason.UNSUPPORTED_VERSION, "cannot verify " + dir + ": " + p.where()
              + ": " + p.message + "; use a newer Shulian");
        case IO_ERROR:
          throw new AuditException(AuditException.Reason.LOG_UNAVAILABLE, "cannot read " + dir + ": " + p.message);
        case TORN_TAIL:
          torn = scan.lastSegmentLength - p.offset;
          break;
        default:
          problem = new VerificationReport.Problem(p.message + (p.kind == LogScanner.Kind.BAD_FRAME && p.inLastSegment
              ? " (if the writer crashed here, this may be a torn write; otherwise the file was altered)" : ""),
              p.segment == null ? "log" : p.segment.getFileName().toString(), p.offset, p.seq);
      }
    }
    if (problem == null) {
      for (Checkpoint cp : signed) {
        if (!cp.logId().equals(logId) || cp.hashAlgorithm() != alg) {
          problem = new VerificationReport.Problem("checkpoint (tree size " + cp.treeSize() + ") belongs to another log ("
              + cp.logId() + ", " + cp.hashAlgorithm().displayName() + ")", SegmentFormat.CHECKPOINTS_FILE, -1, -1);
          break;
        }
      }
    }
    if (problem == null && !signed.isEmpty() && signed.get(signed.size() - 1).treeSize() > scan.records) {
      long want = signed.get(signed.size() - 1).treeSize();
      Path last = segments.get(segments.size() - 1);
      problem = new VerificationReport.Problem("log is truncated: a signed checkpoint covers " + want
          + " records but only " + scan.records + " are present", last.getFileName().toString(), scan.validEnd, scan.records);
    }
    if (problem == null && cpProblem != null) {
      problem = cpProblem;
    }
    if (problem == null && rootProblem[0] != null) {
      problem = rootProblem[0];
    }
    if (problem == null) {
      for (Checkpoint t : outside) {
        if (!t.logId().equals(logId) || t.hashAlgorithm() != alg) {
          problem = new VerificationReport.Problem("the trusted checkpoint (tree size " + t.treeSize() + ") belongs to"
              + " another log (" + t.logId() + ", " + t.hashAlgorithm().displayName() + "), not to log " + logId
              + ": the directory was replaced, or the wrong checkpoint was given", "trusted checkpoint", -1, -1);
          break;
        }
        if (t.treeSize() > scan.records) {
          problem = new VerificationReport.Problem("log is truncated below the trusted checkpoint: it covers tree size "
              + t.treeSize() + " (" + t.time() + ") but only " + scan.records + " records are present (the log and its"
              + " checkpoints were cut back together, or segments were deleted)",
              segments.get(segments.size() - 1).getFileName().toString(), scan.validEnd, scan.records);
          break;
        }
      }
    }
    if (problem == null && outsideProblem[0] != null) {
      problem = outsideProblem[0];
    }
    return new VerificationReport(logId, alg, scan.records, matched[0], covered[0], torn, List.copyOf(signers), problem,
        cpFileMissing, repeatedLines, acknowledged, outsideMatched[0]);
  }

  private static HashAlgorithm hashOf(List<Path> segments) {
    try {
      byte[] head = new byte[SegmentFormat.HEADER_BYTES];
      try (var in = Files.newInputStream(segments.get(0))) {
        int n = in.readNBytes(head, 0, head.length);
        return HashAlgorithm.ofId(SegmentFormat.decodeHeader(head, n).hashAlgorithm);
      }
    } catch (Exception e) {
      return HashAlgorithm.SHA_256;
    }
  }

  /** The certificates the writer stored in {@code certs/}; presented, never trusted as such. */
  static List<PartyCertificate> presentedCertificates(Path dir) {
    List<PartyCertificate> out = new ArrayList<>();
    Path certs = dir.resolve(SegmentFormat.CERTS_DIR);
    if (!Files.isDirectory(certs)) {
      return out;
    }
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(certs, "*.pem")) {
      for (Path p : ds) {
        try {
          out.addAll(PartyCertificate.readPem(p));
        } catch (KeyMaterialException e) {
          // an unreadable presented certificate only means the trust has less to go on
        }
      }
    } catch (IOException e) {
      // same
    }
    return out;
  }

  private static final class Stop extends Exception {
    private static final long serialVersionUID = 1L;

    Stop() {
      super(null, null, false, false);
    }
  }
}
