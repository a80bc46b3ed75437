package io.shulian.gateway.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(
    name = "policy",
    mixinStandardHelpOptions = true,
    description = "Ask the policy engine for decisions.",
    subcommands = {PolicyCheckCommand.class})
final class PolicyCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw Cli.usage(spec, "a subcommand is required: check");
  }
}
