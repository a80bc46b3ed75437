package io.shulian.gateway.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(
    name = "grant",
    mixinStandardHelpOptions = true,
    description = "Issue and verify grants: a provider's signed approval of a conditional-sharing application.",
    subcommands = {GrantIssueCommand.class, GrantVerifyCommand.class})
final class GrantCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw Cli.usage(spec, "a subcommand is required: issue or verify");
  }
}
