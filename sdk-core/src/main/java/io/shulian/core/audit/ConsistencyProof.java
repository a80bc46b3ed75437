package io.shulian.core.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shulian.core.internal.audit.MerkleProofs;
import io.shulian.core.internal.audit.TreeHasher;
import io.shulian.core.keys.PartyCertificate;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Proof that a later checkpoint extends an earlier one: every record the first covers is
 * unchanged under the second (RFC 9162 section 2.1.4). JSON format: docs/audit.md. Immutable;
 * {@link #verify} does the checking.
 */
public final class ConsistencyProof {
  public static final String TYPE = "shulian.audit.consistency-proof";
  public static final int VERSION = 1;

  private final Checkpoint from;
  private final Checkpoint to;
  private final List<byte[]> path;
  private final List<PartyCertificate> certificates;

  ConsistencyProof(Checkpoint from, Checkpoint to, List<byte[]> path, List<PartyCertificate> certificates) {
    this.from = from;
    this.to = to;
    this.path = InclusionProof.copy(path);
    this.certificates = List.copyOf(certificates);
  }

  public Checkpoint from() {
    return from;
  }

  public Checkpoint to() {
    return to;
  }

  /**
   * Verifies both checkpoint signatures and the consistency path.
   *
   * @param expectedLogId if not null, the log the proof must be about
   * @throws AuditException PROOF_INVALID, UNTRUSTED_SIGNER or MALFORMED_PROOF saying which check failed
   */
  public void verify(CheckpointTrust trust, @Nullable String expectedLogId) throws AuditException {
    if (!from.logId().equals(to.logId()) || from.hashAlgorithm() != to.hashAlgorithm()) {
      throw new AuditException(AuditException.Reason.PROOF_INVALID, "the two checkpoints are of different logs ("
          + from.logId() + " and " + to.logId() + ")");
    }
    if (expectedLogId != null && !expectedLogId.equalsIgnoreCase(from.logId())) {
      throw new AuditException(AuditException.Reason.PROOF_INVALID, "proof is for log " + from.logId()
          + ", not for log " + expectedLogId);
    }
    if (from.treeSize() > to.treeSize()) {
      throw new AuditException(AuditException.Reason.PROOF_INVALID, "the first checkpoint (size " + from.treeSize()
          + ") is larger than the second (size " + to.treeSize() + ")");
    }
    TreeHasher h = TreeHasher.forId(from.hashAlgorithm().id());
    if (!MerkleProofs.verifyConsistency(h, from.treeSize(), to.treeSize(), from.root(), to.root(), path)) {
      throw new AuditException(AuditException.Reason.PROOF_INVALID, "checkpoint at tree size " + to.treeSize()
          + " is not consistent with the checkpoint at tree size " + from.treeSize()
          + ": the log was rewritten between them, or the proof is wrong");
    }
    from.verify(trust, certificates);
    to.verify(trust, certificates);
  }

  public String toJson() {
    ObjectNode n = Checkpoint.JSON.createObjectNode();
    n.put("type", TYPE);
    n.put("v", VERSION);
    n.put("logId", from.logId());
    n.put("hash", from.hashAlgorithm().displayName());
    n.set("from", from.toTree());
    n.set("to", to.toTree());
    n.set("path", ProofSupport.hashes(path));
    n.put("certificates", PartyCertificate.toPem(certificates));
    try {
      return Checkpoint.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(n) + "\n";
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Parses a proof (no verification). */
  public static ConsistencyProof parse(byte[] json) throws AuditException {
    JsonNode n = ProofSupport.parse(json, TYPE, VERSION);
    Checkpoint a = Checkpoint.fromTree(n.get("from"));
    Checkpoint b = Checkpoint.fromTree(n.get("to"));
    return new ConsistencyProof(a, b, ProofSupport.hashes(n, "path"), ProofSupport.certificates(n));
  }

  @Override
  public String toString() {
    return "ConsistencyProof[" + from.treeSize() + " -> " + to.treeSize() + " of log " + from.logId() + "]";
  }
}
