package io.shulian.gateway.cli;

import static io.shulian.gateway.cli.CliRun.run;
import static io.shulian.gateway.cli.CliRun.ok;
import static org.assertj.core.api.Assertions.assertThat;

import io.shulian.core.keys.KeyUse;
import io.shulian.core.keys.PartyCertificate;
import io.shulian.core.party.CreditCode;
import io.shulian.core.party.PartyId;
import io.shulian.gateway.cli.CliRun.Run;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class TrustCommandsTest {
  static final String A = PartyId.of("440600", CreditCode.withCheckCharacter("11440600MB2C1234H"), "housing").toString();
  static final String B = PartyId.of("440604", CreditCode.withCheckCharacter("11440604MB2C9012D"), null).toString();

  @TempDir Path tmp;


  private String p(String name) {
    return tmp.resolve(name).toString();
  }

  static String serialOfSigningCert(Path certPem) throws Exception {
    for (PartyCertificate c : PartyCertificate.readPem(certPem)) {
      if (c.allows(KeyUse.SIGN) && !c.allows(KeyUse.TLS)) {
        return c.certificate().getSerialNumber().toString(16);
      }
    }
    throw new AssertionError("no signing certificate");
  }

  @ParameterizedTest
  @ValueSource(strings = {"intl", "gm"})
  void open_afterCaRevokeAndNewCrl_rejected(String suite) throws Exception {
    ok("ca", "init", "--suite", suite, "--name", "Test City Root", "--out", p("ca"), "--ca-password", "capw");
    assertThat(tmp.resolve("ca/root.pem")).exists();
    assertThat(tmp.resolve("ca/ca-state.json")).exists();
    ok("ca", "issue", "--ca", p("ca"), "--party", A, "--out", p("a"), "--ca-password", "capw", "--password", "pw");
    ok("ca", "issue", "--ca", p("ca"), "--party", B, "--usage", "sign,encrypt", "--out", p("b"),
        "--ca-password", "capw", "--password", "pw");
    assertThat(PartyCertificate.readPem(tmp.resolve("a/cert.pem"))).hasSize(3);
    assertThat(PartyCertificate.readPem(tmp.resolve("b/cert.pem"))).hasSize(2);
    ok("ca", "crl", "--ca", p("ca"), "--out", p("crl.pem"), "--ca-password", "capw");

    Files.writeString(tmp.resolve("payload.txt"), "hello city");
    ok("seal", "--key", p("a/key.p12"), "--password", "pw", "--to", p("b/cert.pem"), "--resource", "R-1",
        "--purpose", "social-assistance-review", "--in", p("payload.txt"), "--out", p("env.jose"));
    Run opened = ok("open", "--key", p("b/key.p12"), "--password", "pw", "--trust", p("ca/root.pem"),
        "--trust", p("a/cert.pem"), "--crl", p("crl.pem"), "--in", p("env.jose"), "--out", p("out.txt"));
    assertThat(Files.readString(tmp.resolve("out.txt"))).isEqualTo("hello city");
    assertThat(opened.err()).contains("signature verified");

    // a root without a CRL is a usage error unless revocation checking is explicitly switched off
    Run noCrl = run("open", "--key", p("b/key.p12"), "--password", "pw", "--trust", p("ca/root.pem"),
        "--trust", p("a/cert.pem"), "--in", p("env.jose"), "--out", p("out2.txt"));
    assertThat(noCrl.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(noCrl.err()).contains("--crl");

    // revoke A's signing certificate: the same envelope is now rejected
    ok("ca", "revoke", "--ca", p("ca"), "--serial", serialOfSigningCert(tmp.resolve("a/cert.pem")),
        "--reason", "key-compromise", "--ca-password", "capw");
    ok("ca", "crl", "--ca", p("ca"), "--out", p("crl.pem"), "--ca-password", "capw");
    Run rejected = run("open", "--key", p("b/key.p12"), "--password", "pw", "--trust", p("ca/root.pem"),
        "--trust", p("a/cert.pem"), "--crl", p("crl.pem"), "--in", p("env.jose"), "--out", p("out3.txt"));
    assertThat(rejected.code()).as(rejected.err()).isEqualTo(ExitCodes.REJECTED);
    assertThat(rejected.err()).contains("REVOKED").doesNotContain("\tat ");
    assertThat(tmp.resolve("out3.txt")).doesNotExist();
  }

  @ParameterizedTest
  @ValueSource(strings = {"intl", "gm"})
  void bundle_signVerifyAndOpen_acceptsOnlyTheCityBundle(String suite) throws Exception {
    ok("ca", "init", "--suite", suite, "--name", "Bundle Root", "--out", p("ca"), "--ca-password", "capw");
    ok("ca", "issue", "--ca", p("ca"), "--party", A, "--out", p("a"), "--ca-password", "capw", "--password", "pw");
    ok("ca", "issue", "--ca", p("ca"), "--party", B, "--out", p("b"), "--ca-password", "capw", "--password", "pw");
    Files.writeString(tmp.resolve("bundle.yaml"), String.join("\n",
        "version: 7",
        "validFor: 12h",
        "parties:",
        "  - party: " + A,
        "    name: 住房和城乡建设局",
        "    endpoint: https://housing.example.gov.cn:8443",
        "    certificates: [a/cert.pem]",
        "  - party: " + B,
        "    name: 禅城区政务服务数据管理局",
        "    certificates: [b/cert.pem]",
        ""));
    ok("bundle", "sign", "--ca", p("ca"), "--in", p("bundle.yaml"), "--catalog",
        PolicyCliTest.EXAMPLES.resolve("catalog.yaml").toString(), "--out", p("bundle.jws"), "--ca-password", "capw");
    Run v = ok("bundle", "verify", "--trust", p("ca/root.pem"), "--in", p("bundle.jws"));
    assertThat(v.err()).contains("bundle v7 is valid").contains("住房和城乡建设局").contains("CRL: FRESH")
        .contains("extensions: [catalog]");

    Files.writeString(tmp.resolve("payload.txt"), "via bundle");
    ok("seal", "--key", p("a/key.p12"), "--password", "pw", "--to", p("b/cert.pem"), "--resource", "R-1",
        "--purpose", "social-assistance-review", "--in", p("payload.txt"), "--out", p("env.jose"));
    ok("open", "--key", p("b/key.p12"), "--password", "pw", "--trust", p("ca/root.pem"), "--trust", p("bundle.jws"),
        "--in", p("env.jose"), "--out", p("out.txt"));
    assertThat(Files.readString(tmp.resolve("out.txt"))).isEqualTo("via bundle");

    // another root: the bundle is rejected with exit code 3
    ok("ca", "init", "--suite", suite, "--name", "Other Root", "--out", p("other"), "--ca-password", "capw");
    Run bad = run("bundle", "verify", "--trust", p("other/root.pem"), "--in", p("bundle.jws"));
    assertThat(bad.code()).isEqualTo(ExitCodes.REJECTED);
    assertThat(bad.err()).contains("BUNDLE_BAD_SIGNATURE");

    // a tampered bundle
    byte[] jws = Files.readAllBytes(tmp.resolve("bundle.jws"));
    jws[jws.length / 2] = (byte) (jws[jws.length / 2] == 'A' ? 'B' : 'A');
    Files.write(tmp.resolve("tampered.jws"), jws);
    assertThat(run("bundle", "verify", "--trust", p("ca/root.pem"), "--in", p("tampered.jws")).code())
        .isEqualTo(ExitCodes.REJECTED);

    // a party certificate from another CA is refused at signing time, and no output is left behind
    ok("ca", "issue", "--ca", p("other"), "--party", A, "--out", p("x"), "--ca-password", "capw", "--password", "pw");
    Files.writeString(tmp.resolve("bad.yaml"), "version: 8\nparties:\n  - party: " + A + "\n    name: x\n    certificates: [x/cert.pem]\n");
    Run refused = run("bundle", "sign", "--ca", p("ca"), "--in", p("bad.yaml"), "--out", p("bad.jws"), "--ca-password", "capw");
    assertThat(refused.code()).isEqualTo(ExitCodes.REJECTED);
    assertThat(refused.err()).contains("UNKNOWN_ISSUER");
    assertThat(tmp.resolve("bad.jws")).doesNotExist();
  }

  @ParameterizedTest
  @ValueSource(strings = {"intl", "gm"})
  void csr_signCsrInstall_sealedEnvelopeOpens(String suite) throws Exception {
    ok("ca", "init", "--suite", suite, "--name", "CSR Root", "--out", p("ca"), "--ca-password", "capw");
    ok("keygen", "--suite", suite, "--party", A, "--out", p("dept"), "--password", "pw");
    ok("csr", "--key", p("dept/key.p12"), "--password", "pw", "--party", A, "--out", p("csr.pem"));
    assertThat(Files.readString(tmp.resolve("csr.pem"))).contains("BEGIN CERTIFICATE REQUEST");
    ok("ca", "sign-csr", "--ca", p("ca"), "--csr", p("csr.pem"), "--out", p("issued.pem"), "--ca-password", "capw");
    ok("csr", "--key", p("dept/key.p12"), "--password", "pw", "--install", p("issued.pem"), "--root", p("ca/root.pem"));
    // the department now signs under the CA-issued certificate
    ok("ca", "issue", "--ca", p("ca"), "--party", B, "--out", p("b"), "--ca-password", "capw", "--password", "pw");
    ok("ca", "crl", "--ca", p("ca"), "--out", p("crl.pem"), "--ca-password", "capw");
    Files.writeString(tmp.resolve("payload.txt"), "csr path");
    ok("seal", "--key", p("dept/key.p12"), "--password", "pw", "--to", p("b/cert.pem"), "--resource", "R-1",
        "--purpose", "social-assistance-review", "--in", p("payload.txt"), "--out", p("env.jose"));
    ok("open", "--key", p("b/key.p12"), "--password", "pw", "--trust", p("ca/root.pem"),
        "--trust", p("issued.pem"), "--crl", p("crl.pem"), "--in", p("env.jose"), "--out", p("out.txt"));
    assertThat(Files.readString(tmp.resolve("out.txt"))).isEqualTo("csr path");
  }

  @Test
  void ca_badInput_clearMessageAndExitCode() throws Exception {
    ok("ca", "init", "--suite", "intl", "--name", "Errors Root", "--out", p("ca"), "--ca-password", "capw");
    List<Run> runs = new ArrayList<>();

    Run wrongPw = run("ca", "issue", "--ca", p("ca"), "--party", A, "--out", p("a"), "--ca-password", "nope", "--password", "pw");
    assertThat(wrongPw.code()).isEqualTo(ExitCodes.FAILURE);
    assertThat(wrongPw.err()).contains("wrong password").doesNotContain("nope");
    assertThat(tmp.resolve("a/key.p12")).doesNotExist();
    runs.add(wrongPw);

    Run badSuite = run("ca", "init", "--suite", "rsa", "--name", "x", "--out", p("ca2"));
    assertThat(badSuite.code()).isEqualTo(ExitCodes.USAGE);
    runs.add(badSuite);

    Run again = run("ca", "init", "--suite", "intl", "--name", "x", "--out", p("ca"), "--ca-password", "capw");
    assertThat(again.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(again.err()).contains("already holds a CA");

    Run badUsage = run("ca", "issue", "--ca", p("ca"), "--party", A, "--usage", "tls", "--out", p("a"), "--ca-password", "capw");
    assertThat(badUsage.code()).isEqualTo(ExitCodes.USAGE);

    Run badSerial = run("ca", "revoke", "--ca", p("ca"), "--serial", "zz", "--ca-password", "capw");
    assertThat(badSerial.code()).isEqualTo(ExitCodes.USAGE);
    Run unknownSerial = run("ca", "revoke", "--ca", p("ca"), "--serial", "abcdef", "--ca-password", "capw");
    assertThat(unknownSerial.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(unknownSerial.err()).contains("abcdef");

    Files.writeString(tmp.resolve("garbage.pem"), "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n");
    Run badCsr = run("ca", "sign-csr", "--ca", p("ca"), "--csr", p("garbage.pem"), "--out", p("x.pem"), "--ca-password", "capw");
    assertThat(badCsr.code()).isEqualTo(ExitCodes.REJECTED);
    assertThat(tmp.resolve("x.pem")).doesNotExist();
    runs.add(badCsr);

    Files.writeString(tmp.resolve("garbage.jws"), "eyJhbGciOiJub25lIn0.e30.");
    Run badBundle = run("bundle", "verify", "--trust", p("ca/root.pem"), "--in", p("garbage.jws"));
    assertThat(badBundle.code()).isEqualTo(ExitCodes.REJECTED);
    runs.add(badBundle);

    Files.writeString(tmp.resolve("notpem.pem"), "-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----\n");
    Run badPem = run("bundle", "verify", "--trust", p("notpem.pem"), "--in", p("garbage.jws"));
    assertThat(badPem.code()).isEqualTo(ExitCodes.REJECTED);
    assertThat(badPem.err()).contains("notpem.pem");
    runs.add(badPem);

    Run noSub = run("ca");
    assertThat(noSub.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(noSub.err()).contains("shulian ca:");

    for (Run r : runs) {
      assertThat(r.err()).doesNotContain("Exception in").doesNotContain("\tat ");
    }
    assertThat(new String(Files.readAllBytes(tmp.resolve("ca/ca-state.json")), StandardCharsets.UTF_8)).contains("\"issued\"");
  }
}
