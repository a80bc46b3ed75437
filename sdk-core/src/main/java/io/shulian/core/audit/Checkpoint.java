package io.shulian.core.audit;

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
 * Immutable.
 */
public final class Checkpoint {
  /** Version of the checkpoint JSON and of the signed text. */
  public static final int VERSION = 1;
  /** The GM/T 0009 default SM2 user id used for checkpoint signatures. */
  public static final byte[] SM2_USER_ID = "1234567812345678".getBytes(StandardCharsets.US_ASCII);
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

  private Checkpoint(String logId, HashAlgorithm hashAlgorithm, long treeSize, byte[] root, byte[] chainHead,
      Instant time, KeyId keyId, String signatureAlgorithm, byte[] signature) {
    this.logId = logId;
    this.hashAlgorithm = hashAlgorithm;
    this.treeSize = treeSize;
    this.root = root.clone();
    this.chainHead = chainHead.clone();
    this.time = time;
    this.keyId = keyId;
    this.signatureAlgorithm = signatureAlgorithm;
    this.signature = signature.clone();
  }

  static String text(String logId, HashAlgorithm alg, long treeSize, byte[] root, byte[] chainHead, Instant time, KeyId kid) {
    Base64.Encoder b64 = Base64.getEncoder();
    return "shulian-audit-checkpoint/" + VERSION + "\n"
        + "log " + logId + "\n"
        + "hash " + alg.displayName() + "\n"
        + "size " + treeSize + "\n"
        + "root " + b64.encodeToString(root) + "\n"
        + "chain " + b64.encodeToString(chainHead) + "\n"
        + "time " + time + "\n"
        + "kid " + kid.value() + "\n";
  }

  /** Internal: signs a new checkpoint. */
  static Checkpoint sign(String logId, HashAlgorithm alg, long treeSize, byte[] root, byte[] chainHead, Instant time,
      KeyId kid, Signer signer) {
    byte[] msg = text(logId, alg, treeSize, root, chainHead, time, kid).getBytes(StandardCharsets.UTF_8);
    return new Checkpoint(logId, alg, treeSize, root, chainHead, time, kid, signer.joseAlgorithm(),
        signer.sign(msg, 0, msg.length));
  }

  /** The text the signature covers. */
  public String signedText() {
    return text(logId, hashAlgorithm, treeSize, root, chainHead, time, keyId);
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
      v = cert.internalPublicKey().verifier(SM2_USER_ID);
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
  public ObjectNode toJson() {
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
    return n;
  }

  /** Returns the JSON text of this checkpoint on one line. */
  public String toJsonLine() {
    return toJson().toString();
  }

  /**
   * Parses a checkpoint from its JSON object.
   *
   * @throws AuditException MALFORMED_PROOF for missing or malformed fields, UNSUPPORTED_VERSION for
   *     a newer version
   */
  public static Checkpoint fromJson(JsonNode n) throws AuditException {
    if (n == null || !n.isObject()) {
      throw malformed("checkpoint is not a JSON object");
    }
    int v = n.path("v").asInt(-1);
    if (v != VERSION) {
      if (v > VERSION) {
        throw new AuditException(AuditException.Reason.UNSUPPORTED_VERSION,
            "checkpoint version " + v + " is newer than this version of Shulian reads (" + VERSION + ")");
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
      if (size == null || !size.canConvertToLong() || size.asLong() < 0) {
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
      return new Checkpoint(logId, alg, size.asLong(), root, chain, time, kid, sigAlg, sig);
    } catch (IllegalArgumentException | DateTimeParseException e) {
      throw malformed("checkpoint field is malformed: " + e.getMessage());
    }
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
        + ", " + time + ", kid " + keyId + "]";
  }
}
