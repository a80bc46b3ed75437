package io.shulian.hub.cli;

import io.shulian.core.catalog.CatalogSubmission;
import io.shulian.core.io.BoundedRead;
import io.shulian.gateway.cli.ShulianCli;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code shulian catalog submit}: a department registers a new or changed resource of its own (or
 * withdraws one) on the hub, for the bureau to review. The document is signed with the department's
 * signing key; the request goes over TLS with its city-CA TLS certificate (both from {@code --key}).
 */
@Command(name = "submit", mixinStandardHelpOptions = true,
    description = {
      "Submit a new or changed catalog resource of this department to the city hub for review "
          + "(or --withdraw one). RESOURCE is one catalog resource (YAML or JSON, as an entry under 'resources').",
      "The hub checks it as 'catalog validate' does against the newest published catalog and stores it pending; "
          + "a reviewer approves or rejects it (shulian hub review). Exit 0 submitted (prints the submission as JSON), "
          + "3 refused by the hub (invalid, wrong party, replayed), 1 other failure, 2 usage."
    })
public final class CatalogSubmitCommand implements Callable<Integer>, ShulianCli.Extension {
  /** The largest resource document read. */
  static final int MAX_DOCUMENT_BYTES = 192 * 1024;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;
  @Mixin HubClient client;

  @Parameters(index = "0", arity = "0..1", paramLabel = "RESOURCE", description = "resource.yaml (not with --withdraw)")
  Path resource;

  @Option(names = "--withdraw", paramLabel = "CODE", description = "withdraw this resource of the department instead")
  String withdraw;

  @Override
  public String parent() {
    return "catalog";
  }

  @Override
  public Integer call() throws Exception {
    if ((resource == null) == (withdraw == null)) {
      throw new CommandLine.ParameterException(spec.commandLine(), "give RESOURCE or --withdraw CODE (one of them)");
    }
    var me = client.identity(spec);
    String token;
    try {
      token = resource != null
          ? CatalogSubmission.register(me, BoundedRead.file(resource, MAX_DOCUMENT_BYTES), Instant.now())
          : CatalogSubmission.withdraw(me, withdraw, Instant.now());
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    return client.call(spec, "POST", "/v1/catalog/submissions", token, "application/jose");
  }
}
