package io.shulian.benchmarks;

import io.shulian.core.envelope.EnvelopeEncoding;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A cross-check for loaded machines, not a JMH benchmark: runs the envelope implementations in
 * one JVM, alternating short slices between them, and counts operations per second of this
 * thread's CPU time. Interleaving spreads other processes' load evenly over the implementations,
 * and CPU time ignores time spent descheduled, so the ratios stay meaningful where JMH's
 * wall-clock throughput swings by tens of percent. Shared CPU caches and SMT siblings still add
 * noise, and all implementations share one JIT profile, so the JMH run on a quiet machine remains
 * the reference.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.shulian.benchmarks.InterleavedCpuProbe \
 *     [op=roundTrip] [size=1024] [suites=INTL,INTL_P256,GM] [impls=shulian,framed,primitives,nimbus] \
 *     [warmupSeconds=15] [slices=20] [sliceMillis=250]
 * </pre>
 *
 * <p>Impl {@code gateway} is Shulian compact sealing as the gateway does by default (ECDH-ES
 * ephemeral key reuse, the receiver caching the shared secret): the envelope cost behind the
 * gateway load test's ceiling. Impls {@code batch<n>} (e.g. {@code batch8}) add batch signatures
 * over n envelopes, each opened on its own (roundTrip only; counted per envelope).
 */
public final class InterleavedCpuProbe {
  private static final ThreadMXBean MX = ManagementFactory.getThreadMXBean();
  private static volatile @Nullable Object sink;

  private InterleavedCpuProbe() {}

  public static void main(String[] args) throws Exception {
    String op = arg(args, 0, "roundTrip");
    int size = Integer.parseInt(arg(args, 1, "1024"));
    String[] suites = arg(args, 2, "INTL,INTL_P256,GM").split(",");
    String[] impls = arg(args, 3, "shulian,framed,primitives,nimbus").split(",");
    long warmupNs = Long.parseLong(arg(args, 4, "15")) * 1_000_000_000L;
    int slices = Integer.parseInt(arg(args, 5, "20"));
    long sliceNs = Long.parseLong(arg(args, 6, "250")) * 1_000_000L;

    List<String> names = new ArrayList<>();
    List<Exchange> exchanges = new ArrayList<>();
    for (String suite : suites) {
      for (String impl : impls) {
        BenchSuite s = BenchSuite.valueOf(suite);
        if (impl.equals("nimbus") && s == BenchSuite.GM) {
          continue;
        }
        byte[] payload = BenchSuite.payload(size);
        names.add(suite + " " + impl);
        exchanges.add(impl.equals("shulian") ? new ShulianExchange(s, payload)
            : impl.equals("framed") ? new ShulianExchange(s, payload, EnvelopeEncoding.FRAMED)
            : impl.equals("gateway") ? new ShulianExchange(s, payload, EnvelopeEncoding.COMPACT, true)
            : impl.startsWith("batch") ? new BatchExchange(s, payload, Integer.parseInt(impl.substring(5)))
            : impl.equals("nimbus") ? new NimbusExchange(s, payload)
            : PrimitiveExchange.create(s, payload));
      }
    }
    // Warm up every implementation, interleaved, so that C2 compiles all of them.
    long perWarmupSlice = Math.max(sliceNs, warmupNs / 10 / exchanges.size());
    for (int r = 0; r < 10; r++) {
      for (Exchange x : exchanges) {
        runFor(x, op, perWarmupSlice);
      }
    }
    long[] ops = new long[exchanges.size()];
    long[] cpu = new long[exchanges.size()];
    for (int r = 0; r < slices; r++) {
      for (int i = 0; i < exchanges.size(); i++) {
        long t0 = MX.getCurrentThreadCpuTime();
        ops[i] += runFor(exchanges.get(i), op, sliceNs);
        cpu[i] += MX.getCurrentThreadCpuTime() - t0;
      }
    }
    System.out.printf("%s, %d bytes, ops per CPU-second of one thread (%d slices of %d ms each)%n",
        op, size, slices, sliceNs / 1_000_000);
    for (int i = 0; i < exchanges.size(); i++) {
      System.out.printf("  %-22s %10.1f%n", names.get(i), ops[i] * 1e9 / cpu[i]);
    }
  }

  private static long runFor(Exchange x, String op, long cpuNs) throws Exception {
    long n = 0;
    long t0 = MX.getCurrentThreadCpuTime();
    do {
      sink = op.equals("seal") ? x.seal() : op.equals("open") ? x.open() : x.roundTrip();
      n += x.envelopesPerCall();
    } while (MX.getCurrentThreadCpuTime() - t0 < cpuNs);
    return n;
  }

  private static String arg(String[] args, int i, String dflt) {
    return args.length > i && !args[i].isEmpty() ? args[i] : dflt;
  }
}
