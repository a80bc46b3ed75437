package io.shulian.gateway.authenticate;

import io.shulian.core.keys.KeyId;
import io.shulian.core.keys.KeyUse;
import io.shulian.core.keys.PartyCertificate;
import io.shulian.core.party.PartyId;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Collection;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Trusts exactly the configured TLS certificates (development and two-party setups); with a city CA
 * use chain validation instead.
 */
public final class PinnedPeerVerifier implements PeerVerifier {
  private final Map<KeyId, PartyCertificate> trusted;
  private final Clock clock;

  public PinnedPeerVerifier(Collection<PartyCertificate> certificates, Clock clock) {
    this.trusted = certificates.stream().filter(c -> c.allows(KeyUse.TLS))
        .collect(Collectors.toUnmodifiableMap(PartyCertificate::keyId, Function.identity(), (a, b) -> a));
    this.clock = clock;
  }

  @Override
  public PartyId verify(X509Certificate[] chain) throws CertificateException {
    if (chain == null || chain.length == 0) {
      throw new CertificateException("peer presented no certificate");
    }
    KeyId id;
    try {
      id = KeyId.ofCertificate(chain[0].getEncoded());
    } catch (CertificateEncodingException e) {
      throw new CertificateException("peer certificate cannot be encoded");
    }
    PartyCertificate c = trusted.get(id);
    if (c == null) {
      throw new CertificateException("peer TLS certificate " + id + " is not trusted");
    }
    chain[0].checkValidity(java.util.Date.from(clock.instant()));
    return c.party();
  }
}
