package io.shulian.gateway;

import io.shulian.core.keys.KeyAlgorithm;
import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.keys.Suite;
import io.shulian.core.party.PartyId;
import io.shulian.core.testing.CertificateForge;
import java.security.cert.X509Certificate;
import java.util.List;
import org.bouncycastle.asn1.x509.KeyUsage;

/** Self-signed party identities with signing, encryption and TLS keys, for gateway tests. */
final class TestIdentities {
  private TestIdentities() {}

  static PartyIdentity create(Suite suite, PartyId party) throws Exception {
    KeyAlgorithm signAlg = suite == Suite.GM ? KeyAlgorithm.SM2 : KeyAlgorithm.ED25519;
    KeyAlgorithm encAlg = suite == Suite.GM ? KeyAlgorithm.SM2 : KeyAlgorithm.X25519;
    CertificateForge.Key sk = CertificateForge.generate(signAlg);
    CertificateForge.Key ek = CertificateForge.generate(encAlg);
    CertificateForge.Key tk = CertificateForge.generate(KeyAlgorithm.P256);
    X509Certificate sc = cert(party, sk.spki(), sk, KeyUsage.digitalSignature | KeyUsage.keyCertSign).issue();
    X509Certificate ec = cert(party, ek.spki(), sk,
        encAlg == KeyAlgorithm.SM2 ? KeyUsage.keyEncipherment : KeyUsage.keyAgreement).issue();
    X509Certificate tc = cert(party, tk.spki(), sk, KeyUsage.digitalSignature).tlsServerAndClient().issue();
    return PartyIdentity.of(sk.pkcs8(), List.of(sc), ek.pkcs8(), List.of(ec, sc), tk.pkcs8(), List.of(tc, sc));
  }

  private static CertificateForge.Builder cert(PartyId party, byte[] spki, CertificateForge.Key issuer, int ku) {
    return CertificateForge.certificate(spki).subjectOf(party).selfIssued(issuer).keyUsage(ku)
        .partyUri(party.toString());
  }
}
