package io.shulian.core.internal.audit;

import io.shulian.core.audit.AuditDecision;
import io.shulian.core.audit.AuditLog;
import io.shulian.core.audit.AuditRecord;
import io.shulian.core.audit.Direction;
import io.shulian.core.audit.HashAlgorithm;
import io.shulian.core.keys.Suite;
import io.shulian.core.testing.TestParties;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Writes the seeds of {@link AuditSegmentFuzzTest}: segments of real logs (SHA-256 and SM3) and
 * record bodies in the target's u16-length form. Nothing in them depends on a key (the segments
 * carry no signature), so no key material is stored. Run from {@code sdk-core} on the test class
 * path with the test resources root as argument; see docs/fuzzing.md.
 */
final class AuditFuzzFixtures {
  static final String SEEDS = "io/shulian/core/internal/audit/AuditSegmentFuzzTestInputs/";
  static final String SEGMENT = "read_arbitrarySegment_reportsTypedCorruption";
  static final String BODIES = "read_arbitraryBodiesInValidFrames_reportsTypedCorruptionAndReencodesEqual";
  static final Instant T0 = Instant.parse("2026-01-05T08:00:00Z");

  private AuditFuzzFixtures() {}

  static AuditRecord record(int i) {
    Direction d = Direction.values()[i % 4];
    boolean deny = i % 3 == 2;
    return AuditRecord.builder()
        .time(T0.plusMillis(i * 10L))
        .envelopeId("env-" + i)
        .direction(d)
        .sender(d.isRequest() ? TestParties.HOUSING : TestParties.CIVIL)
        .receiver(d.isRequest() ? TestParties.CIVIL : TestParties.HOUSING)
        .resource("housing.property-registry")
        .purpose("social-assistance-review")
        .grantId(i % 2 == 0 ? "grant-" + i : null)
        .decision(deny ? AuditDecision.deny("NO_GRANT", "UNKNOWN_RESOURCE")
            : AuditDecision.builder(AuditDecision.Effect.PERMIT).ruleIds(List.of("catalog/x/conditional"))
                .obligations(List.of("mask:owner.idNumber=hash")).policyVersionHash("sha256:abc").build())
        .payloadDigest(HashAlgorithm.SHA_256, new byte[32])
        .payloadBytes(deny ? 0 : 1000 + i)
        .status(deny ? 403 : 200)
        .outcome(deny ? "DENIED" : "OK 住房")
        .latency(Duration.ofMillis(5 + i))
        .build();
  }

  public static void main(String[] args) throws Exception {
    Path root = Path.of(args.length > 0 ? args[0] : "src/test/resources");
    Path segments = root.resolve(SEEDS + SEGMENT);
    Path bodies = root.resolve(SEEDS + BODIES);
    Files.createDirectories(segments);
    Files.createDirectories(bodies);
    for (HashAlgorithm alg : List.of(HashAlgorithm.SHA_256, HashAlgorithm.SM3)) {
      Path dir = Files.createTempDirectory("shulian-fuzz-seed-");
      try (AuditLog log = AuditLog.builder(dir, TestParties.pair(Suite.INTL)[1]).hashAlgorithm(alg).open()) {
        for (int i = 0; i < 4; i++) {
          CompletableFuture<Long> f = log.append(record(i));
          f.get();
        }
      }
      String name = alg == HashAlgorithm.SHA_256 ? "sha256" : "sm3";
      Files.copy(dir.resolve(SegmentFormat.segmentName(0)), segments.resolve(name + "-4.log"),
          java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      try (var files = Files.walk(dir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    for (int i = 0; i < 3; i++) {
      RecordCodec.Sink s = new RecordCodec.Sink(256);
      RecordCodec.encode(i, record(i), s);
      all.write(s.position() >>> 8);
      all.write(s.position());
      all.write(s.array(), 0, s.position());
      if (i == 0) {
        Files.write(bodies.resolve("1-record"), all.toByteArray());
      }
    }
    Files.write(bodies.resolve("3-records"), all.toByteArray());
    Files.write(segments.resolve("header-only.log"), AuditSegmentFuzzTest.frame(new byte[0]));
    System.out.println("wrote seeds to " + root.resolve(SEEDS));
  }
}
