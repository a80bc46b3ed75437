package io.shulian.core.audit;

import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.keys.Suite;
import io.shulian.core.testing.TestParties;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;

/** Records and logs for audit tests. */
final class AuditFixtures {
  static final Instant T0 = Instant.parse("2026-01-05T08:00:00Z");

  private AuditFixtures() {}

  static PartyIdentity operator(Suite suite) {
    return TestParties.pair(suite)[1];
  }

  /** A plausible record; {@code i} varies ids, direction and decision. */
  static AuditRecord record(int i) {
    Random r = new Random(i);
    byte[] digest = new byte[32];
    r.nextBytes(digest);
    Direction d = Direction.values()[i % 4];
    boolean deny = i % 7 == 3;
    return AuditRecord.builder()
        .time(T0.plusMillis(i * 10L))
        .envelopeId("env-" + (i / 2))
        .direction(d)
        .sender(d.isRequest() ? TestParties.HOUSING : TestParties.CIVIL)
        .receiver(d.isRequest() ? TestParties.CIVIL : TestParties.HOUSING)
        .resource(i % 3 == 0 ? "civil.marriage" : "civil.household")
        .purpose("social-assistance-review")
        .grantId(i % 5 == 0 ? "grant-" + i : null)
        .decision(deny ? AuditDecision.deny("NO_GRANT")
            : AuditDecision.builder(AuditDecision.Effect.PERMIT).ruleIds(List.of("catalog:conditional"))
                .obligations(List.of("mask:idNumber")).policyVersionHash("sha256:abc").build())
        .payloadDigest(HashAlgorithm.SHA_256, digest)
        .payloadBytes(deny ? 0 : 1000 + i)
        .status(deny ? 403 : 200)
        .outcome(deny ? "DENIED" : "OK")
        .latency(Duration.ofMillis(5 + i % 20))
        .build();
  }

  /** Writes {@code n} records to a new log, checkpointing every {@code every}, and closes it. */
  static Path writeLog(Path dir, Suite suite, int n, int every) throws Exception {
    try (AuditLog log = AuditLog.builder(dir, operator(suite)).checkpointEveryRecords(every).open()) {
      CompletableFuture<?>[] fs = new CompletableFuture<?>[n];
      for (int i = 0; i < n; i++) {
        fs[i] = log.append(record(i));
      }
      CompletableFuture.allOf(fs).get();
    }
    return dir;
  }

  static CheckpointTrust trust(Suite suite) {
    return CheckpointTrust.pinned(List.of(operator(suite).signingCertificate()));
  }
}
