package io.shulian.hub.cli;

import io.shulian.gateway.cli.ExitCodes;
import io.shulian.hub.access.PasswordHash;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code shulian hub passwd}: prints the Argon2id hash of a console password for hub.yaml. */
@Command(name = "passwd", mixinStandardHelpOptions = true,
    description = {
      "Print the Argon2id hash of an operator's console password for hub.yaml (passwordHash).",
      "Argon2id with 19 MiB of memory, 2 passes, 1 lane and a random salt, printed as a PHC string.",
      "The password is read from the terminal without echo (asked twice), or with --stdin from the first line of "
          + "standard input. It is never printed or logged. 8 to 512 characters.",
      "Exit codes: 0 printed, 2 usage (no terminal without --stdin, too short, the two entries differ)."
    })
public final class PasswdCommand implements Callable<Integer> {
  static final int MIN_LENGTH = 8;
  static final int MAX_LENGTH = 512;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--stdin", description = "read the password from the first line of standard input")
  boolean stdin;

  /** Where --stdin reads from (tests replace it). */
  InputStream in = System.in;

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    char[] pw;
    if (stdin) {
      pw = firstLine(in);
      if (pw == null) {
        err.println("passwd: standard input is not UTF-8 text or its first line is longer than " + MAX_LENGTH + " characters");
        return ExitCodes.USAGE;
      }
    } else {
      java.io.Console console = System.console();
      if (console == null) {
        err.println("passwd: no terminal to read the password from without echo; use --stdin");
        return ExitCodes.USAGE;
      }
      pw = console.readPassword("console password: ");
      char[] again = console.readPassword("again: ");
      if (pw == null || again == null || !Arrays.equals(pw, again)) {
        if (pw != null) {
          Arrays.fill(pw, '\0');
        }
        if (again != null) {
          Arrays.fill(again, '\0');
        }
        err.println("passwd: the two entries differ");
        return ExitCodes.USAGE;
      }
      Arrays.fill(again, '\0');
    }
    try {
      if (pw.length < MIN_LENGTH || pw.length > MAX_LENGTH) {
        err.println("passwd: the password must be " + MIN_LENGTH + " to " + MAX_LENGTH + " characters");
        return ExitCodes.USAGE;
      }
      out.println(PasswordHash.create(pw).phc());
      out.flush();
      return ExitCodes.OK;
    } finally {
      Arrays.fill(pw, '\0');
    }
  }

  /** The first line (without its line end) of {@code in}, or null if it is not UTF-8 or too long. */
  private static char @org.jspecify.annotations.Nullable [] firstLine(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) >= 0 && c != '\n') {
      if (b.size() > MAX_LENGTH * 4) {
        return null;
      }
      b.write(c);
    }
    byte[] bytes = b.toByteArray();
    int n = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
    try {
      CharBuffer cb = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes, 0, n));
      char[] out = new char[cb.remaining()];
      cb.get(out);
      Arrays.fill(cb.array(), '\0');
      return out;
    } catch (CharacterCodingException e) {
      return null;
    } finally {
      Arrays.fill(bytes, (byte) 0);
    }
  }
}
