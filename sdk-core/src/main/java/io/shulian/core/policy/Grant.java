package io.shulian.core.policy;

import io.shulian.core.internal.jwt.SignedToken;
import io.shulian.core.party.PartyId;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * What a provider approves when it grants a conditional-sharing application: this consumer may
 * read these fields of this resource, for this purpose, between these times, at most so many
 * times. Issued as a signed token by {@link GrantIssuer}; only {@link GrantVerifier} produces a
 * {@link VerifiedGrant}. Immutable.
 */
public final class Grant {
  /** The JOSE {@code typ} of grant tokens. */
  public static final String TOKEN_TYPE = "shulian-grant+jwt";
  /** The longest grant token read, in characters. */
  public static final int MAX_TOKEN_CHARS = SignedToken.MAX_TOKEN_CHARS;

  private final String id;
  private final PartyId issuer;
  private final PartyId consumer;
  private final String resource;
  private final Set<String> fields;
  private final String purpose;
  private final Instant notBefore;
  private final Instant expiresAt;
  private final long maxUses;

  private Grant(Builder b) {
    this.id = b.id;
    this.issuer = Objects.requireNonNull(b.issuer, "issuer");
    this.consumer = Objects.requireNonNull(b.consumer, "consumer");
    this.resource = Objects.requireNonNull(b.resource, "resource");
    this.fields = java.util.Collections.unmodifiableSet(new LinkedHashSet<>(b.fields));
    this.purpose = Objects.requireNonNull(b.purpose, "purpose");
    this.notBefore = Objects.requireNonNull(b.notBefore, "notBefore");
    this.expiresAt = Objects.requireNonNull(b.expiresAt, "expiresAt");
    this.maxUses = b.maxUses;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Returns the grant id (the token's {@code jti}). */
  public String id() {
    return id;
  }

  /** Returns the provider that issued the grant. */
  public PartyId issuer() {
    return issuer;
  }

  public PartyId consumer() {
    return consumer;
  }

  public String resource() {
    return resource;
  }

  /** Returns the granted field names. */
  public Set<String> fields() {
    return fields;
  }

  public String purpose() {
    return purpose;
  }

  public Instant notBefore() {
    return notBefore;
  }

  public Instant expiresAt() {
    return expiresAt;
  }

  /** Returns the maximum number of uses, at least 1. */
  public long maxUses() {
    return maxUses;
  }

  /** Returns a key unique across issuers, for revocation and use counting. */
  public String key() {
    return issuer + "#" + id;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    if (!(o instanceof Grant)) {
      return false;
    }
    Grant g = (Grant) o;
    return id.equals(g.id) && issuer.equals(g.issuer) && consumer.equals(g.consumer) && resource.equals(g.resource)
        && fields.equals(g.fields) && purpose.equals(g.purpose) && notBefore.equals(g.notBefore)
        && expiresAt.equals(g.expiresAt) && maxUses == g.maxUses;
  }

  @Override
  public int hashCode() {
    return Objects.hash(id, issuer, consumer, resource, purpose);
  }

  @Override
  public String toString() {
    return "Grant[" + id + " by " + issuer + " to " + consumer + " for " + resource + " " + fields + ", purpose "
        + purpose + ", " + notBefore + " .. " + expiresAt + ", max " + maxUses + " uses]";
  }

  /** Builds a {@link Grant}; every option but {@code id} is required. */
  public static final class Builder {
    private String id = UUID.randomUUID().toString();
    private @Nullable PartyId issuer;
    private @Nullable PartyId consumer;
    private @Nullable String resource;
    private final List<String> fields = new ArrayList<>();
    private @Nullable String purpose;
    private @Nullable Instant notBefore;
    private @Nullable Instant expiresAt;
    private long maxUses = -1;

    private Builder() {}

    /** Sets the grant id (default: a random UUID); 1-128 printable ASCII characters. */
    public Builder id(String id) {
      if (id.isEmpty() || id.length() > 128 || !id.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
        throw new IllegalArgumentException("grant id must be 1-128 printable ASCII characters");
      }
      this.id = id;
      return this;
    }

    public Builder issuer(PartyId issuer) {
      this.issuer = issuer;
      return this;
    }

    public Builder consumer(PartyId consumer) {
      this.consumer = consumer;
      return this;
    }

    public Builder resource(String resource) {
      this.resource = resource;
      return this;
    }

    /** Adds granted fields (at least one in all). */
    public Builder fields(java.util.Collection<String> names) {
      fields.addAll(names);
      return this;
    }

    public Builder purpose(String purpose) {
      this.purpose = purpose;
      return this;
    }

    /** Sets the validity window; {@code notBefore} must be before {@code expiresAt}. */
    public Builder validity(Instant notBefore, Instant expiresAt) {
      this.notBefore = notBefore;
      this.expiresAt = expiresAt;
      return this;
    }

    /** Sets the maximum number of uses, 1 to 10^12. */
    public Builder maxUses(long maxUses) {
      this.maxUses = maxUses;
      return this;
    }

    /**
     * Builds the grant.
     *
     * @throws IllegalArgumentException naming the missing or bad value
     */
    public Grant build() {
      if (issuer == null || consumer == null || resource == null || purpose == null || notBefore == null
          || expiresAt == null) {
        throw new IllegalArgumentException("a grant needs issuer, consumer, resource, purpose and validity");
      }
      if (fields.isEmpty()) {
        throw new IllegalArgumentException("a grant must name at least one field");
      }
      if (!notBefore.isBefore(expiresAt)) {
        throw new IllegalArgumentException("grant notBefore " + notBefore + " is not before expiry " + expiresAt);
      }
      if (maxUses < 1 || maxUses > 1_000_000_000_000L) {
        throw new IllegalArgumentException("maxUses must be 1 to 10^12, got " + maxUses);
      }
      return new Grant(this);
    }
  }
}
