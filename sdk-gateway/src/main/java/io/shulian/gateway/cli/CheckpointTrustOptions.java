package io.shulian.gateway.cli;

import io.shulian.core.audit.CheckpointTrust;
import io.shulian.core.party.PartyId;
import java.io.PrintWriter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/** The trust options of the commands that verify checkpoint signatures: those of {@code open}, plus {@code --operator}. */
final class CheckpointTrustOptions {
  @Mixin TrustOptions trust;

  @Option(names = "--operator", paramLabel = "<PartyId>",
      description = "the party operating the log: with a city root or bundle in --trust (then required), only its certificates may sign checkpoints")
  String operator;

  /** Resolves --trust, --crl, --no-crl-check, --grace and --operator to the checkpoint trust. */
  CheckpointTrust resolve(CommandSpec spec, PrintWriter err) throws Exception {
    PartyId op = operator == null ? null : Cli.partyId(spec, operator, "--operator");
    return trust.checkpointTrust(spec, err, op);
  }
}
