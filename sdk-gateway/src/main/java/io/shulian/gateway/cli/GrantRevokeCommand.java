package io.shulian.gateway.cli;

import io.shulian.core.party.PartyId;
import io.shulian.core.policy.Grant;
import io.shulian.core.trust.CityBundle;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "revoke",
    mixinStandardHelpOptions = true,
    description = {
      "Add a grant to a revocation list that the city bundle will carry.",
      "The list is JSON; the city data bureau signs it into the city bundle (bundle sign "
          + "--grant-revocations), and gateways refuse the grant after their next bundle reload. Name the "
          + "grant by --token (its issuer, id and expiry are read from it; its signature is not checked) or "
          + "by --issuer and --id. The list is created or extended, and written atomically."
    })
final class GrantRevokeCommand implements Callable<Integer> {
  /** Largest revocation list read (the bundle's own limit bounds it further). */
  static final long MAX_LIST_BYTES = 8 << 20;

  @Spec CommandSpec spec;

  @Option(names = "--token", description = "the grant token file to revoke")
  Path token;

  @Option(names = "--issuer", description = "the issuing provider's party id (without --token)")
  String issuer;

  @Option(names = "--id", description = "the grant id, its jti (without --token)")
  String id;

  @Option(names = "--until", description = "when the grant expires (ISO-8601); after it the entry may be dropped")
  String until;

  @Option(names = "--reason", description = "why, for the record (at most 200 characters)")
  String reason;

  @Option(names = "--out", required = true, description = "revocation list (JSON) to create or extend")
  Path out;

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    PartyId from;
    String grantId;
    Instant expires = null;
    if (token != null) {
      if (issuer != null || id != null) {
        throw Cli.usage(spec, "give either --token or --issuer with --id, not both");
      }
      String text = new String(CliSupport.readInput(token.toString(), Grant.MAX_TOKEN_CHARS + 2L),
          StandardCharsets.US_ASCII).trim();
      CityBundle.RevokedGrant named;
      try {
        named = CityBundle.RevokedGrant.ofToken(text, null);
      } catch (IllegalArgumentException e) {
        throw new Cli.RejectedException(token + ": " + e.getMessage());
      }
      from = named.issuer();
      grantId = named.grantId();
      expires = named.until().orElse(null);
    } else {
      if (issuer == null || id == null) {
        throw Cli.usage(spec, "name the grant with --token, or with --issuer and --id");
      }
      from = Cli.partyId(spec, issuer, "--issuer");
      grantId = id;
    }
    if (until != null) {
      try {
        expires = Instant.parse(until);
      } catch (DateTimeParseException e) {
        throw Cli.usage(spec, "--until must be an ISO-8601 instant such as 2026-12-01T00:00:00Z");
      }
    }
    CityBundle.RevokedGrant entry;
    try {
      entry = CityBundle.RevokedGrant.of(from, grantId, expires, reason);
    } catch (IllegalArgumentException e) {
      throw Cli.usage(spec, Objects.requireNonNullElse(e.getMessage(), e.getClass().getSimpleName()));
    }
    Map<String, CityBundle.RevokedGrant> list = new LinkedHashMap<>();
    for (CityBundle.RevokedGrant g : read(out)) {
      list.put(g.grantKey(), g);
    }
    boolean added = list.putIfAbsent(entry.grantKey(), entry) == null;
    if (list.size() > CityBundle.MAX_REVOKED_GRANTS) {
      throw new Cli.RejectedException(out + " would list more than " + CityBundle.MAX_REVOKED_GRANTS + " revoked grants");
    }
    CliSupport.writeOutput(out.toString(),
        (CityBundle.RevokedGrant.toJson(new ArrayList<>(list.values())) + "\n").getBytes(StandardCharsets.UTF_8));
    err.println((added ? "revoked grant " : "grant already listed: ") + grantId + " of " + from
        + (expires == null ? "" : " (expires " + expires + ")") + "; " + out + " lists " + list.size()
        + " revoked grants. Have the bureau sign it into the bundle: bundle sign --grant-revocations " + out);
    err.flush();
    return ExitCodes.OK;
  }

  /**
   * Reads a revocation list file strictly; a missing file is an empty list.
   *
   * @throws Cli.RejectedException naming the file and the first problem
   */
  static List<CityBundle.RevokedGrant> read(Path file) throws Exception {
    if (!Files.exists(file)) {
      return List.of();
    }
    byte[] b = CliSupport.readInput(file.toString(), MAX_LIST_BYTES);
    try {
      return CityBundle.RevokedGrant.parseList(b);
    } catch (IllegalArgumentException e) {
      throw new Cli.RejectedException(file + " is not a grant revocation list: " + e.getMessage());
    }
  }
}
