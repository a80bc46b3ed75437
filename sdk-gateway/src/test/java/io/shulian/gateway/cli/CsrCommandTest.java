package io.shulian.gateway.cli;

import static io.shulian.gateway.cli.CliRun.ok;
import static io.shulian.gateway.cli.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

import io.shulian.core.keys.PartyCertificate;
import io.shulian.core.trust.CityTrust;
import io.shulian.gateway.cli.CliRun.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code shulian csr} and {@code ca sign-csr}: the department's way to city-issued certificates. */
class CsrCommandTest {
  static final String A = TrustCommandsTest.A;
  static final String B = TrustCommandsTest.B;

  @TempDir Path tmp;

  private String p(String name) {
    return tmp.resolve(name).toString();
  }

  /** keygen, csr, ca sign-csr and csr --install for one department. */
  private void csrPath(String suite, String party, String dir) {
    ok("keygen", "--suite", suite, "--party", party, "--out", p(dir), "--password", "pw");
    ok("csr", "--key", p(dir + "/key.p12"), "--password", "pw", "--party", party, "--out", p(dir + "/csr.pem"));
    ok("ca", "sign-csr", "--ca", p("ca"), "--csr", p(dir + "/csr.pem"), "--out", p(dir + "/issued.pem"),
        "--ca-password", "capw");
    ok("csr", "--key", p(dir + "/key.p12"), "--password", "pw", "--install", p(dir + "/issued.pem"),
        "--root", p("ca/root.pem"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"intl", "gm"})
  void csrInstall_twoDepartments_certPemHoldsCityIssuedCertificatesAndSealOpenWorks(String suite) throws Exception {
    ok("ca", "init", "--suite", suite, "--name", "CSR Root", "--out", p("ca"), "--ca-password", "capw");
    X509Certificate root = CityTrust.readCertificates(Files.readString(tmp.resolve("ca/root.pem"))).get(0);
    csrPath(suite, A, "a");
    csrPath(suite, B, "b");

    for (String dir : List.of("a", "b")) {
      List<X509Certificate> certs = CityTrust.readCertificates(Files.readString(tmp.resolve(dir + "/cert.pem")));
      assertThat(certs).as(dir + "/cert.pem: sign, encrypt and TLS, no CA").hasSize(3);
      for (X509Certificate c : certs) {
        assertThat(CityTrust.isCaCertificate(c)).isFalse();
        assertThat(c.getIssuerX500Principal()).isEqualTo(root.getSubjectX500Principal());
      }
      // the issued file is a usable party certificate file too: no root at its end
      assertThat(PartyCertificate.readPem(tmp.resolve(dir + "/issued.pem"))).hasSize(3);
    }
    ok("ca", "crl", "--ca", p("ca"), "--out", p("crl.pem"), "--ca-password", "capw");
    Files.writeString(tmp.resolve("payload.txt"), "csr path");
    ok("seal", "--key", p("a/key.p12"), "--password", "pw", "--to", p("b/cert.pem"), "--resource", "R-1",
        "--purpose", "social-assistance-review", "--in", p("payload.txt"), "--out", p("env.jose"));
    ok("open", "--key", p("b/key.p12"), "--password", "pw", "--trust", p("ca/root.pem"), "--trust", p("a/cert.pem"),
        "--crl", p("crl.pem"), "--in", p("env.jose"), "--out", p("out.txt"));
    assertThat(Files.readString(tmp.resolve("out.txt"))).isEqualTo("csr path");
  }

  /** A key password no certificate id or path can contain by chance (a short one did: "…udVpwQ…"). */
  private static final String SECRET = "never-print-this-password-7f3a";

  @Test
  void csrInstall_certificatesOfAnotherRoot_refusedAndNothingChanged() throws Exception {
    ok("ca", "init", "--suite", "intl", "--name", "City Root", "--out", p("ca"), "--ca-password", "capw");
    ok("ca", "init", "--suite", "intl", "--name", "Other Root", "--out", p("other"), "--ca-password", "capw");
    ok("keygen", "--suite", "intl", "--party", A, "--out", p("a"), "--password", SECRET);
    ok("csr", "--key", p("a/key.p12"), "--password", SECRET, "--party", A, "--out", p("a/csr.pem"));
    ok("ca", "sign-csr", "--ca", p("other"), "--csr", p("a/csr.pem"), "--out", p("a/issued.pem"), "--ca-password", "capw");
    byte[] p12 = Files.readAllBytes(tmp.resolve("a/key.p12"));
    byte[] cert = Files.readAllBytes(tmp.resolve("a/cert.pem"));

    Run r = run("csr", "--key", p("a/key.p12"), "--password", SECRET, "--install", p("a/issued.pem"),
        "--root", p("ca/root.pem"));

    assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.REJECTED);
    assertThat(r.err()).contains("UNKNOWN_ISSUER").doesNotContain("\tat ").doesNotContain(SECRET);
    assertThat(Files.readAllBytes(tmp.resolve("a/key.p12"))).isEqualTo(p12);
    assertThat(Files.readAllBytes(tmp.resolve("a/cert.pem"))).isEqualTo(cert);
  }

  @Test
  void csrInstall_certificatesForOtherKeys_refusedAndNothingChanged() throws Exception {
    ok("ca", "init", "--suite", "intl", "--name", "City Root", "--out", p("ca"), "--ca-password", "capw");
    csrPath("intl", B, "b");
    ok("keygen", "--suite", "intl", "--party", A, "--out", p("a"), "--password", "pw");
    byte[] p12 = Files.readAllBytes(tmp.resolve("a/key.p12"));

    Run r = run("csr", "--key", p("a/key.p12"), "--password", "pw", "--install", p("b/issued.pem"),
        "--root", p("ca/root.pem"));

    assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.REJECTED);
    assertThat(r.err()).contains("does not match").doesNotContain("\tat ");
    assertThat(Files.readAllBytes(tmp.resolve("a/key.p12"))).isEqualTo(p12);
  }

  @Test
  void csrInstall_withoutRoot_usageError() throws Exception {
    ok("ca", "init", "--suite", "intl", "--name", "City Root", "--out", p("ca"), "--ca-password", "capw");
    ok("keygen", "--suite", "intl", "--party", A, "--out", p("a"), "--password", "pw");
    ok("csr", "--key", p("a/key.p12"), "--password", "pw", "--party", A, "--out", p("a/csr.pem"));
    ok("ca", "sign-csr", "--ca", p("ca"), "--csr", p("a/csr.pem"), "--out", p("a/issued.pem"), "--ca-password", "capw");

    Run r = run("csr", "--key", p("a/key.p12"), "--password", "pw", "--install", p("a/issued.pem"));

    assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("--root");
  }
}
