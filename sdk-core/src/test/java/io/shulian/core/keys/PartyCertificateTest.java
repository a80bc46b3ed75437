package io.shulian.core.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.shulian.core.internal.crypto.Pkix;
import io.shulian.core.party.CreditCode;
import io.shulian.core.party.PartyId;
import io.shulian.core.trust.CityAuthority;
import io.shulian.core.trust.CityTrust;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@link PartyCertificate} reads as a certificate's party: exactly one party id URI, spelled
 * canonically, not contradicted by the subject; certificates that name their party ambiguously are
 * refused even when a city CA signed them. And reading PEM files: bounded, PEM text only.
 */
class PartyCertificateTest {
  static final PartyId A = PartyId.of("440600", CreditCode.withCheckCharacter("11440600MB2C1234H"), "housing");
  static final PartyId B = PartyId.of("440604", CreditCode.withCheckCharacter("11440604MB2C9012D"), null);

  @TempDir Path tmp;
  private CityAuthority ca;
  private byte[] caPkcs8;

  @BeforeEach
  void cityCa() throws Exception {
    char[] pw = "capw".toCharArray();
    ca = CityAuthority.init(Suite.INTL, "Test City Root", tmp.resolve("ca"), pw, Duration.ofDays(365), Clock.systemUTC());
    caPkcs8 = Pkix.readPkcs12(Files.readAllBytes(tmp.resolve("ca").resolve(CityAuthority.CA_P12)), pw).get(0).pkcs8;
  }

  /** A signing certificate for an Ed25519 key, issued by the test city CA with the given SANs. */
  private X509Certificate issue(X500Name subject, String... uris) {
    Pkix.GeneratedKey k = Pkix.generate(KeyAlgorithm.ED25519);
    Pkix.CertSpec s = new Pkix.CertSpec();
    s.subject = subject;
    s.issuer = X500Name.getInstance(ca.root().getSubjectX500Principal().getEncoded());
    s.subjectSpki = k.spki;
    s.issuerPkcs8 = caPkcs8;
    s.issuerSpki = ca.root().getPublicKey().getEncoded();
    s.notBefore = Instant.now().minus(Duration.ofMinutes(5));
    s.notAfter = Instant.now().plus(Duration.ofDays(1));
    s.keyUsage = KeyUsage.digitalSignature;
    s.uris.addAll(List.of(uris));
    X509Certificate c = Pkix.issue(s);
    try {
      c.verify(ca.root().getPublicKey(), new org.bouncycastle.jce.provider.BouncyCastleProvider()); // a genuine certificate of the city CA
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    return c;
  }

  private X509Certificate issue(String... uris) {
    return issue(io.shulian.core.internal.pki.Pki.subjectOf(A), uris);
  }

  private static String uri(PartyId p) {
    return PartyCertificate.PARTY_URI_PREFIX + p;
  }

  @Test
  void of_onePartyUri_readsTheParty() throws Exception {
    // The control for the refusals below: the same certificate with one party URI is fine.
    assertThat(PartyCertificate.of(issue(uri(A), "https://housing.example/")).party()).isEqualTo(A);
  }

  @Test
  void of_twoDifferentPartyUris_refusedAsAmbiguous() {
    X509Certificate c = issue(uri(A), uri(B));
    assertThatThrownBy(() -> PartyCertificate.of(c))
        .isInstanceOf(KeyMaterialException.class).hasMessageContaining("more than one party id");
    X509Certificate reversed = issue(uri(B), uri(A));
    assertThatThrownBy(() -> PartyCertificate.of(reversed))
        .isInstanceOf(KeyMaterialException.class).hasMessageContaining("more than one party id");
  }

  @Test
  void of_samePartyUriTwice_refused() {
    X509Certificate c = issue(uri(A), uri(A));
    assertThatThrownBy(() -> PartyCertificate.of(c))
        .isInstanceOf(KeyMaterialException.class).hasMessageContaining("more than one party id");
  }

  @Test
  void of_partyUriInAnotherCase_refused() {
    // URN schemes and namespace ids are case-insensitive: this is a second party id, not "no id".
    X509Certificate both = issue(uri(A), "URN:SHULIAN:PARTY:" + B);
    assertThatThrownBy(() -> PartyCertificate.of(both))
        .isInstanceOf(KeyMaterialException.class).hasMessageContaining("more than one party id");
    X509Certificate alone = issue("Urn:Shulian:Party:" + A);
    assertThatThrownBy(() -> PartyCertificate.of(alone))
        .isInstanceOf(KeyMaterialException.class).hasMessageContaining(PartyCertificate.PARTY_URI_PREFIX);
  }

  @Test
  void of_subjectNamingAnotherParty_refused() {
    X509Certificate c = issue(io.shulian.core.internal.pki.Pki.subjectOf(B), uri(A));
    assertThatThrownBy(() -> PartyCertificate.of(c))
        .isInstanceOf(KeyMaterialException.class).hasMessageContaining("subject names");
  }

  @Test
  void cityTrust_ambiguousCertificateInPem_neverBecomesATrustedParty() throws Exception {
    // The only way into CityTrust (bundles, --trust files, TLS peers) is PartyCertificate.of.
    String pem = Pkix.toPem(List.of(issue(uri(A), uri(B))));
    assertThatThrownBy(() -> PartyCertificate.fromPem(pem))
        .isInstanceOf(KeyMaterialException.class).hasMessageContaining("more than one party id");
    // while chain validation alone would accept it: it is signed by the trusted root
    X509Certificate c = CityTrust.readCertificates(pem).get(0);
    assertThat(c.getIssuerX500Principal()).isEqualTo(ca.root().getSubjectX500Principal());
  }

  @Test
  void readPem_binaryFile_notPem() throws Exception {
    Path f = tmp.resolve("cert.der");
    Files.write(f, issue(uri(A)).getEncoded());
    assertThatThrownBy(() -> PartyCertificate.readPem(f))
        .isInstanceOf(KeyMaterialException.class)
        .hasMessageContaining("is not a PEM file (binary data at byte 1)") // DER: 0x30 0x82
        .hasMessageNotContaining("MalformedInput");
  }

  @Test
  void readPem_endlessFile_tooLarge() {
    Path zero = Path.of("/dev/zero");
    assumeTrue(Files.isReadable(zero));
    assertThatThrownBy(() -> PartyCertificate.readPem(zero))
        .isInstanceOf(KeyMaterialException.class).hasMessageContaining("larger than the limit");
  }

  @Test
  void partyIdentityLoad_endlessFile_tooLarge() {
    Path zero = Path.of("/dev/zero");
    assumeTrue(Files.isReadable(zero));
    assertThatThrownBy(() -> PartyIdentity.load(zero, "pw".toCharArray()))
        .isInstanceOf(KeyMaterialException.class).hasMessageContaining("larger than the limit");
  }
}
