package io.shulian.hub.access;

import io.shulian.gateway.authenticate.ApiKeys;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The data bureau's operators, their bearer tokens (for the CLI) and their console passwords. The
 * hub keeps only each token's SHA-256 (hex, as {@code printf %s "$TOKEN" | sha256sum} prints it)
 * and compares in constant time; a token is never logged. Passwords are kept as Argon2id hashes
 * ({@link PasswordHash}); {@link #login} takes as long for an unknown name as for a wrong password.
 * Thread-safe (immutable).
 */
public final class Operators {
  /** What an operator may do. */
  public enum Role {
    /** Reads everything an operator may read; changes nothing. */
    VIEWER,
    /** Reviews catalog submissions (approve, reject) and reads. */
    REVIEWER,
    /** Publishes bundles and takes incident actions. */
    SECURITY_OFFICER;

    /** Parses {@code viewer}, {@code reviewer} or {@code security-officer}. */
    public static Role parse(String s) {
      switch (s.toLowerCase(Locale.ROOT)) {
        case "viewer":
          return VIEWER;
        case "reviewer":
          return REVIEWER;
        case "security-officer":
          return SECURITY_OFFICER;
        default:
          throw new IllegalArgumentException("role must be viewer, reviewer or security-officer, got '" + s + "'");
      }
    }

    /** The configuration name: {@code viewer}, {@code reviewer} or {@code security-officer}. */
    public String configName() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
  }

  /** An authenticated operator. */
  public record Operator(String name, Role role) {}

  /** {@code hash} (the token's hex SHA-256) and {@code password} may each be absent, not both. */
  private record Entry(String name, Role role, byte @Nullable [] hash, @Nullable PasswordHash password) {}

  private final List<Entry> entries;
  /**
   * What an unknown name (or an operator without a password) is verified against: the cost of the
   * password hashes most operators have (ties: the costliest), so that the time of a failed log-in
   * does not tell a known name from an unknown one; the defaults when no operator has a password.
   */
  private final PasswordHash decoy;

  private Operators(List<Entry> entries) {
    this.entries = entries;
    this.decoy = decoyFor(entries);
  }

  private static PasswordHash decoyFor(List<Entry> entries) {
    java.util.Map<String, Integer> counts = new java.util.HashMap<>();
    PasswordHash best = null;
    int bestCount = 0;
    for (Entry e : entries) {
      if (e.password == null) {
        continue;
      }
      int n = counts.merge(e.password.cost(), 1, Integer::sum);
      if (best != null && best.cost().equals(e.password.cost())) {
        bestCount = n;
      } else if (best == null || n > bestCount || (n == bestCount && e.password.work() > best.work())) {
        best = e.password;
        bestCount = n;
      }
    }
    return best == null ? PasswordHash.unmatchable() : PasswordHash.unmatchableLike(best);
  }

  /** The cost of the hash an unknown name is verified against (tests). */
  String decoyCost() {
    return decoy.cost();
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
      if (e.hash != null && MessageDigest.isEqual(e.hash, h) && found == null) {
        found = new Operator(e.name, e.role);
      }
    }
    return Optional.ofNullable(found);
  }

  /**
   * Returns the operator named {@code name} if {@code password} is theirs, or empty. An unknown
   * name, an operator without a password and a wrong password take the same work (one Argon2id
   * derivation) and give the same empty answer.
   */
  public Optional<Operator> login(String name, char[] password) {
    Entry match = null;
    PasswordHash h = decoy;
    for (Entry e : entries) {
      if (e.name.equals(name) && e.password != null) {
        match = e;
        h = e.password;
      }
    }
    // the derivation runs whether or not the name is known
    boolean verified = h.verify(password);
    if (match != null && verified) {
      return Optional.of(new Operator(match.name, match.role));
    }
    return Optional.empty();
  }

  /** Collects operators. */
  public static final class Builder {
    private final java.util.ArrayList<Entry> entries = new java.util.ArrayList<>();

    /**
     * @throws IllegalArgumentException for an empty or repeated name, or a hash that is not 64 hex digits
     *     or is repeated
     */
    public Builder operator(String name, Role role, String tokenSha256) {
      return operator(name, role, tokenSha256, null);
    }

    /**
     * An operator with a bearer token (its hex SHA-256), a console password (an Argon2id PHC
     * string, {@link PasswordHash}), or both.
     *
     * @throws IllegalArgumentException for an empty or repeated name (or one with characters other
     *     than letters, digits, {@code .}, {@code _}, {@code -}, {@code @}), neither credential, a hash that is not
     *     64 hex digits or is repeated, or a password hash that {@link PasswordHash#parse} refuses
     */
    public Builder operator(String name, Role role, @Nullable String tokenSha256, @Nullable String passwordHash) {
      if (name == null || name.isBlank() || name.length() > 128) {
        throw new IllegalArgumentException("operator name must be 1 to 128 characters");
      }
      if (passwordHash != null && !name.matches("[\\p{L}\\p{N}._@-]{1,128}")) {
        throw new IllegalArgumentException("operator " + name + ": a console log-in name has only letters, digits, . _ - @");
      }
      if (tokenSha256 == null && passwordHash == null) {
        throw new IllegalArgumentException("operator " + name + ": give tokenSha256, passwordHash or both");
      }
      byte[] hash = null;
      if (tokenSha256 != null) {
        String h = tokenSha256.toLowerCase(Locale.ROOT);
        if (!h.matches("[0-9a-f]{64}")) {
          throw new IllegalArgumentException("operator " + name + ": tokenSha256 must be 64 hex digits");
        }
        hash = h.getBytes(StandardCharsets.US_ASCII);
      }
      PasswordHash password = null;
      if (passwordHash != null) {
        try {
          password = PasswordHash.parse(passwordHash);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("operator " + name + ": " + e.getMessage());
        }
      }
      for (Entry e : entries) {
        if (e.name.equals(name)) {
          throw new IllegalArgumentException("operator " + name + " is listed twice");
        }
        if (hash != null && e.hash != null && MessageDigest.isEqual(e.hash, hash)) {
          throw new IllegalArgumentException("operators " + e.name + " and " + name + " have the same token");
        }
      }
      entries.add(new Entry(name, role, hash, password));
      return this;
    }

    public Operators build() {
      return new Operators(List.copyOf(entries));
    }
  }
}
