package io.shulian.core.trust;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.shulian.core.internal.crypto.KeyCodec;
import io.shulian.core.internal.crypto.Pkix;
import io.shulian.core.internal.pki.Pki;
import io.shulian.core.keys.KeyId;
import io.shulian.core.keys.KeyUse;
import io.shulian.core.keys.PartyCertificate;
import io.shulian.core.keys.Suite;
import io.shulian.core.party.PartyId;
import java.math.BigInteger;
import java.security.cert.CertPathValidatorException;
import java.security.cert.PKIXReason;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CRL;
import java.security.cert.X509CRLEntry;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.security.auth.x500.X500Principal;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trust in the city CA: a party certificate is trusted for a use when it chains to a configured
 * root (Bouncy Castle PKIX, for INTL and GM alike), is valid at the moment in question, allows the
 * use, is of the CA's suite (for signing and encryption), and is not on its CA's CRL.
 *
 * <p><b>Revocation and staleness.</b> Every CA certificate that issues party certificates must have
 * a CRL (unless {@link Builder#allowMissingCrl()} was called). A CRL past its next update stays in
 * use for a grace period ({@link Builder#crlGracePeriod}, default {@link #DEFAULT_CRL_GRACE}) with a
 * warning logged once; after that, every certificate of that CA is refused with {@link
 * TrustException.Reason#STALE_CRL} until a fresh CRL arrives (fail closed). {@link
 * #crlStatus(Instant)} shows the state for health checks and metrics.
 *
 * <p><b>Caching.</b> A successful chain and revocation check is cached by key id (certificate
 * thumbprint) until the earliest of the CRL's next update and the chain's notAfter; never longer.
 * A new CRL means a new {@code CityTrust} (see {@link BundleHolder}), hence an empty cache.
 *
 * <p><b>Rotation.</b> A party may hold several certificates at once; {@link #signer} picks the one
 * named by the envelope's key id.
 *
 * <p>Immutable apart from its cache; thread-safe.
 */
public final class CityTrust implements SenderTrust {
  /** Default time a CRL past its next update is still used. */
  public static final Duration DEFAULT_CRL_GRACE = Duration.ofHours(1);
  /** Default number of validation results cached. */
  public static final int DEFAULT_CACHE_SIZE = 10_000;

  private static final Logger LOG = LoggerFactory.getLogger(CityTrust.class);
  private static final int MAX_PATH = 4;

  private final List<X509Certificate> anchors;
  private final List<X509Certificate> intermediates;
  private final Map<X500Principal, Crl> crls;
  private final Map<KeyId, PartyCertificate> byKeyId;
  private final Map<PartyId, List<PartyCertificate>> byParty;
  private final Duration grace;
  private final boolean requireCrl;
  private final @Nullable Cache<KeyId, Validated> cache;

  /** A CRL verified against its issuer, with its last logged state. */
  private static final class Crl {
    final X509CRL crl;
    final Instant thisUpdate;
    final Instant nextUpdate;
    final BigInteger number;
    final String issuer;
    volatile CrlStatus.State logged = CrlStatus.State.FRESH;

    Crl(X509CRL crl, Instant nextUpdate) {
      this.crl = crl;
      this.thisUpdate = crl.getThisUpdate().toInstant();
      this.nextUpdate = nextUpdate;
      this.number = Pki.crlNumber(crl);
      this.issuer = crl.getIssuerX500Principal().getName();
    }
  }

  /** A cached verdict: chain and revocation checked, good for moments in [from, until). */
  private static final class Validated {
    final Instant from;
    final Instant until;

    Validated(Instant from, Instant until) {
      this.from = from;
      this.until = until;
    }
  }

  private CityTrust(Builder b) throws TrustException {
    if (b.anchors.isEmpty()) {
      throw new TrustException(TrustException.Reason.BAD_TRUST_MATERIAL, "no trusted root certificate given");
    }
    for (X509Certificate a : b.anchors) {
      requireCa(a, "root");
    }
    this.anchors = List.copyOf(b.anchors);
    List<X509Certificate> inter = new ArrayList<>();
    for (X509Certificate c : b.caCertificates) {
      if (!containsCert(anchors, c)) {
        requireCa(c, "CA");
        inter.add(c);
      }
    }
    this.intermediates = List.copyOf(inter);
    Map<X500Principal, Crl> m = new HashMap<>();
    for (X509CRL crl : b.crls) {
      X509Certificate issuer = null;
      for (X509Certificate ca : allCas()) {
        if (Pki.crlSignedBy(crl, ca)) {
          issuer = ca;
          break;
        }
      }
      if (issuer == null) {
        throw new TrustException(TrustException.Reason.BAD_TRUST_MATERIAL,
            "CRL of " + crl.getIssuerX500Principal().getName() + " is not signed by a trusted CA");
      }
      if (crl.hasUnsupportedCriticalExtension()) {
        throw new TrustException(TrustException.Reason.BAD_TRUST_MATERIAL,
            "CRL of " + issuer.getSubjectX500Principal().getName() + " has an unsupported critical extension (delta or partitioned CRLs are not used)");
      }
      if (crl.getNextUpdate() == null) {
        throw new TrustException(TrustException.Reason.BAD_TRUST_MATERIAL, "CRL has no next update");
      }
      Crl c = new Crl(crl, crl.getNextUpdate().toInstant());
      Crl old = m.get(crl.getIssuerX500Principal());
      if (old == null || c.thisUpdate.isAfter(old.thisUpdate)) {
        m.put(crl.getIssuerX500Principal(), c);
      }
    }
    this.crls = Map.copyOf(m);
    Map<KeyId, PartyCertificate> k = new LinkedHashMap<>();
    Map<PartyId, List<PartyCertificate>> p = new HashMap<>();
    for (PartyCertificate c : b.partyCertificates) {
      if (k.putIfAbsent(c.keyId(), c) == null) {
        p.computeIfAbsent(c.party(), x -> new ArrayList<>()).add(c);
      }
    }
    this.byKeyId = Map.copyOf(k);
    Map<PartyId, List<PartyCertificate>> pp = new HashMap<>();
    p.forEach((party, list) -> pp.put(party, List.copyOf(list)));
    this.byParty = Map.copyOf(pp);
    this.grace = b.grace;
    this.requireCrl = b.requireCrl;
    Clock clock = b.clock;
    this.cache = b.cacheSize == 0 ? null
        : Caffeine.newBuilder()
            .maximumSize(b.cacheSize)
            .executor(Runnable::run)
            .expireAfter(Expiry.<KeyId, Validated>creating((key, v) -> {
              Duration d = Duration.between(clock.instant(), v.until);
              return d.isNegative() ? Duration.ZERO : d;
            }))
            .build();
  }

  private static boolean containsCert(List<X509Certificate> list, X509Certificate c) {
    for (X509Certificate x : list) {
      if (x.equals(c)) {
        return true;
      }
    }
    return false;
  }

  private List<X509Certificate> allCas() {
    List<X509Certificate> all = new ArrayList<>(anchors);
    all.addAll(intermediates);
    return all;
  }

  private static void requireCa(X509Certificate c, String what) throws TrustException {
    if (!isCaCertificate(c)) {
      throw new TrustException(TrustException.Reason.BAD_TRUST_MATERIAL,
          what + " certificate " + c.getSubjectX500Principal().getName()
              + " is not a CA certificate (basicConstraints CA and keyCertSign)");
    }
  }

  /** Returns true if the certificate is a CA certificate: basicConstraints CA, and keyCertSign if key usage is present. */
  public static boolean isCaCertificate(X509Certificate c) {
    boolean[] ku = c.getKeyUsage();
    return c.getBasicConstraints() >= 0 && (ku == null || (ku.length > 5 && ku[5]));
  }

  public static Builder builder() {
    return new Builder();
  }

  // ---- queries ---------------------------------------------------------------------------

  @Override
  public PartyCertificate signer(KeyId keyId, PartyId claimedSender, Instant at) throws TrustException {
    PartyCertificate c = byKeyId.get(keyId);
    if (c == null) {
      throw new TrustException(TrustException.Reason.UNKNOWN_KEY, "no known party certificate has key id " + keyId);
    }
    if (!c.party().equals(claimedSender)) {
      throw new TrustException(TrustException.Reason.PARTY_MISMATCH,
          "key " + keyId + " belongs to " + c.party() + ", not to the claimed sender " + claimedSender);
    }
    return validate(c, KeyUse.SIGN, at);
  }

  /**
   * Returns {@code certificate} if the city trusts it for {@code use} at {@code at}.
   *
   * @throws TrustException with the reason: WRONG_USAGE, NOT_YET_VALID, EXPIRED, UNKNOWN_ISSUER,
   *     REVOKED or STALE_CRL
   */
  public PartyCertificate validate(PartyCertificate certificate, KeyUse use, Instant at) throws TrustException {
    Objects.requireNonNull(use, "use");
    KeyId kid = certificate.keyId();
    if (!certificate.allows(use)) {
      throw new TrustException(TrustException.Reason.WRONG_USAGE,
          "certificate " + kid + " of " + certificate.party() + " does not allow " + use + " (allows " + certificate.uses() + ")");
    }
    if (use != KeyUse.TLS && certificate.allows(KeyUse.TLS)) {
      // one key, one use: a TLS key (EKU serverAuth/clientAuth) never signs or receives envelopes
      throw new TrustException(TrustException.Reason.WRONG_USAGE,
          "certificate " + kid + " of " + certificate.party() + " is a TLS certificate and cannot be used for " + use);
    }
    if (at.isBefore(certificate.notBefore())) {
      throw new TrustException(TrustException.Reason.NOT_YET_VALID,
          "certificate " + kid + " of " + certificate.party() + " is not valid before " + certificate.notBefore());
    }
    if (at.isAfter(certificate.notAfter())) {
      throw new TrustException(TrustException.Reason.EXPIRED,
          "certificate " + kid + " of " + certificate.party() + " expired at " + certificate.notAfter());
    }
    if (cache != null) {
      Validated v = cache.getIfPresent(kid);
      if (v != null && !at.isBefore(v.from) && at.isBefore(v.until)) {
        return certificate;
      }
    }
    Validated v = validateUncached(certificate, use, at);
    if (cache != null && at.isBefore(v.until)) {
      cache.put(kid, v);
    }
    return certificate;
  }

  private Validated validateUncached(PartyCertificate pc, KeyUse use, Instant at) throws TrustException {
    X509Certificate leaf = pc.certificate();
    String name = "certificate " + pc.keyId() + " of " + pc.party();
    List<X509Certificate> path = new ArrayList<>();
    path.add(leaf);
    Set<TrustAnchor> candidates = new HashSet<>();
    X509Certificate current = leaf;
    X509Certificate anchor = null;
    for (int depth = 0; depth < MAX_PATH && anchor == null; depth++) {
      X500Principal issuer = current.getIssuerX500Principal();
      for (X509Certificate a : anchors) {
        if (a.getSubjectX500Principal().equals(issuer)) {
          candidates.add(new TrustAnchor(a, null));
          anchor = a;
        }
      }
      if (anchor == null) {
        X509Certificate next = null;
        for (X509Certificate i : intermediates) {
          if (i.getSubjectX500Principal().equals(issuer) && !path.contains(i)) {
            next = i;
            break;
          }
        }
        if (next == null) {
          break;
        }
        path.add(next);
        current = next;
      }
    }
    if (anchor == null) {
      throw new TrustException(TrustException.Reason.UNKNOWN_ISSUER,
          name + " is issued by " + leaf.getIssuerX500Principal().getName() + ", which does not chain to a trusted root");
    }
    Instant from = leaf.getNotBefore().toInstant();
    Instant until = leaf.getNotAfter().toInstant();
    for (X509Certificate c : path.subList(1, path.size())) {
      checkTime(c, at, "CA certificate " + c.getSubjectX500Principal().getName());
    }
    for (TrustAnchor a : candidates) {
      checkTime(a.getTrustedCert(), at, "root certificate " + a.getTrustedCert().getSubjectX500Principal().getName());
    }
    try {
      Pki.validatePath(path, candidates, at);
    } catch (CertPathValidatorException e) {
      TrustException.Reason r = e.getReason() == PKIXReason.INVALID_KEY_USAGE
          ? TrustException.Reason.WRONG_USAGE : TrustException.Reason.UNKNOWN_ISSUER;
      throw new TrustException(r, name + " does not chain to a trusted root: " + e.getMessage());
    }
    if (use != KeyUse.TLS) {
      Suite caSuite = KeyCodec.publicKey(anchor.getPublicKey().getEncoded()).algorithm().suite();
      if (caSuite != pc.suite()) {
        throw new TrustException(TrustException.Reason.WRONG_USAGE,
            name + " is a " + pc.suite() + " key, but the " + caSuite + " city CA vouches for " + caSuite + " keys only");
      }
    }
    for (X509Certificate c : path) {
      from = max(from, c.getNotBefore().toInstant());
      until = min(until, c.getNotAfter().toInstant());
      Crl crl = crls.get(c.getIssuerX500Principal());
      if (crl == null) {
        if (requireCrl) {
          throw new TrustException(TrustException.Reason.STALE_CRL,
              "no CRL of " + c.getIssuerX500Principal().getName() + " is available; " + name + " cannot be checked for revocation");
        }
        continue;
      }
      CrlStatus.State state = stateOf(crl, at);
      if (state == CrlStatus.State.STALE) {
        throw new TrustException(TrustException.Reason.STALE_CRL,
            "CRL of " + crl.issuer + " was due at " + crl.nextUpdate + " and is past the grace period of " + grace
                + "; " + name + " is refused until a fresh CRL arrives");
      }
      X509CRLEntry entry = crl.crl.getRevokedCertificate(c);
      if (entry != null) {
        throw new TrustException(TrustException.Reason.REVOKED,
            (c == leaf ? name : "CA certificate " + c.getSubjectX500Principal().getName())
                + " (serial " + c.getSerialNumber().toString(16) + ") was revoked at " + entry.getRevocationDate().toInstant()
                + (entry.getRevocationReason() == null ? "" : " (" + entry.getRevocationReason() + ")"));
      }
      until = min(until, crl.nextUpdate);
    }
    for (TrustAnchor a : candidates) {
      until = min(until, a.getTrustedCert().getNotAfter().toInstant());
    }
    return new Validated(from, until);
  }

  private static void checkTime(X509Certificate c, Instant at, String name) throws TrustException {
    if (at.isBefore(c.getNotBefore().toInstant())) {
      throw new TrustException(TrustException.Reason.NOT_YET_VALID, name + " is not valid before " + c.getNotBefore().toInstant());
    }
    if (at.isAfter(c.getNotAfter().toInstant())) {
      throw new TrustException(TrustException.Reason.EXPIRED, name + " expired at " + c.getNotAfter().toInstant());
    }
  }

  private CrlStatus.State stateOf(Crl crl, Instant at) {
    CrlStatus.State s = !at.isAfter(crl.nextUpdate) ? CrlStatus.State.FRESH
        : !at.isAfter(crl.nextUpdate.plus(grace)) ? CrlStatus.State.IN_GRACE : CrlStatus.State.STALE;
    if (s != crl.logged) {
      crl.logged = s;
      if (s == CrlStatus.State.IN_GRACE) {
        LOG.warn("CRL of {} (#{}) is past its next update {}; still used for the grace period of {} (until {})",
            crl.issuer, crl.number, crl.nextUpdate, grace, crl.nextUpdate.plus(grace));
      } else if (s == CrlStatus.State.STALE) {
        LOG.error("CRL of {} (#{}) is stale: next update was {}, grace period {} is over; certificates of this CA are refused",
            crl.issuer, crl.number, crl.nextUpdate, grace);
      }
    }
    return s;
  }

  /** Returns the freshness of each CA's CRL at {@code at}, for health checks and metrics. */
  public List<CrlStatus> crlStatus(Instant at) {
    List<CrlStatus> out = new ArrayList<>();
    for (Crl c : crls.values()) {
      out.add(new CrlStatus(c.issuer, c.number, c.thisUpdate, c.nextUpdate, at, stateOf(c, at)));
    }
    out.sort(Comparator.comparing(CrlStatus::issuer));
    return out;
  }

  /** Returns the known certificate with this key id (not yet validated). */
  public Optional<PartyCertificate> certificate(KeyId keyId) {
    return Optional.ofNullable(byKeyId.get(keyId));
  }

  /** Returns the known certificates of a party (not yet validated), in the order given. */
  public List<PartyCertificate> certificates(PartyId party) {
    return byParty.getOrDefault(party, List.of());
  }

  /**
   * Returns the party's newest certificate trusted for {@code use} at {@code at}: what a sender
   * encrypts to during a rotation.
   *
   * @throws TrustException with the reason of the last candidate refused, or UNKNOWN_KEY if the
   *     party has no certificate for the use
   */
  public PartyCertificate current(PartyId party, KeyUse use, Instant at) throws TrustException {
    List<PartyCertificate> list = new ArrayList<>(certificates(party));
    list.sort(Comparator.comparing(PartyCertificate::notBefore).reversed());
    TrustException last = null;
    for (PartyCertificate c : list) {
      if (!c.allows(use)) {
        continue;
      }
      try {
        return validate(c, use, at);
      } catch (TrustException e) {
        last = e;
      }
    }
    if (last != null) {
      throw last;
    }
    throw new TrustException(TrustException.Reason.UNKNOWN_KEY, party + " has no certificate for " + use);
  }

  /** Returns the trusted root certificates. */
  public List<X509Certificate> roots() {
    return anchors;
  }

  /** Forgets every cached validation result. */
  public void invalidateCache() {
    if (cache != null) {
      cache.invalidateAll();
    }
  }

  private static Instant min(Instant a, Instant b) {
    return a.isBefore(b) ? a : b;
  }

  private static Instant max(Instant a, Instant b) {
    return a.isAfter(b) ? a : b;
  }

  // ---- reading trust material ------------------------------------------------------------

  /**
   * Reads every certificate from PEM text (CA and party certificates alike).
   *
   * @throws TrustException BAD_TRUST_MATERIAL for malformed data
   */
  public static List<X509Certificate> readCertificates(String pem) throws TrustException {
    try {
      return Pkix.readPemCertificates(pem);
    } catch (IllegalArgumentException e) {
      throw new TrustException(TrustException.Reason.BAD_TRUST_MATERIAL, Objects.requireNonNullElse(e.getMessage(), e.getClass().getSimpleName()), e);
    }
  }

  /**
   * Reads every CRL from PEM text; signatures are checked when a trust is built from them.
   *
   * @throws TrustException BAD_TRUST_MATERIAL for malformed data
   */
  public static List<X509CRL> readCrls(String pem) throws TrustException {
    try {
      return Pki.readPemCrls(pem);
    } catch (IllegalArgumentException e) {
      throw new TrustException(TrustException.Reason.BAD_TRUST_MATERIAL, Objects.requireNonNullElse(e.getMessage(), e.getClass().getSimpleName()), e);
    }
  }

  @Override
  public String toString() {
    return "CityTrust[" + anchors.size() + " roots, " + crls.size() + " CRLs, " + byKeyId.size() + " party certificates]";
  }

  /** Builds a {@link CityTrust}; each option set at most once. */
  public static final class Builder {
    private final List<X509Certificate> anchors = new ArrayList<>();
    private final List<X509Certificate> caCertificates = new ArrayList<>();
    private final List<X509CRL> crls = new ArrayList<>();
    private final List<PartyCertificate> partyCertificates = new ArrayList<>();
    private Duration grace = DEFAULT_CRL_GRACE;
    private boolean requireCrl = true;
    private int cacheSize = DEFAULT_CACHE_SIZE;
    private Clock clock = Clock.systemUTC();
    private final Set<String> set = ConcurrentHashMap.newKeySet();

    private Builder() {}

    private void once(String option) {
      if (!set.add(option)) {
        throw new IllegalStateException(option + " is already set");
      }
    }

    /** Trusts these root certificates (self-signed city CAs). */
    public Builder roots(Collection<X509Certificate> roots) {
      once("roots");
      anchors.addAll(roots);
      return this;
    }

    /** Intermediate CA certificates that may appear between a root and a party certificate. */
    public Builder caCertificates(Collection<X509Certificate> cas) {
      once("caCertificates");
      caCertificates.addAll(cas);
      return this;
    }

    /** The CRLs of the CAs; each must be signed by a root or CA certificate given here. */
    public Builder crls(Collection<X509CRL> list) {
      once("crls");
      crls.addAll(list);
      return this;
    }

    /** The party certificates that {@link #signer} may return (validated on each use). */
    public Builder partyCertificates(Collection<PartyCertificate> certs) {
      once("partyCertificates");
      partyCertificates.addAll(certs);
      return this;
    }

    /** How long a CRL past its next update is still used (default 1 h, at most 7 days). */
    public Builder crlGracePeriod(Duration g) {
      once("crlGracePeriod");
      if (g.isNegative() || g.compareTo(Duration.ofDays(7)) > 0) {
        throw new IllegalArgumentException("CRL grace period must be between 0 and 7 days, got " + g);
      }
      grace = g;
      return this;
    }

    /**
     * Accepts certificates whose CA has no CRL here, without revocation checking. Insecure: for
     * development before a CA publishes CRLs.
     */
    public Builder allowMissingCrl() {
      once("allowMissingCrl");
      requireCrl = false;
      return this;
    }

    /** Number of validation results cached (default 10 000; 0 disables the cache). */
    public Builder cacheSize(int n) {
      once("cacheSize");
      if (n < 0 || n > 10_000_000) {
        throw new IllegalArgumentException("cache size must be between 0 and 10 000 000, got " + n);
      }
      cacheSize = n;
      return this;
    }

    /** The clock that times cache eviction (validation itself uses the moment passed in). */
    public Builder clock(Clock c) {
      once("clock");
      clock = Objects.requireNonNull(c);
      return this;
    }

    /**
     * Builds the trust.
     *
     * @throws TrustException BAD_TRUST_MATERIAL if no root is given, a root or CA certificate is no
     *     CA, or a CRL is not signed by one of them
     */
    public CityTrust build() throws TrustException {
      return new CityTrust(this);
    }
  }
}
