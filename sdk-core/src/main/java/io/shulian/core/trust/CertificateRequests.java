package io.shulian.core.trust;

import io.shulian.core.internal.access.CoreAccess;
import io.shulian.core.internal.crypto.Pkix;
import io.shulian.core.internal.pki.Pki;
import io.shulian.core.keys.KeyAlgorithm;
import io.shulian.core.keys.PartyCertificate;
import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.party.PartyId;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.util.io.pem.PemObject;

/**
 * Certificate requests (PKCS#10) for the keys of a party identity, so that a department's private
 * keys never leave it: {@code shulian csr} writes them, {@code shulian ca sign-csr} answers them.
 *
 * <p>One request per key: the signing key's request is signed by itself (proof of possession); the
 * encryption key's and the TLS key's requests are signed by the signing key. An X25519 key cannot
 * sign, so it cannot prove possession in PKCS#10; the signing key's signature instead binds it to
 * the same holder (see docs/trust.md for what that does and does not guarantee).
 */
public final class CertificateRequests {
  private CertificateRequests() {}

  /** Returns the PEM text of the requests for every key of {@code identity}, for {@code party}. */
  public static String create(PartyIdentity identity, PartyId party) {
    byte[] signPkcs8 = CoreAccess.keys().signingPkcs8(identity);
    String uri = PartyCertificate.PARTY_URI_PREFIX + party;
    List<Object> pems = new ArrayList<>();
    PartyCertificate sc = identity.signingCertificate();
    pems.add(new PemObject("CERTIFICATE REQUEST", Pki.buildCsr(Pki.subjectOf(party),
        spki(sc), signPkcs8, uri, KeyUsage.digitalSignature | KeyUsage.nonRepudiation, false)));
    PartyCertificate ec = identity.encryptionCertificate();
    int encUsage = ec.algorithm() == KeyAlgorithm.SM2
        ? KeyUsage.keyEncipherment | KeyUsage.dataEncipherment | KeyUsage.keyAgreement
        : KeyUsage.keyAgreement;
    pems.add(new PemObject("CERTIFICATE REQUEST",
        Pki.buildCsr(Pki.subjectOf(party), spki(ec), signPkcs8, uri, encUsage, false)));
    if (identity.tlsCertificate().isPresent()) {
      pems.add(new PemObject("CERTIFICATE REQUEST", Pki.buildCsr(Pki.subjectOf(party),
          spki(identity.tlsCertificate().get()), signPkcs8, uri, KeyUsage.digitalSignature, true)));
    }
    return Pkix.toPem(pems);
  }

  private static byte[] spki(PartyCertificate c) {
    return c.certificate().getPublicKey().getEncoded();
  }
}
