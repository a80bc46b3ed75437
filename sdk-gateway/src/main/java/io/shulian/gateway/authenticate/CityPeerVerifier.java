package io.shulian.gateway.authenticate;

import io.shulian.core.keys.KeyMaterialException;
import io.shulian.core.keys.KeyUse;
import io.shulian.core.keys.PartyCertificate;
import io.shulian.core.party.PartyId;
import io.shulian.core.trust.BundleHolder;
import io.shulian.core.trust.TrustException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Clock;

/**
 * Trusts TLS certificates that chain to the city root, are not revoked (current CRL of the city
 * bundle) and allow TLS; fails closed when the bundle or CRL is stale past its grace period.
 * Validation results are cached by the city trust.
 */
public final class CityPeerVerifier implements PeerVerifier {
  private final BundleHolder bundle;
  private final Clock clock;

  public CityPeerVerifier(BundleHolder bundle, Clock clock) {
    this.bundle = bundle;
    this.clock = clock;
  }

  @Override
  public PartyId verify(X509Certificate[] chain) throws CertificateException {
    if (chain == null || chain.length == 0) {
      throw new CertificateException("peer presented no certificate");
    }
    try {
      PartyCertificate leaf = PartyCertificate.of(chain[0]);
      return bundle.trust().validate(leaf, KeyUse.TLS, clock.instant()).party();
    } catch (KeyMaterialException | TrustException e) {
      throw new CertificateException("peer certificate refused: " + e.getMessage());
    }
  }
}
