package io.shulian.benchmarks;

import io.shulian.core.audit.AuditLog;
import io.shulian.core.audit.AuditRecord;
import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.keys.Suite;
import io.shulian.core.testing.Primitives;
import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Durable audit appends, records per second (one JMH op = one record):
 *
 * <ul>
 *   <li>{@code groupCommit}: {@link AuditLog} at its default settings, with at most {@code
 *       inFlight} records not yet durable (a semaphore released when each future completes), as a
 *       gateway with that many concurrent exchanges would; in steady state the append rate is the
 *       durable rate, and each iteration waits until everything it appended is durable;
 *   <li>{@code fsyncPerRecord}: the same with {@code maxBatchRecords(1)}: one force per record;
 *   <li>{@code bufferedBaseline}: what a plain logger does: the same records encoded the same way
 *       and written through a {@link BufferedOutputStream}, no hashing, no fsync (not durable).
 * </ul>
 *
 * Run on the disk you deploy on: {@code -Daudit.bench.dir=/var/lib/shulian/bench}; a tmpfs makes
 * fsync free and the numbers meaningless.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
@State(Scope.Benchmark)
public class AuditAppendBenchmark {
  @Param({"INTL"})
  public Suite suite;

  /** Records appended but not yet durable, at most. */
  @Param({"1024"})
  public int inFlight;

  private AuditRecord[] records;
  private Path dir;
  private AuditLog groupLog;
  private AuditLog fsyncLog;
  private OutputStream baseline;
  private Semaphore window;
  private int next;
  private final Primitives.RecordEncoder encoder = new Primitives.RecordEncoder(4096);

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    records = AuditBenchSupport.records();
    PartyIdentity operator = PartyIdentity.generateSelfSigned(suite, AuditBenchSupport.PROVIDER, Duration.ofDays(1));
    dir = AuditBenchSupport.scratch("audit-append");
    groupLog = AuditLog.builder(dir.resolve("group"), operator).open();
    fsyncLog = AuditLog.builder(dir.resolve("fsync"), operator).maxBatchRecords(1).open();
    baseline = new BufferedOutputStream(Files.newOutputStream(dir.resolve("baseline.bin")), 64 * 1024);
    window = new Semaphore(inFlight);
  }

  /** Waits until every record appended in the iteration is durable, so none is counted early. */
  @TearDown(Level.Iteration)
  public void drain() throws Exception {
    window.acquire(inFlight);
    window.release(inFlight);
    if (groupLog.failure().isPresent() || fsyncLog.failure().isPresent()) {
      throw new IllegalStateException("audit log failed during the benchmark");
    }
    baseline.flush();
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    groupLog.close();
    fsyncLog.close();
    baseline.close();
    AuditBenchSupport.delete(dir);
  }

  @Benchmark
  public void groupCommit() throws InterruptedException {
    window.acquire();
    groupLog.append(records[next++ & 1023]).whenComplete((seq, err) -> window.release());
  }

  @Benchmark
  public void fsyncPerRecord() throws InterruptedException {
    window.acquire();
    fsyncLog.append(records[next++ & 1023]).whenComplete((seq, err) -> window.release());
  }

  @Benchmark
  public void bufferedBaseline() throws Exception {
    int n = encoder.encode(next, records[next++ & 1023]);
    baseline.write(encoder.array(), 0, n);
  }
}
