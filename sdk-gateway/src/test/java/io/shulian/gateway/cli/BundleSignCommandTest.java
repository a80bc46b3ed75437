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
}
