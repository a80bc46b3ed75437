package io.shulian.gateway.cli;

import static io.shulian.gateway.cli.CliRun.ok;
import static io.shulian.gateway.cli.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

import io.shulian.gateway.cli.CliRun.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code shulian bundle sign}: limits on what it signs. */
class BundleSignCommandTest {
  @TempDir Path tmp;

  private String p(String name) {
    return tmp.resolve(name).toString();
  }

  @Test
  void bundleSign_versionSoHighNoLaterUpdateIsPossible_refusedWithExitCode3() throws Exception {
    ok("ca", "init", "--suite", "intl", "--name", "Test City Root", "--out", p("ca"), "--ca-password", "capw");
    ok("ca", "issue", "--ca", p("ca"), "--party", TrustCommandsTest.A, "--out", p("a"), "--ca-password", "capw",
        "--password", "pw");
    for (String version : new String[] {Long.toString(Long.MAX_VALUE), "9007199254740993"}) {
      Files.writeString(tmp.resolve("max.yaml"), String.join("\n",
          "version: " + version,
          "validFor: 12h",
          "parties:",
          "  - party: " + TrustCommandsTest.A,
          "    name: 住房和城乡建设局",
          "    certificates: [a/cert.pem]",
          ""));

      Run r = run("bundle", "sign", "--ca", p("ca"), "--in", p("max.yaml"), "--out", p("max.jws"), "--ca-password", "capw");

      assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.REJECTED);
      assertThat(r.err()).contains("version").doesNotContain("\tat ");
      assertThat(tmp.resolve("max.jws")).doesNotExist();
    }
  }

  private static final Path EXAMPLES = Path.of("..", "docs", "examples");

  private void caAndParty(String yaml) throws Exception {
    ok("ca", "init", "--suite", "intl", "--name", "Test City Root", "--out", p("ca"), "--ca-password", "capw");
    ok("ca", "issue", "--ca", p("ca"), "--party", TrustCommandsTest.A, "--out", p("a"), "--ca-password", "capw",
        "--password", "pw");
    Files.writeString(tmp.resolve("bundle.yaml"), String.join("\n",
        "version: 7",
        "validFor: 12h",
        "parties:",
        "  - party: " + TrustCommandsTest.A,
        "    name: 住房和城乡建设局",
        "    certificates: [a/cert.pem]",
        yaml,
        ""));
  }

  @Test
  void bundleSign_catalogAndPolicyFiles_policyCheckDecidesFromTheSignedBundle() throws Exception {
    caAndParty("");
    Files.copy(EXAMPLES.resolve("catalog.yaml"), tmp.resolve("catalog.yaml"));
    Files.copy(EXAMPLES.resolve("policies.yaml"), tmp.resolve("policies.yaml"));

    ok("bundle", "sign", "--ca", p("ca"), "--in", p("bundle.yaml"), "--catalog", p("catalog.yaml"),
        "--policies", p("policies.yaml"), "--out", p("bundle.jws"), "--ca-password", "capw");
    Run v = ok("bundle", "verify", "--trust", p("ca/root.pem"), "--in", p("bundle.jws"));
    assertThat(v.err()).contains("catalog").contains("policies");

    Run deny = run("policy", "check", "--bundle", p("bundle.jws"), "--root", p("ca/root.pem"),
        "--subject", PolicyCliTest.CIVIL, "--resource", "security.case-records", "--purpose", "social-assistance-review");
    assertThat(deny.code()).as(deny.err()).isEqualTo(ExitCodes.DENIED);
    assertThat(deny.out()).contains("NOT_SHARED").contains("刑事诉讼法");
    Run grantNeeded = run("policy", "check", "--bundle", p("bundle.jws"), "--root", p("ca/root.pem"),
        "--subject", PolicyCliTest.CIVIL, "--resource", PolicyCliTest.FUND, "--purpose", "social-assistance-review");
    assertThat(grantNeeded.code()).as(grantNeeded.err()).isEqualTo(ExitCodes.DENIED);
    assertThat(grantNeeded.out()).contains("GRANT_REQUIRED");
  }

  @Test
  void policyCheck_bundleOfAnotherRootOrWithoutRoot_refused() throws Exception {
    caAndParty("");
    Files.copy(EXAMPLES.resolve("catalog.yaml"), tmp.resolve("catalog.yaml"));
    ok("bundle", "sign", "--ca", p("ca"), "--in", p("bundle.yaml"), "--catalog", p("catalog.yaml"),
        "--out", p("bundle.jws"), "--ca-password", "capw");
    ok("ca", "init", "--suite", "intl", "--name", "Other Root", "--out", p("other"), "--ca-password", "capw");

    Run foreign = run("policy", "check", "--bundle", p("bundle.jws"), "--root", p("other/root.pem"),
        "--subject", PolicyCliTest.CIVIL, "--resource", PolicyCliTest.FUND, "--purpose", "social-assistance-review");
    assertThat(foreign.code()).as(foreign.err()).isEqualTo(ExitCodes.REJECTED);
    assertThat(foreign.err()).contains("BUNDLE_BAD_SIGNATURE").doesNotContain("\tat ");
    assertThat(foreign.out()).isEmpty();

    Run noRoot = run("policy", "check", "--bundle", p("bundle.jws"),
        "--subject", PolicyCliTest.CIVIL, "--resource", PolicyCliTest.FUND, "--purpose", "social-assistance-review");
    assertThat(noRoot.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(noRoot.err()).contains("--root");
  }

  @Test
  void bundleSign_invalidCatalogFile_refusedWithLineAndNoOutput() throws Exception {
    caAndParty("");
    Files.writeString(tmp.resolve("catalog.yaml"), "version: \"1\"\npurposes: []\nresources:\n  - code: a.b\n    colour: blue\n");

    Run r = run("bundle", "sign", "--ca", p("ca"), "--in", p("bundle.yaml"), "--catalog", p("catalog.yaml"),
        "--out", p("bundle.jws"), "--ca-password", "capw");

    assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.REJECTED);
    assertThat(r.err()).contains(p("catalog.yaml") + ":5:").contains("colour").doesNotContain("\tat ");
    assertThat(tmp.resolve("bundle.jws")).doesNotExist();
  }

  @Test
  void bundleSign_policiesNotCompilingAgainstTheCatalog_refusedWithLine() throws Exception {
    caAndParty("");
    Files.copy(EXAMPLES.resolve("catalog.yaml"), tmp.resolve("catalog.yaml"));
    Files.writeString(tmp.resolve("policies.yaml"), PolicyCliTest.INVALID_POLICIES);

    Run r = run("bundle", "sign", "--ca", p("ca"), "--in", p("bundle.yaml"), "--catalog", p("catalog.yaml"),
        "--policies", p("policies.yaml"), "--out", p("bundle.jws"), "--ca-password", "capw");

    assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.REJECTED);
    assertThat(r.err()).contains(p("policies.yaml") + ":8:").contains("weather")
        .contains(p("policies.yaml") + ":9:").contains("scramble");
    assertThat(tmp.resolve("bundle.jws")).doesNotExist();
  }

  @Test
  void bundleSign_policiesWithoutCatalog_usageError() throws Exception {
    caAndParty("");
    Files.copy(EXAMPLES.resolve("policies.yaml"), tmp.resolve("policies.yaml"));

    Run r = run("bundle", "sign", "--ca", p("ca"), "--in", p("bundle.yaml"), "--policies", p("policies.yaml"),
        "--out", p("bundle.jws"), "--ca-password", "capw");

    assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("--catalog");
    assertThat(tmp.resolve("bundle.jws")).doesNotExist();
  }

  @Test
  void bundleSign_inlineCatalogExtensionThatIsAString_refused() throws Exception {
    caAndParty("extensions:\n  catalog: \"catalog.yaml\"");

    Run r = run("bundle", "sign", "--ca", p("ca"), "--in", p("bundle.yaml"), "--out", p("bundle.jws"),
        "--ca-password", "capw");

    assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.REJECTED);
    assertThat(r.err()).contains("catalog").doesNotContain("\tat ");
    assertThat(tmp.resolve("bundle.jws")).doesNotExist();
  }

  @Test
  void bundleSign_catalogBothInlineAndByFile_usageError() throws Exception {
    caAndParty("extensions:\n  catalog: {resources: []}");
    Files.copy(EXAMPLES.resolve("catalog.yaml"), tmp.resolve("catalog.yaml"));

    Run r = run("bundle", "sign", "--ca", p("ca"), "--in", p("bundle.yaml"), "--catalog", p("catalog.yaml"),
        "--out", p("bundle.jws"), "--ca-password", "capw");

    assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(tmp.resolve("bundle.jws")).doesNotExist();
  }

  @Test
  void policyCheck_bundleWithGrant_verifiedAgainstTheBundleAndItsRevokedGrants() throws Exception {
    caAndParty("");
    Files.copy(EXAMPLES.resolve("catalog.yaml"), tmp.resolve("catalog.yaml"));
    Files.copy(EXAMPLES.resolve("policies.yaml"), tmp.resolve("policies.yaml"));
    ok("grant", "issue", "--key", p("a/key.p12"), "--password", "pw", "--consumer", PolicyCliTest.CIVIL,
        "--resource", PolicyCliTest.FUND, "--fields", "applicant.name,balance", "--purpose", "social-assistance-review",
        "--ttl", "30d", "--catalog", p("catalog.yaml"), "--out", p("grant.jwt"));
    ok("bundle", "sign", "--ca", p("ca"), "--in", p("bundle.yaml"), "--catalog", p("catalog.yaml"),
        "--policies", p("policies.yaml"), "--out", p("bundle.jws"), "--ca-password", "capw");

    Run permit = run("policy", "check", "--bundle", p("bundle.jws"), "--root", p("ca/root.pem"), "--subject",
        PolicyCliTest.CIVIL, "--resource", PolicyCliTest.FUND, "--purpose", "social-assistance-review",
        "--grant", p("grant.jwt"));
    assertThat(permit.code()).as(permit.out() + permit.err()).isEqualTo(ExitCodes.OK);
    assertThat(permit.out()).contains("\"effect\" : \"PERMIT\"");

    ok("grant", "revoke", "--token", p("grant.jwt"), "--reason", "withdrawn", "--out", p("revoked.json"));
    Files.writeString(tmp.resolve("bundle.yaml"), Files.readString(tmp.resolve("bundle.yaml")).replace("version: 7", "version: 8"));
    ok("bundle", "sign", "--ca", p("ca"), "--in", p("bundle.yaml"), "--catalog", p("catalog.yaml"),
        "--policies", p("policies.yaml"), "--grant-revocations", p("revoked.json"), "--out", p("bundle.jws"),
        "--ca-password", "capw");
    Run revoked = run("policy", "check", "--bundle", p("bundle.jws"), "--root", p("ca/root.pem"), "--subject",
        PolicyCliTest.CIVIL, "--resource", PolicyCliTest.FUND, "--purpose", "social-assistance-review",
        "--grant", p("grant.jwt"));
    assertThat(revoked.code()).as(revoked.out() + revoked.err()).isEqualTo(ExitCodes.DENIED);
    assertThat(revoked.out()).contains("GRANT_REVOKED");
  }
}
