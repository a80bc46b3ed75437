package io.shulian.gateway.cli;

import io.shulian.core.audit.AuditException;
import io.shulian.core.audit.AuditLog;
import io.shulian.core.audit.Checkpoint;
import io.shulian.core.keys.PartyCertificate;
import io.shulian.core.keys.PartyIdentity;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "checkpoint",
    mixinStandardHelpOptions = true,
    description = {
      "Sign a checkpoint over every record of a stopped gateway's log with the operator key.",
      "The log is opened as its writer would open it: the latest checkpoint must be signed by this key "
          + "(or by a --trust certificate: the key before a rotation) and match the records, else the "
          + "command refuses. --acknowledge-unproven accepts records that no verifiable checkpoint covers "
          + "(for example after checkpoints.jsonl was lost) and signs that acknowledgement, which 'audit "
          + "verify' reports from then on. Records that contradict a signed checkpoint are never accepted."
    })
final class AuditCheckpointCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--log", required = true, description = "log directory (its gateway must be stopped)")
  Path log;

  @Mixin KeyOptions keys;

  @Option(names = "--trust", paramLabel = "<cert.pem>",
      description = "earlier signing certificate(s) of the operator whose checkpoints to accept (after a key"
          + " rotation); PEM file or directory of *.pem. Repeatable")
  List<Path> trust = new ArrayList<>();

  @Option(names = "--acknowledge-unproven", paramLabel = "<reason>",
      description = "accept records no verifiable checkpoint covers, and sign that with this reason (one line,"
          + " e.g. an incident number)")
  String acknowledge;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    if (!Files.isDirectory(log)) {
      throw Cli.usage(spec, "--log " + log + " is not a directory");
    }
    PartyIdentity operator = keys.load(spec.commandLine().getErr());
    List<PartyCertificate> previous = new ArrayList<>();
    for (Path t : trust) {
      previous.addAll(CliSupport.readCertificates(t));
    }
    AuditLog.Builder b = AuditLog.builder(log, operator);
    try {
      b.previousSigningCertificates(previous);
      if (acknowledge != null) {
        b.acknowledgeUnprovenRecords(acknowledge);
      }
    } catch (IllegalArgumentException e) {
      throw Cli.usage(spec, Objects.requireNonNullElse(e.getMessage(), e.getClass().getSimpleName()));
    }
    try (AuditLog l = b.open()) {
      Checkpoint cp = l.checkpoint().get();
      l.acknowledgedOnOpen().ifPresent(a -> out.println("acknowledged: records seq "
          + a.acknowledgment().orElseThrow().fromSeq() + ".." + (a.treeSize() - 1) + " of log " + a.logId()
          + " were accepted without proof; 'shulian audit verify' reports this from now on"));
      out.println("checkpoint signed: log " + cp.logId() + ", tree size " + cp.treeSize() + ", kid " + cp.keyId());
    } catch (AuditException e) {
      return AuditCommand.fail(spec, e);
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof AuditException) {
        return AuditCommand.fail(spec, (AuditException) e.getCause());
      }
      throw e;
    }
    out.flush();
    return ExitCodes.OK;
  }
}
