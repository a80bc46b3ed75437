package io.shulian.core.keys;

import static org.assertj.core.api.Assertions.assertThat;

import io.shulian.core.keys.Pkcs12InteropTest.Kind;
import io.shulian.core.testing.ExternalTool;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The certificates of {@link PartyIdentity#generateSelfSigned} (what {@code shulian keygen} writes)
 * follow RFC 5280: a self-signed party root (CA, pathlen 0, keyCertSign only) issues the signing,
 * encryption and TLS certificates, which are not CAs; {@code openssl verify -x509_strict} accepts
 * each of them under that root.
 */
class SelfSignedProfileTest {
  @TempDir Path tmp;

  private static final int DIGITAL_SIGNATURE = 0;
  private static final int NON_REPUDIATION = 1;
  private static final int KEY_CERT_SIGN = 5;
  private static final int CRL_SIGN = 6;

  @ParameterizedTest
  @EnumSource(Kind.class)
  void generateSelfSigned_partyRootIssuesLeaves_rfc5280Profile(Kind kind) throws Exception {
    PartyIdentity id = kind.generate();
    X509Certificate root = issuerOf(id);
    assertThat(root.getBasicConstraints()).as("party root pathLen").isZero();
    boolean[] rootKu = root.getKeyUsage();
    assertThat(rootKu[KEY_CERT_SIGN]).isTrue();
    for (int i = 0; i < rootKu.length; i++) {
      assertThat(rootKu[i]).as("root key usage bit %s", i).isEqualTo(i == KEY_CERT_SIGN);
    }
    assertThat(root.getSubjectX500Principal()).isEqualTo(root.getIssuerX500Principal());
    root.verify(root.getPublicKey(), io.shulian.core.internal.crypto.Crypto.BC);
    for (PartyCertificate c : id.certificates()) {
      X509Certificate x = c.certificate();
      assertThat(x.getBasicConstraints()).as("%s is not a CA", c).isEqualTo(-1);
      assertThat(x.getKeyUsage()[KEY_CERT_SIGN]).as("%s keyCertSign", c).isFalse();
      assertThat(x.getKeyUsage()[CRL_SIGN]).as("%s cRLSign", c).isFalse();
      assertThat(x.getIssuerX500Principal()).isEqualTo(root.getSubjectX500Principal());
      x.verify(root.getPublicKey(), io.shulian.core.internal.crypto.Crypto.BC);
    }
    boolean[] signKu = id.signingCertificate().certificate().getKeyUsage();
    assertThat(signKu[DIGITAL_SIGNATURE] && signKu[NON_REPUDIATION]).isTrue();
    // the party root's key is not kept: nothing in the identity can issue another certificate
    assertThat(root.getPublicKey().getEncoded())
        .isNotEqualTo(id.signingCertificate().certificate().getPublicKey().getEncoded());
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void opensslVerify_x509Strict_acceptsEveryKeygenCertificate(Kind kind) throws Exception {
    ExternalTool.require("the RFC 5280 check of keygen certificates", "openssl", "version");
    PartyIdentity id = kind.generate();
    Path root = tmp.resolve("chain.pem");
    Files.writeString(root, io.shulian.core.internal.crypto.Pkix.toPem(List.of(issuerOf(id))));
    for (PartyCertificate c : id.certificates()) {
      Path leaf = tmp.resolve(c.keyId() + ".pem");
      Files.writeString(leaf, PartyCertificate.toPem(List.of(c)));
      List<String> cmd = new ArrayList<>(List.of("openssl", "verify", "-x509_strict"));
      if (kind == Kind.GM_SM2) {
        // OpenSSL 3.0 verifies SM3withSM2 only when told the GM/T 0009 default user id
        cmd.addAll(List.of("-vfyopt", "distid:1234567812345678"));
      }
      cmd.addAll(List.of("-CAfile", root.toString(), leaf.toString()));
      ExternalTool.Result r = ExternalTool.run(cmd, tmp, Map.of());
      assertThat(r.exit).as("%s: %s", c, r).isZero();
      assertThat(r.output).contains(": OK");
    }
  }

  /** The issuer at the end of the TLS chain (the signing certificate, before the fix). */
  static X509Certificate issuerOf(PartyIdentity id) {
    List<X509Certificate> chain = id.tlsChain();
    return chain.get(chain.size() - 1);
  }
}
