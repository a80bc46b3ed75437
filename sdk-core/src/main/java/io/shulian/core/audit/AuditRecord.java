package io.shulian.core.audit;

import io.shulian.core.party.PartyId;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What the audit log keeps of one exchange step: who sent what to whom, for which resource and
 * purpose, under which grant and decision, and how it ended. It carries a digest and the size of
 * the payload, never the payload, and never key material or tokens. The log assigns the sequence
 * number when it appends the record (see {@link AuditEntry}).
 *
 * <p>Immutable. Text fields are at most 65,535 UTF-8 bytes each.
 */
public final class AuditRecord {
  static final int MAX_TEXT_BYTES = 65_535;
  /** The sender or receiver text for a party that could not be identified (e.g. a refused request). */
  public static final String UNKNOWN_PARTY = "-";

  private final Instant time;
  private final String envelopeId;
  private final Direction direction;
  private final String sender;
  private final String receiver;
  private final String resource;
  private final String purpose;
  private final String grantId;
  private final AuditDecision decision;
  private final HashAlgorithm payloadDigestAlgorithm;
  private final byte[] payloadDigest;
  private final long payloadBytes;
  private final int status;
  private final String outcome;
  private final Duration latency;
  private final String app;
  private final String method;
  private final String path;
  private final @Nullable Transfer transfer;

  /**
   * What one streamed data set transfer moved (docs/return-flow.md); the record's payload digest and
   * bytes are those of the released stream.
   *
   * @param records records released (CSV: rows after the header), or -1 where the writer does not count them
   * @param segments framed envelope segments sealed or authenticated
   * @param complete true only if the whole stream was released and its signature verified; false
   *     for an interrupted transfer
   */
  public record Transfer(long records, long segments, boolean complete) {
    public Transfer {
      if (records < -1 || segments < 0) {
        throw new IllegalArgumentException("records must be >= -1 and segments >= 0, got " + records + ", " + segments);
      }
    }
  }

  private AuditRecord(Builder b) {
    this.time = Objects.requireNonNull(b.time, "time");
    this.envelopeId = checkText("envelopeId", Objects.requireNonNull(b.envelopeId, "envelopeId"));
    this.direction = Objects.requireNonNull(b.direction, "direction");
    this.sender = party("sender", b.sender);
    this.receiver = party("receiver", b.receiver);
    this.resource = checkText("resource", Objects.requireNonNull(b.resource, "resource"));
    this.purpose = checkText("purpose", Objects.requireNonNull(b.purpose, "purpose"));
    this.grantId = checkText("grantId", b.grantId == null ? "" : b.grantId);
    this.decision = Objects.requireNonNull(b.decision, "decision");
    this.payloadDigestAlgorithm = b.payloadDigestAlgorithm;
    if (b.payloadDigest.length != 0 && b.payloadDigest.length != 32) {
      throw new IllegalArgumentException("payloadDigest must be 32 bytes (or empty for no payload), got " + b.payloadDigest.length);
    }
    this.payloadDigest = b.payloadDigest.clone();
    if (b.payloadBytes < 0) {
      throw new IllegalArgumentException("payloadBytes must be >= 0, got " + b.payloadBytes);
    }
    this.payloadBytes = b.payloadBytes;
    if (b.status < 0 || b.status > 65_535) {
      throw new IllegalArgumentException("status must be in [0, 65535], got " + b.status);
    }
    this.status = b.status;
    this.outcome = checkText("outcome", b.outcome);
    if (b.latency.isNegative()) {
      throw new IllegalArgumentException("latency must not be negative, got " + b.latency);
    }
    this.latency = b.latency;
    this.app = checkText("app", b.app);
    this.method = checkText("method", b.method);
    this.path = checkText("path", b.path);
    this.transfer = b.transfer;
  }

  private static String party(String name, @Nullable String s) {
    Objects.requireNonNull(s, name);
    if (s.isEmpty()) {
      throw new IllegalArgumentException(name + " must not be empty (use \"" + UNKNOWN_PARTY + "\" when it is unknown)");
    }
    return checkText(name, s);
  }

  static String checkText(String name, String s) {
    Objects.requireNonNull(s, name);
    if (s.length() > MAX_TEXT_BYTES / 3 && s.getBytes(StandardCharsets.UTF_8).length > MAX_TEXT_BYTES) {
      throw new IllegalArgumentException(name + " is longer than " + MAX_TEXT_BYTES + " UTF-8 bytes");
    }
    return s;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Returns a builder preset with this record's values. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.time = time;
    b.envelopeId = envelopeId;
    b.direction = direction;
    b.sender = sender;
    b.receiver = receiver;
    b.resource = resource;
    b.purpose = purpose;
    b.grantId = grantId;
    b.decision = decision;
    b.payloadDigestAlgorithm = payloadDigestAlgorithm;
    b.payloadDigest = payloadDigest;
    b.payloadBytes = payloadBytes;
    b.status = status;
    b.outcome = outcome;
    b.latency = latency;
    b.app = app;
    b.method = method;
    b.path = path;
    b.transfer = transfer;
    return b;
  }

  public Instant time() {
    return time;
  }

  public String envelopeId() {
    return envelopeId;
  }

  public Direction direction() {
    return direction;
  }

  /**
   * The sender as recorded: the text form of its {@link PartyId}, or what the gateway could tell
   * about a party it could not identify ({@link #UNKNOWN_PARTY}, or e.g. a TLS peer name).
   */
  public String sender() {
    return sender;
  }

  /** The receiver as recorded; see {@link #sender()}. */
  public String receiver() {
    return receiver;
  }

  /** The consumer of the exchange: the sender of a request, the receiver of a response. */
  public String consumer() {
    return direction.isRequest() ? sender : receiver;
  }

  /** The provider of the exchange: the receiver of a request, the sender of a response. */
  public String provider() {
    return direction.isRequest() ? receiver : sender;
  }

  public String resource() {
    return resource;
  }

  public String purpose() {
    return purpose;
  }

  /** The grant id, or the empty string when the exchange needed none. */
  public String grantId() {
    return grantId;
  }

  public AuditDecision decision() {
    return decision;
  }

  public HashAlgorithm payloadDigestAlgorithm() {
    return payloadDigestAlgorithm;
  }

  /** The 32-byte payload digest, or an empty array when there was no payload. */
  public byte[] payloadDigest() {
    return payloadDigest.clone();
  }

  public long payloadBytes() {
    return payloadBytes;
  }

  /** HTTP status of the step, or 0 when there was none. */
  public int status() {
    return status;
  }

  /** Outcome or reason code, e.g. {@code OK}, {@code DENIED}, {@code BAD_SIGNATURE}; may be empty. */
  public String outcome() {
    return outcome;
  }

  public Duration latency() {
    return latency;
  }

  /**
   * The department application that made the request, as the consumer gateway authenticated it
   * (its API-key name); empty where the writer does not know it (a provider gateway, older records).
   */
  public String app() {
    return app;
  }

  /** The HTTP method of the request the step carried; empty if none (older records, a bare envelope). */
  public String method() {
    return method;
  }

  /**
   * The request path relative to the resource, normalised (no query); for a request refused
   * because its target was not acceptable, a printable excerpt of what was sent. Empty if none.
   */
  public String path() {
    return path;
  }

  /** For a streamed data set transfer, what it moved; empty for an ordinary exchange (and older records). */
  public java.util.Optional<Transfer> transfer() {
    return java.util.Optional.ofNullable(transfer);
  }

  @Override
  public boolean equals(@Nullable Object o) {
    if (!(o instanceof AuditRecord)) {
      return false;
    }
    AuditRecord r = (AuditRecord) o;
    return time.equals(r.time) && envelopeId.equals(r.envelopeId) && direction == r.direction
        && sender.equals(r.sender) && receiver.equals(r.receiver) && resource.equals(r.resource)
        && purpose.equals(r.purpose) && grantId.equals(r.grantId) && decision.equals(r.decision)
        && payloadDigestAlgorithm == r.payloadDigestAlgorithm && MessageDigest.isEqual(payloadDigest, r.payloadDigest)
        && payloadBytes == r.payloadBytes && status == r.status && outcome.equals(r.outcome)
        && latency.equals(r.latency) && app.equals(r.app) && method.equals(r.method) && path.equals(r.path)
        && Objects.equals(transfer, r.transfer);
  }

  @Override
  public int hashCode() {
    return Objects.hash(time, envelopeId, direction, sender, receiver, resource, purpose, grantId, decision,
        Arrays.hashCode(payloadDigest), payloadBytes, status, outcome, latency, app, method, path, transfer);
  }

  @Override
  public String toString() {
    return "AuditRecord[" + time + " " + direction + " " + envelopeId + " " + sender + " -> " + receiver
        + " " + resource + (method.isEmpty() ? "" : " " + method + " " + path) + (app.isEmpty() ? "" : " app=" + app)
        + " purpose=" + purpose + " " + decision + " status=" + status + " " + outcome
        + " bytes=" + payloadBytes + " digest=" + payloadDigestAlgorithm.displayName() + ":"
        + HexFormat.of().formatHex(payloadDigest) + " latency=" + latency
        + (transfer == null ? "" : " transfer=" + transfer) + "]";
  }

  /** Builds an {@link AuditRecord}. Required: time, envelopeId, direction, sender, receiver, resource, purpose, decision. */
  public static final class Builder {
    private @Nullable Instant time;
    private @Nullable String envelopeId;
    private @Nullable Direction direction;
    private @Nullable String sender;
    private @Nullable String receiver;
    private @Nullable String resource;
    private @Nullable String purpose;
    private @Nullable Transfer transfer;
    private @Nullable String grantId;
    private @Nullable AuditDecision decision;
    private HashAlgorithm payloadDigestAlgorithm = HashAlgorithm.SHA_256;
    private byte[] payloadDigest = new byte[0];
    private long payloadBytes;
    private int status;
    private String outcome = "";
    private Duration latency = Duration.ZERO;
    private String app = "";
    private String method = "";
    private String path = "";

    private Builder() {}

    public Builder time(Instant time) {
      this.time = time;
      return this;
    }

    public Builder envelopeId(String envelopeId) {
      this.envelopeId = envelopeId;
      return this;
    }

    public Builder direction(Direction direction) {
      this.direction = direction;
      return this;
    }

    public Builder sender(PartyId sender) {
      this.sender = sender.toString();
      return this;
    }

    /**
     * The sender as text: a {@link PartyId} in text form, or, for a party that could not be
     * identified (a refused request), {@link #UNKNOWN_PARTY} or what is known of it. Not empty.
     */
    public Builder sender(String sender) {
      this.sender = sender;
      return this;
    }

    public Builder receiver(PartyId receiver) {
      this.receiver = receiver.toString();
      return this;
    }

    /** The receiver as text; see {@link #sender(String)}. */
    public Builder receiver(String receiver) {
      this.receiver = receiver;
      return this;
    }

    public Builder resource(String resource) {
      this.resource = resource;
      return this;
    }

    public Builder purpose(String purpose) {
      this.purpose = purpose;
      return this;
    }

    /** The grant reference of a conditional-sharing exchange; null or empty for none. */
    public Builder grantId(@Nullable String grantId) {
      this.grantId = grantId;
      return this;
    }

    public Builder decision(AuditDecision decision) {
      this.decision = decision;
      return this;
    }

    /** The digest of the payload (32 bytes) and the algorithm that made it (SHA-256, or SM3 for GM). */
    public Builder payloadDigest(HashAlgorithm algorithm, byte[] digest) {
      this.payloadDigestAlgorithm = Objects.requireNonNull(algorithm, "algorithm");
      this.payloadDigest = Objects.requireNonNull(digest, "digest").clone();
      return this;
    }

    public Builder payloadBytes(long payloadBytes) {
      this.payloadBytes = payloadBytes;
      return this;
    }

    public Builder status(int status) {
      this.status = status;
      return this;
    }

    public Builder outcome(String outcome) {
      this.outcome = Objects.requireNonNull(outcome, "outcome");
      return this;
    }

    public Builder latency(Duration latency) {
      this.latency = Objects.requireNonNull(latency, "latency");
      return this;
    }

    /** The calling application as the consumer gateway authenticated it; empty (default) if unknown. */
    public Builder app(String app) {
      this.app = Objects.requireNonNull(app, "app");
      return this;
    }

    /** The request's method and normalised path relative to the resource; empty (default) if none. */
    public Builder request(String method, String path) {
      this.method = Objects.requireNonNull(method, "method");
      this.path = Objects.requireNonNull(path, "path");
      return this;
    }

    /** Marks the record as that of a streamed data set transfer; none (default) for an ordinary exchange. */
    public Builder transfer(@Nullable Transfer transfer) {
      this.transfer = transfer;
      return this;
    }

    /**
     * @throws NullPointerException if a required field is missing
     * @throws IllegalArgumentException naming a value out of range
     */
    public AuditRecord build() {
      return new AuditRecord(this);
    }
  }
}
