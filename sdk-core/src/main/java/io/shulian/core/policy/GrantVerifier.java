package io.shulian.core.policy;

import io.shulian.core.internal.access.CoreAccess;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.shulian.core.internal.crypto.Verifier;
import io.shulian.core.internal.jwt.SignedToken;
import io.shulian.core.keys.KeyId;
import io.shulian.core.keys.PartyCertificate;
import io.shulian.core.party.PartyId;
import io.shulian.core.trust.SenderTrust;
import io.shulian.core.trust.TrustException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Verifies grant tokens: header ({@code typ}, no {@code crit}, no embedded keys), the issuer's
 * signing certificate from {@link SenderTrust} by {@code kid} (it must belong to the {@code iss}
 * party), the signature with exactly the algorithm of that certificate's key, and well-formed
 * claims. Verified tokens are cached by their text, so a token's signature is checked once.
 *
 * <p>Time, revocation, use count and fit to a request are checked per decision, by
 * {@link #check} (which the policy engine calls). Thread-safe.
 */
public final class GrantVerifier {
  private final SenderTrust trust;
  private final Clock clock;
  private final Cache<String, VerifiedGrant> verified = Caffeine.newBuilder().maximumSize(10_000).build();
  private final Cache<KeyId, Verifier> verifiers = Caffeine.newBuilder().maximumSize(1_000).build();

  private GrantVerifier(SenderTrust trust, Clock clock) {
    this.trust = trust;
    this.clock = clock;
  }

  /** Verifies grants whose issuers {@code trust} vouches for, at the system clock. */
  public static GrantVerifier of(SenderTrust trust) {
    return new GrantVerifier(Objects.requireNonNull(trust, "trust"), Clock.systemUTC());
  }

  /** As {@link #of(SenderTrust)}, with the clock used for certificate validity. */
  public static GrantVerifier of(SenderTrust trust, Clock clock) {
    return new GrantVerifier(Objects.requireNonNull(trust, "trust"), Objects.requireNonNull(clock, "clock"));
  }

  /**
   * Verifies a token's header, issuer trust and signature.
   *
   * @throws GrantException GRANT_MALFORMED, GRANT_UNTRUSTED or GRANT_BAD_SIGNATURE
   */
  public VerifiedGrant verify(String token) throws GrantException {
    Objects.requireNonNull(token, "token");
    VerifiedGrant hit = verified.getIfPresent(token);
    if (hit != null) {
      return hit;
    }
    SignedToken t;
    try {
      t = SignedToken.parse(token, Grant.TOKEN_TYPE);
    } catch (SignedToken.TokenException e) {
      throw new GrantException(GrantException.Reason.GRANT_MALFORMED, "grant token refused: " + e.getMessage());
    }
    Grant g = claims(t.claims());
    KeyId kid;
    try {
      kid = KeyId.parse(t.keyId());
    } catch (IllegalArgumentException e) {
      throw new GrantException(GrantException.Reason.GRANT_MALFORMED, "grant token kid is not a key id");
    }
    PartyCertificate cert;
    try {
      cert = trust.signer(kid, g.issuer(), clock.instant());
    } catch (TrustException e) {
      throw new GrantException(GrantException.Reason.GRANT_UNTRUSTED,
          "grant issuer " + g.issuer() + " is not trusted (" + e.code() + "): " + e.getMessage());
    }
    Verifier v = verifiers.get(cert.keyId(), k -> CoreAccess.certificates().publicKey(cert).verifier());
    if (!v.joseAlgorithm().equals(t.algorithm())) {
      throw new GrantException(GrantException.Reason.GRANT_BAD_SIGNATURE, "grant token alg '" + t.algorithm()
          + "' is not the issuer key's algorithm " + v.joseAlgorithm());
    }
    if (!t.verify(v)) {
      throw new GrantException(GrantException.Reason.GRANT_BAD_SIGNATURE,
          "grant signature of " + g.issuer() + " (key " + kid + ") does not verify");
    }
    VerifiedGrant vg = new VerifiedGrant(g, token);
    verified.put(token, vg);
    return vg;
  }

  private static Grant claims(Map<String, Object> c) throws GrantException {
    try {
      for (String k : c.keySet()) {
        if (!List.of("jti", "iss", "sub", "res", "fields", "purpose", "nbf", "exp", "max_uses").contains(k)) {
          throw new IllegalArgumentException("unknown claim '" + k + "'");
        }
      }
      Object fields = c.get("fields");
      if (!(fields instanceof List)) {
        throw new IllegalArgumentException("claim 'fields' must be an array of strings");
      }
      List<String> names = new ArrayList<>();
      for (Object o : (List<?>) fields) {
        if (!(o instanceof String)) {
          throw new IllegalArgumentException("claim 'fields' must be an array of strings");
        }
        names.add((String) o);
      }
      return Grant.builder()
          .id(str(c, "jti"))
          .issuer(PartyId.parse(str(c, "iss")))
          .consumer(PartyId.parse(str(c, "sub")))
          .resource(str(c, "res"))
          .fields(names)
          .purpose(str(c, "purpose"))
          .validity(time(c, "nbf"), time(c, "exp"))
          .maxUses(num(c, "max_uses"))
          .build();
    } catch (IllegalArgumentException e) {
      throw new GrantException(GrantException.Reason.GRANT_MALFORMED, "grant claims are malformed: " + e.getMessage());
    }
  }

  private static String str(Map<String, Object> c, String k) {
    Object o = c.get(k);
    if (!(o instanceof String)) {
      throw new IllegalArgumentException("claim '" + k + "' must be a string");
    }
    return (String) o;
  }

  private static long num(Map<String, Object> c, String k) {
    Object o = c.get(k);
    if (!(o instanceof Number) || o instanceof Double || o instanceof Float) {
      throw new IllegalArgumentException("claim '" + k + "' must be an integer");
    }
    return ((Number) o).longValue();
  }

  private static Instant time(Map<String, Object> c, String k) {
    Object o = c.get(k);
    if (o instanceof Date) {
      return ((Date) o).toInstant();
    }
    return Instant.ofEpochSecond(num(c, k));
  }

  /**
   * Checks that a verified grant is usable for a request at {@code now}: issued by the resource's
   * provider, for this consumer (the grant may name the organisation of a requesting system),
   * resource and purpose, covering the requested fields, within its validity and not revoked. Does
   * not count a use.
   *
   * @param provider the resource's provider from the catalog
   * @param fields requested fields; empty means "the granted ones"
   * @return null if usable, else the refusal
   */
  public static @org.jspecify.annotations.Nullable GrantException check(VerifiedGrant vg, PartyId provider, PartyId consumer, String resource, String purpose,
      List<String> fields, Instant now, GrantRevocations revocations) {
    Grant g = vg.grant();
    if (!g.issuer().equals(provider)) {
      return new GrantException(GrantException.Reason.GRANT_WRONG_ISSUER,
          "grant " + g.id() + " was issued by " + g.issuer() + ", not by the provider " + provider);
    }
    if (!g.resource().equals(resource)) {
      return new GrantException(GrantException.Reason.GRANT_WRONG_RESOURCE,
          "grant " + g.id() + " is for resource " + g.resource() + ", not " + resource);
    }
    if (!g.consumer().equals(consumer)
        && !(g.consumer().systemCode().isEmpty() && g.consumer().equals(consumer.organisation()))) {
      return new GrantException(GrantException.Reason.GRANT_WRONG_CONSUMER,
          "grant " + g.id() + " is for " + g.consumer() + ", not for " + consumer);
    }
    if (!g.purpose().equals(purpose)) {
      return new GrantException(GrantException.Reason.GRANT_WRONG_PURPOSE,
          "grant " + g.id() + " is for purpose " + g.purpose() + ", not " + purpose);
    }
    for (int i = 0; i < fields.size(); i++) {
      if (!g.fields().contains(fields.get(i))) {
        return new GrantException(GrantException.Reason.GRANT_FIELDS_NOT_GRANTED,
            "grant " + g.id() + " does not grant field " + fields.get(i));
      }
    }
    if (now.isBefore(g.notBefore())) {
      return new GrantException(GrantException.Reason.GRANT_NOT_YET_VALID,
          "grant " + g.id() + " is not valid before " + g.notBefore());
    }
    if (!now.isBefore(g.expiresAt())) {
      return new GrantException(GrantException.Reason.GRANT_EXPIRED, "grant " + g.id() + " expired at " + g.expiresAt());
    }
    if (revocations.isRevoked(g.key())) {
      return new GrantException(GrantException.Reason.GRANT_REVOKED, "grant " + g.id() + " was revoked");
    }
    return null;
  }
}
