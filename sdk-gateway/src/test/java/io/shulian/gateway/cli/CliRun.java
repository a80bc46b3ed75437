package io.shulian.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs the {@code shulian} command line in this JVM and captures what it printed. */
final class CliRun {
  private CliRun() {}

  /** Result of one CLI run. */
  record Run(int code, String out, String err) {}

  static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = ShulianCli.commandLine(new PrintWriter(out), new PrintWriter(err)).execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  /** Runs and asserts exit code 0. */
  static Run ok(String... args) {
    Run r = run(args);
    assertThat(r.code()).as(String.join(" ", args) + "\n" + r.err()).isEqualTo(0);
    return r;
  }
}
