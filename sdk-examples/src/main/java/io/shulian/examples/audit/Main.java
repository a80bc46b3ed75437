package io.shulian.examples.audit;

import io.shulian.core.audit.AuditDecision;
import io.shulian.core.audit.AuditEntry;
import io.shulian.core.audit.AuditLog;
import io.shulian.core.audit.AuditLogReader;
import io.shulian.core.audit.AuditRecord;
import io.shulian.core.audit.AuditStatistics;
import io.shulian.core.audit.AuditVerifier;
import io.shulian.core.audit.CheckpointTrust;
import io.shulian.core.audit.Direction;
import io.shulian.core.audit.HashAlgorithm;
import io.shulian.core.audit.InclusionProof;
import io.shulian.core.audit.VerificationReport;
import io.shulian.core.keys.PartyCertificate;
import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.keys.Suite;
import io.shulian.core.party.CreditCode;
import io.shulian.core.party.PartyId;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * Supervisor: verify gateways' audit logs offline (hash chain, signed checkpoints, Merkle tree),
 * prove one record is in a log, and produce the per-department sharing statistics.
 *
 * <p>Run on the logs of the city demo: {@code java -cp sdk-examples/target/shulian-demo.jar
 * io.shulian.examples.audit.Main shulian-demo} (every {@code parties/.../audit} with the
 * {@code cert.pem} beside it). Without an argument it writes a small log of its own first.
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) throws Exception {
    System.exit(run(args.length == 0 ? null : Path.of(args[0]), System.out) ? 0 : 1);
  }

  /**
   * Verifies every audit log under {@code demoDir}'s {@code parties/}, or a sample log when null;
   * returns true if every log is intact (and, for the sample, the tampered copy is detected).
   */
  public static boolean run(@Nullable Path demoDir, PrintStream out) throws Exception {
    if (demoDir != null) {
      return verifyAll(demoDir, out);
    }
    Path dir = Files.createTempDirectory("shulian-audit-recipe");
    out.println("work directory: " + dir);
    return runSample(dir, out);
  }

  /** Writes a sample log into {@code dir}, verifies it, proves a record and detects a tampered copy. */
  public static boolean runSample(Path dir, PrintStream out) throws Exception {
    PartyIdentity operator = writeSampleLog(dir.resolve("audit"));
    CheckpointTrust trust = CheckpointTrust.pinned(List.of(operator.signingCertificate()));

    // 1. verify: every record chained, every checkpoint signed by the operator's key
    VerificationReport report = AuditVerifier.verify(dir.resolve("audit"), trust);
    out.println("sample log: " + report.summary());

    // 2. prove that the record with sequence number 3 is in the log: the proof can be handed to anyone with the certificate
    InclusionProof proof = AuditLogReader.proveInclusion(dir.resolve("audit"), 3);
    AuditEntry proven = InclusionProof.parse(proof.toJson().getBytes(java.nio.charset.StandardCharsets.UTF_8))
        .verify(trust, report.logId());
    out.println("record seq 3 is included: " + proven.record().resource() + " " + proven.record().outcome()
        + " (proof of " + proof.toJson().length() + " bytes)");

    // 3. the statistics report (what performance evaluation reads)
    out.print(AuditStatistics.compute(List.of(dir.resolve("audit")), null, null).toTable());

    // 4. one changed byte in a copy of the log is found
    Path copy = dir.resolve("tampered");
    copyDir(dir.resolve("audit"), copy);
    Path segment;
    try (Stream<Path> s = Files.list(copy)) {
      segment = s.filter(p -> p.getFileName().toString().startsWith("segment-")).findFirst().orElseThrow();
    }
    try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(1);
      long at = ch.size() / 2;
      ch.read(b, at);
      b.put(0, (byte) (b.get(0) ^ 0x20)).rewind();
      ch.write(b, at);
    }
    boolean tamperedFound;
    try {
      VerificationReport t = AuditVerifier.verify(copy, trust);
      tamperedFound = !t.intact();
      out.println("copy with one changed byte: " + t.summary());
    } catch (io.shulian.core.audit.AuditException e) {
      tamperedFound = true;
      out.println("copy with one changed byte: refused, " + e.getMessage());
    }
    return report.intact() && tamperedFound;
  }

  /** Verifies {@code parties/<role>[/gm]/audit} against the {@code cert.pem} beside it, then the statistics. */
  static boolean verifyAll(Path demoDir, PrintStream out) throws Exception {
    List<Path> logs = new ArrayList<>();
    try (Stream<Path> s = Files.walk(demoDir.resolve("parties"), 3)) {
      s.filter(p -> p.getFileName().toString().equals("audit") && Files.isDirectory(p)).sorted().forEach(logs::add);
    }
    boolean ok = !logs.isEmpty();
    for (Path log : logs) {
      List<PartyCertificate> certs = PartyCertificate.readPem(log.resolveSibling("cert.pem"));
      VerificationReport r = AuditVerifier.verify(log, CheckpointTrust.pinned(certs));
      out.println((r.intact() ? "intact   " : "PROBLEM  ") + demoDir.relativize(log) + ": " + r.records() + " records, "
          + r.checkpoints() + " checkpoint(s)");
      ok &= r.intact();
    }
    out.print(AuditStatistics.compute(logs, null, null).toTable());
    return ok;
  }

  /** Writes what a provider gateway would: one record per exchange, durable before each response. */
  static PartyIdentity writeSampleLog(Path dir) throws Exception {
    PartyId housing = PartyId.of("440600", CreditCode.withCheckCharacter("11440600MB2C1001H"), "housing");
    PartyId civil = PartyId.of("440600", CreditCode.withCheckCharacter("11440600MB2C2002C"), "relief");
    PartyId district = PartyId.of("440604", CreditCode.withCheckCharacter("11440604MB2D3003G"), "grassroots");
    PartyIdentity operator = PartyIdentity.generateSelfSigned(Suite.INTL, housing, Duration.ofDays(1));
    Files.createDirectories(dir);
    try (AuditLog log = AuditLog.builder(dir, operator).open()) {
      Object[][] exchanges = {
        {civil, "housing.property-registry", "social-assistance-review", 200, "OK"},
        {civil, "housing.provident-fund.balance", "social-assistance-review", 403, "GRANT_REQUIRED"},
        {civil, "housing.provident-fund.balance", "social-assistance-review", 200, "OK"},
        {district, "housing.property-registry", "business-licensing", 403, "PURPOSE_NOT_ALLOWED"},
        {district, "housing.property-registry", "housing-subsidy-review", 200, "OK"},
      };
      for (Object[] e : exchanges) {
        int status = (Integer) e[3];
        byte[] payload = ("sample payload " + e[1]).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        log.append(AuditRecord.builder()
            .time(Instant.now())
            .envelopeId(UUID.randomUUID().toString())
            .direction(Direction.REQUEST_IN)
            .sender((PartyId) e[0])
            .receiver(housing)
            .resource((String) e[1])
            .purpose((String) e[2])
            .decision(status == 200 ? AuditDecision.permit() : AuditDecision.deny((String) e[4]))
            .payloadDigest(HashAlgorithm.SHA_256, MessageDigest.getInstance("SHA-256").digest(payload))
            .payloadBytes(payload.length)
            .status(status)
            .outcome((String) e[4])
            .latency(Duration.ofMillis(3 + status % 7))
            .build()).get();
      }
    } // close writes a final signed checkpoint
    return operator;
  }

  private static void copyDir(Path from, Path to) throws Exception {
    Files.createDirectories(to);
    try (Stream<Path> s = Files.walk(from)) {
      for (Path p : s.toList()) {
        Path t = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(t);
        } else if (!p.getFileName().toString().endsWith(".lock")) {
          Files.copy(p, t);
        }
      }
    }
  }
}
