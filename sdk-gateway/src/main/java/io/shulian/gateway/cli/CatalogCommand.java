package io.shulian.gateway.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(
    name = "catalog",
    mixinStandardHelpOptions = true,
    description = "Check and compare sharing catalogs.",
    subcommands = {CatalogValidateCommand.class, CatalogDiffCommand.class})
final class CatalogCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw Cli.usage(spec, "a subcommand is required: validate or diff");
  }
}
