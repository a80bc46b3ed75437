package io.shulian.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.shulian.core.testing.ExternalTool;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * docs/trust.md: {@code ca.p12} is "PKCS#12 as OpenSSL 3 writes it (PBES2/AES-256-CBC, HMAC-SHA256
 * MAC)" with the entry {@code ca}: {@code openssl pkcs12} reads the store {@code shulian ca init}
 * writes, for both suites, and reports exactly those algorithms.
 */
class CaKeystoreOpensslTest {
  @TempDir Path tmp;

  @ParameterizedTest
  @ValueSource(strings = {"intl", "gm"})
  void caInit_caP12_readByOpensslPkcs12_withTheDocumentedAlgorithms(String suite) throws Exception {
    ExternalTool.require("the ca.p12 interop check", "openssl", "version");
    CliRun.ok("ca", "init", "--suite", suite, "--name", "Interop Root", "--out", tmp.resolve("ca").toString(),
        "--ca-password", "capw");
    ExternalTool.Result r = ExternalTool.run(List.of("openssl", "pkcs12", "-info", "-nodes", "-passin", "env:P12PW",
        "-in", tmp.resolve("ca/ca.p12").toString()), tmp, Map.of("P12PW", "capw"));
    assertThat(r.exit).as(r.output).isZero();
    assertThat(r.output).contains("MAC: sha256").contains("PBES2").contains("AES-256-CBC")
        .contains("friendlyName: ca").contains("BEGIN PRIVATE KEY").contains("BEGIN CERTIFICATE");
  }
}
