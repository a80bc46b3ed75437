package io.shulian.hub.alert;

import static org.assertj.core.api.Assertions.assertThat;

import io.shulian.core.audit.AuditDecision;
import io.shulian.core.audit.AuditEntry;
import io.shulian.core.audit.AuditRecord;
import io.shulian.core.audit.Direction;
import io.shulian.core.party.PartyId;
import io.shulian.hub.store.HubStore;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bulk_export counts per minute and denial_spike keeps at most its count + 1 refusals: the rules'
 * state stays bounded however many records arrive, and the window is as documented (never shorter
 * than the hour, at most a minute longer); a record far ahead in time from one gateway does not
 * wipe another subject's window. volume_baseline and new_consumer hold at most as many pairs as
 * the others hold subjects; records dated far ahead or at the ends of Instant's range are judged
 * without an error. Records are fed to {@link Rules#stored} directly: the real-stream tests of each
 * rule are in AlertRulesTest.
 */
class BoundedRuleStateTest {
  private static final PartyId PROVIDER = PartyId.parse("440600/11440600MB2C1234HN/housing");
  private static final String CONSUMER = "440600/11440600MB2C5678CX";
  private static final String RESOURCE = "housing.provident-fund.balance";
  private static final String LOG = "0123456789abcdef0123456789abcdef";
  /** An hour two days back (a minute boundary; the rule counts a response dated past the hub's clock as now). */
  private static final Instant HOUR = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.HOURS).minus(Duration.ofDays(2));

  @TempDir Path dir;
  HubStore db;
  Alerts alerts;
  long seq;

  @BeforeEach
  void open() throws Exception {
    db = HubStore.open(HubStore.h2Url(dir), null, null, 2);
    alerts = new Alerts(db, Clock.systemUTC(), null, null);
  }

  @AfterEach
  void close() {
    db.close();
  }

  static Rules.Thresholds thresholds(int denials, long bulk) {
    Rules.Thresholds d = Rules.Thresholds.defaults();
    return new Rules.Thresholds(denials, d.denialWindow(), bulk, Set.of(), ZoneId.of("Asia/Shanghai"), LocalTime.of(8, 0),
        LocalTime.of(18, 0), false, d.gatewaySilence(), d.certificateExpiry(), d.bundleStaleness());
  }

  Rules rules(int denials, long bulk) {
    return new Rules(alerts, thresholds(denials, bulk), Set.of());
  }

  /**
   * Rules with new_consumer on, off_hours_access for {@link #RESOURCE}, volume_baseline over one
   * hour (factor 5, at least 10), {@code known} pairs seen and the hub's clock fixed at {@code now}.
   */
  Rules rules(int denials, Set<String> known, Rules.GrantLimits limits, Instant now) {
    Rules.Thresholds d = Rules.Thresholds.defaults();
    Rules.Thresholds t = new Rules.Thresholds(denials, d.denialWindow(), 10_000, Set.of(RESOURCE), ZoneId.of("Asia/Shanghai"),
        LocalTime.of(8, 0), LocalTime.of(18, 0), true, d.gatewaySilence(), d.certificateExpiry(), d.bundleStaleness(), 5.0, 10, 1,
        0.8, d.crlStaleness());
    return new Rules(alerts, t, known, Map.of(), limits, Clock.fixed(now, ZoneId.of("UTC")));
  }

  Rules rules(int denials, Set<String> known, Instant now) {
    return rules(denials, known, id -> OptionalLong.empty(), now);
  }

  /** A request of {@code consumer} the provider's policy permitted at {@code at}, under {@code grant} (or none). */
  AuditEntry request(String consumer, Instant at, String grant) {
    return entry(AuditRecord.builder().time(at).envelopeId("env-" + seq).direction(Direction.REQUEST_IN)
        .sender(consumer).receiver(PROVIDER.toString()).resource(RESOURCE).purpose("social-assistance-review")
        .grantId(grant).decision(AuditDecision.permit()).status(200).outcome("OK").latency(Duration.ofMillis(2)).build());
  }

  /** A permitted response to {@code consumer} at {@code at}. */
  AuditEntry response(String consumer, Instant at) {
    return entry(AuditRecord.builder().time(at).envelopeId("env-" + seq).direction(Direction.RESPONSE_OUT)
        .sender(PROVIDER.toString()).receiver(consumer).resource(RESOURCE).purpose("social-assistance-review")
        .decision(AuditDecision.permit()).status(200).outcome("OK").latency(Duration.ofMillis(2)).build());
  }

  /** A request of {@code consumer} refused by policy at {@code at}. */
  AuditEntry refusal(String consumer, Instant at) {
    return entry(AuditRecord.builder().time(at).envelopeId("env-" + seq).direction(Direction.REQUEST_IN)
        .sender(consumer).receiver(PROVIDER.toString()).resource(RESOURCE).purpose("social-assistance-review")
        .decision(AuditDecision.deny("NOT_GRANTED")).status(403).outcome("NOT_GRANTED").latency(Duration.ofMillis(2)).build());
  }

  private AuditEntry entry(AuditRecord r) {
    return new AuditEntry(seq++, r);
  }

  List<Alert> raised() throws Exception {
    return alerts.list(null, 100);
  }

  /** {@code n} responses evenly spread from {@code from} to {@code to} (both included). */
  void responses(Rules rules, int n, Instant from, Instant to) {
    long span = Duration.between(from, to).toMillis();
    List<AuditEntry> batch = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      batch.add(response(CONSUMER, from.plusMillis(span * i / (n - 1))));
    }
    rules.stored(PROVIDER, LOG, batch);
  }

  /** One alert, bulk_export, counting {@code n} responses and naming seq {@code first} to {@code last}. */
  void assertOneBulkExport(long n, long first, long last) throws Exception {
    List<Alert> a = raised();
    assertThat(a).extracting(Alert::rule).containsExactly("bulk_export");
    assertThat(a.get(0).summary()).contains("received " + n + " responses");
    assertThat(a.get(0).events()).hasSize((int) (last - first + 1)).startsWith(LOG + ":" + first).endsWith(LOG + ":" + last);
  }

  @Test
  void bulkExport_limitPlusOneWithinTheHour_fires_namingTheEvents() throws Exception {
    Rules rules = rules(20, 50);
    responses(rules, 50, HOUR, HOUR.plusSeconds(3000));
    assertThat(raised()).isEmpty();
    rules.stored(PROVIDER, LOG, List.of(response(CONSUMER, HOUR.plusSeconds(3540))));
    assertOneBulkExport(51, 0, 50);
  }

  @Test
  void bulkExport_anotherGatewaysRecordHoursAhead_doesNotWipeTheWindow() throws Exception {
    Rules rules = rules(20, 50);
    responses(rules, 50, HOUR, HOUR.plusSeconds(3000));
    // a gateway whose clock runs two hours ahead ships a response of another consumer
    rules.stored(PROVIDER, LOG, List.of(response("440600/11440600MB2C0000XX", HOUR.plusSeconds(3000 + 7200))));
    rules.stored(PROVIDER, LOG, List.of(response(CONSUMER, HOUR.plusSeconds(3540))));
    assertThat(raised()).extracting(Alert::rule).containsExactly("bulk_export");
  }

  @Test
  void bulkExport_aResponseDatedFarAhead_doesNotBlindThePair() throws Exception {
    Rules rules = rules(20, 50);
    // the pair's consumer gateway ships a response dated year 9999: the provider's records still count
    rules.stored(PROVIDER, LOG, List.of(response(CONSUMER, Instant.parse("9999-12-31T23:59:59Z"))));
    Instant now = Instant.now();
    responses(rules, 51, now.minusSeconds(1800), now);
    assertThat(raised()).extracting(Alert::rule).containsExactly("bulk_export");
  }

  @Test
  void bulkExport_limitPlusOneInExactlyAnHour_fires_theWindowIsNeverShorter() throws Exception {
    // the first at the end of its minute, the last 3599 s later: an exact hour holds all 51
    Rules rules = rules(20, 50);
    responses(rules, 51, HOUR.plusSeconds(59), HOUR.plusSeconds(59 + 3599));
    assertThat(raised()).extracting(Alert::rule).containsExactly("bulk_export");
  }

  @Test
  void bulkExport_limitPlusOneSpreadOverMoreThanAnHourAndAMinute_quiet() throws Exception {
    Rules rules = rules(20, 50);
    responses(rules, 51, HOUR, HOUR.plusSeconds(61 * 60));
    // and spread over three hours
    responses(rules(20, 50), 51, HOUR.plusSeconds(6 * 3600), HOUR.plusSeconds(9 * 3600));
    assertThat(raised()).isEmpty();
  }

  @Test
  void bulkExport_aMillionResponses_holdsSixtyOneCountersAndAHundredRefs() throws Exception {
    Rules rules = rules(20, 10_000);
    int perBatch = 10_000;
    for (int b = 0; b < 100; b++) {
      List<AuditEntry> batch = new ArrayList<>(perBatch);
      for (int i = 0; i < perBatch; i++) {
        // 1,000,000 responses over 50 minutes: all within the hour
        batch.add(response(CONSUMER, HOUR.plusMillis((b * (long) perBatch + i) * 3L)));
      }
      rules.stored(PROVIDER, LOG, batch);
    }
    assertThat(rules.cellsHeld()).isEqualTo(61 + Alerts.MAX_EVENT_REFS);
    // the newest 100 of the window, up to the response that crossed the limit
    assertOneBulkExport(10_001, 9901, 10_000);
  }

  @Test
  void denialSpike_aHundredThousandRefusals_holdsCountPlusOne_andFiresOnce() throws Exception {
    Rules rules = rules(20, 10_000);
    List<AuditEntry> batch = new ArrayList<>();
    for (int i = 0; i < 100_000; i++) {
      batch.add(refusal(CONSUMER, HOUR.plusMillis(i)));
    }
    rules.stored(PROVIDER, LOG, batch);
    assertThat(rules.cellsHeld()).isEqualTo(21);
    List<Alert> a = raised();
    assertThat(a).extracting(Alert::rule).containsExactly("denial_spike");
    assertThat(a.get(0).summary()).isEqualTo(CONSUMER + " was refused 20 times within PT5M");
    assertThat(a.get(0).events()).hasSize(20).startsWith(LOG + ":0");
  }

  @Test
  void subjects_everNewConsumers_stayWithinTheLimit_theLeastRecentlySeenDropped() throws Exception {
    Rules rules = rules(20, 10_000);
    int n = Rules.MAX_SUBJECTS + 5_000;
    List<AuditEntry> batch = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String consumer = "440600/11440600MB2C" + i;
      batch.add(response(consumer, HOUR));
      batch.add(refusal(consumer, HOUR));
    }
    rules.stored(PROVIDER, LOG, batch);
    assertThat(rules.subjectsHeld()).isEqualTo(2 * Rules.MAX_SUBJECTS);
    assertThat(rules.subjectsDropped()).isEqualTo(2 * 5_000);
    assertThat(raised()).isEmpty();
  }

  @Test
  void volumeBaseline_refusalsNamingEverNewConsumers_stayWithinTheLimit() throws Exception {
    // a refusal names the consumer its envelope claims, and volume_baseline counts refused requests too
    Rules rules = rules(20, 10_000);
    List<AuditEntry> batch = new ArrayList<>();
    for (int i = 0; i < Rules.MAX_SUBJECTS + 5_000; i++) {
      batch.add(refusal("440600/11440600MB2C" + i, HOUR));
    }
    rules.stored(PROVIDER, LOG, batch);
    assertThat(rules.held("volume_baseline")).isEqualTo(Rules.MAX_SUBJECTS);
    assertThat(rules.dropped("volume_baseline")).isEqualTo(5_000);
    assertThat(raised()).isEmpty();
  }

  @Test
  void newConsumer_morePairsKnownThanTheLimit_theLimitHeld() {
    Set<String> known = new LinkedHashSet<>();
    for (int i = 0; i < Rules.MAX_SUBJECTS + 5_000; i++) {
      known.add("440600/11440600MB2C" + i + "|" + RESOURCE);
    }
    Rules rules = rules(20, known, HOUR);
    assertThat(rules.held("new_consumer")).isEqualTo(Rules.MAX_SUBJECTS);
    assertThat(rules.dropped("new_consumer")).isEqualTo(5_000);
  }

  @Test
  void newConsumer_aPairDroppedAtTheLimit_isNewAgain_theOthersAreNot() throws Exception {
    Set<String> known = new LinkedHashSet<>();
    for (int i = 0; i < Rules.MAX_SUBJECTS; i++) {
      known.add("440600/11440600MB2C" + i + "|" + RESOURCE);
    }
    Rules rules = rules(20, known, HOUR);
    Instant workday = Instant.parse("2026-12-02T03:00:00Z"); // a Wednesday, 11:00 in Shanghai
    String fresh = "440600/11440600MB2CNEW";
    String eldest = "440600/11440600MB2C0";
    // the new pair drops the least recently seen (pair 0); the newest known one is still known
    rules.stored(PROVIDER, LOG, List.of(request(fresh, workday, ""),
        request("440600/11440600MB2C" + (Rules.MAX_SUBJECTS - 1), workday, ""), request(eldest, workday, "")));
    assertThat(raised()).extracting(Alert::rule).containsOnly("new_consumer");
    assertThat(raised()).extracting(Alert::subject).containsExactlyInAnyOrder(fresh + " " + RESOURCE, eldest + " " + RESOURCE);
  }

  @Test
  void denialSpike_aRefusalDatedFarAhead_countsAsNow() throws Exception {
    Instant now = HOUR.plusSeconds(1800);
    Rules rules = rules(20, Set.of(), now);
    List<AuditEntry> batch = new ArrayList<>();
    for (int i = 0; i < 19; i++) {
      batch.add(refusal(CONSUMER, now.minusSeconds(60 - i)));
    }
    // the 20th, from a gateway whose clock says year 9999: it did not wipe the 19 before it
    batch.add(refusal(CONSUMER, Instant.parse("9999-12-31T23:59:59Z")));
    rules.stored(PROVIDER, LOG, batch);
    assertThat(raised()).extracting(Alert::rule).containsExactly("denial_spike");
  }

  @Test
  void volumeBaseline_aRequestDatedFarAhead_doesNotBlindThePair() throws Exception {
    Instant now = HOUR.plusSeconds(1800);
    Rules rules = rules(20, Set.of(CONSUMER + "|" + RESOURCE), now);
    List<AuditEntry> batch = new ArrayList<>();
    batch.add(request(CONSUMER, HOUR.minusSeconds(1800), "")); // the baseline: one in the hour before
    batch.add(request(CONSUMER, Instant.parse("9999-12-31T23:59:59Z"), ""));
    for (int i = 0; i < 10; i++) {
      batch.add(request(CONSUMER, HOUR.plusSeconds(60 * i), ""));
    }
    rules.stored(PROVIDER, LOG, batch);
    assertThat(raised()).extracting(Alert::rule).contains("volume_baseline");
  }

  @Test
  void recordsDatedAtTheEndsOfInstantsRange_areJudged() throws Exception {
    Rules rules = rules(3, Set.of(CONSUMER + "|" + RESOURCE), HOUR);
    // three refusals at the first instant Instant holds, a permitted request at the last
    rules.stored(PROVIDER, LOG, List.of(refusal(CONSUMER, Instant.MIN), refusal(CONSUMER, Instant.MIN.plusMillis(1)),
        refusal(CONSUMER, Instant.MIN.plusMillis(2)), request(CONSUMER, Instant.MAX, ""), response(CONSUMER, Instant.MIN),
        response(CONSUMER, Instant.MAX)));
    // off_hours_access fails closed: no working hours hold a time past the calendar
    assertThat(raised()).extracting(Alert::rule).containsExactlyInAnyOrder("denial_spike", "off_hours_access");
  }

  @Test
  void aRuleFailingOnOneRecord_theRestOfTheBatchIsJudged() throws Exception {
    Rules rules = rules(1, Set.of(CONSUMER + "|" + RESOURCE), id -> {
      throw new IllegalStateException("the grant lookup failed");
    }, HOUR);
    rules.stored(PROVIDER, LOG, List.of(request(CONSUMER, HOUR.plusSeconds(10 * 3600), "grant-1"),
        refusal(CONSUMER, HOUR.plusSeconds(10 * 3600 + 1))));
    assertThat(raised()).extracting(Alert::rule).containsExactly("denial_spike");
  }

  /** Refusals of {@link Rules#MAX_SUBJECTS} other consumers at {@code at}: every subject held before is dropped. */
  List<AuditEntry> flood(Instant at) {
    List<AuditEntry> batch = new ArrayList<>();
    for (int i = 0; i < Rules.MAX_SUBJECTS; i++) {
      batch.add(refusal("440600/11440600MB2C" + i, at));
    }
    return batch;
  }

  @Test
  void subjectsDroppedAtTheLimit_startAnew_refusalsCountedFromZero_baselineLearnedAgain() throws Exception {
    Instant now = HOUR.plusSeconds(1800);
    Rules denials = rules(20, Set.of(), now);
    List<AuditEntry> batch = new ArrayList<>();
    for (int i = 0; i < 19; i++) {
      batch.add(refusal(CONSUMER, HOUR.plusSeconds(i)));
    }
    batch.addAll(flood(HOUR.plusSeconds(30)));
    batch.add(refusal(CONSUMER, HOUR.plusSeconds(60))); // the 20th within 5 minutes, but the 19 were dropped
    denials.stored(PROVIDER, LOG, batch);
    assertThat(raised()).isEmpty();

    Rules volume = rules(20, Set.of(CONSUMER + "|" + RESOURCE), now);
    batch = new ArrayList<>();
    batch.add(request(CONSUMER, HOUR.minusSeconds(1800), "")); // the baseline: one in the hour before
    batch.addAll(flood(HOUR.minusSeconds(1700)));
    for (int i = 0; i < 10; i++) {
      batch.add(request(CONSUMER, HOUR.plusSeconds(60 * i), "")); // ten times it, had the pair been kept
    }
    volume.stored(PROVIDER, LOG, batch);
    assertThat(raised()).extracting(Alert::rule).doesNotContain("volume_baseline", "denial_spike");
  }
}
