package io.shulian.benchmarks;

import io.shulian.core.audit.AuditLog;
import io.shulian.core.audit.AuditRecord;
import io.shulian.core.internal.audit.RecordCodec;
import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.keys.Suite;
import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
 * Durable audit appends, records per second (one JMH op = one record):
 *
 * <ul>
 *   <li>{@code groupCommit}: {@link AuditLog} at its default settings; 1,000 appends in flight,
 *       the score counts a record only once its future completed (durable, forced to disk);
 *   <li>{@code fsyncPerRecord}: {@code maxBatchRecords(1)}: one force per record;
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
  private static final int IN_FLIGHT = 1000;

  @Param({"INTL"})
  public Suite suite;

  private PartyIdentity operator;
  private AuditRecord[] records;
  private Path dir;
  private AuditLog groupLog;
  private AuditLog fsyncLog;
  private OutputStream baseline;
  private int next;
  private final RecordCodec.Sink sink = new RecordCodec.Sink(4096);

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    records = AuditBenchSupport.records();
    operator = PartyIdentity.generateSelfSigned(suite, AuditBenchSupport.PROVIDER, Duration.ofDays(1));
    dir = AuditBenchSupport.scratch("audit-append");
    groupLog = AuditLog.builder(dir.resolve("group"), operator).open();
    fsyncLog = AuditLog.builder(dir.resolve("fsync"), operator).maxBatchRecords(1).open();
    baseline = new BufferedOutputStream(Files.newOutputStream(dir.resolve("baseline.bin")), 64 * 1024);
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    groupLog.close();
    fsyncLog.close();
    baseline.close();
    AuditBenchSupport.delete(dir);
  }

  @Benchmark
  @OperationsPerInvocation(IN_FLIGHT)
  public long groupCommit() throws Exception {
    CompletableFuture<Long> last = null;
    for (int i = 0; i < IN_FLIGHT; i++) {
      last = groupLog.append(records[next++ & 1023]);
    }
    return last.get();
  }

  @Benchmark
  @OperationsPerInvocation(10)
  public long fsyncPerRecord() throws Exception {
    CompletableFuture<Long> last = null;
    for (int i = 0; i < 10; i++) {
      last = fsyncLog.append(records[next++ & 1023]);
    }
    return last.get();
  }

  @Benchmark
  @OperationsPerInvocation(IN_FLIGHT)
  public void bufferedBaseline() throws Exception {
    for (int i = 0; i < IN_FLIGHT; i++) {
      sink.reset();
      sink.u32(0);
      RecordCodec.encode(next, records[next++ & 1023], sink);
      RecordCodec.putInt(sink.array(), 0, sink.position() - 4);
      baseline.write(sink.array(), 0, sink.position());
    }
  }
}
