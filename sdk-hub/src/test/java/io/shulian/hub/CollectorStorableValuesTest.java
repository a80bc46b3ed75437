package io.shulian.hub;

import static io.shulian.hub.CollectorTest.count;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.shulian.core.audit.AuditDecision;
import io.shulian.core.audit.AuditLog;
import io.shulian.core.audit.AuditLogReader;
import io.shulian.core.audit.AuditRecord;
import io.shulian.core.audit.AuditStreamVerifier;
import io.shulian.core.audit.Direction;
import io.shulian.gateway.ship.EventShipper;
import io.shulian.hub.console.Overview;
import io.shulian.hub.events.Collector;
import io.shulian.hub.store.HubStore;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Verified records whose values a database column cannot hold as they are — a NUL character
 * (PostgreSQL's text refuses it) or a time outside the column's range — are stored all the same on
 * H2 and on PostgreSQL: the record's bytes losslessly, the query columns with a stand-in. A
 * verified batch that the database refused would be answered 503, and a Kafka consumer retries a
 * 503 on the same partition for ever (one poison record stalls it).
 */
class CollectorStorableValuesTest {
  @TempDir Path dir;

  private static final Instant NOW = Instant.now();

  /** An H2 store, or a PostgreSQL server started for the test (skipped when absent, except under CI). */
  private HubStore open(String db, List<AutoCloseable> close) throws Exception {
    if (db.equals("h2")) {
      return HubStore.open(HubStore.h2Url(dir), null, null, 2);
    }
    Optional<Path> bin = PostgresServer.binaries();
    if (System.getenv("CI") == null) {
      assumeTrue(bin.isPresent(), "PostgreSQL is not installed (apt-get install postgresql)");
    }
    PostgresServer pg = PostgresServer.start(bin.orElseThrow(() -> new AssertionError("CI is set but PostgreSQL is not"
        + " installed")), dir);
    close.add(pg);
    return HubStore.open(pg.jdbcUrl(), PostgresServer.USER, null, 2);
  }

  private static AuditRecord record(TestHubCity city, int i, String text, Instant time) {
    return AuditRecord.builder().time(time).envelopeId("env-" + i + text).direction(Direction.REQUEST_IN)
        .sender(TestHubCity.CIVIL).receiver(city.housing.party()).resource("housing.balance" + text)
        .purpose("review" + text).grantId("grant" + text).decision(AuditDecision.permit()).status(200)
        .outcome("OK" + text).app("app" + text).latency(Duration.ofMillis(3)).build();
  }

  /** Ships {@code records} as one batch and checks that all are stored, their bytes as the gateway wrote them. */
  private void shipAndCheck(String db, TestHubCity city, List<AuditRecord> records) throws Exception {
    Path log = dir.resolve("log");
    try (AuditLog a = AuditLog.builder(log, city.housing).checkpointEveryRecords(100).open()) {
      for (AuditRecord r : records) {
        a.append(r).get();
      }
    }
    List<AutoCloseable> close = new ArrayList<>();
    try (HubStore store = open(db, close)) {
      Collector c = CollectorTest.collector(city, store);
      Collector.Result r = c.ingest(city.housing.party(), EventShipper.toJson(AuditLogReader.readBatch(log, 0, 100, null)));
      assertThat(r.code()).as(r.detail()).isNull();
      assertThat(r.status()).isEqualTo(200);
      assertThat(count(store, "SELECT COUNT(*) FROM hub_events")).isEqualTo(records.size());
      List<AuditRecord> back = new ArrayList<>();
      try (Connection conn = store.connection();
          PreparedStatement ps = conn.prepareStatement("SELECT body FROM hub_events ORDER BY event_key");
          ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          back.add(AuditStreamVerifier.decode(rs.getBytes(1)).record());
        }
        conn.commit();
      }
      assertThat(back).isEqualTo(records);
      // the same batch again: duplicates, nothing stored twice
      Collector.Result again = c.ingest(city.housing.party(),
          EventShipper.toJson(AuditLogReader.readBatch(log, 0, 100, null)));
      assertThat(again.accepted()).as(again.detail()).isTrue();
      assertThat(again.body()).contains("\"stored\":0");
      // the console's overview still counts the flow
      assertThat(new Overview(store, Clock.systemUTC()).read(36500).path("flows").toString())
          .contains(TestHubCity.CIVIL.toString());
    } finally {
      for (AutoCloseable a : close) {
        a.close();
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2", "pg"})
  void nulCharacterInRecordFields_storedLosslessly_notRefusedAs503(String db) throws Exception {
    TestHubCity city = new TestHubCity(dir.resolve("city"));
    List<AuditRecord> records = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      records.add(record(city, i, i % 2 == 0 ? "\u0000x" : "", NOW));
    }
    shipAndCheck(db, city, records);
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2", "pg"})
  void eventTimeOutsideTheColumnRange_storedLosslessly_notRefused(String db) throws Exception {
    TestHubCity city = new TestHubCity(dir.resolve("city"));
    List<AuditRecord> records = List.of(record(city, 0, "", NOW),
        record(city, 1, "", Instant.parse("+300000-01-01T00:00:00Z")),
        record(city, 2, "", Instant.MAX),
        record(city, 3, "", Instant.MIN),
        record(city, 4, "", Instant.parse("-5000-01-01T00:00:00Z")));
    shipAndCheck(db, city, records);
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2", "pg"})
  void nulCharacterInAnAlertsText_alertStored_notLost(String db) throws Exception {
    List<AutoCloseable> close = new ArrayList<>();
    try (HubStore store = open(db, close)) {
      io.shulian.hub.alert.Alerts alerts = new io.shulian.hub.alert.Alerts(store, Clock.systemUTC(), null, null);
      // a rule's subject and summary carry record text (here a resource with a NUL in it)
      assertThat(alerts.raise("new_consumer", io.shulian.hub.alert.Alert.Severity.INFO, "civil housing.balance\u0000x",
          "civil asked for housing.balance\u0000x", List.of("log:1"))).isPresent();
      assertThat(count(store, "SELECT COUNT(*) FROM hub_alerts WHERE rule = 'new_consumer'")).isEqualTo(1);
      // the same subject again: the open alert is found, not raised twice
      assertThat(alerts.raise("new_consumer", io.shulian.hub.alert.Alert.Severity.INFO, "civil housing.balance\u0000x",
          "again", List.of("log:2"))).isEmpty();
    } finally {
      for (AutoCloseable a : close) {
        a.close();
      }
    }
  }
}
