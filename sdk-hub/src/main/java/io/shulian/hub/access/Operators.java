package io.shulian.hub.access;

import io.shulian.gateway.authenticate.ApiKeys;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The data bureau's operators and their bearer tokens. The hub keeps only each token's SHA-256
 * (hex, as {@code printf %s "$TOKEN" | sha256sum} prints it) and compares in constant time; a token is never
 * logged. Thread-safe (immutable).
 */
public final class Operators {
  /** What an operator may do. */
  public enum Role {
    /** Reviews catalog submissions (not built yet). */
    REVIEWER,
    /** Publishes bundles and takes incident actions. */
    SECURITY_OFFICER;

    /** Parses {@code reviewer} or {@code security-officer}. */
    public static Role parse(String s) {
      switch (s.toLowerCase(Locale.ROOT)) {
        case "reviewer":
          return REVIEWER;
        case "security-officer":
          return SECURITY_OFFICER;
        default:
          throw new IllegalArgumentException("role must be reviewer or security-officer, got '" + s + "'");
      }
    }
  }

  /** An authenticated operator. */
  public record Operator(String name, Role role) {}

  private record Entry(String name, Role role, byte[] hash) {}

  private final List<Entry> entries;

  private Operators(List<Entry> entries) {
    this.entries = entries;
  }

  /** A builder; each operator needs a distinct name and token hash. */
  public static Builder builder() {
    return new Builder();
  }

  /** Returns the operator whose token is {@code token}, or empty. */
  public Optional<Operator> authenticate(String token) {
    byte[] h = ApiKeys.hash(token).getBytes(StandardCharsets.US_ASCII);
    Operator found = null;
    // every entry is compared, so the time does not say which one matched
    for (Entry e : entries) {
      if (MessageDigest.isEqual(e.hash, h) && found == null) {
        found = new Operator(e.name, e.role);
      }
    }
    return Optional.ofNullable(found);
  }

  /** Collects operators. */
  public static final class Builder {
    private final java.util.ArrayList<Entry> entries = new java.util.ArrayList<>();

    /**
     * @throws IllegalArgumentException for an empty or repeated name, or a hash that is not 64 hex digits
     *     or is repeated
     */
    public Builder operator(String name, Role role, String tokenSha256) {
      if (name == null || name.isBlank() || name.length() > 128) {
        throw new IllegalArgumentException("operator name must be 1 to 128 characters");
      }
      String h = tokenSha256 == null ? "" : tokenSha256.toLowerCase(Locale.ROOT);
      if (!h.matches("[0-9a-f]{64}")) {
        throw new IllegalArgumentException("operator " + name + ": tokenSha256 must be 64 hex digits");
      }
      for (Entry e : entries) {
        if (e.name.equals(name)) {
          throw new IllegalArgumentException("operator " + name + " is listed twice");
        }
        if (MessageDigest.isEqual(e.hash, h.getBytes(StandardCharsets.US_ASCII))) {
          throw new IllegalArgumentException("operators " + e.name + " and " + name + " have the same token");
        }
      }
      entries.add(new Entry(name, role, h.getBytes(StandardCharsets.US_ASCII)));
      return this;
    }

    public Operators build() {
      return new Operators(List.copyOf(entries));
    }
  }
}
