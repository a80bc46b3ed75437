package io.shulian.hub.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.shulian.gateway.cli.ExitCodes;
import io.shulian.hub.access.PasswordHash;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * docs/console.md's {@code shulian hub passwd}: with {@code --stdin} it prints the Argon2id PHC
 * string of the first line ({@code $argon2id$v=19$m=19456,t=2,p=1$…}) and nothing of the password;
 * a password outside 8 to 512 characters, input that is not UTF-8, and no terminal without
 * {@code --stdin} exit 2.
 */
class PasswdCommandTest {
  private record Run(int code, String out, String err) {}

  private static Run passwd(String stdin, String... args) {
    PasswdCommand command = new PasswdCommand();
    if (stdin != null) {
      command.in = new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8));
    }
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = new CommandLine(command).setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true)).execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void stdin_printsTheDocumentedArgon2idHash_ofTheFirstLineOnly() {
    Run r = passwd("correct horse battery\r\nsecond line\n", "--stdin");
    assertThat(r.code()).as(r.err()).isZero();
    String phc = r.out().strip();
    assertThat(phc).startsWith("$argon2id$v=19$m=19456,t=2,p=1$").doesNotContain("horse");
    assertThat(PasswordHash.parse(phc).verify("correct horse battery".toCharArray())).isTrue();
    assertThat(PasswordHash.parse(phc).verify("second line".toCharArray())).isFalse();
  }

  @Test
  void tooShort_tooLong_notUtf8_orNoTerminal_exitUsage_withoutEchoingThePassword() {
    Run shortOne = passwd("seven77\n", "--stdin");
    assertThat(shortOne.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(shortOne.err()).contains("8 to 512").doesNotContain("seven77");
    assertThat(shortOne.out()).isEmpty();
    assertThat(passwd("x".repeat(513) + "\n", "--stdin").code()).isEqualTo(ExitCodes.USAGE);
    assertThat(passwd("x".repeat(512) + "\n", "--stdin").code()).isZero();
    PasswdCommand latin1 = new PasswdCommand();
    latin1.in = new ByteArrayInputStream(new byte[] {'p', 'a', 's', 's', (byte) 0xe9, 'w', 'o', 'r', 'd', '\n'});
    StringWriter err = new StringWriter();
    assertThat(new CommandLine(latin1).setErr(new PrintWriter(err, true)).execute("--stdin")).isEqualTo(ExitCodes.USAGE);
    // the test JVM has no console: without --stdin there is nothing to read a password from without echo
    Run noTerminal = passwd(null);
    assertThat(noTerminal.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(noTerminal.err()).contains("--stdin");
  }
}
