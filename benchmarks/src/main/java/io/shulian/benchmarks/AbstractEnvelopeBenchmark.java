package io.shulian.benchmarks;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Seal, open and round-trip throughput of one envelope implementation (operations per second,
 * one thread). Subclasses declare the {@code suite}, {@code size} and {@code impl} parameters and
 * build the {@link Exchange} to measure.
 *
 * <p>Warmup is 4 × 5 s: on a cold JVM AES-GCM runs slowly for about 10 s (until C2 compiles the
 * GHASH and AES intrinsics' callers) and BC's SM2 needs about 12 s to reach speed; 20 s leaves a
 * margin on a busy machine. Each parameter combination gets its own JVM (one fork) so that
 * profile pollution from one suite does not slow another.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g", "-Xms2g"})
@Warmup(iterations = 4, time = 5)
@Measurement(iterations = 5, time = 5)
public abstract class AbstractEnvelopeBenchmark {
  private Exchange exchange;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    exchange = create();
  }

  /** Builds the exchange for this trial's parameters; checks a round trip before measuring. */
  abstract Exchange create() throws Exception;

  @Benchmark
  public Object seal() throws Exception {
    return exchange.seal();
  }

  @Benchmark
  public Object open() throws Exception {
    return exchange.open();
  }

  @Benchmark
  public Object roundTrip() throws Exception {
    return exchange.roundTrip();
  }
}
