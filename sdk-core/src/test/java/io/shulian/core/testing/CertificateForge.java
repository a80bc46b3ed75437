package io.shulian.core.testing;

import io.shulian.core.internal.crypto.Pkix;
import io.shulian.core.internal.pki.Pki;
import io.shulian.core.keys.KeyAlgorithm;
import io.shulian.core.keys.PartyCertificate;
import io.shulian.core.party.PartyId;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.KeyPurposeId;

/**
 * Certificates with chosen extensions, for tests of every module that need a certificate the SDK's
 * own issuers would never write (two party URIs, a missing extended key usage, a foreign issuer):
 * the tests outside sdk-core get them without reaching into its {@code internal} packages.
 *
 * <pre>{@code
 * CertificateForge.Key k = CertificateForge.generate(KeyAlgorithm.ED25519);
 * X509Certificate c = CertificateForge.certificate(k.spki()).subjectOf(party).selfIssued(k)
 *     .keyUsage(KeyUsage.digitalSignature).partyUri(party.toString()).issue();
 * }</pre>
 */
public final class CertificateForge {
  private CertificateForge() {}

  /** A key pair, encoded: the PKCS#8 private key and the SubjectPublicKeyInfo. */
  public record Key(byte[] pkcs8, byte[] spki) {}

  /** Generates a key pair of {@code alg}. */
  public static Key generate(KeyAlgorithm alg) {
    Pkix.GeneratedKey k = Pkix.generate(alg);
    return new Key(k.pkcs8, k.spki);
  }

  /** The PKCS#8 private key of the first key entry of a PKCS#12 file (a CA's {@code ca.p12}). */
  public static byte[] firstPrivateKey(byte[] pkcs12, char[] password) throws Exception {
    return Pkix.readPkcs12(pkcs12, password).get(0).pkcs8;
  }

  /** The certificates in PEM, in order. */
  public static String pem(List<X509Certificate> certificates) {
    return Pkix.toPem(certificates);
  }

  /**
   * Starts a certificate for {@code subjectSpki}: subject and issuer {@code CN=unnamed}, valid from
   * five minutes ago for one day, no key usage, no party URI.
   */
  public static Builder certificate(byte[] subjectSpki) {
    return new Builder(subjectSpki);
  }

  /** The fields of one certificate; {@link #issue} signs it with the issuer's key. */
  public static final class Builder {
    private final Pkix.CertSpec spec = new Pkix.CertSpec();

    private Builder(byte[] subjectSpki) {
      spec.subjectSpki = subjectSpki.clone();
      spec.notBefore = Instant.now().minus(Duration.ofMinutes(5));
      spec.notAfter = Instant.now().plus(Duration.ofDays(1));
    }

    /** The subject name the SDK writes for {@code party}. */
    public Builder subjectOf(PartyId party) {
      spec.subject = Pki.subjectOf(party);
      return this;
    }

    /** Signed by {@code issuerKey} under the subject's own name (a self-issued certificate). */
    public Builder selfIssued(Key issuerKey) {
      spec.issuer = spec.subject;
      return signedWith(issuerKey.pkcs8(), issuerKey.spki());
    }

    /** Signed by the holder of {@code issuerPkcs8}, the subject of {@code issuer}. */
    public Builder issuedBy(X509Certificate issuer, byte[] issuerPkcs8) {
      X500Principal name = issuer.getSubjectX500Principal();
      spec.issuer = X500Name.getInstance(name.getEncoded());
      return signedWith(issuerPkcs8, issuer.getPublicKey().getEncoded());
    }

    private Builder signedWith(byte[] pkcs8, byte[] spki) {
      spec.issuerPkcs8 = pkcs8.clone();
      spec.issuerSpki = spki.clone();
      return this;
    }

    /** The key usage bits ({@code org.bouncycastle.asn1.x509.KeyUsage} constants, or-ed). */
    public Builder keyUsage(int bits) {
      spec.keyUsage = bits;
      return this;
    }

    /** Adds the subject alternative name {@code urn:shulian:party:<party>}; call twice for two. */
    public Builder partyUri(String party) {
      spec.uris.add(PartyCertificate.PARTY_URI_PREFIX + party);
      return this;
    }

    /** Adds the TLS server and client extended key usages. */
    public Builder tlsServerAndClient() {
      spec.extendedKeyUsages.add(KeyPurposeId.id_kp_serverAuth);
      spec.extendedKeyUsages.add(KeyPurposeId.id_kp_clientAuth);
      return this;
    }

    /** Signs the certificate. */
    public X509Certificate issue() {
      return Pkix.issue(spec);
    }
  }
}
