package io.shulian.gateway.cli;

import io.shulian.core.audit.AuditException;
import io.shulian.core.audit.AuditLogReader;
import io.shulian.core.audit.ConsistencyProof;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "prove-consistency",
    mixinStandardHelpOptions = true,
    description = {
      "Write a consistency proof (JSON) between two checkpoints.",
      "It shows that checkpoint --to extends checkpoint --from: nothing the earlier one covers "
          + "was changed. Checkpoints are numbered from 1 in the order of checkpoints.jsonl. Check it "
          + "with 'shulian audit check-proof'."
    })
final class AuditProveConsistencyCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--log", required = true, description = "log directory")
  Path log;

  @Option(names = "--from", required = true, description = "number of the earlier checkpoint (1 = first)")
  int from;

  @Option(names = "--to", description = "number of the later checkpoint (default: the latest)")
  Integer to;

  @Option(names = "--out", description = "proof file, or - for standard output (default)")
  String out = "-";

  @Override
  public Integer call() throws Exception {
    ConsistencyProof p;
    try {
      int last = to != null ? to : AuditLogReader.checkpoints(log).size();
      p = AuditLogReader.proveConsistency(log, from, last);
    } catch (AuditException e) {
      return AuditCommand.fail(spec, e);
    }
    AuditCommand.write(spec, out, p.toJson().getBytes(StandardCharsets.UTF_8));
    return ExitCodes.OK;
  }
}
