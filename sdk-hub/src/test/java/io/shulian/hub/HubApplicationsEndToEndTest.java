package io.shulian.hub;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.policy.Grant;
import io.shulian.core.policy.GrantIssuer;
import io.shulian.core.policy.GrantVerifier;
import io.shulian.core.policy.VerifiedGrant;
import io.shulian.core.trust.BundleHolder;
import io.shulian.core.trust.CityBundle;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sharing applications and data objections on the real hub over real TLS (H2). */
class HubApplicationsEndToEndTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String FUND = "housing.provident-fund.balance";
  static final String PURPOSE = "social-assistance-review";

  @TempDir Path dir;
  TestHubCity city;
  final List<AutoCloseable> closeables = new ArrayList<>();
  Instant from;
  Instant until;

  @BeforeEach
  void setUp() throws Exception {
    city = new TestHubCity(dir);
    from = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    until = from.plus(Duration.ofDays(30));
  }

  @AfterEach
  void tearDown() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
  }

  /** A bundle with every party and the example catalog (housing provides the provident fund, conditionally). */
  static String catalogBundle(TestHubCity city, long version) throws Exception {
    String catalog = JSON.writeValueAsString(new ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory())
        .readTree(Path.of("..", "docs", "examples", "catalog.yaml").toFile()));
    CityBundle.Draft d = CityBundle.draft().version(version)
        .validity(Instant.now().minusSeconds(60), Instant.now().plus(Duration.ofDays(1)));
    for (PartyIdentity m : List.of(city.hub, city.housing, city.civil)) {
      d.member(CityBundle.Member.of(m.party(), m.party().toString(), null, m.certificates()));
    }
    return d.caCertificate(city.ca.root()).crl(city.ca.crl(Duration.ofHours(24))).extension("catalog", catalog).sign(city.ca);
  }

  Hub hub(String... extra) throws Exception {
    Hub h = city.startHub(extra);
    closeables.add(h);
    assertThat(city.publish(h, TestHubCity.OFFICER_TOKEN, catalogBundle(city, 1)).statusCode()).isEqualTo(201);
    return h;
  }

  static HttpResponse<String> send(HttpClient c, Hub h, String method, String path, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(TestHubCity.url(h, path)).timeout(Duration.ofSeconds(30));
    if (body == null) {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
    }
    return c.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  String application(String resource, String purpose, String... fields) throws Exception {
    return JSON.writeValueAsString(java.util.Map.of("resource", resource, "purpose", purpose, "fields", List.of(fields),
        "from", from.toString(), "until", until.toString(), "legalBasis", "《社会救助暂行办法》第十一条", "maxUses", 100));
  }

  String fundApplication() throws Exception {
    return application(FUND, PURPOSE, "applicant.name", "balance");
  }

  /** A grant {@code issuer} signs for {@code consumer}, matching the fund application unless changed. */
  String grant(PartyIdentity issuer, PartyIdentity consumer, List<String> fields, long maxUses) {
    return GrantIssuer.of(issuer).issue(Grant.builder().id("g-" + UUID.randomUUID()).issuer(issuer.party())
        .consumer(consumer.party()).resource(FUND).purpose(PURPOSE).fields(fields).validity(from, until).maxUses(maxUses).build());
  }

  static String approveBody(String grant) throws Exception {
    return JSON.writeValueAsString(java.util.Map.of("grant", grant));
  }

  static JsonNode json(HttpResponse<String> r) throws Exception {
    return JSON.readTree(r.body());
  }

  String applyAsCivil(Hub h) throws Exception {
    HttpResponse<String> r = send(city.client(city.civil), h, "POST", "/v1/applications", fundApplication());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return json(r).get("id").asText();
  }

  @Test
  void happyPath_apply_providerApprovesWithRealGrant_consumerFetchesAVerifyingGrant() throws Exception {
    Hub h = hub();
    HttpClient civil = city.client(city.civil);
    HttpClient housing = city.client(city.housing);
    HttpResponse<String> applied = send(civil, h, "POST", "/v1/applications", fundApplication());
    assertThat(applied.statusCode()).as(applied.body()).isEqualTo(201);
    JsonNode a = json(applied);
    String id = a.get("id").asText();
    assertThat(a.get("state").asText()).isEqualTo("submitted");
    assertThat(a.get("consumer").asText()).isEqualTo(TestHubCity.CIVIL.toString());
    assertThat(a.get("provider").asText()).isEqualTo(city.housing.party().toString());
    assertThat(a.get("overdue").asBoolean()).isFalse();

    // the provider sees it addressed to it
    JsonNode listed = json(send(housing, h, "GET", "/v1/applications", null)).get("applications");
    assertThat(listed).hasSize(1);
    assertThat(listed.get(0).get("id").asText()).isEqualTo(id);
    // no grant before approval
    assertThat(send(civil, h, "GET", "/v1/applications/" + id + "/grant", null).statusCode()).isEqualTo(409);

    String grant = grant(city.housing, city.civil, List.of("applicant.name", "balance"), 100);
    HttpResponse<String> approved = send(housing, h, "POST", "/v1/applications/" + id + "/approve", approveBody(grant));
    assertThat(approved.statusCode()).as(approved.body()).isEqualTo(200);
    JsonNode ap = json(approved);
    assertThat(ap.get("state").asText()).isEqualTo("approved");
    assertThat(ap.has("answeredAt")).isTrue();
    assertThat(ap.get("responseSeconds").asLong()).isGreaterThanOrEqualTo(0);

    HttpResponse<String> fetched = send(civil, h, "GET", "/v1/applications/" + id + "/grant", null);
    assertThat(fetched.statusCode()).isEqualTo(200);
    assertThat(fetched.headers().firstValue("Content-Type")).hasValue("application/jwt");
    assertThat(fetched.body()).isEqualTo(grant);
    // the fetched grant verifies against the city bundle like a provider gateway checks it
    BundleHolder trust = BundleHolder.of(List.of(city.ca.root()));
    trust.update(catalogBundle(city, 1).getBytes(StandardCharsets.US_ASCII));
    VerifiedGrant vg = GrantVerifier.of(trust.trust()).verify(fetched.body());
    assertThat(GrantVerifier.check(vg, city.housing.party(), city.civil.party(), FUND, PURPOSE,
        List.of("applicant.name", "balance"), Instant.now(), io.shulian.core.policy.GrantRevocations.fromBundle(trust))).isNull();
  }

  @Test
  void apply_checkedAgainstTheCatalog_unconditionalNotSharedUnknownRefusedWithCodes() throws Exception {
    Hub h = hub();
    HttpClient civil = city.client(city.civil);
    assertThat(send(civil, h, "POST", "/v1/applications", application("housing.property-registry", PURPOSE, "floorArea")).body())
        .contains("APPLICATION_NOT_NEEDED");
    assertThat(send(civil, h, "POST", "/v1/applications", application("security.case-records", PURPOSE, "caseNumber")).body())
        .contains("RESOURCE_NOT_SHARED");
    assertThat(send(civil, h, "POST", "/v1/applications", application("no.such.resource", PURPOSE, "x")).body())
        .contains("RESOURCE_UNKNOWN");
    HttpResponse<String> bad = send(civil, h, "POST", "/v1/applications", application(FUND, "statistics", "balance", "nope"));
    assertThat(bad.statusCode()).isEqualTo(422);
    assertThat(bad.body()).contains("PURPOSE_NOT_ALLOWED").contains("FIELD_UNKNOWN");
    // a provider applying for its own resource
    assertThat(send(city.client(city.housing), h, "POST", "/v1/applications", fundApplication()).body()).contains("OWN_RESOURCE");
    assertThat(json(send(civil, h, "GET", "/v1/applications", null)).get("applications")).isEmpty();
  }

  @Test
  void wrongParty_cannotApproveSeeOrWithdrawOthersApplications() throws Exception {
    Hub h = hub();
    String id = applyAsCivil(h);
    HttpClient civil = city.client(city.civil);
    HttpClient stranger = city.client(city.hub);
    // the applicant cannot approve its own application, even with a grant it signed itself
    String selfGrant = grant(city.civil, city.civil, List.of("applicant.name", "balance"), 100);
    HttpResponse<String> self = send(civil, h, "POST", "/v1/applications/" + id + "/approve", approveBody(selfGrant));
    assertThat(self.statusCode()).isEqualTo(403);
    assertThat(self.body()).contains("NOT_PROVIDER");
    // a third party sees nothing of it
    assertThat(send(stranger, h, "GET", "/v1/applications/" + id, null).statusCode()).isEqualTo(404);
    assertThat(json(send(stranger, h, "GET", "/v1/applications", null)).get("applications")).isEmpty();
    assertThat(send(stranger, h, "POST", "/v1/applications/" + id + "/decline", "{\"reason\":\"no\"}").statusCode()).isEqualTo(404);
    assertThat(send(stranger, h, "POST", "/v1/applications/" + id + "/withdraw", null).statusCode()).isEqualTo(404);
    // the provider cannot withdraw the consumer's application
    assertThat(send(city.client(city.housing), h, "POST", "/v1/applications/" + id + "/withdraw", null).body())
        .contains("NOT_CONSUMER");
    // an operator token is not a department
    HttpResponse<String> op = city.client(null).send(HttpRequest.newBuilder(TestHubCity.url(h, "/v1/applications"))
        .header("Authorization", "Bearer " + TestHubCity.OFFICER_TOKEN).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(op.statusCode()).isEqualTo(401);
    assertThat(json(send(civil, h, "GET", "/v1/applications/" + id, null)).get("state").asText()).isEqualTo("submitted");
  }

  @Test
  void approve_grantNotMatchingTheApplication_refused422_andStillSubmitted() throws Exception {
    Hub h = hub();
    String id = applyAsCivil(h);
    HttpClient housing = city.client(city.housing);
    List<String> fields = List.of("applicant.name", "balance");
    String wrongConsumer = grant(city.housing, city.hub, fields, 100);
    String moreFields = grant(city.housing, city.civil, List.of("applicant.name", "balance", "bankCard"), 100);
    String fewerFields = grant(city.housing, city.civil, List.of("balance"), 100);
    String moreUses = grant(city.housing, city.civil, fields, 101);
    String longer = GrantIssuer.of(city.housing).issue(Grant.builder().id("g-long").issuer(city.housing.party())
        .consumer(city.civil.party()).resource(FUND).purpose(PURPOSE).fields(fields).validity(from, until.plus(Duration.ofDays(90)))
        .maxUses(100).build());
    String[] parts = grant(city.housing, city.civil, fields, 100).split("\\.");
    String tampered = parts[0] + "." + parts[1] + "." + new StringBuilder(parts[2]).reverse();
    for (String bad : List.of(wrongConsumer, moreFields, fewerFields, moreUses, longer, tampered, "not a jwt")) {
      HttpResponse<String> r = send(housing, h, "POST", "/v1/applications/" + id + "/approve", approveBody(bad));
      assertThat(r.statusCode()).as(r.body()).isEqualTo(422);
      assertThat(r.body()).containsAnyOf("GRANT_MISMATCH", "GRANT_INVALID");
    }
    assertThat(json(send(housing, h, "GET", "/v1/applications/" + id, null)).get("state").asText()).isEqualTo("submitted");
  }

  @Test
  void illegalTransitions_refused409_finalStatesStay() throws Exception {
    Hub h = hub();
    HttpClient civil = city.client(city.civil);
    HttpClient housing = city.client(city.housing);
    String declined = applyAsCivil(h);
    assertThat(send(housing, h, "POST", "/v1/applications/" + declined + "/decline", "{\"reason\":\"not eligible\"}")
        .statusCode()).isEqualTo(200);
    String grant = grant(city.housing, city.civil, List.of("applicant.name", "balance"), 100);
    HttpResponse<String> approveDeclined = send(housing, h, "POST", "/v1/applications/" + declined + "/approve", approveBody(grant));
    assertThat(approveDeclined.statusCode()).isEqualTo(409);
    assertThat(approveDeclined.body()).contains("ILLEGAL_TRANSITION");
    assertThat(send(civil, h, "POST", "/v1/applications/" + declined + "/withdraw", null).statusCode()).isEqualTo(409);
    assertThat(send(housing, h, "POST", "/v1/applications/" + declined + "/decline", "{\"reason\":\"again\"}").statusCode())
        .isEqualTo(409);

    String withdrawn = applyAsCivil(h);
    assertThat(send(civil, h, "POST", "/v1/applications/" + withdrawn + "/withdraw", null).statusCode()).isEqualTo(200);
    assertThat(send(housing, h, "POST", "/v1/applications/" + withdrawn + "/approve", approveBody(grant)).statusCode()).isEqualTo(409);
    JsonNode w = json(send(civil, h, "GET", "/v1/applications/" + withdrawn, null));
    assertThat(w.get("state").asText()).isEqualTo("withdrawn");
    assertThat(json(send(civil, h, "GET", "/v1/applications/" + declined, null)).get("reason").asText()).isEqualTo("not eligible");
  }

  @Test
  void overdue_flaggedInListings_andCountedInTheMetric() throws Exception {
    Hub h = hub("applications: { responseDeadline: 1ms }");
    String id = applyAsCivil(h);
    HttpClient housing = city.client(city.housing);
    assertThat(TestWait.within(Duration.ofSeconds(10), () -> {
      try {
        return json(send(housing, h, "GET", "/v1/applications/" + id, null)).get("overdue").asBoolean();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    })).isTrue();
    assertThat(h.registry().find("shulian.hub.cases.overdue").tag("kind", "application").gauge().value()).isEqualTo(1.0);
    send(city.client(city.housing), h, "POST", "/v1/applications/" + id + "/decline", "{\"reason\":\"late\"}");
    JsonNode answered = json(send(city.client(city.civil), h, "GET", "/v1/applications/" + id, null));
    assertThat(answered.get("overdue").asBoolean()).isFalse();
    assertThat(h.registry().find("shulian.hub.cases.overdue").tag("kind", "application").gauge().value()).isEqualTo(0.0);
  }

  @Test
  void notOverdue_withinTheConfiguredDeadline() throws Exception {
    Hub h = hub("applications: { responseDeadline: 5d }");
    String id = applyAsCivil(h);
    JsonNode a = json(send(city.client(city.housing), h, "GET", "/v1/applications/" + id, null));
    assertThat(a.get("overdue").asBoolean()).isFalse();
    assertThat(h.registry().find("shulian.hub.cases.overdue").tag("kind", "application").gauge().value()).isEqualTo(0.0);
  }

  @Test
  void malformedOrOversizedBodies_refusedWithProblems_nothingStored() throws Exception {
    Hub h = hub();
    HttpClient civil = city.client(city.civil);
    HttpResponse<String> notJson = send(civil, h, "POST", "/v1/applications", "{not json");
    assertThat(notJson.statusCode()).isEqualTo(400);
    assertThat(notJson.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    assertThat(notJson.body()).contains("MALFORMED_BODY");
    assertThat(send(civil, h, "POST", "/v1/applications", "[]").body()).contains("MALFORMED_BODY");
    assertThat(send(civil, h, "POST", "/v1/applications", "{\"resource\":\"a\",\"resource\":\"b\"}").body()).contains("MALFORMED_BODY");
    assertThat(send(civil, h, "POST", "/v1/applications", "{\"consumer\":\"someone else\"}").body()).contains("MALFORMED_BODY");
    HttpResponse<String> fields = send(civil, h, "POST", "/v1/applications",
        "{\"resource\":\"" + FUND + "\",\"purpose\":\"p\",\"fields\":[],\"from\":\"yesterday\",\"until\":\"x\","
            + "\"legalBasis\":\" \",\"maxUses\":0}");
    assertThat(fields.statusCode()).isEqualTo(400);
    assertThat(fields.body()).contains("BAD_FIELD");
    HttpResponse<String> period = send(civil, h, "POST", "/v1/applications", JSON.writeValueAsString(java.util.Map.of(
        "resource", FUND, "purpose", PURPOSE, "fields", List.of("balance"), "from", from.toString(),
        "until", from.minusSeconds(1).toString(), "legalBasis", "x", "maxUses", 1)));
    assertThat(period.body()).contains("BAD_PERIOD");
    HttpResponse<String> plain = civil.send(HttpRequest.newBuilder(TestHubCity.url(h, "/v1/applications"))
        .header("Content-Type", "text/plain").POST(HttpRequest.BodyPublishers.ofString(fundApplication())).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(plain.statusCode()).isEqualTo(415);
    HttpResponse<String> huge = send(civil, h, "POST", "/v1/applications", "{\"resource\":\"" + "x".repeat(70_000) + "\"}");
    assertThat(huge.statusCode()).isEqualTo(413);
    assertThat(huge.body()).contains("BODY_TOO_LARGE");
    HttpResponse<String> getWithBody = send(civil, h, "POST", "/v1/applications/app-00000000-0000-0000-0000-000000000000/withdraw", "{}");
    assertThat(getWithBody.statusCode()).isEqualTo(413);
    assertThat(send(civil, h, "GET", "/v1/applications/../../v1/bundle/intl", null).statusCode()).isIn(404, 405);
    assertThat(send(civil, h, "GET", "/v1/applications/app-not-an-id", null).statusCode()).isEqualTo(404);
    assertThat(send(civil, h, "DELETE", "/v1/applications", null).statusCode()).isEqualTo(405);
    assertThat(json(send(civil, h, "GET", "/v1/applications", null)).get("applications")).isEmpty();
  }

  @Test
  void oversizedBody_stillBeingSent_clientReceivesThe413_notAReset() throws Exception {
    Hub h = hub("applications: { responseDeadline: 5d }");
    HttpClient civil = city.client(city.civil);
    // the hub answers 413 as soon as it sees Content-Length; closing at once while these megabytes
    // are still on their way made the client's TCP stack discard the answer ("received no bytes")
    String body = "{\"resource\":\"" + "x".repeat(3 << 20) + "\"}";
    for (int i = 0; i < 5; i++) {
      HttpResponse<String> r = send(civil, h, "POST", "/v1/applications", body);
      assertThat(r.statusCode()).isEqualTo(413);
      assertThat(r.body()).contains("BODY_TOO_LARGE");
    }
    assertThat(json(send(civil, h, "GET", "/v1/applications", null)).get("applications")).isEmpty();
  }

  @Test
  void rateLimit_perClient_429WithRetryAfter_otherClientsUnaffected() throws Exception {
    Hub h = hub("applications: { responseDeadline: 5d }");
    h.close();
    closeables.remove(h);
    Path yaml = city.hubYaml();
    Files.writeString(yaml, Files.readString(yaml).replace("limits: { eventLoops: 1 }",
        "limits: { eventLoops: 1, ratePerSecond: 0.001, rateBurst: 3 }"));
    Hub limited = Hub.load(yaml, TestHubCity.ENV::get).start();
    closeables.add(limited);
    HttpClient civil = city.client(city.civil);
    for (int i = 0; i < 3; i++) {
      assertThat(send(civil, limited, "GET", "/v1/applications", null).statusCode()).isEqualTo(200);
    }
    HttpResponse<String> r = send(civil, limited, "GET", "/v1/applications", null);
    assertThat(r.statusCode()).isEqualTo(429);
    assertThat(r.headers().firstValue("Retry-After")).isPresent();
    assertThat(Long.parseLong(r.headers().firstValue("Retry-After").orElseThrow())).isPositive();
    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    assertThat(r.body()).contains("RATE_LIMITED");
    // another department has its own bucket
    assertThat(send(city.client(city.housing), limited, "GET", "/v1/applications", null).statusCode()).isEqualTo(200);
  }

  @Test
  void objection_providerCorrects_responseTimeRecorded_sameStateMachine() throws Exception {
    Hub h = hub();
    HttpClient civil = city.client(city.civil);
    HttpClient housing = city.client(city.housing);
    HttpResponse<String> filed = send(civil, h, "POST", "/v1/objections", JSON.writeValueAsString(java.util.Map.of(
        "resource", "housing.property-registry", "record", "owner.idNumber=440602199001011234",
        "description", "floor area is 86 m², not 860 m²")));
    assertThat(filed.statusCode()).as(filed.body()).isEqualTo(201);
    String id = json(filed).get("id").asText();
    assertThat(json(send(housing, h, "GET", "/v1/objections", null)).get("objections")).hasSize(1);
    assertThat(send(city.client(city.hub), h, "GET", "/v1/objections/" + id, null).statusCode()).isEqualTo(404);
    HttpResponse<String> byConsumer = send(civil, h, "POST", "/v1/objections/" + id + "/answer",
        "{\"outcome\":\"corrected\",\"reason\":\"self-serve\"}");
    assertThat(byConsumer.body()).contains("NOT_PROVIDER");
    assertThat(send(housing, h, "POST", "/v1/objections/" + id + "/answer", "{\"outcome\":\"maybe\",\"reason\":\"x\"}")
        .statusCode()).isEqualTo(400);
    HttpResponse<String> answered = send(housing, h, "POST", "/v1/objections/" + id + "/answer",
        "{\"outcome\":\"corrected\",\"reason\":\"typo fixed in the registry\"}");
    assertThat(answered.statusCode()).as(answered.body()).isEqualTo(200);
    JsonNode o = json(answered);
    assertThat(o.get("state").asText()).isEqualTo("corrected");
    assertThat(o.has("responseSeconds")).isTrue();
    assertThat(send(civil, h, "POST", "/v1/objections/" + id + "/withdraw", null).statusCode()).isEqualTo(409);
    assertThat(send(housing, h, "POST", "/v1/objections/" + id + "/answer", "{\"outcome\":\"rejected\",\"reason\":\"x\"}")
        .statusCode()).isEqualTo(409);
    assertThat(send(civil, h, "POST", "/v1/objections", JSON.writeValueAsString(java.util.Map.of(
        "resource", "nope", "record", "r", "description", "d"))).body()).contains("RESOURCE_UNKNOWN");
  }

  static HttpResponse<String> asOperator(Hub h, String token, String path) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(TestHubCity.url(h, path)).timeout(Duration.ofSeconds(30)).GET();
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return HttpClient.newBuilder().sslContext(io.shulian.gateway.authenticate.GatewayTls.jdkClient(null, chain -> TestHubCity.HUB))
        .build().send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void adminCases_operatorsListByStateWithOverdueFlag_departmentsAndBadQueriesRefused() throws Exception {
    Hub h = hub("applications: { responseDeadline: 1ms }");
    String open = applyAsCivil(h);
    String withdrawn = applyAsCivil(h);
    send(city.client(city.civil), h, "POST", "/v1/applications/" + withdrawn + "/withdraw", null);
    HttpResponse<String> obj = send(city.client(city.civil), h, "POST", "/v1/objections", JSON.writeValueAsString(
        java.util.Map.of("resource", "housing.property-registry", "record", "r-1", "description", "wrong")));
    assertThat(obj.statusCode()).as(obj.body()).isEqualTo(201);

    // both roles see every department's cases
    for (String token : List.of(TestHubCity.REVIEWER_TOKEN, TestHubCity.OFFICER_TOKEN)) {
      HttpResponse<String> all = asOperator(h, token, "/v1/admin/cases");
      assertThat(all.statusCode()).as(all.body()).isEqualTo(200);
      assertThat(json(all).get("applications")).hasSize(2);
      assertThat(json(all).get("objections")).hasSize(1);
    }
    JsonNode submitted = json(asOperator(h, TestHubCity.REVIEWER_TOKEN, "/v1/admin/cases?state=submitted&kind=application"));
    assertThat(submitted.get("applications")).hasSize(1);
    assertThat(submitted.has("objections")).isFalse();
    assertThat(submitted.get("applications").get(0).get("id").asText()).isEqualTo(open);
    assertThat(submitted.get("applications").get(0).get("overdue").asBoolean()).isTrue();
    JsonNode overdue = json(asOperator(h, TestHubCity.REVIEWER_TOKEN, "/v1/admin/cases?overdue=true"));
    assertThat(overdue.get("applications")).hasSize(1);
    assertThat(overdue.get("objections")).hasSize(1);
    assertThat(json(asOperator(h, TestHubCity.REVIEWER_TOKEN, "/v1/admin/cases?state=withdrawn")).get("applications").get(0)
        .get("id").asText()).isEqualTo(withdrawn);

    assertThat(asOperator(h, null, "/v1/admin/cases").statusCode()).isEqualTo(401);
    assertThat(asOperator(h, "wrong", "/v1/admin/cases").statusCode()).isEqualTo(401);
    // a department's certificate is not an operator credential
    assertThat(send(city.client(city.housing), h, "GET", "/v1/admin/cases", null).statusCode()).isEqualTo(401);
    for (String bad : List.of("state=nope", "kind=x", "overdue=maybe", "state=submitted&state=approved")) {
      HttpResponse<String> r = asOperator(h, TestHubCity.REVIEWER_TOKEN, "/v1/admin/cases?" + bad);
      assertThat(r.statusCode()).as(bad).isEqualTo(400);
      assertThat(r.body()).contains("BAD_QUERY");
    }
    assertThat(send(city.client(city.housing), h, "POST", "/v1/admin/cases", "{}").statusCode()).isIn(405, 413);
  }

  @Test
  void stateChanges_writtenToTheHubsAuditLog() throws Exception {
    Hub h = hub();
    String id = applyAsCivil(h);
    send(city.client(city.civil), h, "POST", "/v1/applications/" + id + "/withdraw", null);
    h.close();
    closeables.remove(h);
    List<String> text = new ArrayList<>();
    try (java.util.stream.Stream<Path> files = Files.walk(dir.resolve("hub-data/audit"))) {
      for (Path p : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
        text.add(new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1));
      }
    }
    String all = String.join("\n", text);
    assertThat(all).contains("applications/" + id).contains("SUBMITTED").contains("WITHDRAWN");
  }

  @Test
  void unansweredPastItsPeriod_expired_andCanNoLongerBeApproved() throws Exception {
    Hub h = hub();
    until = Instant.now().plusSeconds(2);
    HttpClient civil = city.client(city.civil);
    HttpResponse<String> r = send(civil, h, "POST", "/v1/applications", fundApplication());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    String id = json(r).get("id").asText();
    assertThat(TestWait.within(Duration.ofSeconds(20), () -> {
      try {
        return json(send(civil, h, "GET", "/v1/applications/" + id, null)).get("state").asText().equals("expired");
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    })).isTrue();
    HttpResponse<String> late = send(city.client(city.housing), h, "POST", "/v1/applications/" + id + "/decline",
        "{\"reason\":\"too late\"}");
    assertThat(late.statusCode()).isEqualTo(409);
    assertThat(late.body()).contains("ILLEGAL_TRANSITION");
  }
}
