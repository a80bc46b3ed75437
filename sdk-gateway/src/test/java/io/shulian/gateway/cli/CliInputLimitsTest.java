package io.shulian.gateway.cli;

import static io.shulian.gateway.cli.CliRun.ok;
import static io.shulian.gateway.cli.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.shulian.core.trust.CityBundle;
import io.shulian.gateway.cli.CliRun.Run;
import java.io.File;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every file the CLI reads whole is read with a size limit that holds for huge, growing and endless
 * input ({@code /dev/zero}, a pipe), and every file that must be PEM is checked to be PEM text. The
 * operator gets one line and a non-zero exit code: never an OutOfMemoryError, a charset exception
 * or a stack trace. Endless inputs run in a child JVM with a small heap ({@link CliProcess}).
 */
class CliInputLimitsTest {
  private static final File DEV_ZERO = new File("/dev/zero");

  @TempDir Path tmp;

  private String p(String name) {
    return tmp.resolve(name).toString();
  }

  @BeforeEach
  void cityAndParty() throws Exception {
    ok("ca", "init", "--suite", "intl", "--name", "Limits Test Root", "--out", p("ca"), "--ca-password", "capw");
    ok("ca", "issue", "--ca", p("ca"), "--party", TrustCommandsTest.A, "--out", p("a"), "--ca-password", "capw",
        "--password", "pw");
    Files.writeString(tmp.resolve("payload.txt"), "hello");
    byte[] binary = new byte[4096];
    new Random(7).nextBytes(binary);
    binary[0] = (byte) 0xC3; // an invalid US-ASCII byte at the very start, as a DER or p12 file has
    Files.write(tmp.resolve("binary.pem"), binary);
    Files.writeString(tmp.resolve("text.pem"), "just some text, no PEM block\n");
  }

  private static void assertCleanRefusal(Run r, String expected) {
    assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.REJECTED);
    assertThat(r.err()).contains(expected)
        .doesNotContain("OutOfMemoryError").doesNotContain("Exception").doesNotContain("\tat ")
        .doesNotContain("Input length");
  }

  // ---- endless and huge inputs ----------------------------------------------------------

  @Test
  void bundleVerify_devZeroAsIn_tooLargeWithoutOutOfMemory() throws Exception {
    assumeTrue(DEV_ZERO.exists());
    Run r = CliProcess.run(tmp, null, "bundle", "verify", "--trust", p("ca/root.pem"), "--in", "/dev/zero");
    assertCleanRefusal(r, "input rejected (TOO_LARGE)");
    assertThat(r.err()).contains("/dev/zero is larger than the limit of " + CityBundle.MAX_BUNDLE_BYTES + " bytes");
  }

  @Test
  void bundleVerify_endlessStandardInput_tooLarge() throws Exception {
    assumeTrue(DEV_ZERO.exists());
    Run r = CliProcess.run(tmp, DEV_ZERO, "bundle", "verify", "--trust", p("ca/root.pem"), "--in", "-");
    assertCleanRefusal(r, "standard input is larger than the limit");
  }

  @Test
  void bundleVerify_sparseFileOverTheLimit_tooLarge() throws Exception {
    try (RandomAccessFile f = new RandomAccessFile(tmp.resolve("huge.jws").toFile(), "rw")) {
      f.setLength(CityBundle.MAX_BUNDLE_BYTES + 1L);
    }
    assertCleanRefusal(run("bundle", "verify", "--trust", p("ca/root.pem"), "--in", p("huge.jws")),
        "input rejected (TOO_LARGE)");
  }

  @Test
  void seal_devZeroAsPayload_tooLarge() throws Exception {
    assumeTrue(DEV_ZERO.exists());
    Run r = CliProcess.run(tmp, null, "seal", "--key", p("a/key.p12"), "--password", "pw", "--to", p("a/cert.pem"),
        "--resource", "R-1", "--purpose", "p", "--in", "/dev/zero", "--out", p("env.jose"));
    assertCleanRefusal(r, "input rejected (TOO_LARGE)");
    assertThat(tmp.resolve("env.jose")).doesNotExist();
  }

  @Test
  void pemAndKeyFiles_devZero_tooLarge() throws Exception {
    assumeTrue(DEV_ZERO.exists());
    // a certificate file, a trust root, and a PKCS#12 key store that never end
    assertCleanRefusal(CliProcess.run(tmp, null, "seal", "--key", p("a/key.p12"), "--password", "pw",
        "--to", "/dev/zero", "--resource", "R-1", "--purpose", "p", "--in", p("payload.txt"), "--out", p("e1")),
        "/dev/zero is larger than the limit");
    assertCleanRefusal(CliProcess.run(tmp, null, "bundle", "verify", "--trust", "/dev/zero", "--in", p("payload.txt")),
        "/dev/zero is larger than the limit");
    Run key = CliProcess.run(tmp, null, "seal", "--key", "/dev/zero", "--password", "pw",
        "--to", p("a/cert.pem"), "--resource", "R-1", "--purpose", "p", "--in", p("payload.txt"), "--out", p("e2"));
    assertThat(key.code()).as(key.err()).isNotZero();
    assertThat(key.err()).contains("larger than").doesNotContain("OutOfMemoryError").doesNotContain("\tat ");
  }

  // ---- files that must be PEM -------------------------------------------------------------

  /** Every command option that reads PEM, with the PEM file replaced by {@code bad}. */
  private List<String[]> pemReaders(String bad) throws Exception {
    Files.createDirectories(tmp.resolve("log"));
    List<String[]> c = new ArrayList<>();
    c.add(new String[] {"bundle", "verify", "--trust", bad, "--in", p("payload.txt")});
    c.add(new String[] {"seal", "--key", p("a/key.p12"), "--password", "pw", "--to", bad, "--resource", "R-1",
        "--purpose", "p", "--in", p("payload.txt"), "--out", p("env.jose")});
    c.add(new String[] {"open", "--key", p("a/key.p12"), "--password", "pw", "--trust", bad, "--in", p("payload.txt"),
        "--out", p("out.txt")});
    c.add(new String[] {"open", "--key", p("a/key.p12"), "--password", "pw", "--trust", p("ca/root.pem"),
        "--crl", bad, "--in", p("payload.txt"), "--out", p("out.txt")});
    c.add(new String[] {"grant", "verify", "--trust", bad, "--in", p("payload.txt")});
    c.add(new String[] {"audit", "verify", "--log", p("log"), "--trust", bad});
    c.add(new String[] {"ca", "sign-csr", "--ca", p("ca"), "--ca-password", "capw", "--csr", bad, "--out", p("c.pem")});
    c.add(new String[] {"csr", "--key", p("a/key.p12"), "--password", "pw", "--install", bad, "--root", p("ca/root.pem")});
    c.add(new String[] {"csr", "--key", p("a/key.p12"), "--password", "pw", "--install", p("a/cert.pem"), "--root", bad});
    c.add(new String[] {"audit", "verify", "--log", p("log"), "--trust", p("ca/root.pem"), "--crl", bad});
    c.add(new String[] {"policy", "check", "--bundle", p("payload.txt"), "--root", bad, "--subject",
        TrustCommandsTest.A, "--resource", "R-1", "--purpose", "p"});
    return c;
  }

  @Test
  void pemOptions_binaryFile_notPemWithoutCharsetError() throws Exception {
    for (String[] args : pemReaders(p("binary.pem"))) {
      Run r = run(args);
      assertThat(r.code()).as(String.join(" ", args) + "\n" + r.err()).isNotZero();
      assertThat(r.err()).as(String.join(" ", args))
          .contains("binary.pem is not a PEM file (binary data at byte 0)")
          .doesNotContain("MalformedInput").doesNotContain("Input length").doesNotContain("\tat ");
    }
  }

  @Test
  void pemOptions_textWithoutPemBlock_notPem() throws Exception {
    for (String[] args : pemReaders(p("text.pem"))) {
      Run r = run(args);
      assertThat(r.code()).as(String.join(" ", args) + "\n" + r.err()).isNotZero();
      assertThat(r.err()).as(String.join(" ", args)).contains("text.pem is not a PEM file (no -----BEGIN line)");
    }
  }

  @Test
  void bundleSign_certificateReferenceToBinaryFile_notPem() throws Exception {
    Files.writeString(tmp.resolve("bundle.yaml"), String.join("\n",
        "version: 1",
        "validFor: 24h",
        "parties:",
        "  - party: " + TrustCommandsTest.A,
        "    name: Housing",
        "    certificates: [binary.pem]",
        ""));
    Run r = run("bundle", "sign", "--ca", p("ca"), "--ca-password", "capw", "--in", p("bundle.yaml"), "--out", p("b.jws"));
    assertThat(r.code()).as(r.err()).isNotZero();
    assertThat(r.err()).contains("is not a PEM file (binary data at byte 0)").doesNotContain("\tat ");
  }

  @Test
  void catalogAndKeyInputs_devZeroOrHuge_tooLarge() throws Exception {
    try (RandomAccessFile f = new RandomAccessFile(tmp.resolve("huge.yaml").toFile(), "rw")) {
      f.setLength(64L * 1024 * 1024 + 1);
    }
    assertCleanRefusal(run("catalog", "validate", p("huge.yaml")), "input rejected (TOO_LARGE)");
    assertCleanRefusal(run("catalog", "diff", p("huge.yaml"), p("huge.yaml")), "input rejected (TOO_LARGE)");
  }
}
