package io.shulian.gateway.cli;

import static io.shulian.gateway.cli.CliRun.ok;
import static io.shulian.gateway.cli.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

import io.shulian.core.trust.CityAuthority;
import io.shulian.core.trust.CityBundle;
import io.shulian.gateway.cli.CliRun.Run;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code shulian bundle verify}: what it checks beyond the signature. */
class BundleVerifyCommandTest {
  @TempDir Path tmp;

  private String p(String name) {
    return tmp.resolve(name).toString();
  }

  /** Signs a bundle through the API, past the checks of 'bundle sign' (as an older build or another tool might). */
  private void signWithCatalog(String catalogJson) throws Exception {
    ok("ca", "init", "--suite", "intl", "--name", "Verify Root", "--out", p("ca"), "--ca-password", "capw");
    CityAuthority ca = CityAuthority.open(tmp.resolve("ca"), "capw".toCharArray(), Clock.systemUTC());
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    String jws = CityBundle.draft().version(5).validity(now, now.plus(Duration.ofHours(1)))
        .crl(ca.crl(Duration.ofHours(24))).extension("catalog", catalogJson).sign(ca);
    Files.writeString(tmp.resolve("bundle.jws"), jws, StandardCharsets.US_ASCII);
  }

  @Test
  void bundleVerify_catalogExtensionThatIsAString_rejectedWithExitCode3() throws Exception {
    signWithCatalog("\"catalog.yaml\"");

    Run r = run("bundle", "verify", "--trust", p("ca/root.pem"), "--in", p("bundle.jws"));

    assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.REJECTED);
    assertThat(r.err()).contains("bundle:catalog").doesNotContain("\tat ");
  }

  @Test
  void bundleVerify_validCatalog_reportsThePolicySetVersion() throws Exception {
    ok("ca", "init", "--suite", "intl", "--name", "Verify Root", "--out", p("ca"), "--ca-password", "capw");
    Files.writeString(tmp.resolve("bundle.yaml"), "version: 4\nvalidFor: 1h\nparties: []\n");
    ok("bundle", "sign", "--ca", p("ca"), "--in", p("bundle.yaml"), "--catalog",
        PolicyCliTest.EXAMPLES.resolve("catalog.yaml").toString(), "--policies",
        PolicyCliTest.EXAMPLES.resolve("policies.yaml").toString(), "--out", p("bundle.jws"), "--ca-password", "capw");

    Run r = ok("bundle", "verify", "--trust", p("ca/root.pem"), "--in", p("bundle.jws"));

    assertThat(r.err()).contains("catalog and policies: valid").contains("policy-set version sha256:");
  }
}
