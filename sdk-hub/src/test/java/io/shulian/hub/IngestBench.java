package io.shulian.hub;

import static org.assertj.core.api.Assertions.assertThat;

import io.shulian.core.audit.AuditLog;
import io.shulian.core.audit.AuditLogReader;
import io.shulian.core.audit.AuditStreamVerifier;
import io.shulian.core.audit.RecordBatch;
import io.shulian.gateway.ship.EventShipper;
import io.shulian.hub.alert.Alerts;
import io.shulian.hub.alert.Rules;
import io.shulian.hub.events.Collector;
import io.shulian.hub.store.HubStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * The collector ingest benchmark of docs/benchmarks.md, not a unit test (runs only with
 * {@code -Dshulian.bench=true}; benchmarks/hub/ingest.sh): a real gateway audit log of N records
 * (checkpoint every 10,000), read in batches of B as the shipper reads them, and taken by
 * {@link Collector#ingest} — JSON parse, full verification (records, chain, Merkle root and
 * signature at every checkpoint) and storage in embedded H2 (or, with {@code -Dshulian.bench.db=pg}, a
 * PostgreSQL server of the Debian package started by {@link PostgresServer}) — timed over all batches. Also the
 * verification alone ({@link AuditStreamVerifier}), for comparison. With {@code
 * -Dshulian.bench.rules=true} the log holds exchanges as a provider gateway writes them (REQUEST_IN,
 * RESPONSE_OUT, one request in ten refused) and the hub's early-warning {@link Rules} (default
 * thresholds) judge every stored record, as in the hub.
 */
class IngestBench {
  @TempDir Path dir;

  @Test
  @EnabledIfSystemProperty(named = "shulian.bench", matches = "true")
  void ingest() throws Exception {
    int n = Integer.getInteger("shulian.bench.events", 200_000);
    int batch = Integer.getInteger("shulian.bench.batch", 5_000);
    boolean rules = Boolean.getBoolean("shulian.bench.rules");
    TestHubCity city = new TestHubCity(dir.resolve("city"));
    Path log = dir.resolve("log");
    try (AuditLog a = AuditLog.builder(log, city.housing).maxBatchRecords(8192).open()) {
      List<java.util.concurrent.CompletableFuture<Long>> pending = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        pending.add(a.append(rules ? exchangeRecord(city, i)
            : HubEventsEndToEndTest.record(city.housing, i, i % 10 == 0 ? "DENIED" : "OK")));
        if (pending.size() == 10_000) {
          pending.get(pending.size() - 1).get();
          pending.clear();
        }
      }
    }
    List<byte[]> bodies = new ArrayList<>();
    List<RecordBatch> batches = new ArrayList<>();
    RecordBatch prev = null;
    for (long from = 0; from < n; from += batch) {
      prev = AuditLogReader.readBatch(log, from, batch, prev);
      batches.add(prev);
      bodies.add(EventShipper.toJson(prev));
    }
    StringBuilder out = new StringBuilder();
    // verification alone
    long t0 = System.nanoTime();
    AuditStreamVerifier v = AuditStreamVerifier.start(batches.get(0).logId(), batches.get(0).hashAlgorithm());
    for (RecordBatch b : batches) {
      for (byte[] body : b.bodies()) {
        v.append(body);
      }
    }
    double verifyRate = n / ((System.nanoTime() - t0) / 1e9);
    String dbName = System.getProperty("shulian.bench.db", "h2");
    PostgresServer pg = null;
    if (dbName.equals("pg")) {
      pg = PostgresServer.start(PostgresServer.binaries().orElseThrow(() -> new AssertionError("PostgreSQL is not installed")),
          dir);
    }
    try (PostgresServer server = pg;
        HubStore db = server == null ? HubStore.open(HubStore.h2Url(dir), null, null, 4)
            : HubStore.open(server.jdbcUrl(), PostgresServer.USER, null, 4)) {
      Collector c = CollectorTest.collector(city, db);
      if (rules) {
        c.addListener(new Rules(new Alerts(db, java.time.Clock.systemUTC(), null, null), Rules.Thresholds.defaults(),
            java.util.Set.of())::stored);
      }
      com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean)
          java.lang.management.ManagementFactory.getOperatingSystemMXBean();
      long cpu0 = os.getProcessCpuTime();
      long t1 = System.nanoTime();
      for (byte[] body : bodies) {
        Collector.Result r = c.ingest(city.housing.party(), body);
        assertThat(r.accepted()).as(r.detail()).isTrue();
      }
      double secs = (System.nanoTime() - t1) / 1e9;
      // the JVM's CPU time (all its threads) over the ingest: stable on a loaded machine, where wall
      // time mostly measures the scheduler; on PostgreSQL it leaves out the server's own CPU
      double cpuSecs = (os.getProcessCpuTime() - cpu0) / 1e9;
      out.append(String.format("events %d, batch %d: ingest (parse + verify + store in %s%s) %.0f events/s (%.2f s; %.0f events per JVM"
          + " CPU-second); verification alone %.0f events/s%n", n, batch, server == null ? "H2" : "PostgreSQL",
          rules ? " + rules" : "", n / secs, secs,
          n / cpuSecs, verifyRate));
    }
    String o = System.getProperty("shulian.bench.out");
    if (o != null) {
      Files.writeString(Path.of(o), out.toString());
    }
    System.out.print(out);
  }

  /** Record {@code i} of a provider's exchanges: the request (one in ten refused), then the response to a permitted one. */
  private static io.shulian.core.audit.AuditRecord exchangeRecord(TestHubCity city, int i) {
    int x = i / 2;
    boolean refused = x % 10 == 0;
    if (i % 2 == 0 || refused) {
      return HubEventsEndToEndTest.record(city.housing, x, refused ? "DENIED" : "OK");
    }
    return io.shulian.core.audit.AuditRecord.builder().time(java.time.Instant.now()).envelopeId("env-" + x)
        .direction(io.shulian.core.audit.Direction.RESPONSE_OUT).sender(city.housing.party()).receiver(TestHubCity.CIVIL)
        .resource("housing.provident-fund.balance").purpose("social-assistance-review")
        .decision(io.shulian.core.audit.AuditDecision.permit()).status(200).outcome("OK")
        .latency(java.time.Duration.ofMillis(3)).build();
  }
}
