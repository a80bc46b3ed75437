package io.shulian.hub;

import static org.assertj.core.api.Assertions.assertThat;

import io.shulian.core.audit.AuditDecision;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shulian.core.audit.AuditLog;
import io.shulian.core.audit.AuditLogReader;
import io.shulian.core.audit.AuditRecord;
import io.shulian.core.audit.Direction;
import io.shulian.core.catalog.Catalog;
import io.shulian.core.trust.CityBundle;
import io.shulian.gateway.cli.ExitCodes;
import io.shulian.gateway.config.BundlePolicies;
import io.shulian.gateway.cli.ShulianCli;
import io.shulian.gateway.evaluate.SharingEvaluation;
import io.shulian.gateway.ship.EventShipper;
import io.shulian.hub.apply.CaseState;
import io.shulian.hub.apply.CaseStore;
import io.shulian.hub.store.HubStore;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code shulian evaluate}: a small city (CA, departments, the hub's database, the gateways' signed
 * audit logs) with known traffic and cases, and the exact numbers of its December and January
 * scorecards in Asia/Shanghai, including an event at 23:59:59 on the last day.
 */
class EvaluateCommandTest {
  @TempDir Path tmp;
  TestHubCity city;
  String housingOrg;
  String civilOrg;

  static Instant at(String localTime) {
    return OffsetDateTime.parse(localTime + "+08:00").toInstant();
  }

  @BeforeEach
  void city() throws Exception {
    city = new TestHubCity(tmp);
    housingOrg = TestHubCity.HOUSING.organisation().toString();
    civilOrg = TestHubCity.CIVIL.organisation().toString();
    Files.writeString(tmp.resolve("catalog.yaml"), """
        version: "eval-1"
        purposes: [{code: review, name: Review}]
        resources:
          - {code: fund, name: Fund, provider: %1$s, updateCycle: monthly, sharing: {type: conditional, conditions: Application.},
             purposes: [review], fields: [{name: balance, type: number, classification: general}]}
          - {code: registry, name: Registry, provider: %1$s, updateCycle: daily, sharing: {type: unconditional},
             purposes: [review], fields: [{name: area, type: number, classification: general}]}
          - {code: archive, name: Archive, provider: %1$s, updateCycle: weekly, sharing: {type: unconditional},
             purposes: [review], fields: [{name: year, type: integer, classification: general}]}
          - {code: relief, name: Relief, provider: %2$s, updateCycle: irregular, sharing: {type: unconditional},
             purposes: [review], fields: [{name: count, type: integer, classification: general}]}
        """.formatted(TestHubCity.HOUSING, TestHubCity.CIVIL));
    // the provider gateway's log (request-in) and the consumer gateway's (request-out)
    try (AuditLog housing = AuditLog.builder(tmp.resolve("audit-housing"), city.housing).open();
        AuditLog civil = AuditLog.builder(tmp.resolve("audit-civil"), city.civil).open()) {
      in(housing, "e1", "2026-12-01T00:00:00", "registry", AuditDecision.permit(), 200, 10);
      in(housing, "e2", "2026-12-15T10:00:00", "fund", AuditDecision.permit(), 200, 20);
      in(housing, "e3", "2026-12-15T11:00:00", "fund", AuditDecision.deny("GRANT_REQUIRED"), 403, 5);
      in(housing, "e4", "2026-12-20T09:00:00", "registry", AuditDecision.permit(), 502, 30);
      in(housing, "e5", "2026-12-31T23:59:59", "registry", AuditDecision.permit(), 200, 40);
      in(housing, "e6", "2027-01-01T00:00:00", "registry", AuditDecision.permit(), 200, 50);
      in(housing, "e7", "2026-11-30T23:59:59", "fund", AuditDecision.permit(), 200, 60);
      in(housing, "e8", "2026-12-20T10:00:00", "archive", AuditDecision.permit(), 200, 15);
      // the consumer's view of e2 and e3 counts once (the provider's wins), c1 never reached the provider
      out(civil, "e2", "2026-12-15T10:00:00", "fund", AuditDecision.permit(), 200, 999);
      out(civil, "e3", "2026-12-15T11:00:00", "fund", AuditDecision.deny("GRANT_REQUIRED"), 403, 999);
      out(civil, "c1", "2026-12-10T08:00:00", "fund", AuditDecision.deny("PURPOSE_NOT_ALLOWED"), 403, 1);
    }
    // the hub's database, with the schema the hub migrates to
    city.hubYaml();
    try (HubStore db = HubStore.open(HubStore.h2Url(tmp.resolve("hub-data")), null, null, 2)) {
      CaseStore cases = new CaseStore(db);
      application(cases, "a1", "2026-12-01T09:00:00", CaseState.APPROVED, "2026-12-03T09:00:00");      // 48 h
      application(cases, "a2", "2026-11-29T23:59:59", CaseState.DECLINED, "2026-12-31T23:59:59");      // 768 h
      application(cases, "a3", "2026-12-30T09:00:00", CaseState.APPROVED, "2027-01-01T00:00:00");      // January
      application(cases, "a4", "2026-12-02T09:00:00", CaseState.WITHDRAWN, "2026-12-02T10:00:00");     // no answer
      cases.insert(new CaseStore.Objection("o1", TestHubCity.CIVIL.toString(), TestHubCity.HOUSING.toString(), "fund",
          "r-1", "wrong balance", CaseState.SUBMITTED, at("2026-12-05T10:00:00"), null, null), null);
      cases.answer(CaseState.Kind.OBJECTION, "o1", CaseState.CORRECTED, at("2026-12-05T16:00:00"), "fixed", null, null, null);
      // alerts: the department is the first party the subject names; the month is the raise time's, in Shanghai
      alert(db, "2026-12-01T00:00:00", "denial_spike", TestHubCity.HOUSING.toString());
      alert(db, "2026-12-31T23:59:59", "rejected_envelope", "REPLAYED " + TestHubCity.HOUSING + " -> " + TestHubCity.CIVIL);
      alert(db, "2026-11-30T23:59:59", "new_consumer", TestHubCity.CIVIL + " fund");          // November
      alert(db, "2027-01-01T00:00:00", "off_hours_access", TestHubCity.CIVIL + " fund");      // January
      alert(db, "2026-12-10T10:00:00", "bundle_stale", "bundle v3");                          // no department
    }
  }

  private static void in(AuditLog log, String id, String time, String resource, AuditDecision d, int status, long ms)
      throws Exception {
    append(log, Direction.REQUEST_IN, id, time, resource, d, status, ms);
  }

  private static void out(AuditLog log, String id, String time, String resource, AuditDecision d, int status, long ms)
      throws Exception {
    append(log, Direction.REQUEST_OUT, id, time, resource, d, status, ms);
  }

  private static void append(AuditLog log, Direction dir, String id, String time, String resource, AuditDecision d,
      int status, long ms) throws Exception {
    log.append(AuditRecord.builder().time(at(time)).envelopeId(id).direction(dir).sender(TestHubCity.CIVIL)
        .receiver(TestHubCity.HOUSING).resource(resource).purpose("review").decision(d).status(status)
        .latency(Duration.ofMillis(ms)).build()).get();
  }

  private static void alert(HubStore db, String raised, String rule, String subject) throws Exception {
    new io.shulian.hub.alert.Alerts(db, java.time.Clock.fixed(at(raised), java.time.ZoneOffset.UTC), null, null)
        .raise(rule, io.shulian.hub.alert.Alert.Severity.WARNING, subject, "test", List.of());
  }

  private static void application(CaseStore cases, String id, String submitted, CaseState state, String answered)
      throws Exception {
    Instant s = at(submitted);
    cases.insert(new CaseStore.Application(id, TestHubCity.CIVIL.toString(), TestHubCity.HOUSING.toString(), "fund",
        "review", List.of("balance"), s, s.plus(Duration.ofDays(90)), "basis", 10, CaseState.SUBMITTED, s, null, null,
        null, null), null);
    cases.answer(CaseState.Kind.APPLICATION, id, state, at(answered), "r", null, null, null);
  }

  private static String[] run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = ShulianCli.commandLine(new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
    return new String[] {Integer.toString(code), out.toString(), err.toString()};
  }

  private String[] evaluate(String month, String... more) {
    List<String> a = new java.util.ArrayList<>(List.of("evaluate", "--month", month, "--catalog",
        tmp.resolve("catalog.yaml").toString(), "--audit", tmp.resolve("audit-housing").toString(), "--audit",
        tmp.resolve("audit-civil").toString(), "--hub-config", tmp.resolve("hub.yaml").toString()));
    a.addAll(List.of(more));
    return run(a.toArray(String[]::new));
  }

  @Test
  void evaluate_december_exactNumbersPerDepartment() throws Exception {
    Path csv = tmp.resolve("dec.csv");
    Path html = tmp.resolve("dec.html");

    String[] r = evaluate("2026-12", "--csv", csv.toString(), "--html", html.toString());

    assertThat(r[0]).as(r[2]).isEqualTo("0");
    assertThat(Files.readAllLines(csv)).containsExactly(
        "month,department,name,resources,fresh,stale,requests,served,refused,refused_by_reason,failed_5xx,availability,"
            + "p95_latency_ms,applications_answered,application_answer_mean_h,application_answer_max_h,"
            + "objections_answered,objection_answer_mean_h,objection_answer_max_h,alerts",
        // 7 requests: e1 e2 e3 e4 e5 e8 and c1 (e2, e3 once; e6 is January, e7 November); served e1 e2 e5 e8;
        // fresh: fund (e2 this month), registry (e5 on the last day); stale: archive (last served 12-20, weekly)
        "2026-12," + housingOrg + ",,3,2,1,7,4,2,GRANT_REQUIRED=1;PURPOSE_NOT_ALLOWED=1,1,0.8571,40.000,2,408.00,768.00,"
            + "1,6.00,6.00,2",
        "2026-12," + civilOrg + ",,1,0,0,0,0,0,,0,,,0,,,0,,,0");
    assertThat(Files.readString(html)).contains("<td>0.8571</td>").contains("Asia/Shanghai").doesNotContain("<script");
  }

  @Test
  void evaluate_january_countsTheMidnightEventAndTheLateAnswer_notTheLastSecondOfDecember() {
    String[] r = evaluate("2027-01");

    assertThat(r[0]).as(r[2]).isEqualTo("0");
    // e6 at 2027-01-01T00:00:00+08:00 only; a3 (12-30 09:00) answered at that instant: 39 hours; nothing served
    // since then, so every judged resource is stale at the end of January
    assertThat(r[1]).contains("2027-01," + housingOrg + ",,3,0,3,1,1,0,,0,1.0000,50.000,1,39.00,39.00,0,,,0")
        .contains("2027-01," + civilOrg + ",,1,0,0,0,0,0,,0,,,0,,,0,,,1");
  }

  @Test
  void evaluate_utcZone_movesTheBoundary() {
    String[] r = evaluate("2026-12", "--zone", "UTC");

    assertThat(r[0]).as(r[2]).isEqualTo("0");
    // in UTC e1 (2026-11-30T16:00Z) and e7 (15:59:59Z) are November, e6 (2026-12-31T16:00Z) is December;
    // so are the alerts: housing's first (2026-11-30T16:00Z) is November, civil's January one December
    assertThat(r[1]).contains("2026-12," + housingOrg + ",,3,");
    assertThat(r[1]).contains("2026-12," + civilOrg + ",,1,0,0,0,0,0,,0,,,0,,,0,,,1");
    assertThat(r[1].lines().filter(l -> l.contains(housingOrg)).findFirst().orElseThrow()).endsWith(",1");
    assertThat(r[1].lines().filter(l -> l.contains(housingOrg)).findFirst().orElseThrow().split(",")[6]).isEqualTo("7");
  }

  @Test
  void evaluate_withoutHub_leavesCaseColumnsEmpty() {
    String[] r = run("evaluate", "--month", "2026-12", "--catalog", tmp.resolve("catalog.yaml").toString(), "--audit",
        tmp.resolve("audit-housing").toString());

    assertThat(r[0]).as(r[2]).isEqualTo("0");
    assertThat(r[1]).contains("2026-12," + housingOrg + ",,3,2,1,6,4,1,GRANT_REQUIRED=1,1,0.8333,40.000,,,,,,,\r\n");
  }

  @Test
  void evaluate_tamperedAuditLog_rejectedExit3() throws Exception {
    Path seg = tmp.resolve("audit-housing/segment-00000000.log");
    byte[] b = Files.readAllBytes(seg);
    byte[] needle = "GRANT_REQUIRED".getBytes(StandardCharsets.US_ASCII);
    int i = indexOf(b, needle);
    assertThat(i).isPositive();
    b[i + needle.length - 1] = 'X';
    Files.write(seg, b);

    String[] r = evaluate("2026-12");

    assertThat(r[0]).as(r[1] + r[2]).isEqualTo(Integer.toString(ExitCodes.REJECTED));
    assertThat(r[1]).isEmpty();
  }

  private static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  /**
   * The console's scorecards and {@code shulian evaluate}'s CSV for the same data: the gateways'
   * logs shipped to the hub's collector (and given to the CLI as directories), the bundle published
   * to the hub (and given to the CLI as a file), the hub's cases and alerts (read by the CLI from
   * the stopped hub's database). Every cell of every department is equal, in two months.
   */
  @Test
  void consoleScorecards_equalTheEvaluateCsv_forTheSameLogsBundleAndHub() throws Exception {
    Catalog catalog = Catalog.load(tmp.resolve("catalog.yaml"));
    CityBundle.Draft d = CityBundle.draft().version(1)
        .validity(Instant.now().minusSeconds(60), Instant.now().plus(Duration.ofDays(1)));
    for (io.shulian.core.keys.PartyIdentity m : List.of(city.hub, city.housing, city.civil)) {
      d.member(CityBundle.Member.of(m.party(), "名 " + m.party().organisation(), null, m.certificates()));
    }
    String jws = d.extension(BundlePolicies.CATALOG, catalog.toJson()).caCertificate(city.ca.root())
        .crl(city.ca.crl(Duration.ofHours(24))).sign(city.ca);
    Files.writeString(tmp.resolve("bundle.jws"), jws);
    Map<YearMonth, JsonNode> console = new java.util.LinkedHashMap<>();
    try (Hub hub = city.startHub("alerts: { newConsumer: false, certificateExpiry: 1d }")) {
      assertThat(city.publish(hub, TestHubCity.OFFICER_TOKEN, jws).statusCode()).isEqualTo(201);
      ship(hub, city.housing, tmp.resolve("audit-housing"));
      ship(hub, city.civil, tmp.resolve("audit-civil"));
      for (YearMonth m : List.of(YearMonth.of(2026, 12), YearMonth.of(2027, 1))) {
        HttpResponse<String> r = officerGet(hub, "/console/api/scorecards?month=" + m);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        // the cells' digits exactly as sent (40.000, not the double 40.0)
        console.put(m, new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .setNodeFactory(com.fasterxml.jackson.databind.node.JsonNodeFactory.withExactBigDecimals(true)).readTree(r.body()));
      }
    }
    for (Map.Entry<YearMonth, JsonNode> e : console.entrySet()) {
      Path csv = tmp.resolve(e.getKey() + ".csv");
      String[] r = run("evaluate", "--month", e.getKey().toString(), "--bundle", tmp.resolve("bundle.jws").toString(),
          "--root", tmp.resolve("root.pem").toString(), "--audit", tmp.resolve("audit-housing").toString(), "--audit",
          tmp.resolve("audit-civil").toString(), "--hub-config", tmp.resolve("hub.yaml").toString(), "--csv",
          csv.toString());
      assertThat(r[0]).as(r[2]).isEqualTo("0");
      List<String> lines = Files.readAllLines(csv);
      JsonNode json = e.getValue();
      List<String> header = new java.util.ArrayList<>();
      json.get("columns").forEach(c -> header.add(c.asText()));
      assertThat(String.join(",", header)).isEqualTo(lines.get(0));
      List<String> fromConsole = new java.util.ArrayList<>();
      for (JsonNode cells : json.get("table")) {
        List<String> t = new java.util.ArrayList<>();
        cells.forEach(c -> t.add(c.asText()));
        fromConsole.add(String.join(",", t));
      }
      // and the typed rows hold the same values (40.000 as the number 40.000)
      for (int i = 0; i < json.get("rows").size(); i++) {
        JsonNode row = json.get("rows").get(i);
        assertThat(header.stream().map(c -> row.get(c).isNull() ? "" : row.get(c).asText())
            .collect(java.util.stream.Collectors.joining(","))).isEqualTo(fromConsole.get(i));
      }
      assertThat(fromConsole).as(e.getKey().toString()).containsExactlyElementsOf(lines.subList(1, lines.size()));
      // not two empty reports: housing's requests, refusals and the names from the bundle are there
      assertThat(lines.get(1)).contains(housingOrg).contains("名 " + housingOrg);
    }
    assertThat(console.get(YearMonth.of(2026, 12)).get("rows").get(0).get("requests").asLong()).isEqualTo(7);
    assertThat(console.get(YearMonth.of(2026, 12)).get("rows").get(0).get("refused_by_reason").asText())
        .isEqualTo("GRANT_REQUIRED=1;PURPOSE_NOT_ALLOWED=1");
  }

  private void ship(Hub hub, io.shulian.core.keys.PartyIdentity who, Path log) throws Exception {
    HttpResponse<String> r = city.client(who).send(HttpRequest.newBuilder(TestHubCity.url(hub, "/v1/events"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(EventShipper.toJson(AuditLogReader.readBatch(log, 0, 100, null))))
        .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
  }

  private HttpResponse<String> officerGet(Hub hub, String path) throws Exception {
    return city.client(null).send(HttpRequest.newBuilder(TestHubCity.url(hub, path))
        .header("Authorization", "Bearer " + TestHubCity.OFFICER_TOKEN).timeout(Duration.ofSeconds(60)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void evaluate_badMonthOrZone_usageExit2() {
    assertThat(run("evaluate", "--month", "2026-13", "--catalog", "c.yaml")[0]).isEqualTo("2");
    assertThat(run("evaluate", "--month", "2026-12", "--zone", "Mars/Olympus", "--catalog", "c.yaml")[0]).isEqualTo("2");
  }

  @Test
  void html_departmentNameWithScript_isEscaped() throws Exception {
    Catalog c = Catalog.load(tmp.resolve("catalog.yaml"));
    SharingEvaluation ev = SharingEvaluation.compute(c, Map.of(housingOrg, "<script>alert(1)</script>"), List.of(), null,
        YearMonth.of(2026, 12), ZoneId.of("Asia/Shanghai"));

    assertThat(ev.toHtml()).contains("&lt;script&gt;alert(1)&lt;/script&gt;").doesNotContain("<script");
    assertThat(ev.toCsv()).contains("<script>alert(1)</script>");
  }
}
