package io.shulian.core.envelope;

import io.shulian.core.party.PartyId;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The signed header of an envelope: who sends it to whom, about which catalog resource, for what
 * purpose, and when it is valid. The receiver is part of the signed header, so an envelope cannot
 * be re-encrypted to someone else without detection.
 *
 * <p>Immutable and thread-safe. Instances come from {@link EnvelopeSealer} (what was sealed) and
 * {@link EnvelopeOpener} (what was verified); times have a resolution of one second.
 */
public final class EnvelopeHeader {
  /** The format version this SDK writes and reads. */
  public static final int VERSION = 1;

  static final Pattern RESOURCE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}");
  static final Pattern PURPOSE = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
  static final Pattern CONTENT_TYPE = Pattern.compile("[\\x21-\\x7e][\\x20-\\x7e]{0,126}");
  static final Pattern GRANT_REF = Pattern.compile("[\\x21-\\x7e]{1,256}");
  static final Pattern TRACEPARENT = Pattern.compile("[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}");

  private final int version;
  private final UUID id;
  private final PartyId sender;
  private final PartyId receiver;
  private final String resource;
  private final String purpose;
  private final Classification classification;
  private final Instant issuedAt;
  private final Instant expiresAt;
  private final String contentType;
  private final @Nullable UUID correlationId;
  private final @Nullable String grantRef;
  private final @Nullable String traceparent;

  EnvelopeHeader(
      int version, UUID id, PartyId sender, PartyId receiver, String resource, String purpose,
      Classification classification, Instant issuedAt, Instant expiresAt, String contentType,
      @Nullable UUID correlationId, @Nullable String grantRef, @Nullable String traceparent) {
    this.version = version;
    this.id = Objects.requireNonNull(id);
    this.sender = Objects.requireNonNull(sender);
    this.receiver = Objects.requireNonNull(receiver);
    this.resource = check(RESOURCE, resource, "resource id", "1-128 of [A-Za-z0-9._:/-]");
    this.purpose = check(PURPOSE, purpose, "purpose code", "1-64 of [a-z0-9._-]");
    this.classification = Objects.requireNonNull(classification);
    this.issuedAt = Objects.requireNonNull(issuedAt);
    this.expiresAt = Objects.requireNonNull(expiresAt);
    if (!expiresAt.isAfter(issuedAt)) {
      throw new IllegalArgumentException("expires-at must be after issued-at");
    }
    this.contentType = check(CONTENT_TYPE, contentType, "content type", "1-127 printable ASCII characters");
    this.correlationId = correlationId;
    this.grantRef = grantRef == null ? null : check(GRANT_REF, grantRef, "grant reference", "1-256 printable ASCII characters without spaces");
    this.traceparent = traceparent == null ? null : check(TRACEPARENT, traceparent, "traceparent", "a W3C traceparent (00-<32 hex>-<16 hex>-<2 hex>)");
  }

  static String check(Pattern p, String value, String what, String allowed) {
    Objects.requireNonNull(value, what);
    if (!p.matcher(value).matches()) {
      throw new IllegalArgumentException(what + " is invalid: must be " + allowed);
    }
    return value;
  }

  public int version() {
    return version;
  }

  /** Returns the envelope id, a UUID version 7 (time-ordered). */
  public UUID id() {
    return id;
  }

  public PartyId sender() {
    return sender;
  }

  public PartyId receiver() {
    return receiver;
  }

  /** Returns the catalog resource id this exchange concerns. */
  public String resource() {
    return resource;
  }

  /** Returns the purpose code the sender stated. */
  public String purpose() {
    return purpose;
  }

  public Classification classification() {
    return classification;
  }

  public Instant issuedAt() {
    return issuedAt;
  }

  public Instant expiresAt() {
    return expiresAt;
  }

  /** Returns the media type of the payload. */
  public String contentType() {
    return contentType;
  }

  /** Returns the id of the envelope this one answers, if it is a response. */
  public Optional<UUID> correlationId() {
    return Optional.ofNullable(correlationId);
  }

  /** Returns the grant the sender relies on (conditional sharing), if any. */
  public Optional<String> grantRef() {
    return Optional.ofNullable(grantRef);
  }

  /** Returns the W3C trace context, if any. */
  public Optional<String> traceparent() {
    return Optional.ofNullable(traceparent);
  }

  /** Returns the header as an ordered map of strings, for printing and audit. */
  public Map<String, String> toMap() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("version", Integer.toString(version));
    m.put("id", id.toString());
    m.put("sender", sender.toString());
    m.put("receiver", receiver.toString());
    m.put("resource", resource);
    m.put("purpose", purpose);
    m.put("classification", classification.wireName());
    m.put("issuedAt", issuedAt.toString());
    m.put("expiresAt", expiresAt.toString());
    m.put("contentType", contentType);
    if (correlationId != null) {
      m.put("correlationId", correlationId.toString());
    }
    if (grantRef != null) {
      m.put("grantRef", grantRef);
    }
    if (traceparent != null) {
      m.put("traceparent", traceparent);
    }
    return m;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof EnvelopeHeader && ((EnvelopeHeader) o).toMap().equals(toMap());
  }

  @Override
  public int hashCode() {
    return id.hashCode();
  }

  @Override
  public String toString() {
    return "EnvelopeHeader" + toMap();
  }
}
