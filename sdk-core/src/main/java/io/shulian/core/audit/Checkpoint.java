package io.shulian.core.audit;

import io.shulian.core.internal.access.CoreAccess;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shulian.core.internal.crypto.Signer;
import io.shulian.core.internal.crypto.Verifier;
import io.shulian.core.keys.KeyId;
import io.shulian.core.keys.PartyCertificate;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * A signed statement by the log operator: "log {@code logId} had {@code treeSize} records, with
 * Merkle root {@code root} and chain head {@code chainHead}, at {@code time}". Obtained from a log
 * or parsed from JSON; {@link #verify} checks the signature against a trust anchor.
 *
 * <p>The signature covers the UTF-8 text returned by {@link #signedText()} (see docs/audit.md).
 * A checkpoint may also carry an {@link Acknowledgment}: the operator's signed statement that
 * records were taken into the log without a verifiable checkpoint before them (format version 2;
 * older readers refuse it rather than overlook it). Immutable.
 */
public final class Checkpoint {
  /** Version of the checkpoint JSON and of the signed text of a plain checkpoint. */
  public static final int VERSION = 1;
  /** Version of a checkpoint that carries an {@link Acknowledgment}; the newest version read. */
  public static final int ACKNOWLEDGMENT_VERSION = 2;
  /** The longest acknowledgment reason, in characters. */
  public static final int MAX_REASON_CHARS = 500;
  static final ObjectMapper JSON = new ObjectMapper()
      .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

  private final String logId;
  private final HashAlgorithm hashAlgorithm;
  private final long treeSize;
  private final byte[] root;
  private final byte[] chainHead;
  private final Instant time;
  private final KeyId keyId;
  private final String signatureAlgorithm;
  private final byte[] signature;
  private final @org.jspecify.annotations.Nullable Acknowledgment acknowledgment;

  /**
   * The operator's signed statement, made with {@code shulian audit checkpoint
   * --acknowledge-unproven}, that records {@code fromSeq} up to the checkpoint's tree size were
   * taken into the log although no checkpoint the writer could verify covered them (for example
   * because {@code checkpoints.jsonl} was deleted). Nothing proves those records are what was
   * originally written; verification reports them.
   *
   * @param fromSeq the first record not covered by a verifiable checkpoint at the time
   * @param reason why the operator accepted them (one line of text)
   */
  public record Acknowledgment(long fromSeq, String reason) {
    public Acknowledgment {
      Objects.requireNonNull(reason, "reason");
      if (fromSeq < 0) {
        throw new IllegalArgumentException("fromSeq must be >= 0, got " + fromSeq);
      }
      checkReason(reason);
    }
  }

  /** Checks an acknowledgment reason: 1 to 500 characters, no control characters (it is one line of the signed text). */
  static void checkReason(String reason) {
    if (reason.isBlank() || reason.length() > MAX_REASON_CHARS) {
      throw new IllegalArgumentException("the acknowledgment reason must be 1 to " + MAX_REASON_CHARS + " characters");
    }
    for (int i = 0; i < reason.length(); i++) {
      if (Character.isISOControl(reason.charAt(i))) {
        throw new IllegalArgumentException("the acknowledgment reason must be one line without control characters");
      }
    }
  }

  private Checkpoint(String logId, HashAlgorithm hashAlgorithm, long treeSize, byte[] root, byte[] chainHead,
      Instant time, KeyId keyId, String signatureAlgorithm, byte[] signature,
      @org.jspecify.annotations.Nullable Acknowledgment acknowledgment) {
    this.logId = logId;
    this.hashAlgorithm = hashAlgorithm;
    this.treeSize = treeSize;
    this.root = root.clone();
    this.chainHead = chainHead.clone();
    this.time = time;
    this.keyId = keyId;
    this.signatureAlgorithm = signatureAlgorithm;
    this.signature = signature.clone();
    this.acknowledgment = acknowledgment;
  }

  static String text(String logId, HashAlgorithm alg, long treeSize, byte[] root, byte[] chainHead, Instant time, KeyId kid,
      @org.jspecify.annotations.Nullable Acknowledgment ack) {
    Base64.Encoder b64 = Base64.getEncoder();
    return "shulian-audit-checkpoint/" + (ack == null ? VERSION : ACKNOWLEDGMENT_VERSION) + "\n"
        + "log " + logId + "\n"
        + "hash " + alg.displayName() + "\n"
        + "size " + treeSize + "\n"
        + "root " + b64.encodeToString(root) + "\n"
        + "chain " + b64.encodeToString(chainHead) + "\n"
        + "time " + time + "\n"
        + "kid " + kid.value() + "\n"
        + (ack == null ? "" : "unproven-from " + ack.fromSeq() + "\n" + "reason " + ack.reason() + "\n");
  }

  /** Internal: signs a new checkpoint. */
  static Checkpoint sign(String logId, HashAlgorithm alg, long treeSize, byte[] root, byte[] chainHead, Instant time,
      KeyId kid, Signer signer, @org.jspecify.annotations.Nullable Acknowledgment ack) {
    if (ack != null && ack.fromSeq() > treeSize) {
      throw new IllegalArgumentException("acknowledged records start at " + ack.fromSeq() + ", after tree size " + treeSize);
    }
    byte[] msg = text(logId, alg, treeSize, root, chainHead, time, kid, ack).getBytes(StandardCharsets.UTF_8);
    return new Checkpoint(logId, alg, treeSize, root, chainHead, time, kid, signer.joseAlgorithm(),
        signer.sign(msg, 0, msg.length), ack);
  }

  /** The text the signature covers. */
  public String signedText() {
    return text(logId, hashAlgorithm, treeSize, root, chainHead, time, keyId, acknowledgment);
  }

  /**
   * The operator's acknowledgment that records were taken in without proof, if this checkpoint
   * carries one (it is covered by the signature).
   */
  public java.util.Optional<Acknowledgment> acknowledgment() {
    return java.util.Optional.ofNullable(acknowledgment);
  }

  /**
   * True if the signature verifies with {@code cert}'s public key, whatever key id the checkpoint
   * names (a renewed certificate for the same key has another key id). For the writer, which
   * knows its own key; verifiers decide trust with {@link #verify}.
   */
  boolean signedWith(PartyCertificate cert) {
    Verifier v;
    try {
      v = CoreAccess.certificates().publicKey(cert).verifier();
    } catch (IllegalArgumentException e) {
      return false;
    }
    byte[] msg = signedText().getBytes(StandardCharsets.UTF_8);
    return v.joseAlgorithm().equals(signatureAlgorithm) && v.verify(msg, 0, msg.length, signature);
  }

  /**
   * Verifies the signature with a signer that {@code trust} accepts.
   *
   * @param presented certificates that came with the checkpoint (from a proof or the log), which
   *     the trust may use to build a chain; may be empty
   * @return the certificate that verified the signature
   * @throws AuditException UNTRUSTED_SIGNER if no trusted certificate has the checkpoint's key id,
   *     PROOF_INVALID if the signature does not verify
   */
  public PartyCertificate verify(CheckpointTrust trust, List<PartyCertificate> presented) throws AuditException {
    PartyCertificate cert = trust.signerOf(this, presented);
    Verifier v;
    try {
      v = CoreAccess.certificates().publicKey(cert).verifier();
    } catch (IllegalArgumentException e) {
      throw new AuditException(AuditException.Reason.UNTRUSTED_SIGNER, "certificate " + cert.keyId() + " cannot verify signatures");
    }
    byte[] msg = signedText().getBytes(StandardCharsets.UTF_8);
    if (!v.joseAlgorithm().equals(signatureAlgorithm) || !v.verify(msg, 0, msg.length, signature)) {
      throw new AuditException(AuditException.Reason.PROOF_INVALID,
          "signature of checkpoint at tree size " + treeSize + " does not verify with key " + keyId);
    }
    return cert;
  }

  /** The log's id: 32 hex digits, the same in every segment header and checkpoint of one log. */
  public String logId() {
    return logId;
  }

  public HashAlgorithm hashAlgorithm() {
    return hashAlgorithm;
  }

  /** The number of records the checkpoint covers: sequence numbers 0 .. treeSize-1. */
  public long treeSize() {
    return treeSize;
  }

  /** The RFC 9162 Merkle tree hash over the first {@code treeSize} records. */
  public byte[] root() {
    return root.clone();
  }

  /** The hash chain value after record {@code treeSize-1} (32 zero bytes for an empty log). */
  public byte[] chainHead() {
    return chainHead.clone();
  }

  public Instant time() {
    return time;
  }

  public KeyId keyId() {
    return keyId;
  }

  /** The JOSE name of the signature algorithm: EdDSA, ES256 or the SM2 private name. */
  public String signatureAlgorithm() {
    return signatureAlgorithm;
  }

  public byte[] signature() {
    return signature.clone();
  }

  /** Returns the JSON object of this checkpoint (one line of {@code checkpoints.jsonl}). */
  ObjectNode toTree() {
    Base64.Encoder b64 = Base64.getEncoder();
    ObjectNode n = JSON.createObjectNode();
    n.put("v", VERSION);
    n.put("logId", logId);
    n.put("hash", hashAlgorithm.displayName());
    n.put("treeSize", treeSize);
    n.put("root", b64.encodeToString(root));
    n.put("chainHead", b64.encodeToString(chainHead));
    n.put("time", time.toString());
    n.put("kid", keyId.value());
    n.put("alg", signatureAlgorithm);
    n.put("sig", b64.encodeToString(signature));
    if (acknowledgment != null) {
      n.put("v", ACKNOWLEDGMENT_VERSION);
      n.put("unprovenFrom", acknowledgment.fromSeq());
      n.put("reason", acknowledgment.reason());
    }
    return n;
  }

  /** Returns the JSON text of this checkpoint on one line. */
  public String toJsonLine() {
    return toTree().toString();
  }

  /**
   * Parses a checkpoint from its JSON object.
   *
   * @throws AuditException MALFORMED_PROOF for missing or malformed fields, UNSUPPORTED_VERSION for
   *     a newer version
   */
  static Checkpoint fromTree(JsonNode n) throws AuditException {
    if (n == null || !n.isObject()) {
      throw malformed("checkpoint is not a JSON object");
    }
    JsonNode vn = n.get("v");
    int v = vn != null && vn.isInt() ? vn.asInt() : -1;
    if (v != VERSION && v != ACKNOWLEDGMENT_VERSION) {
      if (v > ACKNOWLEDGMENT_VERSION) {
        throw new AuditException(AuditException.Reason.UNSUPPORTED_VERSION,
            "checkpoint version " + v + " is newer than this version of Shulian reads (" + ACKNOWLEDGMENT_VERSION + ")");
      }
      throw malformed("checkpoint has no valid version field 'v'");
    }
    try {
      String logId = text(n, "logId");
      if (!logId.matches("[0-9a-f]{32}")) {
        throw malformed("checkpoint logId must be 32 lower-case hex digits");
      }
      HashAlgorithm alg = HashAlgorithm.ofName(text(n, "hash"));
      JsonNode size = n.get("treeSize");
      if (size == null || !size.isIntegralNumber() || !size.canConvertToLong() || size.asLong() < 0) {
        throw malformed("checkpoint treeSize must be a non-negative integer");
      }
      byte[] root = hash(n, "root");
      byte[] chain = hash(n, "chainHead");
      Instant time = Instant.parse(text(n, "time"));
      KeyId kid = KeyId.parse(text(n, "kid"));
      String sigAlg = text(n, "alg");
      byte[] sig = Base64.getDecoder().decode(text(n, "sig"));
      if (sig.length == 0 || sig.length > 512) {
        throw malformed("checkpoint signature has an impossible length " + sig.length);
      }
      Acknowledgment ack = null;
      if (v == ACKNOWLEDGMENT_VERSION) {
        JsonNode from = n.get("unprovenFrom");
        if (from == null || !from.canConvertToLong() || !from.isIntegralNumber() || from.asLong() < 0
            || from.asLong() > size.asLong()) {
          throw malformed("checkpoint unprovenFrom must be an integer from 0 to treeSize");
        }
        ack = new Acknowledgment(from.asLong(), text(n, "reason"));
      } else if (n.has("unprovenFrom") || n.has("reason")) {
        throw malformed("a version 1 checkpoint carries no acknowledgment");
      }
      return new Checkpoint(logId, alg, size.asLong(), root, chain, time, kid, sigAlg, sig, ack);
    } catch (IllegalArgumentException | DateTimeParseException e) {
      throw malformed("checkpoint field is malformed: " + e.getMessage());
    }
  }

  /**
   * Parses checkpoints kept as JSON lines (the format of {@code checkpoints.jsonl}, e.g. the
   * collector's copy or lines of an archive register); blank lines are skipped. Signatures are not
   * checked here.
   *
   * @throws AuditException MALFORMED_PROOF naming the line that is not a checkpoint
   */
  public static List<Checkpoint> fromJsonLines(String text) throws AuditException {
    List<Checkpoint> out = new java.util.ArrayList<>();
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String l = lines[i].strip();
      if (l.isEmpty()) {
        continue;
      }
      try {
        out.add(fromTree(JSON.readTree(l)));
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw malformed("line " + (i + 1) + " is not JSON");
      } catch (AuditException e) {
        throw new AuditException(e.reason(), "line " + (i + 1) + ": " + e.getMessage());
      }
    }
    if (out.isEmpty()) {
      throw malformed("no checkpoint found (expected one JSON checkpoint per line)");
    }
    return out;
  }

  private static AuditException malformed(String msg) {
    return new AuditException(AuditException.Reason.MALFORMED_PROOF, msg);
  }

  static String text(JsonNode n, String field) throws AuditException {
    JsonNode v = n.get(field);
    if (v == null || !v.isTextual()) {
      throw malformed("field '" + field + "' is missing or not a string");
    }
    return v.asText();
  }

  static byte[] hash(JsonNode n, String field) throws AuditException {
    byte[] h;
    try {
      h = Base64.getDecoder().decode(text(n, field));
    } catch (IllegalArgumentException e) {
      throw malformed("field '" + field + "' is not base64");
    }
    if (h.length != 32) {
      throw malformed("field '" + field + "' must be a 32-byte hash, got " + h.length + " bytes");
    }
    return h;
  }

  @Override
  public boolean equals(@org.jspecify.annotations.Nullable Object o) {
    return o instanceof Checkpoint && ((Checkpoint) o).toJsonLine().equals(toJsonLine());
  }

  @Override
  public int hashCode() {
    return Objects.hash(logId, treeSize);
  }

  @Override
  public String toString() {
    return "Checkpoint[log " + logId + ", size " + treeSize + ", root " + HexFormat.of().formatHex(root)
        + ", " + time + ", kid " + keyId + (acknowledgment == null ? "" : ", acknowledges seq " + acknowledgment.fromSeq()
        + ".." + (treeSize - 1) + " as unproven") + "]";
  }
}
