package io.shulian.gateway.authenticate;

import io.shulian.core.party.PartyId;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;

/**
 * Decides whether a TLS peer's certificate chain speaks for a party of the city. Used for both
 * directions of mutual TLS between gateways.
 */
@FunctionalInterface
public interface PeerVerifier {
  /**
   * Returns the party the chain's leaf certificate belongs to.
   *
   * @throws CertificateException if the chain is not trusted for TLS (the handshake is refused)
   */
  PartyId verify(X509Certificate[] chain) throws CertificateException;
}
