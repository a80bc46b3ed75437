package io.shulian.gateway;

import io.shulian.core.internal.crypto.Pkix;
import io.shulian.core.keys.KeyAlgorithm;
import io.shulian.core.keys.PartyCertificate;
import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.keys.Suite;
import io.shulian.core.party.PartyId;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;

/** Self-signed party identities with signing, encryption and TLS keys, for gateway tests. */
final class TestIdentities {
  private TestIdentities() {}

  static PartyIdentity create(Suite suite, PartyId party) throws Exception {
    KeyAlgorithm signAlg = suite == Suite.GM ? KeyAlgorithm.SM2 : KeyAlgorithm.ED25519;
    KeyAlgorithm encAlg = suite == Suite.GM ? KeyAlgorithm.SM2 : KeyAlgorithm.X25519;
    Pkix.GeneratedKey sk = Pkix.generate(signAlg);
    Pkix.GeneratedKey ek = Pkix.generate(encAlg);
    Pkix.GeneratedKey tk = Pkix.generate(KeyAlgorithm.P256);
    var subject = io.shulian.core.internal.pki.Pki.subjectOf(party);
    Instant now = Instant.now();
    X509Certificate sc = cert(subject, sk.spki, sk, now, KeyUsage.digitalSignature | KeyUsage.keyCertSign, party, false);
    X509Certificate ec = cert(subject, ek.spki, sk, now,
        encAlg == KeyAlgorithm.SM2 ? KeyUsage.keyEncipherment : KeyUsage.keyAgreement, party, false);
    X509Certificate tc = cert(subject, tk.spki, sk, now, KeyUsage.digitalSignature, party, true);
    return PartyIdentity.of(sk.pkcs8, List.of(sc), ek.pkcs8, List.of(ec, sc), tk.pkcs8, List.of(tc, sc));
  }

  private static X509Certificate cert(org.bouncycastle.asn1.x500.X500Name subject, byte[] spki, Pkix.GeneratedKey issuer,
      Instant now, int ku, PartyId party, boolean tls) {
    Pkix.CertSpec s = new Pkix.CertSpec();
    s.subject = subject;
    s.issuer = subject;
    s.subjectSpki = spki;
    s.issuerPkcs8 = issuer.pkcs8;
    s.issuerSpki = issuer.spki;
    s.notBefore = now.minus(Duration.ofMinutes(5));
    s.notAfter = now.plus(Duration.ofDays(1));
    s.keyUsage = ku;
    s.uris.add(PartyCertificate.PARTY_URI_PREFIX + party);
    if (tls) {
      s.extendedKeyUsages.add(KeyPurposeId.id_kp_serverAuth);
      s.extendedKeyUsages.add(KeyPurposeId.id_kp_clientAuth);
    }
    return Pkix.issue(s);
  }
}
