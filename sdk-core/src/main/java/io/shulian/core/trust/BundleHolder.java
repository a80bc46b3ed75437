package io.shulian.core.trust;

import io.shulian.core.keys.KeyId;
import io.shulian.core.keys.PartyCertificate;
import io.shulian.core.party.PartyId;
import java.io.IOException;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds the current city bundle and the trust it establishes, and swaps in newer ones atomically.
 * Refuses a bundle with a bad signature, a version lower than the one held (rollback; an equal
 * version is accepted only with identical content), or one past its valid-until plus the grace
 * period. Readers never block and always see one consistent bundle with its trust.
 *
 * <p>With a {@link VersionFloor} the rollback check survives restarts: the newest bundle accepted
 * (version and SHA-256 of its signed JSON) is recorded durably before it is used, and a holder
 * created later refuses anything older, or the same version with other content, as a rollback.
 *
 * <p>As a {@link SenderTrust} it fails closed: with no bundle, or with one past valid-until plus
 * grace, every sender is refused with {@link TrustException.Reason#STALE_BUNDLE}.
 *
 * <p>Thread-safe.
 */
public final class BundleHolder implements SenderTrust {
  /** Default time a bundle past its valid-until is still used. */
  public static final Duration DEFAULT_BUNDLE_GRACE = Duration.ofHours(1);
  private static final Logger LOG = LoggerFactory.getLogger(BundleHolder.class);

  private final List<X509Certificate> roots;
  private final Clock clock;
  private final Duration bundleGrace;
  private final Duration crlGrace;
  private final AtomicReference<@Nullable Held> held = new AtomicReference<>();
  private final @Nullable VersionFloor floor;
  /** The newest bundle accepted by this holder or, with a floor, by any holder before it (guarded by this). */
  private @Nullable Accepted newest;
  private volatile boolean warnedStale;

  /** The version and payload SHA-256 (hex) of an accepted bundle. */
  public record Accepted(long version, String payloadSha256) {
    public Accepted {
      if (version < 1) {
        throw new IllegalArgumentException("bundle version must be at least 1, got " + version);
      }
      if (!payloadSha256.matches("[0-9a-f]{64}")) {
        throw new IllegalArgumentException("payload SHA-256 must be 64 lower-case hex digits");
      }
    }
  }

  /**
   * Keeps the newest accepted bundle across restarts (rollback protection that survives them).
   * Implementations must make {@link #write} durable before returning.
   */
  public interface VersionFloor {
    /**
     * Returns the newest bundle accepted before, or empty if none was.
     *
     * @throws IOException if it cannot be read or is damaged (never treated as "none")
     */
    Optional<Accepted> read() throws IOException;

    /** Durably records {@code accepted} as the newest accepted bundle. */
    void write(Accepted accepted) throws IOException;

    /**
     * Keeps the floor in one small file, replaced atomically (temporary file, fsync, rename, fsync
     * of the directory). A missing file means none; a damaged one is an error.
     */
    static VersionFloor file(Path file) {
      return new FileVersionFloor(file, false);
    }

    /** As {@link #file}, but never writes (for validating a configuration without side effects). */
    static VersionFloor readOnlyFile(Path file) {
      return new FileVersionFloor(file, true);
    }
  }

  private static final class Held {
    final CityBundle bundle;
    final CityTrust trust;

    Held(CityBundle bundle, CityTrust trust) {
      this.bundle = bundle;
      this.trust = trust;
    }
  }

  private BundleHolder(List<X509Certificate> roots, Clock clock, Duration bundleGrace, Duration crlGrace,
      @Nullable VersionFloor floor, @Nullable Accepted newest) {
    this.roots = List.copyOf(roots);
    this.clock = clock;
    this.bundleGrace = bundleGrace;
    this.crlGrace = crlGrace;
    this.floor = floor;
    this.newest = newest;
  }

  /**
   * Creates an empty holder trusting bundles signed by one of {@code roots}.
   *
   * @throws IllegalArgumentException for no roots or a grace period outside 0..7 days
   */
  public static BundleHolder of(Collection<X509Certificate> roots, Clock clock, Duration bundleGrace, Duration crlGrace) {
    check(roots, bundleGrace, crlGrace);
    return new BundleHolder(List.copyOf(roots), Objects.requireNonNull(clock), bundleGrace, crlGrace, null, null);
  }

  /**
   * Creates an empty holder as {@link #of(Collection, Clock, Duration, Duration)} whose rollback
   * check also covers every bundle accepted before with the same {@code floor}: it reads the floor
   * now, and records each newer bundle there before using it.
   *
   * @throws IOException if the floor cannot be read or is damaged
   */
  public static BundleHolder of(Collection<X509Certificate> roots, Clock clock, Duration bundleGrace, Duration crlGrace,
      VersionFloor floor) throws IOException {
    check(roots, bundleGrace, crlGrace);
    Accepted before = floor.read().orElse(null);
    return new BundleHolder(List.copyOf(roots), Objects.requireNonNull(clock), bundleGrace, crlGrace, floor, before);
  }

  private static void check(Collection<X509Certificate> roots, Duration bundleGrace, Duration crlGrace) {
    if (roots.isEmpty()) {
      throw new IllegalArgumentException("a bundle holder needs at least one trusted root");
    }
    for (Duration d : List.of(bundleGrace, crlGrace)) {
      if (d.isNegative() || d.compareTo(Duration.ofDays(7)) > 0) {
        throw new IllegalArgumentException("grace periods must be between 0 and 7 days, got " + d);
      }
    }
  }

  /** Creates an empty holder with the default grace periods (1 h each) and the system clock. */
  public static BundleHolder of(Collection<X509Certificate> roots) {
    return of(roots, Clock.systemUTC(), DEFAULT_BUNDLE_GRACE, CityTrust.DEFAULT_CRL_GRACE);
  }

  /**
   * Verifies a bundle and, if it is acceptable, makes it current.
   *
   * @return the bundle now held (the old one if {@code jws} is the same bundle again)
   * @throws BundleException if it is refused; the held bundle is unchanged
   */
  public synchronized CityBundle update(byte[] jws) throws BundleException {
    CityBundle b = CityBundle.verify(jws, roots, clock.instant(), bundleGrace);
    Held cur = held.get();
    if (cur != null) {
      if (b.version() < cur.bundle.version()) {
        throw new BundleException(BundleException.Reason.ROLLBACK,
            "bundle v" + b.version() + " is older than the v" + cur.bundle.version() + " held (rollback refused)");
      }
      if (b.version() == cur.bundle.version()) {
        if (b.sameContentAs(cur.bundle)) {
          return cur.bundle;
        }
        throw new BundleException(BundleException.Reason.ROLLBACK,
            "bundle v" + b.version() + " differs from the v" + cur.bundle.version() + " held; a new bundle needs a new version");
      }
    }
    Accepted accepted = new Accepted(b.version(), b.payloadSha256());
    if (newest != null && floor != null) {
      // what an earlier holder (before a restart) accepted: the same rules as for the held bundle
      if (b.version() < newest.version()) {
        throw new BundleException(BundleException.Reason.ROLLBACK, "bundle v" + b.version() + " is older than v"
            + newest.version() + ", which was accepted before (recorded in " + floor + "); rollback refused");
      }
      if (b.version() == newest.version() && !accepted.equals(newest)) {
        throw new BundleException(BundleException.Reason.ROLLBACK, "bundle v" + b.version() + " differs from the v"
            + newest.version() + " accepted before (recorded in " + floor + "); a new bundle needs a new version");
      }
    }
    CityTrust trust;
    try {
      trust = b.trust(roots, crlGrace);
    } catch (TrustException e) {
      throw new BundleException(BundleException.Reason.MALFORMED, "bundle v" + b.version() + ": " + e.getMessage());
    }
    if (floor != null && (newest == null || b.version() > newest.version())) {
      try {
        floor.write(accepted); // durable before it is used: a restart can never go back below it
      } catch (IOException e) {
        throw new BundleException(BundleException.Reason.NOT_RECORDED, "bundle v" + b.version()
            + " is not used: it cannot be recorded in " + floor + " (" + e.getMessage() + ")");
      }
    }
    if (newest == null || b.version() > newest.version()) {
      newest = accepted;
    }
    held.set(new Held(b, trust));
    warnedStale = false;
    LOG.info("city bundle v{} in use: {} parties, valid until {}", b.version(), b.parties().size(), b.validUntil());
    return b;
  }

  /** Returns the bundle held, if any (it may be past its validity: see {@link #trust()}). */
  public Optional<CityBundle> current() {
    Held h = held.get();
    return Optional.ofNullable(h == null ? null : h.bundle);
  }

  /**
   * Returns the trust of the current bundle.
   *
   * @throws TrustException STALE_BUNDLE if there is none or it is past valid-until plus grace
   */
  public CityTrust trust() throws TrustException {
    return trust(clock.instant());
  }

  private CityTrust trust(Instant at) throws TrustException {
    Held h = held.get();
    if (h == null) {
      throw new TrustException(TrustException.Reason.STALE_BUNDLE, "no city bundle is loaded");
    }
    Instant until = h.bundle.validUntil();
    if (at.isAfter(until)) {
      if (at.isAfter(until.plus(bundleGrace))) {
        throw new TrustException(TrustException.Reason.STALE_BUNDLE, "city bundle v" + h.bundle.version()
            + " expired at " + until + " and the grace period of " + bundleGrace + " is over");
      }
      if (!warnedStale) {
        warnedStale = true;
        LOG.warn("city bundle v{} is past its valid-until {}; used for the grace period of {}",
            h.bundle.version(), until, bundleGrace);
      }
    }
    return h.trust;
  }

  @Override
  public PartyCertificate signer(KeyId keyId, PartyId claimedSender, Instant at) throws TrustException {
    return trust(at).signer(keyId, claimedSender, at);
  }

  @Override
  public String toString() {
    return "BundleHolder[" + current().map(CityBundle::toString).orElse("empty") + "]";
  }
}
