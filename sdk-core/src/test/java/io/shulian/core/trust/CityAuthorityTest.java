package io.shulian.core.trust;

import io.shulian.core.internal.access.CoreAccess;
import static io.shulian.core.trust.TestCa.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shulian.core.envelope.EnvelopeOpener;
import io.shulian.core.envelope.EnvelopeSealer;
import io.shulian.core.envelope.OpenedEnvelope;
import io.shulian.core.envelope.SealRequest;
import io.shulian.core.envelope.UntrustedSenderException;
import io.shulian.core.keys.KeyMaterialException;
import io.shulian.core.keys.KeyUse;
import io.shulian.core.keys.PartyCertificate;
import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.keys.Suite;
import io.shulian.core.testing.TestParties;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class CityAuthorityTest {
  @TempDir Path caDirs;

  @ParameterizedTest
  @EnumSource(Suite.class)
  void signRequests_csrOfSelfSignedIdentity_issuesCertificatesThatInstall(Suite s) throws Exception {
    TestCa ca = TestCa.create(caDirs, s, "CSR Root");
    PartyIdentity own = TestParties.pair(s)[1];
    String csr = CertificateRequests.create(own, TestParties.CIVIL);
    assertThat(csr).contains("BEGIN CERTIFICATE REQUEST");

    List<PartyCertificate> issued = ca.at(T0).signRequests(csr, Duration.ofDays(30));
    // self-signed identities hold signing, encryption and TLS keys: one certificate each
    assertThat(issued).hasSize(3);
    assertThat(issued.get(0).allows(KeyUse.SIGN)).isTrue();
    assertThat(issued.get(1).allows(KeyUse.ENCRYPT)).isTrue();
    assertThat(issued.get(2).uses()).containsExactly(KeyUse.TLS);
    assertThat(issued).allSatisfy(c -> assertThat(c.party()).isEqualTo(TestParties.CIVIL));

    List<X509Certificate> certs = new ArrayList<>();
    issued.forEach(c -> certs.add(c.certificate()));
    certs.add(ca.ca.root());
    PartyIdentity installed = own.withCertificates(certs);
    assertThat(installed.signingCertificate()).isEqualTo(issued.get(0));
    assertThat(installed.signingChain()).hasSize(2);
    CityTrust t = ca.trust(ca.crl(T0, Duration.ofDays(1)), installed.certificates());
    t.validate(installed.signingCertificate(), KeyUse.SIGN, T0.plusSeconds(60));
    t.validate(installed.encryptionCertificate(), KeyUse.ENCRYPT, T0.plusSeconds(60));
  }

  @Test
  void signRequests_withTlsKey_issuesTlsCertificate() throws Exception {
    TestCa ca = TestCa.create(caDirs, Suite.GM, "CSR TLS Root");
    PartyIdentity issued = ca.issue(TestParties.HOUSING, T0, Duration.ofDays(30));
    List<PartyCertificate> again = ca.at(T0).signRequests(
        CertificateRequests.create(issued, TestParties.HOUSING), Duration.ofDays(30));
    assertThat(again).hasSize(3);
    assertThat(again.get(2).allows(KeyUse.TLS)).isTrue();
    assertThat(again.get(2).algorithm().name()).isEqualTo("P256");
  }

  @Test
  void signRequests_requestWithTwoPartyUris_refusedAsAmbiguous() throws Exception {
    TestCa ca = TestCa.create(caDirs, Suite.INTL, "CSR Root Ambiguous");
    PartyIdentity own = TestParties.pair(Suite.INTL)[0];
    byte[] signPkcs8 = CoreAccess.keys().signingPkcs8(own);
    // subject and last URI agree, so only the first URI makes the request ambiguous
    org.bouncycastle.asn1.x500.X500Name subject = io.shulian.core.internal.pki.Pki.subjectOf(TestParties.CIVIL);
    List<String> uris = List.of(PartyCertificate.PARTY_URI_PREFIX + TestParties.HOUSING,
        PartyCertificate.PARTY_URI_PREFIX + TestParties.CIVIL);
    String pem = io.shulian.core.internal.crypto.Pkix.toPem(List.of(
        csr(subject, own.signingCertificate(), signPkcs8, uris, org.bouncycastle.asn1.x509.KeyUsage.digitalSignature),
        csr(subject, own.encryptionCertificate(), signPkcs8, uris, org.bouncycastle.asn1.x509.KeyUsage.keyAgreement)));
    assertThatThrownBy(() -> ca.at(T0).signRequests(pem, Duration.ofDays(30)))
        .isInstanceOf(TrustException.class).hasMessageContaining("more than one party id");
  }

  private static org.bouncycastle.util.io.pem.PemObject csr(org.bouncycastle.asn1.x500.X500Name subject,
      PartyCertificate key, byte[] signerPkcs8, List<String> uris, int keyUsage) throws Exception {
    org.bouncycastle.pkcs.PKCS10CertificationRequestBuilder b = new org.bouncycastle.pkcs.PKCS10CertificationRequestBuilder(
        subject, org.bouncycastle.asn1.x509.SubjectPublicKeyInfo.getInstance(key.certificate().getPublicKey().getEncoded()));
    org.bouncycastle.asn1.x509.ExtensionsGenerator ext = new org.bouncycastle.asn1.x509.ExtensionsGenerator();
    ext.addExtension(org.bouncycastle.asn1.x509.Extension.keyUsage, true, new org.bouncycastle.asn1.x509.KeyUsage(keyUsage));
    org.bouncycastle.asn1.x509.GeneralName[] names = new org.bouncycastle.asn1.x509.GeneralName[uris.size()];
    for (int i = 0; i < names.length; i++) {
      names[i] = new org.bouncycastle.asn1.x509.GeneralName(org.bouncycastle.asn1.x509.GeneralName.uniformResourceIdentifier, uris.get(i));
    }
    ext.addExtension(org.bouncycastle.asn1.x509.Extension.subjectAlternativeName, false,
        new org.bouncycastle.asn1.x509.GeneralNames(names));
    b.addAttribute(org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, ext.generate());
    return new org.bouncycastle.util.io.pem.PemObject("CERTIFICATE REQUEST",
        b.build(io.shulian.core.internal.crypto.Pkix.contentSigner(signerPkcs8)).getEncoded());
  }

  @Test
  void signRequests_encryptionRequestNotSignedBySigningKey_rejected() throws Exception {
    TestCa ca = TestCa.create(caDirs, Suite.INTL, "CSR Root 2");
    String a = CertificateRequests.create(TestParties.pair(Suite.INTL)[0], TestParties.CIVIL);
    String b = CertificateRequests.create(TestParties.pair(Suite.INTL)[1], TestParties.CIVIL);
    // signing request of one identity, encryption request of another
    String mixed = a.substring(0, a.indexOf("-----END CERTIFICATE REQUEST-----") + 34) + "\n"
        + b.substring(b.indexOf("-----END CERTIFICATE REQUEST-----") + 34).trim() + "\n";
    assertThatThrownBy(() -> ca.at(T0).signRequests(mixed, Duration.ofDays(30)))
        .isInstanceOf(TrustException.class).hasMessageContaining("not signed by the party's signing key");
  }

  @Test
  void signRequests_wrongSuite_rejected() throws Exception {
    TestCa ca = TestCa.create(caDirs, Suite.GM, "CSR GM Root");
    String intl = CertificateRequests.create(TestParties.pair(Suite.INTL)[0], TestParties.CIVIL);
    assertThatThrownBy(() -> ca.at(T0).signRequests(intl, Duration.ofDays(30)))
        .isInstanceOf(TrustException.class).hasMessageContaining("GM CA");
  }

  @Test
  void signRequests_malformedPem_rejected() throws Exception {
    TestCa ca = TestCa.create(caDirs, Suite.INTL, "CSR Root 3");
    assertThatThrownBy(() -> ca.at(T0).signRequests("-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n", Duration.ofDays(30)))
        .isInstanceOf(TrustException.class).hasMessageContaining("malformed");
    assertThatThrownBy(() -> ca.at(T0).signRequests("hello", Duration.ofDays(30)))
        .isInstanceOf(TrustException.class).hasMessageContaining("no certificate request");
  }

  @Test
  void open_wrongPassword_keyMaterialException() {
    TestCa ca = TestCa.create(caDirs, Suite.INTL, "Password Root");
    assertThatThrownBy(() -> CityAuthority.open(ca.dir, "wrong".toCharArray(), TestCa.clock(T0)))
        .isInstanceOf(KeyMaterialException.class).hasMessageContaining("wrong password")
        .hasMessageNotContaining("wrong\"");
  }

  @Test
  void init_existingCa_refusedAndFilesUntouched() throws Exception {
    TestCa ca = TestCa.create(caDirs, Suite.INTL, "Existing Root");
    byte[] before = Files.readAllBytes(ca.dir.resolve(CityAuthority.CA_P12));
    assertThatThrownBy(() -> CityAuthority.init(Suite.INTL, "Again", ca.dir, TestCa.PASSWORD, Duration.ofDays(10), TestCa.clock(T0)))
        .isInstanceOf(java.nio.file.FileAlreadyExistsException.class);
    assertThat(Files.readAllBytes(ca.dir.resolve(CityAuthority.CA_P12))).isEqualTo(before);
  }

  @Test
  void revoke_unknownSerial_refused() {
    TestCa ca = TestCa.create(caDirs, Suite.INTL, "Serial Root");
    assertThatThrownBy(() -> ca.at(T0).revoke(java.math.BigInteger.valueOf(42), RevocationReason.UNSPECIFIED))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2a");
  }

  @Test
  void crl_numbersIncreaseAndRevocationsPersistAcrossReopen() throws Exception {
    TestCa ca = TestCa.create(caDirs, Suite.GM, "Persist Root");
    PartyIdentity p = ca.issue(TestParties.HOUSING, T0, Duration.ofDays(30));
    X509CRL first = ca.crl(T0, Duration.ofHours(24));
    ca.at(T0).revoke(p.signingCertificate().certificate().getSerialNumber(), RevocationReason.SUPERSEDED);
    X509CRL second = ca.crl(T0.plusSeconds(10), Duration.ofHours(24));
    assertThat(first.getRevokedCertificates()).isNull();
    assertThat(second.getRevokedCertificate(p.signingCertificate().certificate())).isNotNull();
    assertThat(io.shulian.core.internal.pki.Pki.crlNumber(second))
        .isGreaterThan(io.shulian.core.internal.pki.Pki.crlNumber(first));
    String state = Files.readString(ca.dir.resolve(CityAuthority.STATE_JSON), StandardCharsets.UTF_8);
    assertThat(state).contains("SUPERSEDED").contains(TestParties.HOUSING.toString());
  }

  /** Rotation: two signing certificates of one party are valid at once; old envelopes open until revocation. */
  @ParameterizedTest
  @EnumSource(Suite.class)
  void open_envelopeUnderRotatedKey_opensUntilOldCertificateRevoked(Suite s) throws Exception {
    TestCa ca = TestCa.create(caDirs, s, "Rotation Root");
    PartyIdentity receiver = ca.issue(TestParties.CIVIL, T0, Duration.ofDays(30));
    PartyIdentity oldKey = ca.issue(TestParties.HOUSING, T0, Duration.ofDays(30));
    Instant t1 = T0.plus(Duration.ofDays(1));
    PartyIdentity newKey = ca.issue(TestParties.HOUSING, t1, Duration.ofDays(30));
    List<PartyCertificate> all = new ArrayList<>(receiver.certificates());
    all.addAll(oldKey.certificates());
    all.addAll(newKey.certificates());

    SealRequest req = SealRequest.builder().recipient(receiver.encryptionCertificate())
        .resource("HOUSING-001").purpose("social-assistance-review").ttl(Duration.ofHours(1)).build();
    Instant sealAt = t1.plusSeconds(60);
    byte[] underOld = EnvelopeSealer.builder(oldKey).clock(TestCa.clock(sealAt)).build()
        .seal(req, "old".getBytes(StandardCharsets.UTF_8)).toByteArray();
    byte[] underNew = EnvelopeSealer.builder(newKey).clock(TestCa.clock(sealAt)).build()
        .seal(req, "new".getBytes(StandardCharsets.UTF_8)).toByteArray();

    CityTrust both = ca.trust(ca.crl(t1, Duration.ofHours(24)), all);
    EnvelopeOpener opener = EnvelopeOpener.builder(receiver, both).clock(TestCa.clock(sealAt.plusSeconds(1))).build();
    OpenedEnvelope o1 = opener.open(underOld);
    OpenedEnvelope o2 = opener.open(underNew);
    assertThat(o1.signer()).isEqualTo(oldKey.signingCertificate());
    assertThat(o2.signer()).isEqualTo(newKey.signingCertificate());

    ca.at(t1).revoke(oldKey.signingCertificate().certificate().getSerialNumber(), RevocationReason.SUPERSEDED);
    CityTrust afterRevoke = ca.trust(ca.crl(t1.plusSeconds(30), Duration.ofHours(24)), all);
    EnvelopeOpener opener2 = EnvelopeOpener.builder(receiver, afterRevoke)
        .clock(TestCa.clock(sealAt.plusSeconds(2))).build();
    assertThat(opener2.open(underNew).payload()).isEqualTo("new".getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(() -> opener2.open(underOld)).isInstanceOf(UntrustedSenderException.class)
        .hasMessageContaining("revoked");
  }

  @Test
  void withCertificates_noCertificateForEncryptionKey_refused() throws Exception {
    TestCa ca = TestCa.create(caDirs, Suite.INTL, "Install Root");
    PartyIdentity own = TestParties.pair(Suite.INTL)[0];
    List<PartyCertificate> issued = ca.at(T0).signRequests(CertificateRequests.create(own, TestParties.HOUSING), Duration.ofDays(30));
    assertThatThrownBy(() -> own.withCertificates(List.of(issued.get(0).certificate(), ca.ca.root())))
        .isInstanceOf(KeyMaterialException.class).hasMessageContaining("encryption");
  }
}
