package io.shulian.core.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shulian.core.internal.audit.MerkleProofs;
import io.shulian.core.internal.audit.RecordCodec;
import io.shulian.core.internal.audit.TreeHasher;
import io.shulian.core.keys.PartyCertificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Proof that one record is in a log: the record's bytes, its RFC 9162 audit path, and the signed
 * checkpoint whose root the path leads to. Verifiable without the log, with only the operator's
 * certificate (or, later, the city root). JSON format: docs/audit.md.
 *
 * <p>Immutable. Holding one proves nothing; {@link #verify} does.
 */
public final class InclusionProof {
  public static final String TYPE = "shulian.audit.inclusion-proof";
  public static final int VERSION = 1;

  private final Checkpoint checkpoint;
  private final long seq;
  private final byte[] record;
  private final List<byte[]> path;
  private final List<PartyCertificate> certificates;

  InclusionProof(Checkpoint checkpoint, long seq, byte[] record, List<byte[]> path, List<PartyCertificate> certificates) {
    this.checkpoint = checkpoint;
    this.seq = seq;
    this.record = record.clone();
    this.path = copy(path);
    this.certificates = List.copyOf(certificates);
  }

  static List<byte[]> copy(List<byte[]> path) {
    List<byte[]> out = new ArrayList<>();
    for (byte[] b : path) {
      out.add(b.clone());
    }
    return List.copyOf(out);
  }

  public Checkpoint checkpoint() {
    return checkpoint;
  }

  public long seq() {
    return seq;
  }

  /**
   * Verifies the proof: the record decodes and names {@link #seq()}, the path leads from its leaf
   * hash to the checkpoint's root, and the checkpoint is signed by a key {@code trust} accepts.
   *
   * @param expectedLogId if not null, the log the proof must be about (32 hex digits)
   * @return the proven record
   * @throws AuditException PROOF_INVALID, UNTRUSTED_SIGNER or MALFORMED_PROOF saying which check failed
   */
  public AuditEntry verify(CheckpointTrust trust, @Nullable String expectedLogId) throws AuditException {
    if (expectedLogId != null && !expectedLogId.equalsIgnoreCase(checkpoint.logId())) {
      throw new AuditException(AuditException.Reason.PROOF_INVALID, "proof is for log " + checkpoint.logId()
          + ", not for log " + expectedLogId);
    }
    AuditEntry e;
    try {
      e = RecordCodec.decode(record, 0, record.length);
    } catch (RecordCodec.MalformedRecordException ex) {
      throw new AuditException(ex.newerVersion() ? AuditException.Reason.UNSUPPORTED_VERSION
          : AuditException.Reason.MALFORMED_PROOF, "proven record: " + ex.getMessage());
    }
    if (e.seq() != seq) {
      throw new AuditException(AuditException.Reason.PROOF_INVALID, "record inside the proof has seq " + e.seq()
          + ", but the proof is for seq " + seq);
    }
    TreeHasher h = TreeHasher.forId(checkpoint.hashAlgorithm().id());
    if (!MerkleProofs.verifyInclusion(h, seq, checkpoint.treeSize(), h.leaf(record), path, checkpoint.root())) {
      throw new AuditException(AuditException.Reason.PROOF_INVALID, "inclusion path of record seq " + seq
          + " does not lead to the root of the checkpoint at tree size " + checkpoint.treeSize());
    }
    checkpoint.verify(trust, certificates);
    return e;
  }

  public String toJson() {
    ObjectNode n = Checkpoint.JSON.createObjectNode();
    n.put("type", TYPE);
    n.put("v", VERSION);
    n.put("logId", checkpoint.logId());
    n.put("hash", checkpoint.hashAlgorithm().displayName());
    n.put("seq", seq);
    n.put("treeSize", checkpoint.treeSize());
    n.put("record", Base64.getEncoder().encodeToString(record));
    ObjectNode fields = n.putObject("recordFields");
    try {
      AuditRecord r = RecordCodec.decode(record, 0, record.length).record();
      fields.put("note", "informative copy of 'record'; only 'record' is proven");
      fields.put("time", r.time().toString());
      fields.put("envelopeId", r.envelopeId());
      fields.put("direction", r.direction().name());
      fields.put("sender", r.sender());
      fields.put("receiver", r.receiver());
      fields.put("resource", r.resource());
      fields.put("purpose", r.purpose());
      if (!r.method().isEmpty() || !r.path().isEmpty()) {
        fields.put("method", r.method());
        fields.put("path", r.path());
      }
      if (!r.app().isEmpty()) {
        fields.put("app", r.app());
      }
      fields.put("grantId", r.grantId());
      fields.put("effect", r.decision().effect().name());
      fields.put("reasonCodes", String.join(",", r.decision().reasonCodes()));
      fields.put("payloadDigest", r.payloadDigestAlgorithm().displayName() + ":" + HexFormat.of().formatHex(r.payloadDigest()));
      fields.put("payloadBytes", r.payloadBytes());
      fields.put("status", r.status());
      fields.put("outcome", r.outcome());
      r.transfer().ifPresent(t -> {
        fields.put("transferRecords", t.records());
        fields.put("transferSegments", t.segments());
        fields.put("transferComplete", t.complete());
      });
    } catch (RecordCodec.MalformedRecordException e) {
      fields.put("note", "record does not decode: " + e.getMessage());
    }
    n.set("path", ProofSupport.hashes(path));
    n.set("checkpoint", checkpoint.toTree());
    n.put("certificates", PartyCertificate.toPem(certificates));
    try {
      return Checkpoint.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(n) + "\n";
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Parses a proof (no verification).
   *
   * @throws AuditException MALFORMED_PROOF naming the bad field, UNSUPPORTED_VERSION for a newer one
   */
  public static InclusionProof parse(byte[] json) throws AuditException {
    JsonNode n = ProofSupport.parse(json, TYPE, VERSION);
    Checkpoint cp = Checkpoint.fromTree(n.get("checkpoint"));
    long seq = ProofSupport.nonNegative(n, "seq");
    long size = ProofSupport.nonNegative(n, "treeSize");
    if (size != cp.treeSize()) {
      throw ProofSupport.malformed("treeSize " + size + " differs from the checkpoint's " + cp.treeSize());
    }
    if (!cp.logId().equals(n.path("logId").asText(""))) {
      throw ProofSupport.malformed("logId differs from the checkpoint's");
    }
    byte[] record;
    try {
      record = Base64.getDecoder().decode(Checkpoint.text(n, "record"));
    } catch (IllegalArgumentException e) {
      throw ProofSupport.malformed("field 'record' is not base64");
    }
    return new InclusionProof(cp, seq, record, ProofSupport.hashes(n, "path"), ProofSupport.certificates(n));
  }

  @Override
  public String toString() {
    return "InclusionProof[seq " + seq + " in " + checkpoint + "]";
  }

}
