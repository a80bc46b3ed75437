package io.shulian.gateway.cli;

import static io.shulian.gateway.cli.CliRun.ok;
import static io.shulian.gateway.cli.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

import io.shulian.core.trust.CityBundle;
import io.shulian.core.trust.CityTrust;
import io.shulian.gateway.cli.CliRun.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code shulian grant revoke} writes revocation entries that {@code bundle sign} puts into the city bundle. */
class GrantRevokeCommandTest {
  static final String HOUSING = TrustCommandsTest.A;

  @TempDir Path tmp;

  private String p(String name) {
    return tmp.resolve(name).toString();
  }

  private void ca() throws Exception {
    ok("ca", "init", "--suite", "intl", "--name", "Test City Root", "--out", p("ca"), "--ca-password", "capw");
    ok("ca", "issue", "--ca", p("ca"), "--party", HOUSING, "--out", p("a"), "--ca-password", "capw", "--password", "pw");
    Files.writeString(tmp.resolve("bundle.yaml"), String.join("\n",
        "version: 2",
        "validFor: 12h",
        "parties:",
        "  - party: " + HOUSING,
        "    name: 住房和城乡建设局",
        "    certificates: [a/cert.pem]",
        ""));
  }

  private CityBundle verified(String file) throws Exception {
    return CityBundle.verify(Files.readAllBytes(tmp.resolve(file)),
        CityTrust.readCertificates(Files.readString(tmp.resolve("ca/root.pem"))), Instant.now(), Duration.ZERO);
  }

  @Test
  void grantRevoke_thenBundleSign_bundleCarriesTheRevocation() throws Exception {
    ca();
    ok("grant", "issue", "--key", p("a/key.p12"), "--password", "pw", "--consumer", TrustCommandsTest.B,
        "--resource", "housing.provident-fund.balance", "--fields", "balance", "--purpose", "social-assistance-review",
        "--id", "grant-2026-0042", "--out", p("grant.jwt"));

    Run r1 = ok("grant", "revoke", "--token", p("grant.jwt"), "--reason", "application withdrawn", "--out", p("revoked.json"));
    Run r2 = ok("grant", "revoke", "--issuer", HOUSING, "--id", "grant-2026-0043", "--out", p("revoked.json"));
    ok("bundle", "sign", "--ca", p("ca"), "--in", p("bundle.yaml"), "--grant-revocations", p("revoked.json"),
        "--out", p("bundle.jws"), "--ca-password", "capw");

    assertThat(r1.err()).contains("grant-2026-0042").contains(HOUSING);
    assertThat(r2.err()).contains("2 revoked grants");
    CityBundle b = verified("bundle.jws");
    assertThat(b.isGrantRevoked(HOUSING + "#grant-2026-0042")).isTrue();
    assertThat(b.isGrantRevoked(HOUSING + "#grant-2026-0043")).isTrue();
    assertThat(b.isGrantRevoked(HOUSING + "#grant-2026-0044")).isFalse();
    assertThat(b.revokedGrants()).anySatisfy(g -> {
      assertThat(g.grantId()).isEqualTo("grant-2026-0042");
      assertThat(g.until()).isPresent();
      assertThat(g.reason()).contains("application withdrawn");
    });
    Run v = ok("bundle", "verify", "--trust", p("ca/root.pem"), "--in", p("bundle.jws"));
    assertThat(v.err()).contains("revoked grants: 2");
  }

  @Test
  void grantRevoke_badInput_clearMessageAndExitCode() throws Exception {
    ca();
    Run noIssuer = run("grant", "revoke", "--id", "x", "--out", p("r.json"));
    assertThat(noIssuer.code()).isEqualTo(ExitCodes.USAGE);
    Run badParty = run("grant", "revoke", "--issuer", "not-a-party", "--id", "x", "--out", p("r.json"));
    assertThat(badParty.code()).isEqualTo(ExitCodes.USAGE);
    Files.writeString(tmp.resolve("garbage.json"), "{\"not\": \"a list\"}");
    Run garbage = run("grant", "revoke", "--issuer", HOUSING, "--id", "x", "--out", p("garbage.json"));
    assertThat(garbage.code()).as(garbage.err()).isEqualTo(ExitCodes.REJECTED);
    assertThat(garbage.err()).contains("garbage.json").doesNotContain("\tat ");
    Run signGarbage = run("bundle", "sign", "--ca", p("ca"), "--in", p("bundle.yaml"), "--grant-revocations",
        p("garbage.json"), "--out", p("bundle.jws"), "--ca-password", "capw");
    assertThat(signGarbage.code()).isEqualTo(ExitCodes.REJECTED);
    assertThat(tmp.resolve("bundle.jws")).doesNotExist();
  }
}
