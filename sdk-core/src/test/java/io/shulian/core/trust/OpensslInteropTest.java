package io.shulian.core.trust;

import static io.shulian.core.trust.TestCa.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.shulian.core.keys.PartyCertificate;
import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.keys.Suite;
import io.shulian.core.testing.TestParties;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import io.shulian.core.testing.ExternalTool;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The city CA's certificates and CRL as OpenSSL sees them: {@code openssl verify -crl_check} (INTL)
 * and {@code -x509_strict} (both suites; GM with the GM/T 0009 default user id).
 */
class OpensslInteropTest {
  @TempDir static Path tmp;

  @BeforeAll
  static void requireOpenssl() {
    ExternalTool.require("the OpenSSL interop check of certificates and CRLs", "openssl", "version");
  }

  static String run(List<String> cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return "exit=" + p.exitValue() + "\n" + out;
  }

  @Test
  void opensslVerify_crlCheck_acceptsValidRejectsRevoked() throws Exception {
    // openssl checks against the current time, so this CA lives on the real clock
    Instant now = Instant.now();
    Path dir = tmp.resolve("ca");
    CityAuthority ca = CityAuthority.init(Suite.INTL, "OpenSSL Interop Root", dir, TestCa.PASSWORD,
        Duration.ofDays(30), TestCa.clock(now));
    PartyIdentity good = ca.issue(TestParties.HOUSING, true, Duration.ofDays(10));
    PartyIdentity bad = ca.issue(TestParties.CIVIL, true, Duration.ofDays(10));
    ca.revoke(bad.signingCertificate().certificate().getSerialNumber(), RevocationReason.KEY_COMPROMISE);
    Files.writeString(tmp.resolve("crl.pem"), CityAuthority.toPem(ca.crl(Duration.ofHours(24))));
    Path root = dir.resolve(CityAuthority.ROOT_PEM);

    for (PartyCertificate c : good.certificates()) {
      Path f = tmp.resolve("good-" + c.keyId() + ".pem");
      Files.writeString(f, PartyCertificate.toPem(List.of(c)));
      String out = run(List.of("openssl", "verify", "-crl_check", "-CAfile", root.toString(),
          "-CRLfile", tmp.resolve("crl.pem").toString(), f.toString()));
      assertThat(out).as(c.toString()).startsWith("exit=0").contains(": OK");
    }
    Path revoked = tmp.resolve("revoked.pem");
    Files.writeString(revoked, PartyCertificate.toPem(List.of(bad.signingCertificate())));
    String out = run(List.of("openssl", "verify", "-crl_check", "-CAfile", root.toString(),
        "-CRLfile", tmp.resolve("crl.pem").toString(), revoked.toString()));
    assertThat(out).doesNotStartWith("exit=0").contains("revoked");

    // the TLS certificate has the purposes TLS needs
    Path tls = tmp.resolve("tls.pem");
    Files.writeString(tls, PartyCertificate.toPem(List.of(good.tlsCertificate().orElseThrow())));
    List<String> cmd = new ArrayList<>(List.of("openssl", "verify", "-purpose", "sslserver", "-CAfile", root.toString(), tls.toString()));
    assertThat(run(cmd)).startsWith("exit=0");
    cmd.set(3, "sslclient");
    assertThat(run(cmd)).startsWith("exit=0");
  }

  @ParameterizedTest
  @EnumSource(Suite.class)
  void opensslVerify_x509Strict_acceptsCityIssuedCertificates(Suite suite) throws Exception {
    Path dir = tmp.resolve("strict-" + suite);
    CityAuthority ca = CityAuthority.init(suite, "Strict Root " + suite, dir, TestCa.PASSWORD,
        Duration.ofDays(30), TestCa.clock(Instant.now()));
    PartyIdentity party = ca.issue(TestParties.HOUSING, true, Duration.ofDays(10));
    for (PartyCertificate c : party.certificates()) {
      Path f = tmp.resolve("strict-" + suite + "-" + c.keyId() + ".pem");
      Files.writeString(f, PartyCertificate.toPem(List.of(c)));
      List<String> cmd = new ArrayList<>(List.of("openssl", "verify", "-x509_strict"));
      if (suite == Suite.GM) {
        cmd.addAll(List.of("-vfyopt", "distid:1234567812345678"));
      }
      cmd.addAll(List.of("-CAfile", dir.resolve(CityAuthority.ROOT_PEM).toString(), f.toString()));
      assertThat(run(cmd)).as(c.toString()).startsWith("exit=0").contains(": OK");
    }
  }
}
