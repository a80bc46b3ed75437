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
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Verifies a log directory offline: recomputes the hash chain over every record, the Merkle root
 * and chain head at every checkpoint, and checks every checkpoint signature against a trust
 * anchor. Reads only; safe to run while a writer appends (records after the last complete frame
 * are reported as a torn tail).
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
    try {
      cps = AuditLog.readCheckpoints(dir, false);
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

    LogScanner scanner = new LogScanner(dir);
    for (Checkpoint cp : signed) {
      scanner.checkAt(cp.treeSize());
    }
    final VerificationReport.Problem[] rootProblem = {null};
    final int[] matched = {0};
    final long[] covered = {0};
    LogScanner.Result scan;
    try {
      scan = scanner.scan(new LogScanner.Visitor() {
        int next;

        @Override
        public boolean wantsRecords() {
          return false;
        }

        @Override
        public void atSize(long size, byte[] root, byte[] chainHead) throws Stop {
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
      return new VerificationReport(logId, hashOf(segments), covered[0], matched[0], covered[0], 0, List.copyOf(signers), rootProblem[0]);
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
    return new VerificationReport(logId, alg, scan.records, matched[0], covered[0], torn, List.copyOf(signers), problem);
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
