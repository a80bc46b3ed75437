package io.shulian.gateway.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shulian.core.audit.AuditEntry;
import io.shulian.core.audit.AuditException;
import io.shulian.core.audit.AuditRecord;
import io.shulian.core.audit.CheckpointTrust;
import io.shulian.core.audit.ConsistencyProof;
import io.shulian.core.audit.InclusionProof;
import java.io.PrintWriter;
import java.util.HexFormat;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "check-proof",
    mixinStandardHelpOptions = true,
    description = {
      "Verify an inclusion or consistency proof without the log.",
      "Checks the audit path or consistency path against the checkpoint roots, and the checkpoint "
          + "signatures against --trust (the operator's certificate, or the city root with its CRL or "
          + "a signed bundle). Exit 0 if it holds, 3 if it does not (the message says which "
          + "check failed)."
    })
final class AuditCheckProofCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--proof", required = true, description = "proof file (JSON), or - for standard input")
  String proof;

  @Mixin CheckpointTrustOptions trustOptions;

  @Option(names = "--log-id", description = "require the proof to be about this log (32 hex digits)")
  String logId;

  @Override
  public Integer call() throws Exception {
    if (logId != null && !logId.matches("[0-9a-fA-F]{32}")) {
      throw Cli.usage(spec, "--log-id must be 32 hex digits, got '" + logId + "'");
    }
    byte[] json = CliSupport.readInput(proof, 1 << 20);
    CheckpointTrust anchors = trustOptions.resolve(spec, spec.commandLine().getErr());
    PrintWriter out = spec.commandLine().getOut();
    String type;
    try {
      JsonNode n = new ObjectMapper().readTree(json);
      type = n == null ? "" : n.path("type").asText("");
    } catch (java.io.IOException e) {
      type = "";
    }
    try {
      if (ConsistencyProof.TYPE.equals(type)) {
        ConsistencyProof p = ConsistencyProof.parse(json);
        p.verify(anchors, logId);
        out.println("consistency proof verified: checkpoint at tree size " + p.to().treeSize() + " ("
            + p.to().time() + ") extends checkpoint at tree size " + p.from().treeSize() + " (" + p.from().time()
            + ") of log " + p.from().logId() + "; both signed by kid " + p.to().keyId());
        for (io.shulian.core.audit.Checkpoint cp : java.util.List.of(p.from(), p.to())) {
          cp.acknowledgment().ifPresent(a -> out.println("  ACKNOWLEDGED: the checkpoint at tree size " + cp.treeSize()
              + " says records seq " + a.fromSeq() + ".." + (cp.treeSize() - 1) + " were taken in without proof: "
              + a.reason()));
        }
      } else {
        InclusionProof p = InclusionProof.parse(json);
        AuditEntry e = p.verify(anchors, logId);
        AuditRecord r = e.record();
        out.println("inclusion proof verified: record seq " + e.seq() + " is in log " + p.checkpoint().logId()
            + " under the checkpoint at tree size " + p.checkpoint().treeSize() + " (" + p.checkpoint().time()
            + ", signed by kid " + p.checkpoint().keyId() + ")");
        out.printf("  %-14s %s%n", "time", r.time());
        out.printf("  %-14s %s%n", "envelopeId", r.envelopeId());
        out.printf("  %-14s %s%n", "direction", r.direction());
        out.printf("  %-14s %s%n", "sender", r.sender());
        out.printf("  %-14s %s%n", "receiver", r.receiver());
        out.printf("  %-14s %s%n", "resource", r.resource());
        out.printf("  %-14s %s%n", "purpose", r.purpose());
        out.printf("  %-14s %s%n", "grantId", r.grantId());
        out.printf("  %-14s %s%n", "decision", r.decision());
        out.printf("  %-14s %s:%s (%d bytes)%n", "payload", r.payloadDigestAlgorithm().displayName(),
            HexFormat.of().formatHex(r.payloadDigest()), r.payloadBytes());
        out.printf("  %-14s %d %s%n", "outcome", r.status(), r.outcome());
        out.printf("  %-14s %s%n", "latency", r.latency());
        p.checkpoint().acknowledgment().filter(a -> e.seq() >= a.fromSeq()).ifPresent(a -> out.println(
            "  ACKNOWLEDGED: the operator took this record in without proof (records seq " + a.fromSeq() + ".."
                + (p.checkpoint().treeSize() - 1) + "): " + a.reason()));
      }
    } catch (AuditException e) {
      return AuditCommand.fail(spec, e);
    }
    out.flush();
    return ExitCodes.OK;
  }
}
