package io.shulian.core.audit;

import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * What {@link AuditVerifier} found. {@link #intact()} is true only if every record was read, the
 * hash chain holds, every checkpoint root and chain head was recomputed and matched, every
 * checkpoint signature verified with a trusted key, and the log is consistent with the trusted
 * checkpoints given. Even then, {@link #uncoveredRecords()} records after the last checkpoint are
 * only chain-checked (anyone who can write the files can rewrite them and recompute the chain),
 * and {@link #acknowledged()} checkpoints say the operator accepted records without proof: only
 * {@link #proven()} means that signed checkpoints vouch for every record.
 */
public final class VerificationReport {
  /** The first failed check and where it is. */
  public record Problem(String description, String file, long offset, long seq) {
    @Override
    public String toString() {
      return description + " [" + file + (offset >= 0 ? " offset " + offset : "") + (seq >= 0 ? ", seq " + seq : "") + "]";
    }
  }

  private final String logId;
  private final HashAlgorithm hashAlgorithm;
  private final long records;
  private final int checkpoints;
  private final long coveredRecords;
  private final long tornTailBytes;
  private final List<String> signerKeyIds;
  private final @Nullable Problem problem;
  private final boolean checkpointFileMissing;
  private final int repeatedCheckpointLines;
  private final List<Checkpoint> acknowledged;
  private final int trustedCheckpoints;

  VerificationReport(String logId, HashAlgorithm hashAlgorithm, long records, int checkpoints, long coveredRecords,
      long tornTailBytes, List<String> signerKeyIds, @Nullable Problem problem, boolean checkpointFileMissing,
      int repeatedCheckpointLines, List<Checkpoint> acknowledged, int trustedCheckpoints) {
    this.logId = logId;
    this.hashAlgorithm = hashAlgorithm;
    this.records = records;
    this.checkpoints = checkpoints;
    this.coveredRecords = coveredRecords;
    this.tornTailBytes = tornTailBytes;
    this.signerKeyIds = List.copyOf(signerKeyIds);
    this.problem = problem;
    this.checkpointFileMissing = checkpointFileMissing;
    this.repeatedCheckpointLines = repeatedCheckpointLines;
    this.acknowledged = List.copyOf(acknowledged);
    this.trustedCheckpoints = trustedCheckpoints;
  }

  /** True if no check failed; see {@link #proven()} for whether signatures vouch for every record. */
  public boolean intact() {
    return problem == null;
  }

  /**
   * True if the log is {@linkplain #intact() intact}, every record is covered by a verified signed
   * checkpoint, and no checkpoint acknowledges records as unproven. What {@code shulian audit
   * verify} requires for exit 0 unless told otherwise.
   */
  public boolean proven() {
    return problem == null && uncoveredRecords() == 0 && acknowledged.isEmpty();
  }

  /** True if the log has no {@code checkpoints.jsonl} at all (every log this version writes has one). */
  public boolean checkpointFileMissing() {
    return checkpointFileMissing;
  }

  /** Lines of {@code checkpoints.jsonl} that repeat the checkpoint before them exactly (counted once). */
  public int repeatedCheckpointLines() {
    return repeatedCheckpointLines;
  }

  /**
   * Verified checkpoints that carry the operator's {@link Checkpoint.Acknowledgment} that records
   * were taken in without proof, oldest first.
   */
  public List<Checkpoint> acknowledged() {
    return acknowledged;
  }

  /** Checkpoints kept outside the log that the log was found consistent with. */
  public int trustedCheckpoints() {
    return trustedCheckpoints;
  }

  /** The first problem, if the log is not intact. */
  public Optional<Problem> problem() {
    return Optional.ofNullable(problem);
  }

  public String logId() {
    return logId;
  }

  public HashAlgorithm hashAlgorithm() {
    return hashAlgorithm;
  }

  /** Records read and chain-checked (up to the first problem). */
  public long records() {
    return records;
  }

  /** Checkpoints whose signatures verified and whose roots matched (up to the first problem). */
  public int checkpoints() {
    return checkpoints;
  }

  /** Records covered by the last good signed checkpoint. */
  public long coveredRecords() {
    return coveredRecords;
  }

  /** Records after the last signed checkpoint: chain-checked, but not signed. */
  public long uncoveredRecords() {
    return records - coveredRecords;
  }

  /** Bytes of an incomplete record at the very end (a crash while writing), not counted as records. */
  public long tornTailBytes() {
    return tornTailBytes;
  }

  /** Key ids that signed the verified checkpoints. */
  public List<String> signerKeyIds() {
    return signerKeyIds;
  }

  /** Why records are not covered, for messages: "checkpoints.jsonl is missing" or the like. */
  public String uncoveredReason() {
    if (coveredRecords == 0 && checkpoints == 0) {
      return checkpointFileMissing ? "checkpoints.jsonl is missing, so no signed checkpoint vouches for them and they may"
          + " have been rewritten" : "no signed checkpoint covers them, so they may have been rewritten";
    }
    return "they come after the last signed checkpoint (a crash before the next checkpoint, a writer still running, or"
        + " later checkpoints removed and the records rewritten)";
  }

  /** A few lines for an operator: the verdict first. */
  public String summary() {
    StringBuilder sb = new StringBuilder();
    String covered = coveredRecords + " records covered by " + checkpoints + " verified signed checkpoint"
        + (checkpoints == 1 ? "" : "s");
    if (problem != null) {
      sb.append("TAMPERED or damaged: ").append(problem).append('\n');
      sb.append("  before it: ").append(records).append(" records chain-checked, ").append(checkpoints)
          .append(" checkpoints verified\n");
    } else {
      if (uncoveredRecords() > 0) {
        sb.append("NOT PROVEN: ").append(coveredRecords).append(" of ").append(records).append(" records covered by ")
            .append(checkpoints).append(" verified signed checkpoint").append(checkpoints == 1 ? "" : "s").append('\n');
        sb.append("  NOT SIGNED: ").append(uncoveredRecords()).append(" record").append(uncoveredRecords() == 1 ? "" : "s")
            .append(" (seq ").append(coveredRecords).append("..").append(records - 1)
            .append(") are chain-checked only: ").append(uncoveredReason()).append('\n');
      } else if (!acknowledged.isEmpty()) {
        sb.append("ACKNOWLEDGED: ").append(covered).append(", but the operator accepted some of them without proof\n");
      } else {
        sb.append("intact: ").append(covered).append('\n');
      }
      for (Checkpoint cp : acknowledged) {
        Checkpoint.Acknowledgment a = cp.acknowledgment().orElseThrow();
        sb.append("  ACKNOWLEDGED: records seq ").append(a.fromSeq()).append("..").append(cp.treeSize() - 1)
            .append(" were taken in without a verifiable checkpoint before them; the operator signed that on ")
            .append(cp.time()).append(" (checkpoint at tree size ").append(cp.treeSize()).append("), reason: ")
            .append(a.reason()).append('\n');
      }
      if (trustedCheckpoints > 0) {
        sb.append("  consistent with ").append(trustedCheckpoints).append(" trusted checkpoint")
            .append(trustedCheckpoints == 1 ? "" : "s").append(" kept outside the log\n");
      }
    }
    if (repeatedCheckpointLines > 0) {
      sb.append("  note: checkpoints.jsonl has ").append(repeatedCheckpointLines).append(" repeated checkpoint line")
          .append(repeatedCheckpointLines == 1 ? "" : "s").append(" (identical to the line before, counted once)\n");
    }
    if (tornTailBytes > 0) {
      sb.append("  torn tail: ").append(tornTailBytes)
          .append(" bytes at the end are an incomplete record (a crash while writing); the writer moves them aside on reopen\n");
    }
    sb.append("  log ").append(logId).append(", ").append(hashAlgorithm.displayName());
    if (!signerKeyIds.isEmpty()) {
      sb.append(", signed by kid ").append(String.join(", ", signerKeyIds));
    }
    sb.append('\n');
    return sb.toString();
  }

  @Override
  public String toString() {
    return summary();
  }
}
