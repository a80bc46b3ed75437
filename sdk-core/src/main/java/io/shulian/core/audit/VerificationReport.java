package io.shulian.core.audit;

import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * What {@link AuditVerifier} found. {@link #intact()} is true only if every record was read, the
 * hash chain holds, every checkpoint root and chain head was recomputed and matched, and every
 * checkpoint signature verified with a trusted key. Even then, {@link #uncoveredRecords()} records
 * after the last checkpoint are only chain-checked: no signature vouches for them yet.
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

  VerificationReport(String logId, HashAlgorithm hashAlgorithm, long records, int checkpoints, long coveredRecords,
      long tornTailBytes, List<String> signerKeyIds, @Nullable Problem problem) {
    this.logId = logId;
    this.hashAlgorithm = hashAlgorithm;
    this.records = records;
    this.checkpoints = checkpoints;
    this.coveredRecords = coveredRecords;
    this.tornTailBytes = tornTailBytes;
    this.signerKeyIds = List.copyOf(signerKeyIds);
    this.problem = problem;
  }

  public boolean intact() {
    return problem == null;
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

  /** A few lines for an operator: the verdict first. */
  public String summary() {
    StringBuilder sb = new StringBuilder();
    if (problem != null) {
      sb.append("TAMPERED or damaged: ").append(problem).append('\n');
      sb.append("  before it: ").append(records).append(" records chain-checked, ").append(checkpoints)
          .append(" checkpoints verified\n");
    } else {
      sb.append("intact: ").append(coveredRecords).append(" records covered by ").append(checkpoints)
          .append(" verified signed checkpoint").append(checkpoints == 1 ? "" : "s").append('\n');
      if (uncoveredRecords() > 0) {
        sb.append("  NOT SIGNED: ").append(uncoveredRecords()).append(" record").append(uncoveredRecords() == 1 ? "" : "s")
            .append(" after the last checkpoint (seq ").append(coveredRecords).append("..").append(records - 1)
            .append(") are chain-checked but not yet covered by a signed checkpoint\n");
      }
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
