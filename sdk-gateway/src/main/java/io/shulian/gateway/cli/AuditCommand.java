package io.shulian.gateway.cli;

import io.shulian.core.audit.AuditException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;

@Command(
    name = "audit",
    mixinStandardHelpOptions = true,
    description = {
      "Verify audit logs, prove records and consistency, sign checkpoints, and report statistics.",
      "Everything but 'checkpoint' works offline on the log files; 'checkpoint' signs one with the "
          + "operator key. Format and procedures: docs/audit.md."
    },
    subcommands = {
      AuditVerifyCommand.class,
      AuditProveCommand.class,
      AuditProveConsistencyCommand.class,
      AuditCheckProofCommand.class,
      AuditCheckpointCommand.class,
      AuditStatsCommand.class
    })
final class AuditCommand implements Runnable {
  @CommandLine.Spec CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(),
        "an audit command is required: verify, prove, prove-consistency, check-proof, checkpoint or stats");
  }

  /**
   * Reports an audit failure in one line: a rejected log, proof or signer exits 3; a directory that
   * is not a log, a newer format or an I/O problem exits 1.
   */
  static int fail(CommandSpec spec, AuditException e) {
    PrintWriter err = spec.commandLine().getErr();
    String name = spec.qualifiedName(" ");
    int code;
    switch (e.reason()) {
      case PROOF_INVALID:
      case UNTRUSTED_SIGNER:
      case LOG_CORRUPT:
      case MALFORMED_PROOF:
        code = ExitCodes.REJECTED;
        break;
      default:
        code = ExitCodes.FAILURE;
    }
    err.println(name + ": " + describe(e));
    err.flush();
    return code;
  }

  /** Writes to the command's standard output for "-", else atomically to the file. */
  static void write(CommandSpec spec, String target, byte[] data) throws java.io.IOException {
    if ("-".equals(target)) {
      PrintWriter out = spec.commandLine().getOut();
      out.print(new String(data, java.nio.charset.StandardCharsets.UTF_8));
      out.flush();
      return;
    }
    CliSupport.writeOutput(target, data);
  }

  static String describe(AuditException e) {
    switch (e.reason()) {
      case UNTRUSTED_SIGNER:
        return "not trusted (UNTRUSTED_SIGNER): " + e.getMessage();
      case PROOF_INVALID:
        return "proof rejected (PROOF_INVALID): " + e.getMessage();
      case MALFORMED_PROOF:
        return "rejected (MALFORMED_PROOF): " + e.getMessage();
      case UNSUPPORTED_VERSION:
        return "cannot read (UNSUPPORTED_VERSION): " + e.getMessage();
      case NOT_A_LOG:
        return "not an audit log (NOT_A_LOG): " + e.getMessage();
      default:
        return e.code() + ": " + e.getMessage();
    }
  }
}
