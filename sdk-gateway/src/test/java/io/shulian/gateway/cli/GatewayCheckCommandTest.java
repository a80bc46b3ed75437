package io.shulian.gateway.cli;

import static io.shulian.gateway.cli.CliRun.ok;
import static io.shulian.gateway.cli.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

import io.shulian.core.party.CreditCode;
import io.shulian.core.party.PartyId;
import io.shulian.gateway.cli.CliRun.Run;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code shulian gateway --check} refuses every configuration the gateway could not run safely,
 * naming the setting, with exit code 2 and no internal error.
 */
class GatewayCheckCommandTest {
  static final String PARTY = PartyId.of("440600", CreditCode.withCheckCharacter("11440600MB2C1234H"), "housing").toString();
  /** The keystore password is read from the environment; the tests use a variable that is always set. */
  static final String PASSWORD_ENV = System.getenv("HOME") != null ? "HOME" : "PATH";

  @TempDir Path tmp;

  @BeforeEach
  void keys() {
    ok("ca", "init", "--suite", "intl", "--name", "Test City Root", "--out", tmp.resolve("ca").toString(),
        "--ca-password", "capw");
    ok("ca", "issue", "--ca", tmp.resolve("ca").toString(), "--party", PARTY, "--out", tmp.resolve("gw").toString(),
        "--ca-password", "capw", "--password", System.getenv(PASSWORD_ENV));
  }

  /** A valid provider configuration, with {@code extra} lines appended (top-level sections). */
  Run check(String... extra) throws Exception {
    StringBuilder b = new StringBuilder(String.join("\n",
        "identity: { keystore: gw/key.p12, passwordEnv: " + PASSWORD_ENV + " }",
        "provider:",
        "  listen: 127.0.0.1:0",
        "  backends: [ { resource: R-1, url: \"http://127.0.0.1:9000/api\", endpoints: [ { method: GET, path: \"/{id}\" } ] } ]",
        "  permissions: [ { consumer: \"" + PARTY + "\", resource: R-1, purposes: [p] } ]",
        "audit: { dir: audit }", ""));
    for (String l : extra) {
      b.append(l).append('\n');
    }
    Path f = tmp.resolve("gw.yaml");
    Files.writeString(f, b);
    return run("gateway", "--check", "--config", f.toString());
  }

  static void assertRefused(Run r, String... mentions) {
    assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("invalid configuration").doesNotContain("internal error").doesNotContain("Exception")
        .doesNotContain("\tat ");
    for (String m : mentions) {
      assertThat(r.err()).contains(m);
    }
  }

  @Test
  void check_validConfiguration_passes() throws Exception {
    Run r = check("limits: { maxBodyBytes: 1048576, headerTimeout: 5s }", "trust: { bundleReload: 1s }");

    assertThat(r.code()).as(r.err()).isEqualTo(0);
    assertThat(r.err()).contains("is valid");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "trust: { bundleReload: 0s }           | trust.bundleReload",
      "trust: { bundleReload: 0ms }          | trust.bundleReload",
      "trust: { bundleReload: -5s }          | trust.bundleReload",
      "trust: { grace: 30d }                 | trust.grace",
      "limits: { maxBodyBytes: 0 }           | limits.maxBodyBytes",
      "limits: { maxBodyBytes: -1 }          | limits.maxBodyBytes",
      "limits: { maxBodyBytes: 2147483647 }  | limits.maxBodyBytes",
      "limits: { maxHeaderBytes: 0 }         | limits.maxHeaderBytes",
      "limits: { maxHeaderBytes: -8192 }     | limits.maxHeaderBytes",
      "limits: { maxConnections: 0 }         | limits.maxConnections",
      "limits: { maxConnections: -1 }        | limits.maxConnections",
      "limits: { headerTimeout: 0s }         | limits.headerTimeout",
      "limits: { requestTimeout: 0ms }       | limits.requestTimeout",
      "limits: { backendTimeout: 0s }        | limits.backendTimeout",
      "runtime: { eventLoops: -1 }           | runtime.eventLoops",
      "runtime: { drainTimeout: soon }       | runtime.drainTimeout",
      "admin: { listen: null }               | admin.listen",
      "admin: {}                             | admin.listen",
  })
  void check_valueOutOfRange_refusedNamingTheSetting(String line, String setting) throws Exception {
    assertRefused(check(line), setting);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "limits: null           | limits",
      "limits:                | limits",
      "trust: null            | trust",
      "runtime: ~             | runtime",
      "envelope: null         | envelope",
  })
  void check_nullSection_refusedWithoutInternalError(String line, String setting) throws Exception {
    assertRefused(check(line), setting, "null");
  }

  @Test
  void check_nullListAndNullListEntry_refused() throws Exception {
    Path f = tmp.resolve("gw.yaml");
    Files.writeString(f, String.join("\n",
        "identity: { keystore: gw/key.p12, passwordEnv: " + PASSWORD_ENV + " }",
        "provider:",
        "  listen: 127.0.0.1:0",
        "  backends: [ null ]",
        "  permissions: null",
        "audit: { dir: audit }", ""));

    assertRefused(run("gateway", "--check", "--config", f.toString()), "backends", "null");
  }

  @Test
  void check_duplicateTopLevelKey_refused() throws Exception {
    Run r = check("limits: { maxBodyBytes: 1024 }", "limits: { maxBodyBytes: 4096 }");

    assertRefused(r, "limits", "uplicate");
  }

  @Test
  void check_duplicateNestedKey_refused() throws Exception {
    Run r = check("limits: { maxBodyBytes: 1024, maxBodyBytes: 4096 }");

    assertRefused(r, "maxBodyBytes", "uplicate");
  }

  @Test
  void check_hugeBundleFile_refusedWithoutReadingIt() throws Exception {
    try (RandomAccessFile f = new RandomAccessFile(tmp.resolve("bundle.jws").toFile(), "rw")) {
      f.setLength(3L << 30);
    }

    Run r = check("trust: { root: ca/root.pem, bundle: bundle.jws }");

    assertRefused(r, "bundle.jws", "larger than");
  }

  @Test
  void check_severalProblems_allPrintedWithFileLineAndColumn() throws Exception {
    Run r = check("limits: { requestTimeout: 5x }", "admin: { lisen: \"127.0.0.1:9\" }", "runtime: { eventLoops: many }");

    assertRefused(r, "3 problems", "gw.yaml:7:27: limits.requestTimeout: \"5x\" is not a duration",
        "gw.yaml:8:10: admin.lisen: unknown key; did you mean `listen`?", "gw.yaml:9:24: runtime.eventLoops: ");
  }

  @Test
  void start_portInUse_namesTheAddressAndExitsCleanly() throws Exception {
    try (java.net.ServerSocket taken = new java.net.ServerSocket()) {
      taken.bind(new java.net.InetSocketAddress("127.0.0.1", 0));
      int port = taken.getLocalPort();
      Path f = tmp.resolve("gw.yaml");
      Files.writeString(f, String.join("\n",
          "identity: { keystore: gw/key.p12, passwordEnv: " + PASSWORD_ENV + " }",
          "provider:",
          "  listen: 127.0.0.1:" + port,
          "  backends: [ { resource: R-1, url: \"http://127.0.0.1:9000/api\", endpoints: [ { method: GET, path: \"/{id}\" } ] } ]",
          "  permissions: [ { consumer: \"" + PARTY + "\", resource: R-1, purposes: [p] } ]",
          "audit: { dir: audit }", ""));

      Run r = run("gateway", "--config", f.toString());

      assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.FAILURE);
      assertThat(r.err()).contains("cannot listen on 127.0.0.1:" + port + ": address already in use")
          .doesNotContain("Exception").doesNotContain("\tat ").doesNotContain("internal error");
      // everything the failed start took is given back: the state directory can be opened again
      io.shulian.gateway.config.ConfigLoader.load(f, System::getenv).state.close();
    }
  }
}
