package io.shulian.gateway.cli;

import io.shulian.core.audit.AuditException;
import io.shulian.core.audit.AuditVerifier;
import io.shulian.core.audit.Checkpoint;
import io.shulian.core.audit.VerificationReport;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "verify",
    mixinStandardHelpOptions = true,
    description = {
      "Verify an audit log: its hash chain, checkpoints and checkpoint signatures.",
      "Recomputes the hash chain of every record, the Merkle root and chain head of every "
          + "checkpoint, and verifies every checkpoint signature against --trust: the operator's "
          + "certificate, or the city root with its CRL or a signed bundle (the signer's certificate "
          + "must then chain to the root, not be revoked and belong to --operator). Exit 0 only if signed checkpoints "
          + "vouch for every record; 3 if tampered or damaged (naming the first bad record or checkpoint "
          + "with its segment file, offset and seq), or if records are not covered by a signed checkpoint "
          + "or were acknowledged as unproven (unless --allow-unsigned-tail / --allow-acknowledged). With "
          + "--checkpoint, the log must also be consistent with checkpoints kept outside it (the "
          + "collector's copy, the archive register)."
    })
final class AuditVerifyCommand implements Callable<Integer> {
  /** Largest --checkpoint file read (the collector's copy of a busy log's checkpoints.jsonl). */
  static final long MAX_CHECKPOINT_FILE_BYTES = 256L << 20;

  @Spec CommandSpec spec;

  @Option(names = "--log", required = true, description = "log directory")
  Path log;

  @Mixin CheckpointTrustOptions trustOptions;

  @Option(names = "--checkpoint", paramLabel = "<file>",
      description = "checkpoints kept outside the log (JSON lines, e.g. the collector's copy of checkpoints.jsonl"
          + " or the archive register); the log must reach and reproduce each. Repeatable")
  List<String> checkpoints = new ArrayList<>();

  @Option(names = "--allow-unsigned-tail",
      description = "exit 0 even if records are not covered by a signed checkpoint (a writer still running, a crash"
          + " before the next checkpoint); they are only chain-checked, and anyone who can write the files can"
          + " rewrite them")
  boolean allowUnsignedTail;

  @Option(names = "--allow-acknowledged",
      description = "exit 0 even if the operator acknowledged records as unproven (shulian audit checkpoint"
          + " --acknowledge-unproven)")
  boolean allowAcknowledged;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    VerificationReport r;
    try {
      List<Checkpoint> trusted = new ArrayList<>();
      for (String f : checkpoints) {
        try {
          trusted.addAll(Checkpoint.fromJsonLines(new String(CliSupport.readInput(f, MAX_CHECKPOINT_FILE_BYTES),
              StandardCharsets.UTF_8)));
        } catch (AuditException e) {
          throw new AuditException(e.reason(), "--checkpoint " + f + ": " + e.getMessage());
        }
      }
      r = AuditVerifier.verify(log, trustOptions.resolve(spec, spec.commandLine().getErr()), trusted);
    } catch (AuditException e) {
      return AuditCommand.fail(spec, e);
    }
    out.print(r.summary());
    out.flush();
    String name = "shulian audit verify: log " + log;
    if (!r.intact()) {
      err.println(name + " is TAMPERED or damaged: " + r.problem().orElseThrow());
      err.flush();
      return ExitCodes.REJECTED;
    }
    int code = ExitCodes.OK;
    if (r.uncoveredRecords() > 0) {
      String what = r.uncoveredRecords() + " of " + r.records() + " records (seq " + r.coveredRecords() + ".."
          + (r.records() - 1) + ") are not covered by a verified signed checkpoint: " + r.uncoveredReason();
      if (allowUnsignedTail) {
        err.println("WARNING: " + name + ": " + what + " (accepted with --allow-unsigned-tail)");
      } else {
        err.println(name + " is NOT PROVEN: " + what + ". Verify again after the next checkpoint (the writer signs"
            + " one at least every checkpointInterval and on close), or pass --allow-unsigned-tail to accept records"
            + " that are only chain-checked.");
        code = ExitCodes.REJECTED;
      }
    }
    if (!r.acknowledged().isEmpty()) {
      String what = r.acknowledged().size() + " checkpoint(s) acknowledge records as taken in without proof (see"
          + " ACKNOWLEDGED above)";
      if (allowAcknowledged) {
        err.println("WARNING: " + name + ": " + what + " (accepted with --allow-acknowledged)");
      } else {
        err.println(name + " is NOT PROVEN: " + what + "; pass --allow-acknowledged to accept them.");
        code = ExitCodes.REJECTED;
      }
    }
    err.flush();
    return code;
  }
}
