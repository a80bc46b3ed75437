package io.shulian.spring.boot;

import io.shulian.core.keys.KeyMaterialException;
import io.shulian.core.keys.KeyUse;
import io.shulian.core.keys.PartyCertificate;
import io.shulian.core.keys.PartyCertificates;
import io.shulian.core.party.PartyId;
import io.shulian.core.trust.BundleHolder;
import io.shulian.core.trust.CityBundle;
import io.shulian.core.trust.PinnedSenderTrust;
import io.shulian.core.trust.SenderTrust;
import io.shulian.core.trust.TrustException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The trust the starter configured: pinned peer certificates ({@code shulian.trust.certificates})
 * or a city bundle verified against the city root ({@code shulian.trust.root} and {@code
 * shulian.trust.bundle}). It gives the opener its {@link SenderTrust}, finds a peer's encryption
 * certificate to seal to, and tells the health indicator until when it is fresh.
 */
public final class ShulianTrust {
  /** How the trust was configured. */
  public enum Kind {
    /** Exactly the pinned certificates. */
    PINNED,
    /** The city bundle, verified against the city root. */
    BUNDLE
  }

  private final Kind kind;
  private final SenderTrust senderTrust;
  private final List<PartyCertificate> pinned;
  private final @Nullable BundleHolder bundle;
  private final Duration grace;
  private final Clock clock;

  private ShulianTrust(Kind kind, SenderTrust senderTrust, List<PartyCertificate> pinned,
      @Nullable BundleHolder bundle, Duration grace, Clock clock) {
    this.kind = kind;
    this.senderTrust = senderTrust;
    this.pinned = List.copyOf(pinned);
    this.bundle = bundle;
    this.grace = grace;
    this.clock = clock;
  }

  /** Trusts exactly the given certificates. */
  public static ShulianTrust pinned(List<PartyCertificate> certificates, Clock clock) {
    if (certificates.isEmpty()) {
      throw new IllegalArgumentException("no pinned certificates");
    }
    return new ShulianTrust(Kind.PINNED, PinnedSenderTrust.of(certificates), certificates, null, Duration.ZERO,
        clock);
  }

  /** Trusts the parties of the bundle the holder holds (and of every later one it is given). */
  public static ShulianTrust bundle(BundleHolder holder, Duration grace, Clock clock) {
    return new ShulianTrust(Kind.BUNDLE, holder, List.of(), holder, grace, clock);
  }

  /** Returns how the trust was configured. */
  public Kind kind() {
    return kind;
  }

  /** Returns the sender trust the opener verifies senders with. */
  public SenderTrust senderTrust() {
    return senderTrust;
  }

  /** Returns the bundle holder (kind {@link Kind#BUNDLE}), e.g. to give it a newer bundle. */
  public Optional<BundleHolder> bundleHolder() {
    return Optional.ofNullable(bundle);
  }

  /**
   * Returns the certificate to seal to for {@code party}: its current encryption certificate.
   *
   * @throws TrustException when the party is unknown, revoked or its trust is stale
   */
  public PartyCertificate encryptionCertificate(PartyId party) throws TrustException {
    Objects.requireNonNull(party, "party");
    Instant now = clock.instant();
    if (bundle != null) {
      return bundle.trust().current(party, KeyUse.ENCRYPT, now);
    }
    List<PartyCertificate> mine = new ArrayList<>();
    for (PartyCertificate c : pinned) {
      if (c.party().equals(party) && !now.isBefore(c.notBefore()) && !now.isAfter(c.notAfter())) {
        mine.add(c);
      }
    }
    try {
      return PartyCertificates.of(mine).forUse(KeyUse.ENCRYPT);
    } catch (KeyMaterialException e) {
      throw new TrustException(TrustException.Reason.UNKNOWN_KEY,
          "no single valid pinned encryption certificate for " + party, e);
    }
  }

  /**
   * Returns until when this trust may be used: for a bundle, its valid-until plus the grace period
   * (empty while no bundle is held); for pinned certificates, the earliest not-after among them.
   */
  public Optional<Instant> freshUntil() {
    if (bundle != null) {
      return bundle.current().map(b -> b.validUntil().plus(grace));
    }
    return pinned.stream().map(PartyCertificate::notAfter).min(Comparator.naturalOrder());
  }

  /** Returns the version of the bundle held, if any. */
  public Optional<Long> bundleVersion() {
    return bundle == null ? Optional.empty() : bundle.current().map(CityBundle::version);
  }

  /** Returns whether the trust is fresh now (see {@link #freshUntil()}). */
  public boolean isFresh() {
    Optional<Instant> until = freshUntil();
    return until.isPresent() && !clock.instant().isAfter(until.get());
  }

  @Override
  public String toString() {
    return "ShulianTrust[" + kind + (kind == Kind.PINNED ? ", " + pinned.size() + " certificates" : "") + "]";
  }
}
