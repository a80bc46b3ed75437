package io.shulian.gateway.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(
    name = "ca",
    mixinStandardHelpOptions = true,
    description = {
      "Run the city root CA: init, issue, sign-csr, revoke, crl.",
      "The CA directory holds ca.p12 (key), root.pem and ca-state.json (issued and revoked "
          + "serials)."
    },
    subcommands = {
      CaInitCommand.class,
      CaIssueCommand.class,
      CaSignCsrCommand.class,
      CaRevokeCommand.class,
      CaCrlCommand.class
    })
final class CaCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw Cli.usage(spec, "a subcommand is required: init, issue, sign-csr, revoke or crl");
  }
}
