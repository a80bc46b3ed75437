package io.shulian.gateway.cli;

import static io.shulian.gateway.cli.CliRun.ok;
import static io.shulian.gateway.cli.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shulian.core.keys.KeyAlgorithm;
import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.party.PartyId;
import io.shulian.core.testing.CertificateForge;
import io.shulian.core.trust.BundleHolder;
import io.shulian.core.trust.CityTrust;
import io.shulian.gateway.authenticate.CityPeerVerifier;
import io.shulian.gateway.cli.CliRun.Run;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.List;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A certificate signed by the city CA that names two parties (two {@code urn:shulian:party:} URIs)
 * is refused wherever a certificate enters: bundle signing, {@code --to} and {@code --trust} files,
 * and the TLS peer check of a gateway. Before, the first URI won.
 */
class AmbiguousPartyCertificateTest {
  private static final String A = TrustCommandsTest.A;
  private static final String B = TrustCommandsTest.B;

  @TempDir Path tmp;
  private byte[] caPkcs8;
  private X509Certificate root;

  private String p(String name) {
    return tmp.resolve(name).toString();
  }

  @BeforeEach
  void city() throws Exception {
    ok("ca", "init", "--suite", "intl", "--name", "Ambiguity Root", "--out", p("ca"), "--ca-password", "capw");
    ok("ca", "issue", "--ca", p("ca"), "--party", A, "--out", p("a"), "--ca-password", "capw", "--password", "pw");
    caPkcs8 = CertificateForge.firstPrivateKey(Files.readAllBytes(tmp.resolve("ca/ca.p12")), "capw".toCharArray());
    root = CityTrust.readCertificates(Files.readString(tmp.resolve("ca/root.pem"))).get(0);
  }

  /** A certificate of the city CA for a fresh key, with subject of A and the given party URIs. */
  private X509Certificate issue(KeyAlgorithm alg, int keyUsage, boolean tls, String... parties) {
    CertificateForge.Builder b = CertificateForge.certificate(CertificateForge.generate(alg).spki())
        .subjectOf(PartyId.parse(A)).issuedBy(root, caPkcs8).keyUsage(keyUsage);
    for (String party : parties) {
      b.partyUri(party);
    }
    if (tls) {
      b.tlsServerAndClient();
    }
    return b.issue();
  }

  private Path pem(String name, X509Certificate c) throws Exception {
    Path f = tmp.resolve(name);
    Files.writeString(f, CertificateForge.pem(List.of(c)), StandardCharsets.US_ASCII);
    return f;
  }

  @Test
  void bundleSign_certificateWithTwoPartyUris_refusedAndNoBundleWritten() throws Exception {
    pem("two.pem", issue(KeyAlgorithm.ED25519, KeyUsage.digitalSignature, false, A, B));
    Files.writeString(tmp.resolve("bundle.yaml"),
        "version: 1\nparties:\n  - party: " + A + "\n    name: Housing\n    certificates: [two.pem]\n");
    Run r = run("bundle", "sign", "--ca", p("ca"), "--ca-password", "capw", "--in", p("bundle.yaml"), "--out", p("b.jws"));
    assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.REJECTED);
    assertThat(r.err()).contains("more than one party id").doesNotContain("\tat ");
    assertThat(tmp.resolve("b.jws")).doesNotExist();
  }

  @Test
  void sealToAndOpenTrust_certificateWithTwoPartyUris_refused() throws Exception {
    pem("enc-two.pem", issue(KeyAlgorithm.X25519, KeyUsage.keyAgreement, false, B, A));
    pem("sign-two.pem", issue(KeyAlgorithm.ED25519, KeyUsage.digitalSignature, false, A, B));
    Files.writeString(tmp.resolve("payload.txt"), "x");
    Run seal = run("seal", "--key", p("a/key.p12"), "--password", "pw", "--to", p("enc-two.pem"), "--resource", "R-1",
        "--purpose", "p", "--in", p("payload.txt"), "--out", p("env.jose"));
    assertThat(seal.code()).as(seal.err()).isNotZero();
    assertThat(seal.err()).contains("more than one party id");
    assertThat(tmp.resolve("env.jose")).doesNotExist();
    Run open = run("open", "--key", p("a/key.p12"), "--password", "pw", "--trust", p("sign-two.pem"),
        "--in", p("payload.txt"), "--out", p("out.txt"));
    assertThat(open.code()).as(open.err()).isNotZero();
    assertThat(open.err()).contains("more than one party id");
  }

  @Test
  void tlsPeer_certificateWithTwoPartyUris_refusedWhileOneUriIsAccepted() throws Exception {
    Files.writeString(tmp.resolve("bundle.yaml"),
        "version: 1\nparties:\n  - party: " + A + "\n    name: Housing\n    certificates: [a/cert.pem]\n");
    ok("bundle", "sign", "--ca", p("ca"), "--ca-password", "capw", "--in", p("bundle.yaml"), "--out", p("b.jws"));
    BundleHolder holder = BundleHolder.of(List.of(root));
    holder.update(Files.readAllBytes(tmp.resolve("b.jws")));
    CityPeerVerifier verifier = new CityPeerVerifier(holder, Clock.systemUTC());

    X509Certificate one = issue(KeyAlgorithm.P256, KeyUsage.digitalSignature, true, A);
    assertThat(verifier.verify(new X509Certificate[] {one}).toString()).isEqualTo(A);

    X509Certificate two = issue(KeyAlgorithm.P256, KeyUsage.digitalSignature, true, B, A);
    assertThatThrownBy(() -> verifier.verify(new X509Certificate[] {two}))
        .isInstanceOf(CertificateException.class).hasMessageContaining("more than one party id");
  }
}
