package io.shulian.gateway.cli;

import io.shulian.core.audit.AuditException;
import io.shulian.core.audit.AuditLogReader;
import io.shulian.core.audit.InclusionProof;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "prove",
    mixinStandardHelpOptions = true,
    description = {
      "Write an inclusion proof (JSON) of one record.",
      "The proof is against the latest signed checkpoint and holds the record, its RFC 9162 audit "
          + "path, the checkpoint and the signer's certificate. Check it anywhere with 'shulian audit "
          + "check-proof'."
    })
final class AuditProveCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--log", required = true, description = "log directory")
  Path log;

  @Option(names = "--seq", required = true, description = "sequence number of the record (the first is 0)")
  long seq;

  @Option(names = "--out", description = "proof file, or - for standard output (default)")
  String out = "-";

  @Override
  public Integer call() throws Exception {
    if (seq < 0) {
      throw Cli.usage(spec, "--seq must be >= 0, got " + seq);
    }
    InclusionProof p;
    try {
      p = AuditLogReader.proveInclusion(log, seq);
    } catch (AuditException e) {
      return AuditCommand.fail(spec, e);
    }
    AuditCommand.write(spec, out, p.toJson().getBytes(StandardCharsets.UTF_8));
    return ExitCodes.OK;
  }
}
