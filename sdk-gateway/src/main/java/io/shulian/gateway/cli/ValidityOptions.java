package io.shulian.gateway.cli;

import java.time.Duration;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/** The validity of the party certificates a command issues: {@code --days}, 1 to 3650. */
final class ValidityOptions {
  static final int MAX_DAYS = 3650;

  @Option(names = "--days", description = "certificate validity in days (default ${DEFAULT-VALUE})")
  int days = 365;

  /**
   * Returns the validity.
   *
   * @throws picocli.CommandLine.ParameterException (exit code 2) outside 1 to 3650 days
   */
  Duration validity(CommandSpec spec) {
    if (days < 1 || days > MAX_DAYS) {
      throw Cli.usage(spec, "--days must be between 1 and " + MAX_DAYS);
    }
    return Duration.ofDays(days);
  }
}
