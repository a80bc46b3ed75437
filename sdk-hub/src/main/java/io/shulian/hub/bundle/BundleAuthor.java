package io.shulian.hub.bundle;

import io.shulian.core.keys.Suite;
import io.shulian.core.trust.BundleException;
import io.shulian.core.trust.CityAuthority;
import io.shulian.core.trust.CityBundle;
import io.shulian.hub.store.HubStore;
import io.shulian.hub.store.PublishedBundle;
import java.security.cert.X509CRL;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes bundles on the hub with the bureau's bundle-signing key (the city CA that {@code shulian
 * bundle sign} uses): a new bundle is the newest published bundle's content plus a {@link Change},
 * with version {@code max(previous + 1, now in ms)}, the previous bundle's validity period and CRL
 * period from now, and a fresh CRL; it is signed and then published through {@link Publisher}
 * (verified against the city root, one database transaction with the change's own rows, audit,
 * then the long-poll waiters). Everything runs on the publishing thread, so authored and uploaded
 * bundles of a suite are serialised. Nothing is stored when the change, the signing or the
 * verification fails.
 */
public final class BundleAuthor {
  private static final Logger LOG = LoggerFactory.getLogger(BundleAuthor.class);
  /** How stale the newest bundle may be and still serve as the base of a new one (its content is ours). */
  private static final Duration BASE_GRACE = Duration.ofDays(366);

  private final Publisher publisher;
  private final HubStore store;
  private final Map<Suite, CityAuthority> signers;

  /** A change to a bundle: applied to the draft copied from the newest bundle. */
  public interface Change {
    /**
     * Changes {@code draft}; {@code ca} is the suite's signing CA (for a certificate revocation).
     *
     * @throws Refused if the change cannot be made (nothing is published)
     */
    void apply(CityBundle.Draft draft, CityBundle previous, CityAuthority ca) throws Refused;

    /** Rows to write in the publish's transaction, given the new bundle's version; null for none. */
    default HubStore.@Nullable InTransaction rows(long version, Instant at) {
      return null;
    }
  }

  /** A change that cannot be made; {@code code} is a stable problem code. */
  public static final class Refused extends Exception {
    private static final long serialVersionUID = 1L;
    private final String code;

    public Refused(String code, String detail) {
      super(detail);
      this.code = code;
    }

    public String code() {
      return code;
    }
  }

  public BundleAuthor(Publisher publisher, HubStore store, Map<Suite, CityAuthority> signers) {
    this.publisher = publisher;
    this.store = store;
    this.signers = signers.isEmpty() ? Map.of() : new EnumMap<>(signers);
  }

  /** Whether the hub holds the signing key of {@code suite}. */
  public boolean signs(Suite suite) {
    return signers.containsKey(suite);
  }

  /**
   * Publishes the newest bundle of {@code suite} changed by {@code change}, for {@code operator}.
   * Refusals: {@code NO_SIGNING_KEY}, {@code NO_BUNDLE} (nothing published yet to start from), the
   * change's own codes, {@code BUNDLE_NOT_SIGNED} (signing failed), and those of {@link Publisher}.
   */
  public CompletableFuture<Publisher.Result> publish(Suite suite, Change change, String operator, Publisher.Cause cause) {
    return publisher.onPublishThread(() -> publishNow(suite, change, operator, cause));
  }

  private Publisher.Result publishNow(Suite suite, Change change, String operator, Publisher.Cause cause) {
    try {
      publisher.checkAudit();
    } catch (io.shulian.hub.audit.AuditUnavailableException e) {
      return refused(io.shulian.hub.audit.AuditUnavailableException.CODE,
          "the hub's audit log is not writable; nothing was changed");
    }
    CityAuthority ca = signers.get(suite);
    if (ca == null) {
      return refused("NO_SIGNING_KEY", "this hub holds no bundle-signing key for suite " + HubStore.suiteName(suite));
    }
    Optional<PublishedBundle> newest;
    try {
      newest = store.newest(suite);
    } catch (java.sql.SQLException e) {
      return refused("DATABASE_UNAVAILABLE", "the newest bundle could not be read; try again");
    }
    if (newest.isEmpty()) {
      return refused("NO_BUNDLE", "no bundle of this suite is published yet to start from");
    }
    java.util.List<java.security.cert.X509Certificate> root = publisher.roots().get(suite);
    if (root == null) {
      return refused("NO_SIGNING_KEY", "the hub has no city root for this suite");
    }
    CityBundle previous;
    try {
      previous = CityBundle.verify(newest.get().bytes(), root, Instant.now(), BASE_GRACE);
    } catch (BundleException | RuntimeException e) {
      return refused("BUNDLE_INVALID", "the newest published bundle cannot be the base of a new one: " + e.getMessage());
    }
    CityBundle.Draft draft = previous.toDraft();
    try {
      change.apply(draft, previous, ca);
    } catch (Refused e) {
      return refused(e.code(), String.valueOf(e.getMessage()));
    }
    Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    long version = Math.max(previous.version() + 1, now.toEpochMilli());
    String jws;
    try {
      X509CRL prevCrl = previous.crl();
      Duration crlPeriod = prevCrl.getNextUpdate() == null ? Duration.ofHours(24)
          : Duration.between(prevCrl.getThisUpdate().toInstant(), prevCrl.getNextUpdate().toInstant());
      Duration validity = Duration.between(previous.issuedAt(), previous.validUntil());
      jws = draft.version(version).validity(now, now.plus(validity))
          .crl(ca.crl(clamp(crlPeriod, Duration.ofMinutes(1), Duration.ofDays(31)))).sign(ca);
    } catch (java.io.IOException | RuntimeException e) {
      LOG.atError().addKeyValue("event", "hub_bundle_sign_failed").addKeyValue("suite", HubStore.suiteName(suite))
          .log("the hub could not sign a bundle: {}", e.getMessage());
      return refused("BUNDLE_NOT_SIGNED", "the bundle could not be signed: " + e.getMessage());
    }
    return publisher.publishNow(suite, jws.getBytes(java.nio.charset.StandardCharsets.US_ASCII), operator,
        change.rows(version, now), cause);
  }

  private static Duration clamp(Duration d, Duration min, Duration max) {
    return d.compareTo(min) < 0 ? min : d.compareTo(max) > 0 ? max : d;
  }

  private static Publisher.Result refused(String code, String detail) {
    return new Publisher.Result(false, code, detail, 0, "");
  }
}
