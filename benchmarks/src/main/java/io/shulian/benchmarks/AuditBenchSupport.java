package io.shulian.benchmarks;

import io.shulian.core.audit.AuditDecision;
import io.shulian.core.audit.AuditRecord;
import io.shulian.core.audit.Direction;
import io.shulian.core.audit.HashAlgorithm;
import io.shulian.core.party.CreditCode;
import io.shulian.core.party.PartyId;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

/** Records and scratch directories for the audit benchmarks. */
final class AuditBenchSupport {
  static final PartyId PROVIDER = PartyId.of("440600", CreditCode.withCheckCharacter("11440600MB2C5678C"), null);
  static final PartyId CONSUMER = PartyId.of("440600", CreditCode.withCheckCharacter("11440600MB2C1234H"), "housing");

  private AuditBenchSupport() {}

  /** 1024 realistic records (about 250 bytes each encoded), cycled by the benchmarks. */
  static AuditRecord[] records() {
    Random r = new Random(1);
    AuditRecord[] out = new AuditRecord[1024];
    for (int i = 0; i < out.length; i++) {
      byte[] digest = new byte[32];
      r.nextBytes(digest);
      boolean deny = i % 10 == 0;
      out[i] = AuditRecord.builder()
          .time(Instant.parse("2026-01-05T08:00:00Z").plusMillis(i))
          .envelopeId("01JH4Z" + Long.toHexString(r.nextLong()) + Long.toHexString(r.nextLong()))
          .direction(Direction.REQUEST_IN)
          .sender(CONSUMER)
          .receiver(PROVIDER)
          .resource("civil.marriage-registration")
          .purpose("social-assistance-review")
          .grantId(i % 3 == 0 ? "grant-2026-000" + i : null)
          .decision(deny ? AuditDecision.deny("NO_GRANT")
              : AuditDecision.builder(AuditDecision.Effect.PERMIT).ruleIds(List.of("catalog:conditional"))
                  .obligations(List.of("mask:idNumber", "mask:mobile")).policyVersionHash("sha256:9f2c4e1a").build())
          .payloadDigest(HashAlgorithm.SHA_256, digest)
          .payloadBytes(deny ? 0 : 2048 + i)
          .status(deny ? 403 : 200)
          .outcome(deny ? "DENIED" : "OK")
          .latency(Duration.ofNanos(800_000L + i * 1000L))
          .build();
    }
    return out;
  }

  /** A fresh directory under {@code -Daudit.bench.dir} (default java.io.tmpdir): put it on the disk to measure. */
  static Path scratch(String name) throws IOException {
    Path base = Path.of(System.getProperty("audit.bench.dir", System.getProperty("java.io.tmpdir")));
    Files.createDirectories(base);
    return Files.createTempDirectory(base, name);
  }

  static void delete(Path dir) throws IOException {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(p);
      }
    }
  }
}
