package io.shulian.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The {@link SecretScalarBenchmark} operations measured like {@link InterleavedCpuProbe}: all in one
 * JVM, alternating short slices, counting this thread's CPU time, so that the before/after ratios
 * hold on a loaded machine where JMH's wall-clock numbers swing.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.shulian.benchmarks.SecretScalarProbe \
 *     [curves=P256,SM2] [warmupSeconds=20] [slices=20] [sliceMillis=250]
 * </pre>
 */
public final class SecretScalarProbe {
  private static final ThreadMXBean MX = ManagementFactory.getThreadMXBean();
  private static final String[] OPS = {
    "receiver-wnaf", "receiver-ct", "sender-wnaf", "sender-comb", "sign-bc", "sign-shulian"
  };
  private static volatile @Nullable Object sink;

  private SecretScalarProbe() {}

  public static void main(String[] args) throws Exception {
    String[] curves = (args.length > 0 ? args[0] : "P256,SM2").split(",");
    long warmupNs = Long.parseLong(args.length > 1 ? args[1] : "20") * 1_000_000_000L;
    int slices = Integer.parseInt(args.length > 2 ? args[2] : "20");
    long sliceNs = Long.parseLong(args.length > 3 ? args[3] : "250") * 1_000_000L;
    List<String> names = new ArrayList<>();
    List<SecretScalarBenchmark> benches = new ArrayList<>();
    for (String c : curves) {
      for (String op : OPS) {
        SecretScalarBenchmark b = new SecretScalarBenchmark();
        b.curve = c;
        b.op = op;
        b.setUp();
        names.add(c + " " + op);
        benches.add(b);
      }
    }
    long perWarmup = Math.max(sliceNs, warmupNs / 10 / benches.size());
    for (int r = 0; r < 10; r++) {
      for (SecretScalarBenchmark b : benches) {
        runFor(b, perWarmup);
      }
    }
    long[] ops = new long[benches.size()];
    long[] cpu = new long[benches.size()];
    for (int r = 0; r < slices; r++) {
      for (int i = 0; i < benches.size(); i++) {
        long t0 = MX.getCurrentThreadCpuTime();
        ops[i] += runFor(benches.get(i), sliceNs);
        cpu[i] += MX.getCurrentThreadCpuTime() - t0;
      }
    }
    System.out.printf("microseconds of one thread's CPU time per operation (%d slices of %d ms)%n",
        slices, sliceNs / 1_000_000);
    for (int i = 0; i < benches.size(); i++) {
      System.out.printf("  %-20s %8.1f%n", names.get(i), cpu[i] / 1e3 / ops[i]);
    }
  }

  private static long runFor(SecretScalarBenchmark b, long cpuNs) throws Exception {
    long n = 0;
    long t0 = MX.getCurrentThreadCpuTime();
    do {
      sink = b.run();
      n++;
    } while (MX.getCurrentThreadCpuTime() - t0 < cpuNs);
    return n;
  }
}
