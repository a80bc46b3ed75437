package io.shulian.benchmarks;

import io.shulian.core.audit.AuditLog;
import io.shulian.core.audit.AuditRecord;
import io.shulian.core.audit.AuditVerifier;
import io.shulian.core.audit.CheckpointTrust;
import io.shulian.core.audit.VerificationReport;
import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.keys.Suite;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Offline verification speed in records per second (one JMH op = one record): read every segment,
 * check frame CRCs and sequence numbers, recompute leaf hashes, the hash chain and the Merkle
 * frontier, compare every checkpoint root and verify its signature. INTL logs hash with SHA-256,
 * GM logs with SM3.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
@State(Scope.Benchmark)
public class AuditVerifyBenchmark {
  private static final int RECORDS = 200_000;

  @Param({"INTL", "GM"})
  public Suite suite;

  private Path dir;
  private CheckpointTrust trust;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    AuditRecord[] records = AuditBenchSupport.records();
    PartyIdentity operator = PartyIdentity.generateSelfSigned(suite, AuditBenchSupport.PROVIDER, Duration.ofDays(1));
    dir = AuditBenchSupport.scratch("audit-verify");
    try (AuditLog log = AuditLog.builder(dir.resolve("log"), operator).open()) {
      CompletableFuture<Long> last = null;
      for (int i = 0; i < RECORDS; i++) {
        last = log.append(records[i & 1023]);
      }
      Objects.requireNonNull(last).get();
    }
    trust = CheckpointTrust.pinned(List.of(operator.signingCertificate()));
    VerificationReport r = AuditVerifier.verify(dir.resolve("log"), trust);
    if (!r.intact() || r.records() != RECORDS) {
      throw new IllegalStateException("benchmark log does not verify: " + r.summary());
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    AuditBenchSupport.delete(dir);
  }

  @Benchmark
  @OperationsPerInvocation(RECORDS)
  public VerificationReport verify() throws Exception {
    return AuditVerifier.verify(dir.resolve("log"), trust);
  }
}
