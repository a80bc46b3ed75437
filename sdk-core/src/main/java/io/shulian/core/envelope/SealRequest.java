package io.shulian.core.envelope;

import io.shulian.core.keys.PartyCertificate;
import java.time.Duration;
import java.util.Objects;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * What to seal, apart from the payload: the recipient's encryption certificate and the header
 * fields the caller chooses. Sender, envelope id and times are set by the sealer.
 *
 * <p>Immutable; build with {@link #builder()}.
 */
public final class SealRequest {
  /** Default time to live of an envelope. */
  public static final Duration DEFAULT_TTL = Duration.ofMinutes(5);

  /**
   * Longest time to live a request can carry. A sealer refuses a ttl above its {@link
   * EnvelopeSealer#maxLifetime()} (24 h by default, as openers refuse longer lifetimes).
   */
  public static final Duration MAX_TTL = Duration.ofDays(30);

  private final PartyCertificate recipient;
  private final String resource;
  private final String purpose;
  private final Classification classification;
  private final Duration ttl;
  private final String contentType;
  private final @Nullable UUID correlationId;
  private final @Nullable String grantRef;
  private final @Nullable String traceparent;
  private final EnvelopeEncoding encoding;

  private SealRequest(Builder b) {
    this.recipient = Objects.requireNonNull(b.recipient, "recipient");
    this.resource = EnvelopeHeader.check(EnvelopeHeader.RESOURCE, Objects.requireNonNull(b.resource, "resource"), "resource id", "1-128 of [A-Za-z0-9._:/-]");
    this.purpose = EnvelopeHeader.check(EnvelopeHeader.PURPOSE, Objects.requireNonNull(b.purpose, "purpose"), "purpose code", "1-64 of [a-z0-9._-]");
    this.classification = b.classification;
    if (b.ttl.compareTo(Duration.ofSeconds(1)) < 0 || b.ttl.compareTo(MAX_TTL) > 0) {
      throw new IllegalArgumentException("ttl must be between 1 second and " + MAX_TTL.toDays() + " days, got " + b.ttl);
    }
    this.ttl = b.ttl;
    this.contentType = b.contentType;
    this.correlationId = b.correlationId;
    this.grantRef = b.grantRef;
    this.traceparent = b.traceparent;
    this.encoding = b.encoding;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Starts the request for the answer to {@code request}: the recipient is {@code requester}, and
   * resource, purpose, classification, content type and traceparent are the request's; the
   * correlation id is the request's envelope id. Every field can still be changed on the builder
   * (e.g. the content type of the answer). The grant reference is not copied: grants authorize
   * requests, not answers.
   *
   * @param requester the encryption certificate of the request's sender (the request was signed
   *     with its signing key, which cannot receive an envelope)
   * @throws IllegalArgumentException if {@code requester} is not a certificate of the request's
   *     sender
   */
  public static Builder replyTo(OpenedEnvelope request, PartyCertificate requester) {
    EnvelopeHeader h = request.header();
    if (!requester.party().equals(h.sender())) {
      throw new IllegalArgumentException("the answer to an envelope from " + h.sender()
          + " cannot be sealed for " + requester.party());
    }
    Builder b = new Builder()
        .recipient(requester)
        .resource(h.resource())
        .purpose(h.purpose())
        .classification(h.classification())
        .contentType(h.contentType())
        .correlationId(h.id());
    h.traceparent().ifPresent(b::traceparent);
    return b;
  }

  public PartyCertificate recipient() {
    return recipient;
  }

  public String resource() {
    return resource;
  }

  public String purpose() {
    return purpose;
  }

  public Classification classification() {
    return classification;
  }

  public Duration ttl() {
    return ttl;
  }

  public String contentType() {
    return contentType;
  }

  /** The wire encoding to seal in; {@link EnvelopeEncoding#COMPACT} unless chosen. */
  public EnvelopeEncoding encoding() {
    return encoding;
  }

  @Nullable UUID correlationId() {
    return correlationId;
  }

  @Nullable String grantRef() {
    return grantRef;
  }

  @Nullable String traceparent() {
    return traceparent;
  }

  /** Builds a {@link SealRequest}; recipient, resource and purpose are required. */
  public static final class Builder {
    private @Nullable PartyCertificate recipient;
    private @Nullable String resource;
    private @Nullable String purpose;
    private Classification classification = Classification.GENERAL;
    private Duration ttl = DEFAULT_TTL;
    private String contentType = "application/octet-stream";
    private @Nullable UUID correlationId;
    private @Nullable String grantRef;
    private @Nullable String traceparent;
    private EnvelopeEncoding encoding = EnvelopeEncoding.COMPACT;

    private Builder() {}

    /** The recipient's encryption certificate; its party becomes the envelope's receiver. */
    public Builder recipient(PartyCertificate recipient) {
      this.recipient = recipient;
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

    public Builder classification(Classification classification) {
      this.classification = Objects.requireNonNull(classification);
      return this;
    }

    /** How long the envelope stays valid after sealing (default 5 minutes, 1 second to 30 days). */
    public Builder ttl(Duration ttl) {
      this.ttl = Objects.requireNonNull(ttl);
      return this;
    }

    public Builder contentType(String contentType) {
      this.contentType = EnvelopeHeader.check(EnvelopeHeader.CONTENT_TYPE, contentType, "content type", "1-127 printable ASCII characters");
      return this;
    }

    /** Marks the envelope as the response to the envelope with this id. */
    public Builder correlationId(@Nullable UUID correlationId) {
      this.correlationId = correlationId;
      return this;
    }

    public Builder grantRef(@Nullable String grantRef) {
      this.grantRef = grantRef == null ? null : EnvelopeHeader.check(EnvelopeHeader.GRANT_REF, grantRef, "grant reference", "1-256 printable ASCII characters without spaces");
      return this;
    }

    public Builder traceparent(@Nullable String traceparent) {
      this.traceparent = traceparent == null ? null : EnvelopeHeader.check(EnvelopeHeader.TRACEPARENT, traceparent, "traceparent", "a W3C traceparent");
      return this;
    }

    /**
     * The wire encoding (default {@link EnvelopeEncoding#COMPACT}, which any JOSE library can open;
     * {@link EnvelopeEncoding#FRAMED} for large payloads). {@link EnvelopeSealer#sealStream} always
     * seals framed.
     */
    public Builder encoding(EnvelopeEncoding encoding) {
      this.encoding = Objects.requireNonNull(encoding);
      return this;
    }

    /**
     * @throws NullPointerException if recipient, resource or purpose is missing
     * @throws IllegalArgumentException naming a value outside its allowed form
     */
    public SealRequest build() {
      return new SealRequest(this);
    }
  }
}
