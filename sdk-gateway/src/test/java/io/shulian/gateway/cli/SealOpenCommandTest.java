package io.shulian.gateway.cli;

import static io.shulian.gateway.cli.CliRun.run;
import static io.shulian.gateway.cli.CliRun.ok;
import static org.assertj.core.api.Assertions.assertThat;

import io.shulian.core.party.CreditCode;
import io.shulian.core.party.PartyId;
import io.shulian.gateway.cli.CliRun.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code shulian seal --encoding} and {@code shulian open} of both encodings. */
class SealOpenCommandTest {
  static final String A = PartyId.of("440600", CreditCode.withCheckCharacter("11440600MB2C1234H"), "housing").toString();
  static final String B = PartyId.of("440604", CreditCode.withCheckCharacter("11440604MB2C9012D"), null).toString();

  @TempDir Path tmp;


  private String p(String name) {
    return tmp.resolve(name).toString();
  }

  private void keys(String suite) {
    ok("keygen", "--suite", suite, "--party", A, "--out", p("a"), "--password", "pw");
    ok("keygen", "--suite", suite, "--party", B, "--out", p("b"), "--password", "pw");
  }

  private Run seal(String encoding, String in, String out) {
    return run("seal", "--key", p("a/key.p12"), "--password", "pw", "--to", p("b/cert.pem"), "--resource", "R-1",
        "--purpose", "social-assistance-review", "--encoding", encoding, "--in", in, "--out", out);
  }

  private Run open(String in, String out) {
    return run("open", "--key", p("b/key.p12"), "--password", "pw", "--trust", p("a/cert.pem"), "--in", in,
        "--out", out);
  }

  @ParameterizedTest
  @ValueSource(strings = {"intl", "gm"})
  void sealOpen_framedEncoding_roundTripsAndOpenDetectsIt(String suite) throws Exception {
    keys(suite);
    byte[] payload = new byte[300_000];
    new Random(1).nextBytes(payload);
    Files.write(tmp.resolve("payload.bin"), payload);

    Run sealed = seal("framed", p("payload.bin"), p("env.shf"));
    assertThat(sealed.code()).as(sealed.err()).isZero();
    assertThat(sealed.err()).contains("sealed framed envelope").contains("300000 payload bytes");
    assertThat(Files.readAllBytes(tmp.resolve("env.shf"))[0]).isEqualTo((byte) 0x89);
    Run opened = open(p("env.shf"), p("out.bin"));

    assertThat(opened.code()).as(opened.err()).isZero();
    assertThat(Files.readAllBytes(tmp.resolve("out.bin"))).isEqualTo(payload);
    assertThat(opened.err()).contains("signature verified").contains("framed").contains("300000");
    assertThat(leftovers()).isEmpty();
  }

  @Test
  void sealOpen_defaultEncoding_isCompactAndStillOpens() throws Exception {
    keys("intl");
    Files.writeString(tmp.resolve("payload.txt"), "hello city");
    ok("seal", "--key", p("a/key.p12"), "--password", "pw", "--to", p("b/cert.pem"), "--resource", "R-1",
        "--purpose", "social-assistance-review", "--in", p("payload.txt"), "--out", p("env.jose"));
    assertThat(Files.readString(tmp.resolve("env.jose"))).startsWith("eyJ");
    Run opened = open(p("env.jose"), p("out.txt"));
    assertThat(opened.code()).as(opened.err()).isZero();
    assertThat(Files.readString(tmp.resolve("out.txt"))).isEqualTo("hello city");
  }

  @Test
  void open_tamperedFramedEnvelope_rejectedAndLeavesNoOutput() throws Exception {
    keys("intl");
    byte[] payload = new byte[200_000];
    new Random(2).nextBytes(payload);
    Files.write(tmp.resolve("payload.bin"), payload);
    assertThat(seal("framed", p("payload.bin"), p("env.shf")).code()).isZero();
    byte[] env = Files.readAllBytes(tmp.resolve("env.shf"));
    env[env.length - 10] ^= 1; // inside the last segment: earlier segments were already written out
    Files.write(tmp.resolve("bad.shf"), env);

    Run r = open(p("bad.shf"), p("out.bin"));

    assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.REJECTED);
    assertThat(r.err()).contains("envelope rejected (DECRYPTION_FAILED)").doesNotContain("\tat ");
    assertThat(tmp.resolve("out.bin")).doesNotExist();
    assertThat(leftovers()).isEmpty();
  }

  @Test
  void open_framedFromUntrustedSender_rejected() throws Exception {
    keys("intl");
    ok("keygen", "--suite", "intl", "--party", A, "--out", p("c"), "--password", "pw");
    Files.writeString(tmp.resolve("payload.txt"), "x");
    assertThat(seal("framed", p("payload.txt"), p("env.shf")).code()).isZero();
    Run r = run("open", "--key", p("b/key.p12"), "--password", "pw", "--trust", p("c/cert.pem"), "--in",
        p("env.shf"), "--out", p("out.txt"));
    assertThat(r.code()).isEqualTo(ExitCodes.REJECTED);
    assertThat(r.err()).contains("UNTRUSTED_SENDER");
    assertThat(tmp.resolve("out.txt")).doesNotExist();
  }

  @Test
  void seal_unknownEncoding_isUsageError() throws Exception {
    keys("intl");
    Files.writeString(tmp.resolve("payload.txt"), "x");
    Run r = seal("zip", p("payload.txt"), p("env"));
    assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("--encoding must be compact or framed");
    assertThat(tmp.resolve("env")).doesNotExist();
  }

  @Test
  void seal_ttlTwoDays_usageErrorBecauseOpenWouldRefuseIt() throws Exception {
    keys("intl");
    Files.writeString(tmp.resolve("payload.txt"), "x");
    Run r = run("seal", "--key", p("a/key.p12"), "--password", "pw", "--to", p("b/cert.pem"), "--resource", "R-1",
        "--purpose", "social-assistance-review", "--ttl", "2d", "--in", p("payload.txt"), "--out", p("env"));
    assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("--ttl").contains("24h").doesNotContain("\tat ");
    assertThat(tmp.resolve("env")).doesNotExist();
    // the longest ttl open accepts seals and opens
    ok("seal", "--key", p("a/key.p12"), "--password", "pw", "--to", p("b/cert.pem"), "--resource", "R-1",
        "--purpose", "social-assistance-review", "--ttl", "24h", "--in", p("payload.txt"), "--out", p("env"));
    assertThat(open(p("env"), p("out.txt")).code()).isZero();
  }

  /** Temporary files the commands left in the directory. */
  private String[] leftovers() throws Exception {
    try (Stream<Path> s = Files.list(tmp)) {
      return s.map(x -> x.getFileName().toString()).filter(n -> n.endsWith(".tmp")).toArray(String[]::new);
    }
  }
}
