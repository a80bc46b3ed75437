import io.shulian.core.audit.AuditDecision;
import io.shulian.core.audit.AuditLog;
import io.shulian.core.audit.AuditLogReader;
import io.shulian.core.audit.AuditRecord;
import io.shulian.core.audit.Direction;
import io.shulian.core.audit.HashAlgorithm;
import io.shulian.core.audit.RecordBatch;
import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.keys.Suite;
import io.shulian.core.party.CreditCode;
import io.shulian.core.party.PartyId;
import io.shulian.gateway.ship.EventShipper;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The gateway-side CPU of shipping, without the network: reads an audit log of exchange-like
 * records batch after batch through AuditLogReader.Cursor and writes each batch's collector JSON
 * (EventShipper.toJson), as the shipper thread does before its POST. Prints the thread CPU per
 * record (ns), so a loaded machine slows it down but does not change what it counts. Run by
 * benchmarks/gateway/ship-encode.sh against two jars in alternation.
 *
 * Usage: java -cp shulian.jar ShipEncodeBench.java <log dir> <records> <batch> <passes>
 */
public class ShipEncodeBench {
  public static void main(String[] a) throws Exception {
    Path dir = Path.of(a[0]);
    int n = Integer.parseInt(a[1]);
    int batch = Integer.parseInt(a[2]);
    int passes = Integer.parseInt(a[3]);
    if (!Files.exists(dir.resolve("segment-00000000.log"))) {
      PartyId housing = PartyId.of("440600", CreditCode.withCheckCharacter("11440600MB2C1234H"), "housing");
      PartyId civil = PartyId.of("440600", CreditCode.withCheckCharacter("11440600MB2C5678C"), null);
      PartyIdentity id = PartyIdentity.generateSelfSigned(Suite.INTL, housing, Duration.ofDays(1));
      try (AuditLog log = AuditLog.builder(dir, id).checkpointEveryRecords(1000).checkpointInterval(Duration.ofSeconds(10))
          .open()) {
        List<CompletableFuture<Long>> pending = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          pending.add(log.append(AuditRecord.builder().time(Instant.now()).envelopeId("env-" + java.util.UUID.randomUUID())
              .direction(i % 2 == 0 ? Direction.REQUEST_IN : Direction.RESPONSE_OUT).sender(civil).receiver(housing)
              .resource("HOUSING-002").purpose("social-assistance-review").decision(AuditDecision.permit())
              .payloadDigest(HashAlgorithm.SHA_256, new byte[32]).payloadBytes(1024).status(200).outcome("OK")
              .latency(Duration.ofMillis(3)).app("bench").request("GET", "/records").build()));
          if (pending.size() == 5000) {
            for (CompletableFuture<Long> f : pending) {
              f.get();
            }
            pending.clear();
          }
        }
        for (CompletableFuture<Long> f : pending) {
          f.get();
        }
      }
    }
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    long best = Long.MAX_VALUE;
    long bytes = 0;
    for (int p = 0; p < passes; p++) {
      AuditLogReader.Cursor c = AuditLogReader.cursor(dir);
      long t0 = mx.getCurrentThreadCpuTime();
      long seq = 0;
      bytes = 0;
      while (true) {
        RecordBatch b = c.read(seq, batch);
        if (b.nextSeq() == seq) {
          break;
        }
        bytes += EventShipper.toJson(b).length;
        seq = b.nextSeq();
      }
      long t = mx.getCurrentThreadCpuTime() - t0;
      if (seq != n) {
        throw new IllegalStateException("read " + seq + " of " + n + " records");
      }
      if (p > 0) { // the first pass warms up
        best = Math.min(best, t);
      }
    }
    System.out.printf("%d %d%n", best / n, bytes / n);
  }
}
