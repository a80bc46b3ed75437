package io.shulian.hub;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.shulian.core.audit.AuditLog;
import io.shulian.core.trust.BundleHolder;
import io.shulian.gateway.authenticate.CityPeerVerifier;
import io.shulian.gateway.authenticate.GatewayTls;
import io.shulian.gateway.ship.EventShipper;
import io.shulian.hub.store.HubStore;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * The catch-up benchmark of docs/benchmarks.md, not a unit test (runs only with
 * {@code -Dshulian.bench=true}; benchmarks/hub/catchup.sh): a gateway ships its first records to a
 * real hub over mTLS, goes offline while its audit log grows by an hour's records (default 180,000:
 * 50 requests/s), comes back with its shipper state and catches up through {@code POST /v1/events}
 * in batches of the configured size. Asserts that nothing is lost or stored twice (every record
 * acknowledged, covered by a verified checkpoint and stored once, no integrity alert) and prints how long the
 * catch-up took.
 */
class CatchUpBench {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path dir;

  private static EventShipper shipper(TestHubCity city, Hub h, Path log, Path state, int batch) throws Exception {
    BundleHolder trust = BundleHolder.of(List.of(city.ca.root()));
    trust.update(city.bundle(1).getBytes(StandardCharsets.US_ASCII));
    return new EventShipper(TestHubCity.url(h, "/v1/events"), log, state, batch, Duration.ofMillis(50), Duration.ofSeconds(1),
        GatewayTls.jdkClient(city.housing, new CityPeerVerifier(trust, Clock.systemUTC())));
  }

  private static long covered(TestHubCity city, Hub h, String logId) {
    try {
      HttpResponse<String> r = city.client(city.housing).send(HttpRequest.newBuilder(TestHubCity.url(h, "/v1/events/logs/"
          + logId)).timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? JSON.readTree(r.body()).get("covered").asLong() : -1;
    } catch (Exception e) {
      return -1;
    }
  }

  private static void append(AuditLog a, TestHubCity city, int from, int to) throws Exception {
    List<CompletableFuture<Long>> pending = new ArrayList<>();
    for (int i = from; i < to; i++) {
      pending.add(a.append(HubEventsEndToEndTest.record(city.housing, i, i % 10 == 0 ? "DENIED" : "OK")));
      if (pending.size() == 10_000) {
        pending.get(pending.size() - 1).get();
        pending.clear();
      }
    }
    if (!pending.isEmpty()) {
      pending.get(pending.size() - 1).get();
    }
  }

  @Test
  @EnabledIfSystemProperty(named = "shulian.bench", matches = "true")
  void catchUp_afterAnHourOffline_withoutLossOrDuplicates() throws Exception {
    int backlog = Integer.getInteger("shulian.bench.events", 180_000);
    int batch = Integer.getInteger("shulian.bench.batch", 2_000);
    int before = 1_000;
    int total = before + backlog;
    TestHubCity city = new TestHubCity(dir);
    Path log = dir.resolve("housing-audit");
    Path state = Files.createDirectories(dir.resolve("housing-state"));
    Hub h = city.startHub(HubEventsEndToEndTest.QUIET_NEW_CONSUMERS);
    String logId;
    double secs;
    try (AuditLog audit = AuditLog.builder(log, city.housing).maxBatchRecords(8192).open()) {
      logId = audit.logId();
      assertThat(city.publish(h, TestHubCity.OFFICER_TOKEN, city.bundle(1)).statusCode()).isEqualTo(201);
      append(audit, city, 0, before);
      try (EventShipper s = shipper(city, h, log, state, batch)) {
        s.start();
        assertThat(TestWait.within(Duration.ofSeconds(120), () -> s.acknowledged() == before)).as("shipped").isTrue();
      }
      // the gateway is offline (no shipper) while an hour's records are logged
      append(audit, city, before, total);
      audit.checkpoint().get();
      try (EventShipper s = shipper(city, h, log, state, batch)) {
        long t0 = System.nanoTime();
        s.start();
        assertThat(TestWait.within(Duration.ofMinutes(30), () -> s.acknowledged() == total)).as("caught up: "
            + s.lastFailure()).isTrue();
        secs = (System.nanoTime() - t0) / 1e9;
        assertThat(s.lastFailure()).isNull();
      }
      assertThat(TestWait.within(Duration.ofSeconds(60), () -> covered(city, h, logId) == total))
          .as("every record covered by a verified checkpoint").isTrue();
    } finally {
      h.close();
    }
    try (HubStore db = HubStore.open(HubStore.h2Url(dir.resolve("hub-data")), null, null, 2)) {
      assertThat(CollectorTest.count(db, "SELECT COUNT(*) FROM hub_events")).isEqualTo(total);
      assertThat(CollectorTest.count(db, "SELECT COUNT(DISTINCT MOD(event_key, 1099511627776)) FROM hub_events")).isEqualTo(total);
      assertThat(CollectorTest.count(db, "SELECT MAX(MOD(event_key, 1099511627776)) FROM hub_events")).isEqualTo(total - 1);
      // no integrity alert (the early-warning rules may well see an hour's volume in minutes)
      assertThat(CollectorTest.count(db, "SELECT COUNT(*) FROM hub_alerts WHERE rule IN ('sequence_gap', 'chain_fork',"
          + " 'bad_checkpoint_signature', 'foreign_log')")).isZero();
    }
    String out = String.format("backlog %d records (+%d shipped before), gateway batch %d: caught up in %.1f s (%.0f records/s),"
        + " %d stored once, all covered by verified checkpoints, no integrity alert%n", backlog, before, batch, secs, backlog / secs,
        total);
    String o = System.getProperty("shulian.bench.out");
    if (o != null) {
      Files.writeString(Path.of(o), out);
    }
    System.out.print(out);
  }
}
