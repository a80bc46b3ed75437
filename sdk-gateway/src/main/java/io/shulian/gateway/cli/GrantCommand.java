package io.shulian.gateway.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(
    name = "grant",
    mixinStandardHelpOptions = true,
    description = "Issue, verify and revoke grants: a provider's signed approval of a conditional-sharing application.",
    subcommands = {GrantIssueCommand.class, GrantVerifyCommand.class, GrantRevokeCommand.class})
final class GrantCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw Cli.usage(spec, "a subcommand is required: issue, verify or revoke");
  }
}
