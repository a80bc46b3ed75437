package io.shulian.gateway.cli;

import io.shulian.core.party.PartyId;
import io.shulian.core.policy.Grant;
import io.shulian.core.policy.GrantException;
import io.shulian.core.policy.GrantRevocations;
import io.shulian.core.policy.GrantVerifier;
import io.shulian.core.policy.VerifiedGrant;
import io.shulian.core.trust.PinnedSenderTrust;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(
    name = "verify",
    mixinStandardHelpOptions = true,
    description = {
      "Verify a grant token's signature and validity.",
      "The signature is checked against the provider's certificate and the validity against now; "
          + "with --consumer/--resource/--purpose/--fields also that it fits that request. Exit 0 "
          + "valid, 3 rejected."
    })
final class GrantVerifyCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--trust", required = true, description = "the provider's cert.pem (or a directory of *.pem)")
  java.nio.file.Path trust;

  @Option(names = "--in", required = true, description = "grant token file, or - for standard input")
  String in;

  @Option(names = "--consumer", description = "the requesting party; must be the grant's consumer (or a system of it)")
  String consumer;

  @Option(names = "--resource", description = "the requested resource")
  String resource;

  @Option(names = "--purpose", description = "the stated purpose")
  String purpose;

  @Option(names = "--fields", split = ",", description = "requested fields; must be granted")
  List<String> fields;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    PartyId who = consumer == null ? null : Cli.partyId(spec, consumer, "--consumer");
    String token = new String(CliSupport.readInput(in, 64 * 1024), StandardCharsets.US_ASCII).trim();
    GrantVerifier verifier = GrantVerifier.of(PinnedSenderTrust.of(CliSupport.readCertificates(trust)));
    try {
      VerifiedGrant vg = verifier.verify(token);
      Grant g = vg.grant();
      GrantException problem = GrantVerifier.check(vg, g.issuer(), who == null ? g.consumer() : who,
          resource == null ? g.resource() : resource, purpose == null ? g.purpose() : purpose,
          fields == null ? List.of() : fields, Instant.now(), GrantRevocations.inMemory());
      if (problem != null) {
        throw problem;
      }
      out.println("grant " + g.id() + " is valid: issued by " + g.issuer() + " to " + g.consumer() + " for " + g.resource()
          + " " + g.fields() + ", purpose " + g.purpose() + ", " + g.notBefore() + " .. " + g.expiresAt() + ", max "
          + g.maxUses() + " uses (use counts and revocations are kept by the gateway, not checked here)");
      out.flush();
      return ExitCodes.OK;
    } catch (GrantException e) {
      err.println("shulian grant verify: grant rejected (" + e.code() + "): " + e.getMessage());
      err.flush();
      return ExitCodes.REJECTED;
    }
  }
}
