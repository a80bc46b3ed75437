package io.shulian.hub;

import static io.shulian.hub.CollectorTest.count;
import static org.assertj.core.api.Assertions.assertThat;

import io.shulian.core.audit.AuditDecision;
import io.shulian.core.audit.AuditEntry;
import io.shulian.core.audit.AuditLog;
import io.shulian.core.audit.AuditLogReader;
import io.shulian.core.audit.AuditRecord;
import io.shulian.core.audit.AuditStreamVerifier;
import io.shulian.core.audit.Checkpoint;
import io.shulian.core.audit.Direction;
import io.shulian.core.audit.RecordBatch;
import io.shulian.core.trust.BundleHolder;
import io.shulian.gateway.ship.EventShipper;
import io.shulian.hub.alert.Alerts;
import io.shulian.hub.console.Overview;
import io.shulian.hub.events.Collector;
import io.shulian.hub.store.HubStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The events' single BIGINT key (V5_1: {@code log_no * 2^40 + seq}) and the per-batch receive
 * ranges that the retention purge deletes by; the narrower row of V5_2; the batches' event-time
 * range by which the console finds events by time (V5_3).
 */
class CollectorEventKeysTest {
  @TempDir Path dir;

  /** A clock the test moves. */
  static final class StepClock extends Clock {
    Instant now = Instant.parse("2026-12-06T08:00:00Z");

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  private Path log(TestHubCity city, int records) throws Exception {
    Path log = dir.resolve("log");
    try (AuditLog a = AuditLog.builder(log, city.housing).checkpointEveryRecords(10).open()) {
      for (int i = 0; i < records; i++) {
        a.append(HubEventsEndToEndTest.record(city.housing, i, "OK")).get();
      }
    }
    return log;
  }

  private static Collector collector(TestHubCity city, HubStore db, Clock clock) throws Exception {
    BundleHolder trust = BundleHolder.of(List.of(city.ca.root()));
    trust.update(city.bundle(1).getBytes(StandardCharsets.US_ASCII));
    return new Collector(db, trust::trust, new Alerts(db, Clock.systemUTC(), null, null), clock);
  }

  @Test
  void purge_deletesOnlyTheBatchesReceivedBeforeTheCut_andAResendAfterItIsADuplicate() throws Exception {
    TestHubCity city = new TestHubCity(dir.resolve("city"));
    Path log = log(city, 30);
    StepClock clock = new StepClock();
    try (HubStore db = HubStore.open(HubStore.h2Url(dir), null, null, 4)) {
      Collector c = collector(city, db, clock);
      for (long from = 0; from < 30; from += 10) {
        Collector.Result r = c.ingest(city.housing.party(), EventShipper.toJson(AuditLogReader.readBatch(log, from, 10, null)));
        assertThat(r.accepted()).as(r.detail()).isTrue();
        clock.now = clock.now.plus(Duration.ofHours(1));
      }
      assertThat(count(db, "SELECT COUNT(*) FROM hub_event_batches")).isEqualTo(3);
      // batches received at 08:00, 09:00, 10:00: a cut at 09:30 deletes the first two
      assertThat(c.purge(Instant.parse("2026-12-06T09:30:00Z"))).isEqualTo(20);
      assertThat(count(db, "SELECT COUNT(*) FROM hub_events")).isEqualTo(10);
      assertThat(count(db, "SELECT MIN(MOD(event_key, 1099511627776)) FROM hub_events")).isEqualTo(20);
      assertThat(count(db, "SELECT COUNT(*) FROM hub_event_batches")).isEqualTo(1);
      // the purged records sent again: known to the verifier, stored nothing twice
      Collector.Result again = c.ingest(city.housing.party(), EventShipper.toJson(AuditLogReader.readBatch(log, 0, 30, null)));
      assertThat(again.accepted()).as(again.detail()).isTrue();
      assertThat(again.body()).contains("\"stored\":0").contains("\"duplicates\":30");
      assertThat(count(db, "SELECT COUNT(*) FROM hub_events")).isEqualTo(10);
    }
  }

  @Test
  void overview_findsTheEventsSinceItsCutThroughTheirBatches_olderEventsOfTheSameBatchLeftOut() throws Exception {
    TestHubCity city = new TestHubCity(dir.resolve("city"));
    Path log = dir.resolve("log");
    Instant now = Instant.now();
    // batch 1: ten requests of 20 days ago; batch 2: five of 20 days ago and five of now, by two consumers
    try (AuditLog a = AuditLog.builder(log, city.housing).checkpointEveryRecords(10).open()) {
      for (int i = 0; i < 20; i++) {
        boolean recent = i >= 15;
        a.append(AuditRecord.builder().time(recent ? now.minus(Duration.ofMinutes(i)) : now.minus(Duration.ofDays(20)))
            .envelopeId("env-" + i).direction(Direction.REQUEST_IN).sender(i % 2 == 0 ? TestHubCity.CIVIL.toString() : "old-" + i)
            .receiver(city.housing.party()).resource("housing.provident-fund.balance").purpose("social-assistance-review")
            .decision(AuditDecision.permit()).status(200).outcome("OK").latency(Duration.ofMillis(3)).build()).get();
      }
    }
    try (HubStore db = HubStore.open(HubStore.h2Url(dir), null, null, 2)) {
      Collector c = collector(city, db, Clock.systemUTC());
      for (long from = 0; from < 20; from += 10) {
        Collector.Result r = c.ingest(city.housing.party(), EventShipper.toJson(AuditLogReader.readBatch(log, from, 10, null)));
        assertThat(r.accepted()).as(r.detail()).isTrue();
      }
      assertThat(count(db, "SELECT COUNT(*) FROM hub_event_batches WHERE last_time >= first_time")).isEqualTo(2);
      com.fasterxml.jackson.databind.JsonNode week = new Overview(db, Clock.systemUTC()).read(7);
      // the five of now (env-15 to env-19) only, not the older five stored in the same batch
      long requests = 0;
      for (com.fasterxml.jackson.databind.JsonNode f : week.path("flows")) {
        requests += f.path("requests").asLong();
      }
      assertThat(requests).isEqualTo(5);
      assertThat(week.path("flows").toString()).doesNotContain("old-1\"").doesNotContain("old-13");
      long perDay = 0;
      for (com.fasterxml.jackson.databind.JsonNode d : week.path("perDay")) {
        perDay += d.path("requests").asLong();
      }
      assertThat(perDay).isEqualTo(5);
      // a month back finds all twenty
      long month = 0;
      for (com.fasterxml.jackson.databind.JsonNode d : new Overview(db, Clock.systemUTC()).read(30).path("perDay")) {
        month += d.path("requests").asLong();
      }
      assertThat(month).isEqualTo(20);
    }
  }

  @Test
  void batchPastTheKeyRange_refusedLogTooLong_nothingStored() throws Exception {
    TestHubCity city = new TestHubCity(dir.resolve("city"));
    Path log = log(city, 10);
    try (HubStore db = HubStore.open(HubStore.h2Url(dir), null, null, 4)) {
      Collector c = collector(city, db, Clock.systemUTC());
      Collector.Result first = c.ingest(city.housing.party(), EventShipper.toJson(AuditLogReader.readBatch(log, 0, 10, null)));
      assertThat(first.accepted()).as(first.detail()).isTrue();
      String body = new String(EventShipper.toJson(AuditLogReader.readBatch(log, 9, 1, null)), StandardCharsets.UTF_8)
          .replaceFirst("\"firstSeq\":9", "\"firstSeq\":" + ((1L << 40) - 1))
          .replaceFirst("\"records\":\\[(\"[^\"]*\")\\]", "\"records\":[$1,$1]");
      Collector.Result r = c.ingest(city.housing.party(), body.getBytes(StandardCharsets.UTF_8));
      assertThat(r.code()).isEqualTo("LOG_TOO_LONG");
      assertThat(r.status()).isEqualTo(422);
      assertThat(count(db, "SELECT COUNT(*) FROM hub_events")).isEqualTo(10);
      assertThat(count(db, "SELECT MAX(next_seq) FROM hub_event_logs")).isEqualTo(10);
    }
  }

  @Test
  void migrationFromV5_keysTheStoredEvents_andPurgesThemByTheirReceiveTime() throws Exception {
    String url = HubStore.h2Url(dir);
    Flyway.configure(HubStore.class.getClassLoader()).dataSource(url, null, null).locations("classpath:db/migration")
        .target("5").load().migrate();
    Instant early = Instant.parse("2026-12-01T00:00:00Z");
    Instant late = Instant.parse("2026-12-03T00:00:00Z");
    try (Connection c = java.sql.DriverManager.getConnection(url)) {
      try (Statement s = c.createStatement()) {
        for (String id : List.of("a", "b")) {
          s.executeUpdate("INSERT INTO hub_event_logs (log_id, party, hash_algorithm, next_seq, covered, verifier_state,"
              + " first_seen, last_seen) VALUES ('" + id.repeat(32) + "', 'housing', 'SHA-256', 4, 4, X'00',"
              + " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)");
        }
      }
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO hub_events (log_id, seq, party, event_time, received_at,"
          + " direction, envelope_id, sender, receiver, resource, purpose, grant_id, effect, reasons, status, outcome,"
          + " payload_bytes, latency_ms, app, leaf_hash, body) VALUES (?, ?, 'housing', ?, ?, 'REQUEST_IN', 'e', 's', 'r',"
          + " 'res', 'p', '', 'PERMIT', '', 200, 'OK', 0, 1, '', X'01', X'02')")) {
        for (String id : List.of("a", "b")) {
          for (int seq = 0; seq < 4; seq++) {
            ps.setString(1, id.repeat(32));
            ps.setLong(2, seq);
            ps.setTimestamp(3, Timestamp.from(early));
            ps.setTimestamp(4, Timestamp.from(seq < 2 ? early : late));
            ps.executeUpdate();
          }
        }
      }
    }
    try (HubStore db = HubStore.open(url, null, null, 2)) {
      assertThat(count(db, "SELECT COUNT(*) FROM hub_events")).isEqualTo(8);
      assertThat(count(db, "SELECT COUNT(DISTINCT event_key) FROM hub_events")).isEqualTo(8);
      // (V5_2 dropped log_id and seq from the row: the key carries them)
      assertThat(count(db, "SELECT COUNT(*) FROM hub_events e JOIN hub_event_logs l"
          + " ON l.log_no = e.event_key / 1099511627776")).isEqualTo(8);
      assertThat(count(db, "SELECT COUNT(*) FROM hub_event_batches")).isEqualTo(4);
      Collector c = collector(new TestHubCity(dir.resolve("city")), db, Clock.systemUTC());
      assertThat(c.purge(Instant.parse("2026-12-02T00:00:00Z"))).isEqualTo(4);
      assertThat(count(db, "SELECT COUNT(*) FROM hub_events WHERE MOD(event_key, 1099511627776) >= 2")).isEqualTo(4);
      assertThat(count(db, "SELECT COUNT(*) FROM hub_events")).isEqualTo(4);
    }
  }

  @Test
  void migrationFromV5_1_narrowsTheRows_consoleQueriesAndDuplicatesStillFindThem() throws Exception {
    TestHubCity city = new TestHubCity(dir.resolve("city"));
    Path log = dir.resolve("log");
    try (AuditLog a = AuditLog.builder(log, city.housing).checkpointEveryRecords(10).open()) {
      for (int i = 0; i < 20; i++) {
        a.append(AuditRecord.builder().time(Instant.now()).envelopeId("env-" + i).direction(Direction.REQUEST_IN)
            .sender(TestHubCity.CIVIL).receiver(city.housing.party()).resource("housing.provident-fund.balance")
            .purpose("social-assistance-review").grantId("grant-7").decision(AuditDecision.permit()).status(200)
            .outcome("OK").latency(Duration.ofMillis(3)).build()).get();
      }
    }
    RecordBatch first = AuditLogReader.readBatch(log, 0, 10, null);
    // the first ten records stored as the V5_1 collector stored them
    String url = HubStore.h2Url(dir);
    Flyway.configure(HubStore.class.getClassLoader()).dataSource(url, null, null).locations("classpath:db/migration")
        .target("5.1").load().migrate();
    AuditStreamVerifier v = AuditStreamVerifier.start(first.logId(), first.hashAlgorithm());
    List<AuditEntry> entries = new java.util.ArrayList<>();
    for (byte[] body : first.bodies()) {
      entries.add(v.append(body));
    }
    long logNo;
    try (Connection c = java.sql.DriverManager.getConnection(url)) {
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO hub_event_logs (log_id, party, hash_algorithm, next_seq,"
          + " covered, verifier_state, first_seen, last_seen) VALUES (?, ?, 'SHA-256', 10, 0, ?, CURRENT_TIMESTAMP,"
          + " CURRENT_TIMESTAMP)")) {
        ps.setString(1, first.logId());
        ps.setString(2, city.housing.party().toString());
        ps.setBytes(3, v.state());
        ps.executeUpdate();
      }
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT log_no FROM hub_event_logs")) {
        rs.next();
        logNo = rs.getLong(1);
      }
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO hub_event_checkpoints (log_id, tree_size, line)"
          + " VALUES (?, ?, ?)")) {
        for (Checkpoint cp : first.checkpoints()) {
          if (cp.treeSize() < 10) {
            ps.setString(1, first.logId());
            ps.setLong(2, cp.treeSize());
            ps.setString(3, cp.toJsonLine());
            ps.executeUpdate();
          }
        }
      }
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO hub_events (event_key, log_id, seq, party, event_time,"
          + " received_at, direction, envelope_id, sender, receiver, resource, purpose, grant_id, effect, reasons, status,"
          + " outcome, payload_bytes, latency_ms, app, leaf_hash, body) VALUES (?, ?, ?, ?, ?, CURRENT_TIMESTAMP, ?, ?, ?, ?,"
          + " ?, ?, ?, ?, '', ?, ?, 0, 3, '', X'00', ?)")) {
        for (AuditEntry e : entries) {
          AuditRecord r = e.record();
          ps.setLong(1, (logNo << 40) + e.seq());
          ps.setString(2, first.logId());
          ps.setLong(3, e.seq());
          ps.setString(4, city.housing.party().toString());
          ps.setTimestamp(5, Timestamp.from(r.time()));
          ps.setString(6, r.direction().name());
          ps.setString(7, r.envelopeId());
          ps.setString(8, r.sender());
          ps.setString(9, r.receiver());
          ps.setString(10, r.resource());
          ps.setString(11, r.purpose());
          ps.setString(12, r.grantId());
          ps.setString(13, r.decision().effect().name());
          ps.setInt(14, r.status());
          ps.setString(15, r.outcome());
          ps.setBytes(16, first.bodies().get((int) e.seq()));
          ps.executeUpdate();
        }
      }
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO hub_event_batches (log_no, first_seq, end_seq,"
          + " received_at) VALUES (?, 0, 10, CURRENT_TIMESTAMP)")) {
        ps.setLong(1, logNo);
        ps.executeUpdate();
      }
    }
    try (HubStore db = HubStore.open(url, null, null, 2)) {
      assertThat(count(db, "SELECT COUNT(*) FROM hub_events")).isEqualTo(10);
      Collector c = collector(city, db, Clock.systemUTC());
      // the console, the rules' queries and the scorecards' decoding find the carried rows
      assertThat(c.knownPairs()).containsExactly(TestHubCity.CIVIL + "|housing.provident-fund.balance");
      assertThat(c.grantUses()).containsEntry("grant-7", 10L);
      assertThat(new Overview(db, Clock.systemUTC()).read(7).path("flows").get(0).path("requests").asLong()).isEqualTo(10);
      // the carried rows are the duplicates of the same records shipped again; the next ones are stored
      Collector.Result again = c.ingest(city.housing.party(), EventShipper.toJson(AuditLogReader.readBatch(log, 0, 20, null)));
      assertThat(again.accepted()).as(again.detail()).isTrue();
      assertThat(again.body()).contains("\"stored\":10").contains("\"duplicates\":10");
      assertThat(c.grantUses()).containsEntry("grant-7", 20L);
      // a carried row that was rewritten is a fork
      try (Connection conn = db.connection(); Statement s = conn.createStatement()) {
        s.executeUpdate("UPDATE hub_events SET body = X'00' WHERE event_key = " + ((logNo << 40) + 3));
        conn.commit();
      }
      Collector.Result fork = c.ingest(city.housing.party(), EventShipper.toJson(AuditLogReader.readBatch(log, 0, 20, null)));
      assertThat(fork.code()).isEqualTo("CHAIN_FORK");
    }
  }
}
