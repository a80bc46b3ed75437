package io.shulian.hub;

import static org.assertj.core.api.Assertions.assertThat;

import io.shulian.core.audit.AuditDecision;
import io.shulian.core.audit.AuditLog;
import io.shulian.core.audit.AuditLogReader;
import io.shulian.core.audit.AuditRecord;
import io.shulian.core.audit.Direction;
import io.shulian.core.party.PartyId;
import io.shulian.core.trust.CityBundle;
import io.shulian.gateway.ship.EventShipper;
import io.shulian.hub.alert.Alert;
import io.shulian.hub.alert.Alerts;
import io.shulian.hub.alert.Rules;
import io.shulian.hub.events.Collector;
import io.shulian.hub.store.HubStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each early-warning rule fires on a real event stream (records written to a real audit log by the
 * housing department's gateway identity, read as the shipper reads them and taken by the collector)
 * and stays quiet on normal traffic.
 */
class AlertRulesTest {
  private static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");
  /** A Wednesday, 10:00 in Shanghai: working hours. */
  private static final Instant WORKDAY = ZonedDateTime.of(2026, 12, 2, 10, 0, 0, 0, SHANGHAI).toInstant();
  private static final String RESOURCE = "housing.provident-fund.balance";
  @TempDir Path dir;
  TestHubCity city;
  int logs;

  @BeforeEach
  void city() throws Exception {
    city = new TestHubCity(dir.resolve("city"));
  }

  static Rules.Thresholds defaults() {
    return Rules.Thresholds.defaults();
  }

  static Rules.Thresholds with(int denials, long bulk, Set<String> offHours) {
    Rules.Thresholds d = defaults();
    return new Rules.Thresholds(denials, d.denialWindow(), bulk, offHours, SHANGHAI, LocalTime.of(8, 0), LocalTime.of(18, 0),
        d.newConsumer(), d.gatewaySilence(), d.certificateExpiry(), d.bundleStaleness());
  }

  static AuditRecord rec(PartyId consumer, Direction dir, Instant at, String outcome, int i) {
    boolean ok = outcome.equals("OK");
    boolean request = dir.isRequest();
    return AuditRecord.builder().time(at).envelopeId("env-" + i).direction(dir)
        .sender(request ? consumer.toString() : TestHubCity.HOUSING.toString())
        .receiver(request ? TestHubCity.HOUSING.toString() : consumer.toString())
        .resource(RESOURCE).purpose("social-assistance-review")
        .decision(ok ? AuditDecision.permit() : AuditDecision.deny(outcome)).status(ok ? 200 : 403).outcome(outcome)
        .latency(Duration.ofMillis(2)).build();
  }

  /** A normal exchange: request and response, permitted. */
  static List<AuditRecord> exchange(PartyId consumer, Instant at, int i) {
    return List.of(rec(consumer, Direction.REQUEST_IN, at, "OK", i), rec(consumer, Direction.RESPONSE_OUT, at, "OK", i));
  }

  /** Ships {@code records} through a real log and the collector with {@code rules}; returns the alerts raised. */
  List<Alert> run(List<AuditRecord> records, Rules.Thresholds t, Set<String> knownPairs) throws Exception {
    return run(records, alerts -> new Rules(alerts, t, knownPairs));
  }

  /** As {@link #run(List, Rules.Thresholds, Set)} with the rules {@code rules} makes. */
  List<Alert> run(List<AuditRecord> records, java.util.function.Function<Alerts, Rules> rules) throws Exception {
    Path log = dir.resolve("log-" + (++logs));
    try (AuditLog a = AuditLog.builder(log, city.housing).open()) {
      for (AuditRecord r : records) {
        a.append(r).get();
      }
    }
    try (HubStore db = HubStore.open(HubStore.h2Url(dir.resolve("db-" + logs)), null, null, 4)) {
      Collector c = CollectorTest.collector(city, db);
      Alerts alerts = new Alerts(db, Clock.systemUTC(), null, null);
      c.addListener(rules.apply(alerts)::stored);
      for (long from = 0; from < records.size(); from += 500) {
        Collector.Result r = c.ingest(city.housing.party(), EventShipper.toJson(AuditLogReader.readBatch(log, from, 500, null)));
        assertThat(r.accepted()).as(r.detail()).isTrue();
      }
      return alerts.list(null, 1000);
    }
  }

  static Set<String> rules(List<Alert> alerts) {
    return alerts.stream().map(Alert::rule).collect(Collectors.toSet());
  }

  static Set<String> known() {
    return Set.of(TestHubCity.CIVIL + "|" + RESOURCE);
  }

  @Test
  void normalTraffic_defaultThresholds_staysQuiet() throws Exception {
    List<AuditRecord> rs = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      Instant at = WORKDAY.plusSeconds(i * 20L);
      rs.addAll(exchange(TestHubCity.CIVIL, at, i));
      if (i % 50 == 0) {
        rs.add(rec(TestHubCity.CIVIL, Direction.REQUEST_IN, at, "PURPOSE_NOT_ALLOWED", 10_000 + i));
      }
    }
    assertThat(run(rs, with(20, 10_000, Set.of(RESOURCE)), known())).isEmpty();
  }

  @Test
  void denialSpike_twentyRefusalsInFiveMinutes_fires_withTheEventsBehindIt() throws Exception {
    List<AuditRecord> rs = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      rs.add(rec(TestHubCity.CIVIL, Direction.REQUEST_IN, WORKDAY.plusSeconds(i * 10L), "NOT_GRANTED", i));
    }
    List<Alert> a = run(rs, defaults(), known());
    assertThat(rules(a)).containsExactly("denial_spike");
    assertThat(a.get(0).events()).hasSize(20);
    assertThat(a.get(0).subject()).isEqualTo(TestHubCity.CIVIL.toString());
  }

  @Test
  void refusalsDatedAtTheFirstInstant_theBatchIsTaken_andJudged() throws Exception {
    // the collector calls the rules inside the batch's transaction: a rule that threw on the time
    // (Instant.MIN minus the window) refused the batch, and the gateway sent it again and again
    List<AuditRecord> rs = List.of(rec(TestHubCity.CIVIL, Direction.REQUEST_IN, Instant.MIN, "NOT_GRANTED", 0),
        rec(TestHubCity.CIVIL, Direction.REQUEST_IN, Instant.MIN.plusSeconds(1), "NOT_GRANTED", 1));
    assertThat(rules(run(rs, with(2, 10_000, Set.of()), known()))).containsExactly("denial_spike");
  }

  @Test
  void denialSpike_sameRefusalsSpreadOverHours_quiet() throws Exception {
    List<AuditRecord> rs = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      rs.add(rec(TestHubCity.CIVIL, Direction.REQUEST_IN, WORKDAY.plusSeconds(i * 600L), "NOT_GRANTED", i));
    }
    assertThat(run(rs, defaults(), known())).isEmpty();
  }

  @Test
  void rejectedEnvelope_replayedAndBadSignature_fire() throws Exception {
    List<AuditRecord> rs = new ArrayList<>(exchange(TestHubCity.CIVIL, WORKDAY, 1));
    rs.add(rec(TestHubCity.CIVIL, Direction.REQUEST_IN, WORKDAY.plusSeconds(1), "REPLAYED", 1));
    rs.add(rec(TestHubCity.CIVIL, Direction.REQUEST_IN, WORKDAY.plusSeconds(2), "BAD_SIGNATURE", 2));
    List<Alert> a = run(rs, defaults(), known());
    assertThat(a).extracting(Alert::rule).containsExactlyInAnyOrder("rejected_envelope", "rejected_envelope");
    assertThat(a).allSatisfy(x -> assertThat(x.severity()).isEqualTo(Alert.Severity.CRITICAL));
  }

  @Test
  void rejectedEnvelope_policyRefusal_quiet() throws Exception {
    List<AuditRecord> rs = List.of(rec(TestHubCity.CIVIL, Direction.REQUEST_IN, WORKDAY, "PURPOSE_NOT_ALLOWED", 1));
    assertThat(run(rs, defaults(), known())).isEmpty();
  }

  @Test
  void bulkExport_moreResponsesInAnHourThanTheLimit_fires() throws Exception {
    List<AuditRecord> rs = new ArrayList<>();
    for (int i = 0; i < 51; i++) {
      rs.addAll(exchange(TestHubCity.CIVIL, WORKDAY.plusSeconds(i * 30L), i));
    }
    assertThat(rules(run(rs, with(20, 50, Set.of()), known()))).containsExactly("bulk_export");
  }

  @Test
  void bulkExport_bothGatewaysShipTheSameExchanges_eachResponseCountedOnce() throws Exception {
    // the consumer gateway's records of the same 30 exchanges (REQUEST_OUT, RESPONSE_IN) are not 30 more releases
    List<AuditRecord> rs = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      Instant at = WORKDAY.plusSeconds(i * 30L);
      rs.add(rec(TestHubCity.CIVIL, Direction.REQUEST_OUT, at, "OK", i));
      rs.addAll(exchange(TestHubCity.CIVIL, at, i));
      rs.add(rec(TestHubCity.CIVIL, Direction.RESPONSE_IN, at, "OK", i));
    }
    assertThat(run(rs, with(20, 50, Set.of()), known())).isEmpty();
  }

  @Test
  void bulkExport_sameCountOverThreeHours_quiet() throws Exception {
    List<AuditRecord> rs = new ArrayList<>();
    for (int i = 0; i < 51; i++) {
      rs.addAll(exchange(TestHubCity.CIVIL, WORKDAY.plusSeconds(i * 240L), i));
    }
    assertThat(run(rs, with(20, 50, Set.of()), known())).isEmpty();
  }

  @Test
  void offHours_coreDataAtNight_fires_andTheSameAtTenOClock_quiet() throws Exception {
    Instant night = ZonedDateTime.of(2026, 12, 2, 23, 30, 0, 0, SHANGHAI).toInstant();
    assertThat(rules(run(exchange(TestHubCity.CIVIL, night, 1), with(20, 10_000, Set.of(RESOURCE)), known())))
        .containsExactly("off_hours_access");
    assertThat(run(exchange(TestHubCity.CIVIL, WORKDAY, 1), with(20, 10_000, Set.of(RESOURCE)), known())).isEmpty();
    // not classified as core or important: quiet at night too
    assertThat(run(exchange(TestHubCity.CIVIL, night, 1), with(20, 10_000, Set.of()), known())).isEmpty();
  }

  @Test
  void newConsumer_firstAccess_firesOnce_andAKnownConsumer_quiet() throws Exception {
    List<AuditRecord> rs = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      rs.addAll(exchange(TestHubCity.CIVIL, WORKDAY.plusSeconds(i), i));
    }
    List<Alert> a = run(rs, defaults(), Set.of());
    assertThat(a).extracting(Alert::rule).containsExactly("new_consumer");
    assertThat(a.get(0).events()).hasSize(1);
    assertThat(run(rs, defaults(), known())).isEmpty();
  }

  static Rules.Thresholds volume(double factor, long min, int hours) {
    Rules.Thresholds d = defaults();
    return new Rules.Thresholds(d.denialCount(), d.denialWindow(), d.bulkRecordsPerHour(), Set.of(), SHANGHAI, d.workFrom(),
        d.workTo(), true, d.gatewaySilence(), d.certificateExpiry(), d.bundleStaleness(), factor, min, hours,
        d.grantNearLimit(), d.crlStaleness());
  }

  /** {@code perHour.get(h)} exchanges in hour {@code h} after WORKDAY, spread over the hour. */
  static List<AuditRecord> hourly(List<Integer> perHour) {
    List<AuditRecord> rs = new ArrayList<>();
    int i = 0;
    for (int h = 0; h < perHour.size(); h++) {
      int n = perHour.get(h);
      for (int k = 0; k < n; k++) {
        rs.addAll(exchange(TestHubCity.CIVIL, WORKDAY.plusSeconds(h * 3600L + k * (3000L / n)), i++));
      }
    }
    return rs;
  }

  @Test
  void volumeBaseline_hourTenTimesItsLearnedBaseline_fires_withThatHoursEvents() throws Exception {
    List<Integer> perHour = new ArrayList<>(java.util.Collections.nCopies(6, 12));
    perHour.add(130);
    List<Alert> a = run(hourly(perHour), volume(5, 100, 6), known());
    assertThat(a).extracting(Alert::rule).containsExactly("volume_baseline");
    assertThat(a.get(0).subject()).isEqualTo(TestHubCity.CIVIL + " " + RESOURCE);
    assertThat(a.get(0).events()).hasSize(100); // the first 100 requests of the hour, at most 100 refs
    // raised as the hour reaches the minimum count (100 > 5 x 12), once
    assertThat(a.get(0).summary()).contains("100 times").contains("12.0 per hour");
  }

  @Test
  void volumeBaseline_steadyTraffic_andASpikeWhileLearning_quiet() throws Exception {
    // steady, with the usual wobble: never 5x the mean
    List<Integer> steady = List.of(20, 25, 18, 30, 22, 27, 40, 21);
    assertThat(run(hourly(steady), volume(5, 100, 6), known())).isEmpty();
    // a first hour of 300 and then more: the baseline of 6 hours is not learned yet
    assertThat(run(hourly(List.of(10, 10, 300, 10, 10, 250)), volume(5, 100, 6), known())).isEmpty();
    // 5x the baseline but below the minimum count: quiet
    List<Integer> small = new ArrayList<>(java.util.Collections.nCopies(6, 2));
    small.add(60);
    assertThat(run(hourly(small), volume(5, 100, 6), known())).isEmpty();
  }

  static AuditRecord granted(int i, String grant) {
    return rec(TestHubCity.CIVIL, Direction.REQUEST_IN, WORKDAY.plusSeconds(i), "OK", i).toBuilder().grantId(grant).build();
  }

  @Test
  void grantNearLimit_eightOfTenUses_fires_andSevenOrAnUnknownGrant_quiet() throws Exception {
    Rules.GrantLimits limits = id -> id.equals("app-grant-1") ? java.util.OptionalLong.of(10) : java.util.OptionalLong.empty();
    List<AuditRecord> eight = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      eight.add(granted(i, "app-grant-1"));
    }
    List<Alert> a = run(eight, al -> new Rules(al, defaults(), known(), java.util.Map.of(), limits));
    assertThat(a).extracting(Alert::rule).containsExactly("grant_near_limit");
    assertThat(a.get(0).subject()).isEqualTo(TestHubCity.CIVIL + " grant app-grant-1");
    assertThat(a.get(0).summary()).contains("used 8 of its 10");
    // uses stored before a restart count: 5 known + 3 new
    assertThat(rules(run(eight.subList(0, 3), al -> new Rules(al, defaults(), known(),
        java.util.Map.of("app-grant-1", 5L), limits)))).containsExactly("grant_near_limit");
    // 7 of 10: quiet; a grant the hub did not issue: quiet however often used
    assertThat(run(eight.subList(0, 7), al -> new Rules(al, defaults(), known(), java.util.Map.of(), limits))).isEmpty();
    List<AuditRecord> other = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      other.add(granted(i, "provider-own-grant"));
    }
    assertThat(run(other, al -> new Rules(al, defaults(), known(), java.util.Map.of(), limits))).isEmpty();
  }

  @Test
  void crlStale_crlDueWithinTheThreshold_fires_andAFreshOne_quiet() throws Exception {
    // the test CA's CRL is due in 24 hours
    CityBundle bundle = CityBundle.verify(TestHubCity.bundle(city.ca, 1, city.hub, city.housing, city.civil)
        .getBytes(StandardCharsets.US_ASCII), List.of(city.ca.root()), Instant.now(), Duration.ZERO);
    Instant now = Instant.now();
    Rules.Thresholds d = defaults();
    Duration week = Duration.ofDays(7); // the test certificates expire in 30 days
    try (HubStore db = HubStore.open(HubStore.h2Url(dir.resolve("db")), null, null, 4)) {
      Alerts alerts = new Alerts(db, Clock.systemUTC(), null, null);
      new Rules(alerts, new Rules.Thresholds(d.denialCount(), d.denialWindow(), d.bulkRecordsPerHour(), Set.of(), SHANGHAI,
          d.workFrom(), d.workTo(), true, d.gatewaySilence(), week, d.bundleStaleness()), Set.of()).check(now, List.of(), bundle);
      assertThat(alerts.list(null, 100)).isEmpty();
      new Rules(alerts, new Rules.Thresholds(d.denialCount(), d.denialWindow(), d.bulkRecordsPerHour(), Set.of(), SHANGHAI,
          d.workFrom(), d.workTo(), true, d.gatewaySilence(), week, d.bundleStaleness(), d.volumeFactor(),
          d.volumeMinCount(), d.volumeBaselineHours(), d.grantNearLimit(), Duration.ofHours(25)), Set.of())
          .check(now, List.of(), bundle);
      List<Alert> a = alerts.list(null, 100);
      assertThat(a).extracting(Alert::rule).containsExactly("crl_stale");
      assertThat(a.get(0).severity()).isEqualTo(Alert.Severity.WARNING);
    }
  }

  @Test
  void periodic_silentGatewayExpiringCertificateStaleBundle_fire_andFreshOnes_quiet() throws Exception {
    CityBundle bundle = CityBundle.verify(TestHubCity.bundle(city.ca, 1, city.hub, city.housing, city.civil)
        .getBytes(StandardCharsets.US_ASCII), List.of(city.ca.root()), Instant.now(), Duration.ZERO);
    Instant now = Instant.now();
    try (HubStore db = HubStore.open(HubStore.h2Url(dir.resolve("db")), null, null, 4)) {
      Alerts alerts = new Alerts(db, Clock.systemUTC(), null, null);
      Rules.Thresholds d = defaults();
      // quiet: a gateway heard of 10 s ago, certificates valid 30 days (threshold 7), bundle valid a day (threshold 6 h)
      Rules quiet = new Rules(alerts, new Rules.Thresholds(d.denialCount(), d.denialWindow(), d.bulkRecordsPerHour(),
          Set.of(), SHANGHAI, d.workFrom(), d.workTo(), true, Duration.ofMinutes(3), Duration.ofDays(7), Duration.ofHours(6)),
          Set.of());
      quiet.check(now, List.of(new Rules.LogContact("a", TestHubCity.HOUSING.toString(), now.minusSeconds(10))), bundle);
      assertThat(alerts.list(null, 100)).isEmpty();
      // fire: silent 10 minutes, certificates within 31 days, bundle within 25 hours of its end
      Rules loud = new Rules(alerts, new Rules.Thresholds(d.denialCount(), d.denialWindow(), d.bulkRecordsPerHour(),
          Set.of(), SHANGHAI, d.workFrom(), d.workTo(), true, Duration.ofMinutes(3), Duration.ofDays(31), Duration.ofHours(25)),
          Set.of());
      loud.check(now, List.of(new Rules.LogContact("a", TestHubCity.HOUSING.toString(), now.minusSeconds(600))), bundle);
      assertThat(rules(alerts.list(null, 100))).containsExactlyInAnyOrder("gateway_silent", "certificate_expiring",
          "bundle_stale");
      // the conditions still hold a minute later: no second alert while the first is open
      int before = alerts.list(null, 100).size();
      loud.check(now.plusSeconds(60), List.of(new Rules.LogContact("a", TestHubCity.HOUSING.toString(),
          now.minusSeconds(600))), bundle);
      assertThat(alerts.list(null, 100)).hasSize(before);
    }
  }
}
