package io.shulian.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.shulian.core.audit.AuditLog;
import io.shulian.core.audit.AuditLogReader;
import io.shulian.core.audit.RecordBatch;
import io.shulian.core.trust.BundleHolder;
import io.shulian.gateway.ship.EventShipper;
import io.shulian.hub.alert.Alerts;
import io.shulian.hub.events.Collector;
import io.shulian.hub.store.HubStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The collector's V5 tables on embedded H2 and on a real PostgreSQL server: the same code, the same results. */
class CollectorTest {
  @TempDir Path dir;

  static Collector collector(TestHubCity city, HubStore db) throws Exception {
    BundleHolder trust = BundleHolder.of(List.of(city.ca.root()));
    trust.update(city.bundle(1).getBytes(StandardCharsets.US_ASCII));
    return new Collector(db, trust::trust, new Alerts(db, Clock.systemUTC(), null, null), Clock.systemUTC());
  }

  static long count(HubStore db, String sql) throws Exception {
    try (Connection c = db.connection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      long n = rs.getLong(1);
      c.commit();
      return n;
    }
  }

  /** Ships a 30-record log in three batches, once more as duplicates, then a fork; purges. */
  void exercise(HubStore db) throws Exception {
    TestHubCity city = new TestHubCity(dir.resolve("city"));
    Path log = dir.resolve("log");
    try (AuditLog a = AuditLog.builder(log, city.housing).checkpointEveryRecords(10).open()) {
      for (int i = 0; i < 30; i++) {
        a.append(HubEventsEndToEndTest.record(city.housing, i, i % 3 == 0 ? "DENIED" : "OK")).get();
      }
    }
    Collector c = collector(city, db);
    for (long from = 0; from < 30; from += 10) {
      Collector.Result r = c.ingest(city.housing.party(), EventShipper.toJson(AuditLogReader.readBatch(log, from, 10, null)));
      assertThat(r.accepted()).as(r.detail()).isTrue();
    }
    RecordBatch all = AuditLogReader.readBatch(log, 0, 100, null);
    Collector.Result again = c.ingest(city.housing.party(), EventShipper.toJson(all));
    assertThat(again.accepted()).as(again.detail()).isTrue();
    assertThat(again.body()).contains("\"stored\":0").contains("\"duplicates\":30").contains("\"nextSeq\":30")
        .contains("\"covered\":30");
    assertThat(count(db, "SELECT COUNT(*) FROM hub_events")).isEqualTo(30);
    assertThat(count(db, "SELECT COUNT(*) FROM hub_events WHERE effect = 'DENY'")).isEqualTo(10);
    assertThat(count(db, "SELECT COUNT(*) FROM hub_event_checkpoints")).isGreaterThanOrEqualTo(4);
    String logId = all.logId();
    assertThat(c.cursor(city.housing.party(), logId)).hasValueSatisfying(s -> assertThat(s).contains("\"nextSeq\":30"));
    assertThat(c.cursor(city.civil.party(), logId)).isEmpty();

    // someone else's record at seq 5 (another log's body): a fork, refused, nothing changes
    Path other = dir.resolve("other");
    try (AuditLog a = AuditLog.builder(other, city.housing).open()) {
      for (int i = 0; i < 10; i++) {
        a.append(HubEventsEndToEndTest.record(city.housing, 100 + i, "OK")).get();
      }
    }
    RecordBatch foreign = AuditLogReader.readBatch(other, 5, 1, null);
    String forged = new String(EventShipper.toJson(AuditLogReader.readBatch(log, 5, 1, null)), StandardCharsets.UTF_8)
        .replaceFirst("\"records\":\\[\"[^\"]*\"\\]", "\"records\":[\"" + java.util.Base64.getEncoder()
            .encodeToString(foreign.bodies().get(0)) + "\"]");
    Collector.Result fork = c.ingest(city.housing.party(), forged.getBytes(StandardCharsets.UTF_8));
    assertThat(fork.code()).isEqualTo("CHAIN_FORK");
    assertThat(count(db, "SELECT COUNT(*) FROM hub_alerts WHERE rule = 'chain_fork'")).isEqualTo(1);
    assertThat(count(db, "SELECT COUNT(*) FROM hub_events")).isEqualTo(30);

    // retention: events received before the cut are deleted; the log's state stays
    assertThat(c.purge(Instant.now().minusSeconds(3600))).isZero();
    assertThat(c.purge(Instant.now().plusSeconds(1))).isEqualTo(30);
    assertThat(count(db, "SELECT COUNT(*) FROM hub_events")).isZero();
    assertThat(c.cursor(city.housing.party(), logId)).hasValueSatisfying(s -> assertThat(s).contains("\"nextSeq\":30"));
  }

  @Test
  void collector_h2_storesVerifiedOnceRefusesForkPurges() throws Exception {
    try (HubStore db = HubStore.open(HubStore.h2Url(dir), null, null, 4)) {
      exercise(db);
    }
  }

  @Test
  void collector_postgres_storesVerifiedOnceRefusesForkPurges() throws Exception {
    Optional<Path> bin = PostgresServer.binaries();
    if (System.getenv("CI") == null) {
      assumeTrue(bin.isPresent(), "PostgreSQL is not installed (apt-get install postgresql)");
    }
    try (PostgresServer pg = PostgresServer.start(bin.orElseThrow(), dir);
        HubStore db = HubStore.open(pg.jdbcUrl(), PostgresServer.USER, null, 4)) {
      exercise(db);
    }
  }
}
