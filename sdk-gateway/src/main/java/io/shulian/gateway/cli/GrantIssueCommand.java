package io.shulian.gateway.cli;

import io.shulian.core.catalog.Catalog;
import io.shulian.core.catalog.CatalogResource;
import io.shulian.core.catalog.InvalidDocumentException;
import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.party.PartyId;
import io.shulian.core.policy.Grant;
import io.shulian.core.policy.GrantIssuer;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(
    name = "issue",
    mixinStandardHelpOptions = true,
    description = {
      "Sign a grant with the provider's signing key.",
      "The grant (signed with the key.p12 'sign' entry) names consumer, resource, fields, "
          + "purpose, validity and maximum uses. With --catalog the grant is checked against it first."
    })
final class GrantIssueCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin KeyOptions keys;

  @Option(names = "--consumer", required = true, description = "the consumer's party id")
  String consumer;

  @Option(names = "--resource", required = true, description = "catalog resource code")
  String resource;

  @Option(names = "--fields", required = true, split = ",", description = "granted fields, comma-separated")
  List<String> fields;

  @Option(names = "--purpose", required = true, description = "purpose code")
  String purpose;

  @Option(names = "--ttl", description = "validity from now, e.g. 30d (default ${DEFAULT-VALUE})")
  String ttl = "30d";

  @Option(names = "--max-uses", description = "maximum uses (default ${DEFAULT-VALUE})")
  long maxUses = 100;

  @Option(names = "--id", description = "grant id (default: a random UUID)")
  String id;

  @Option(names = "--catalog", description = "catalog.yaml to check resource, fields, purpose and provider against")
  Path catalog;

  @Option(names = "--out", required = true, description = "grant token file, or - for standard output")
  String out;

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    Duration d = Cli.duration(spec, ttl, "--ttl");
    PartyId to = Cli.partyId(spec, consumer, "--consumer");
    PartyIdentity provider = keys.load(err);
    if (catalog != null) {
      Catalog c;
      try {
        c = Catalog.parse(catalog.toString(), CliSupport.readFile(catalog, CliSupport.MAX_DOCUMENT_BYTES));
      } catch (InvalidDocumentException e) {
        return CatalogValidateCommand.report(err, e);
      }
      CatalogResource r = c.resource(resource).orElseThrow(
          () -> Cli.usage(spec, "--resource: " + resource + " is not in " + catalog));
      if (!r.provider().equals(provider.party())) {
        throw Cli.usage(spec, "resource " + resource + " is provided by " + r.provider() + ", not by the key's party "
            + provider.party());
      }
      for (String f : fields) {
        if (r.field(f).isEmpty()) {
          throw Cli.usage(spec, "--fields: " + f + " is not a field of " + resource);
        }
      }
      if (!r.purposes().contains(purpose)) {
        throw Cli.usage(spec, "--purpose: " + purpose + " is not allowed for " + resource + " (allowed: " + r.purposes() + ")");
      }
    }
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    Grant g;
    try {
      Grant.Builder b = Grant.builder()
          .issuer(provider.party())
          .consumer(to)
          .resource(resource)
          .fields(fields)
          .purpose(purpose)
          .validity(now, now.plus(d))
          .maxUses(maxUses);
      if (id != null) {
        b.id(id);
      }
      g = b.build();
    } catch (IllegalArgumentException e) {
      throw Cli.usage(spec, Objects.requireNonNullElse(e.getMessage(), e.getClass().getSimpleName()));
    }
    String token = GrantIssuer.of(provider).issue(g);
    CliSupport.writeOutput(out, (token + "\n").getBytes(StandardCharsets.US_ASCII));
    err.println("issued grant " + g.id() + " to " + to + " for " + resource + " " + Arrays.toString(fields.toArray())
        + ", purpose " + purpose + ", until " + g.expiresAt() + ", max " + maxUses + " uses");
    err.flush();
    return ExitCodes.OK;
  }
}
