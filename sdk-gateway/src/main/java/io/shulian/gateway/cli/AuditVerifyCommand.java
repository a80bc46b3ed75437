package io.shulian.gateway.cli;

import io.shulian.core.audit.AuditException;
import io.shulian.core.audit.AuditVerifier;
import io.shulian.core.audit.VerificationReport;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "verify",
    mixinStandardHelpOptions = true,
    description = {
      "Verify an audit log: its hash chain, checkpoints and checkpoint signatures.",
      "Recomputes the hash chain of every record, the Merkle root and chain head of every "
          + "checkpoint, and verifies every checkpoint signature. Exit 0 if intact (records after the "
          + "last checkpoint are reported as not signed), 3 if tampered or damaged, naming the first "
          + "bad record or checkpoint with its segment file, offset and seq."
    })
final class AuditVerifyCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--log", required = true, description = "log directory")
  Path log;

  @Option(names = "--trust", required = true,
      description = "the operator's signing certificate (PEM file or directory of *.pem)")
  Path trust;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    VerificationReport r;
    try {
      r = AuditVerifier.verify(log, AuditCommand.trust(trust));
    } catch (AuditException e) {
      return AuditCommand.fail(spec, e);
    }
    out.print(r.summary());
    out.flush();
    if (!r.intact()) {
      PrintWriter err = spec.commandLine().getErr();
      err.println("shulian audit verify: log " + log + " is TAMPERED or damaged: " + r.problem().orElseThrow());
      err.flush();
      return ExitCodes.REJECTED;
    }
    return ExitCodes.OK;
  }
}
