package io.shulian.gateway.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(
    name = "bundle",
    mixinStandardHelpOptions = true,
    description = {
      "Sign or verify the city bundle.",
      "It lists member parties, their endpoints and certificates, the CA certificates and the "
          + "current CRL, as JSON in a JWS signed by the city root."
    },
    subcommands = {BundleSignCommand.class, BundleVerifyCommand.class})
final class BundleCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw Cli.usage(spec, "a subcommand is required: sign or verify");
  }
}
