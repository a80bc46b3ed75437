package io.shulian.core.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.shulian.core.keys.Suite;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a child JVM with SIGKILL while it appends under load, many times over one log directory,
 * and checks after each kill that the log reopens, lost no acknowledged record, and verifies.
 * Iterations: {@code -Daudit.crash.iterations=N} (default 20).
 */
class AuditCrashTest {
  @TempDir Path tmp;

  @Test
  void kill9_underLoad_noAcknowledgedRecordLostAndChainVerifies() throws Exception {
    int iterations = Integer.getInteger("audit.crash.iterations", 20);
    Path p12 = tmp.resolve("operator.p12");
    AuditFixtures.operator(Suite.INTL).store(p12, "pw".toCharArray());
    Path dir = tmp.resolve("log");
    Random rnd = new Random(Long.getLong("audit.crash.seed", System.nanoTime()));
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    long totalAcked = 0;
    int tornSeen = 0;
    for (int it = 0; it < iterations; it++) {
      Process child = new ProcessBuilder(java, "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
          "-cp", System.getProperty("java.class.path"), AuditCrashChild.class.getName(),
          dir.toString(), p12.toString(), "pw")
          .redirectError(ProcessBuilder.Redirect.DISCARD)
          .start();
      AtomicLong maxAcked = new AtomicLong(-1);
      AtomicLong acked = new AtomicLong();
      Thread reader = new Thread(() -> readAcks(child.getInputStream(), maxAcked, acked));
      reader.start();
      // wait for some acknowledgements, then kill at a random moment
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (acked.get() < 20 && child.isAlive() && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      assertThat(child.isAlive()).as("child died on its own in iteration " + it).isTrue();
      Thread.sleep(rnd.nextInt(300));
      child.destroyForcibly();
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
      reader.join(TimeUnit.SECONDS.toMillis(30));
      totalAcked += acked.get();

      try (AuditLog log = AuditLog.builder(dir, AuditFixtures.operator(Suite.INTL)).open()) {
        assertThat(log.size()).as("iteration " + it + ": every acknowledged seq must be present")
            .isGreaterThan(maxAcked.get());
        if (log.recoveredTailBytes() > 0) {
          tornSeen++;
        }
      }
      VerificationReport r = AuditVerifier.verify(dir, AuditFixtures.trust(Suite.INTL));
      assertThat(r.intact()).as("iteration " + it + ": " + r.summary()).isTrue();
      assertThat(r.uncoveredRecords()).isZero();
    }
    List<AuditEntry> all = new ArrayList<>();
    AuditLogReader.forEach(dir, all::add);
    for (int i = 0; i < all.size(); i++) {
      assertThat(all.get(i).seq()).isEqualTo(i);
    }
    System.out.printf("audit crash test: %d kills, %d acknowledged, %d records, %d torn tails recovered%n",
        iterations, totalAcked, all.size(), tornSeen);
  }

  /** Counts complete lines only: a line cut by the kill is not an acknowledgement we can read. */
  private static void readAcks(InputStream in, AtomicLong max, AtomicLong count) {
    StringBuilder line = new StringBuilder();
    try {
      int c;
      while ((c = in.read()) >= 0) {
        if (c == '\n') {
          String s = line.toString();
          line.setLength(0);
          if (!s.startsWith("open")) {
            long seq = Long.parseLong(s.trim());
            max.accumulateAndGet(seq, Math::max);
            count.incrementAndGet();
          }
        } else {
          line.append((char) c);
        }
      }
    } catch (java.io.IOException e) {
      // the pipe closes when the child dies
    }
  }
}
