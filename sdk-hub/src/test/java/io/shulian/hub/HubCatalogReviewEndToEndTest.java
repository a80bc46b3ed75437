package io.shulian.hub;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.shulian.core.catalog.Catalog;
import io.shulian.core.catalog.CatalogSubmission;
import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.trust.CityBundle;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Catalog registration and review on the real hub over real TLS (H2): a department submits a signed
 * resource of its own, an operator diffs and approves it, and the hub publishes a new bundle with
 * the new catalog; every refusal changes nothing.
 */
class HubCatalogReviewEndToEndTest {
  static final String NEW = "housing.rental-subsidy";
  static final String SIGNING = "signing: { intl: { ca: ca, passwordEnv: SHULIAN_KEY_PASSWORD } }";

  @TempDir Path dir;
  TestHubCity city;
  Hub hub;

  @BeforeEach
  void setUp() throws Exception {
    city = new TestHubCity(dir);
    hub = city.startHub(SIGNING);
    assertThat(city.publish(hub, TestHubCity.OFFICER_TOKEN, HubApplicationsEndToEndTest.catalogBundle(city, 1)).statusCode())
        .isEqualTo(201);
  }

  @AfterEach
  void tearDown() {
    if (hub != null) {
      hub.close();
    }
  }

  static String resource(String code, Object provider, String purposes) {
    return String.join("\n",
        "code: " + code,
        "name: 租赁补贴 (rental subsidy)",
        "provider: \"" + provider + "\"",
        "description: Rental subsidy payments per household.",
        "updateCycle: monthly",
        "sharing: { type: unconditional }",
        "purposes: [" + purposes + "]",
        "fields:",
        "  - {name: amount, type: number, classification: general}",
        "endpoints:",
        "  - {method: GET, path: \"/{idNumber}\"}", "");
  }

  String newResource() {
    return resource(NEW, city.housing.party(), "social-assistance-review");
  }

  static String sign(PartyIdentity who, String yaml) {
    return CatalogSubmission.register(who, yaml.getBytes(StandardCharsets.UTF_8), Instant.now());
  }

  static HttpResponse<String> submit(HttpClient c, Hub h, String token) throws Exception {
    return c.send(HttpRequest.newBuilder(TestHubCity.url(h, "/v1/catalog/submissions")).timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/jose").POST(HttpRequest.BodyPublishers.ofString(token)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> operator(String token, String method, String path, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(TestHubCity.url(hub, path)).timeout(Duration.ofSeconds(30));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    if (body == null) {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
    }
    return city.client(null).send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> reviewer(String method, String path) throws Exception {
    return operator(TestHubCity.REVIEWER_TOKEN, method, path, null);
  }

  String submitted(PartyIdentity who, String yaml) throws Exception {
    HttpResponse<String> r = submit(city.client(who), hub, sign(who, yaml));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return HubApplicationsEndToEndTest.json(r).get("id").asText();
  }

  /** The newest bundle the hub serves, verified against the city root like a gateway does. */
  CityBundle served() throws Exception {
    HttpResponse<byte[]> r = city.client(city.civil).send(HttpRequest.newBuilder(TestHubCity.url(hub, "/v1/bundle/intl"))
        .build(), HttpResponse.BodyHandlers.ofByteArray());
    assertThat(r.statusCode()).isEqualTo(200);
    return CityBundle.verify(r.body(), List.of(city.ca.root()), Instant.now(), Duration.ZERO);
  }

  static Catalog catalog(CityBundle b) throws Exception {
    return Catalog.parse("served", b.extension("catalog").orElseThrow().getBytes(StandardCharsets.UTF_8));
  }

  String auditText() throws Exception {
    hub.close();
    hub = null;
    List<String> text = new ArrayList<>();
    try (java.util.stream.Stream<Path> files = Files.walk(dir.resolve("hub-data/audit"))) {
      for (Path p : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
        text.add(new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1));
      }
    }
    return String.join("\n", text);
  }

  @Test
  void submit_diff_approve_publishesANewBundleWithTheResource() throws Exception {
    String id = submitted(city.housing, newResource());

    JsonNode list = HubApplicationsEndToEndTest.json(reviewer("GET", "/v1/admin/reviews"));
    assertThat(list.get("submissions")).hasSize(1);
    assertThat(list.get("submissions").get(0).get("state").asText()).isEqualTo("pending");
    JsonNode diff = HubApplicationsEndToEndTest.json(reviewer("GET", "/v1/admin/reviews/" + id));
    assertThat(diff.get("approvable").asBoolean()).isTrue();
    assertThat(diff.get("diff").get(0).get("text").asText()).startsWith("+ resource " + NEW);
    assertThat(diff.get("document").asText()).isEqualTo(newResource());
    // another department does not see it
    HttpResponse<String> other = HubApplicationsEndToEndTest.send(city.client(city.civil), hub, "GET",
        "/v1/catalog/submissions/" + id, null);
    assertThat(other.statusCode()).isEqualTo(404);
    assertThat(catalog(served()).resource(NEW)).isEmpty();

    HttpResponse<String> ok = reviewer("POST", "/v1/admin/reviews/" + id + "/approve");
    assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
    JsonNode approved = HubApplicationsEndToEndTest.json(ok);
    assertThat(approved.get("state").asText()).isEqualTo("approved");
    assertThat(approved.get("decidedBy").asText()).isEqualTo("bob");

    CityBundle b = served();
    assertThat(b.version()).isEqualTo(approved.get("bundleVersion").asLong()).isGreaterThan(1);
    Catalog c = catalog(b);
    assertThat(c.resource(NEW)).isPresent();
    assertThat(c.resource(NEW).get().provider()).isEqualTo(city.housing.party());
    assertThat(c.version()).startsWith("2026.11-1+r");
    assertThat(c.resource("housing.provident-fund.balance")).isPresent();
    // the department sees its submission approved
    JsonNode mine = HubApplicationsEndToEndTest.json(HubApplicationsEndToEndTest.send(city.client(city.housing), hub, "GET",
        "/v1/catalog/submissions", null));
    assertThat(mine.get("submissions").get(0).get("state").asText()).isEqualTo("approved");
    assertThat(auditText()).contains("catalog/" + id + "/" + NEW).contains("SUBMIT_DONE").contains("APPROVE_DONE")
        .contains("catalog-approve");
  }

  @Test
  void reviewDetail_submissionSharingCoreDataUnconditionally_showsTheCriticalFinding() throws Exception {
    String core = newResource().replace("classification: general", "classification: core");
    HttpResponse<String> created = submit(city.client(city.housing), hub, sign(city.housing, core));
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    JsonNode mine = HubApplicationsEndToEndTest.json(created);
    String id = mine.get("id").asText();
    // the department sees the findings about its own resource at once
    assertThat(mine.get("assessment").get("worst").asText()).isEqualTo("critical");
    assertThat(mine.get("assessment").get("findings")).allSatisfy(f -> assertThat(f.get("object").asText()).startsWith(NEW));

    JsonNode detail = HubApplicationsEndToEndTest.json(reviewer("GET", "/v1/admin/reviews/" + id));
    JsonNode a = detail.get("assessment");
    assertThat(a.get("worst").asText()).isEqualTo("critical");
    JsonNode f = java.util.stream.StreamSupport.stream(a.get("findings").spliterator(), false)
        .filter(x -> x.get("kind").asText().equals("CORE_DATA_UNCONDITIONAL")).findFirst().orElseThrow();
    assertThat(f.get("severity").asText()).isEqualTo("critical");
    assertThat(f.get("objectKind").asText()).isEqualTo("resource");
    assertThat(f.get("object").asText()).isEqualTo(NEW);
    assertThat(f.get("message").asText()).contains("unconditionally");
    assertThat(f.get("fix").asText()).isNotBlank();
  }

  @Test
  void reviewDetail_generalDataSubmission_hasNoCriticalFindingAboutIt() throws Exception {
    String id = submitted(city.housing, newResource());
    JsonNode a = HubApplicationsEndToEndTest.json(reviewer("GET", "/v1/admin/reviews/" + id)).get("assessment");
    assertThat(a.get("findings")).noneSatisfy(x -> assertThat(x.get("kind").asText()).isEqualTo("CORE_DATA_UNCONDITIONAL"));
    assertThat(a.get("findings")).allSatisfy(x -> assertThat(x.get("severity").asText()).isNotEqualTo("critical"));
  }

  @Test
  void change_thenWithdraw_ofTheDepartmentsOwnResource() throws Exception {
    String changed = resource("housing.property-registry", city.housing.party(), "statistics");
    String id = submitted(city.housing, changed);
    JsonNode diff = HubApplicationsEndToEndTest.json(reviewer("GET", "/v1/admin/reviews/" + id));
    assertThat(diff.get("diff").toString()).contains("purposes");
    assertThat(reviewer("POST", "/v1/admin/reviews/" + id + "/approve").statusCode()).isEqualTo(200);
    assertThat(catalog(served()).resource("housing.property-registry").orElseThrow().purposes()).containsExactly("statistics");

    String token = CatalogSubmission.withdraw(city.housing, "housing.property-registry", Instant.now());
    HttpResponse<String> w = submit(city.client(city.housing), hub, token);
    assertThat(w.statusCode()).as(w.body()).isEqualTo(201);
    String wid = HubApplicationsEndToEndTest.json(w).get("id").asText();
    assertThat(reviewer("POST", "/v1/admin/reviews/" + wid + "/approve").statusCode()).isEqualTo(200);
    assertThat(catalog(served()).resource("housing.property-registry")).isEmpty();
  }

  @Test
  void reject_changesNothing_andTheDepartmentSeesTheReason() throws Exception {
    String id = submitted(city.housing, newResource());
    long before = served().version();
    assertThat(operator(TestHubCity.REVIEWER_TOKEN, "POST", "/v1/admin/reviews/" + id + "/reject", "{\"why\":\"x\"}")
        .body()).contains("MALFORMED_BODY");
    HttpResponse<String> r = operator(TestHubCity.OFFICER_TOKEN, "POST", "/v1/admin/reviews/" + id + "/reject",
        "{\"reason\":\"fields incomplete\"}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(served().version()).isEqualTo(before);
    JsonNode mine = HubApplicationsEndToEndTest.json(HubApplicationsEndToEndTest.send(city.client(city.housing), hub, "GET",
        "/v1/catalog/submissions/" + id, null));
    assertThat(mine.get("state").asText()).isEqualTo("rejected");
    assertThat(mine.get("reason").asText()).isEqualTo("fields incomplete");
    HttpResponse<String> late = reviewer("POST", "/v1/admin/reviews/" + id + "/approve");
    assertThat(late.statusCode()).isEqualTo(409);
    assertThat(late.body()).contains("SUBMISSION_DECIDED");
    assertThat(served().version()).isEqualTo(before);
  }

  @Test
  void doubleApprove_secondRefused_andOnlyOneBundlePublished() throws Exception {
    String id = submitted(city.housing, newResource());
    assertThat(reviewer("POST", "/v1/admin/reviews/" + id + "/approve").statusCode()).isEqualTo(200);
    long v = served().version();
    HttpResponse<String> again = operator(TestHubCity.OFFICER_TOKEN, "POST", "/v1/admin/reviews/" + id + "/approve", null);
    assertThat(again.statusCode()).isEqualTo(409);
    assertThat(again.body()).contains("SUBMISSION_DECIDED");
    assertThat(served().version()).isEqualTo(v);
    assertThat(operator(TestHubCity.OFFICER_TOKEN, "POST", "/v1/admin/reviews/" + id + "/reject", "{\"reason\":\"x\"}")
        .statusCode()).isEqualTo(409);
  }

  @Test
  void wrongParty_otherProvidersResource_refusedAuditedAndNothingStored() throws Exception {
    // civil affairs signs a resource whose provider is housing
    HttpResponse<String> r = submit(city.client(city.civil), hub, sign(city.civil, newResource()));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(403);
    assertThat(r.body()).contains("WRONG_PARTY");
    // civil affairs takes over housing's resource code, naming itself the provider
    r = submit(city.client(city.civil), hub, sign(city.civil, resource("housing.property-registry", city.civil.party(),
        "statistics")));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(403);
    // civil affairs withdraws housing's resource
    r = submit(city.client(city.civil), hub, CatalogSubmission.withdraw(city.civil, "housing.property-registry", Instant.now()));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(403);
    // housing's signed submission relayed over civil affairs' TLS connection
    r = submit(city.client(city.civil), hub, sign(city.housing, newResource()));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(403);
    assertThat(r.body()).contains("WRONG_PARTY");
    assertThat(HubApplicationsEndToEndTest.json(reviewer("GET", "/v1/admin/reviews")).get("submissions")).isEmpty();
    assertThat(auditText()).contains("WRONG_PARTY");
  }

  @Test
  void malformedOrInvalidResource_refusedWithEveryReason() throws Exception {
    HttpClient housing = city.client(city.housing);
    HttpResponse<String> yaml = submit(housing, hub, sign(city.housing, "code: [unclosed\n  : :"));
    assertThat(yaml.statusCode()).as(yaml.body()).isEqualTo(422);
    assertThat(yaml.body()).contains("CATALOG_INVALID");
    String bad = newResource().replace("updateCycle: monthly", "updateCycle: sometimes")
        .replace("classification: general", "classification: secret")
        .replace("social-assistance-review", "no-such-purpose");
    HttpResponse<String> r = submit(housing, hub, sign(city.housing, bad));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(422);
    JsonNode reasons = HubApplicationsEndToEndTest.json(r).get("reasons");
    assertThat(reasons.size()).as(r.body()).isGreaterThanOrEqualTo(3);
    assertThat(r.body()).contains("updateCycle").contains("classification").contains("no-such-purpose");
    // a resource code with path tricks is not a code
    HttpResponse<String> trick = submit(housing, hub, sign(city.housing, resource("../../v1/bundle", city.housing.party(),
        "statistics").replace("code: ../../v1/bundle", "code: \"../../v1/bundle\"")));
    assertThat(trick.statusCode()).as(trick.body()).isEqualTo(422);
    assertThat(trick.body()).contains("not a valid code");
    // unchanged: nothing to review
    HttpResponse<String> same = submit(housing, hub, sign(city.housing, resource(NEW, city.housing.party(),
        "social-assistance-review")));
    assertThat(same.statusCode()).isEqualTo(201);
    assertThat(reviewer("POST", "/v1/admin/reviews/" + HubApplicationsEndToEndTest.json(same).get("id").asText() + "/approve")
        .statusCode()).isEqualTo(200);
    HttpResponse<String> again = submit(housing, hub, sign(city.housing, resource(NEW, city.housing.party(),
        "social-assistance-review")));
    assertThat(again.body()).contains("NO_CHANGE");
    assertThat(HubApplicationsEndToEndTest.json(reviewer("GET", "/v1/admin/reviews")).get("submissions")).hasSize(1);
  }

  @Test
  void forgedUnsignedReplayedOrOversizedSubmission_refused() throws Exception {
    HttpClient housing = city.client(city.housing);
    String token = sign(city.housing, newResource());
    String[] parts = token.split("\\.");
    // the document changed after signing
    String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
        .replace("rental subsidy", "rental subsidy!");
    String forged = parts[0] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(
        payload.getBytes(StandardCharsets.UTF_8)) + "." + parts[2];
    HttpResponse<String> r = submit(housing, hub, forged);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(422);
    assertThat(r.body()).contains("SUBMISSION_BAD_SIGNATURE");
    // unsigned (alg none)
    String none = Base64.getUrlEncoder().withoutPadding().encodeToString(
        ("{\"alg\":\"none\",\"typ\":\"" + CatalogSubmission.TOKEN_TYPE + "\"}").getBytes(StandardCharsets.UTF_8))
        + "." + parts[1] + ".";
    assertThat(submit(housing, hub, none).body()).contains("SUBMISSION_MALFORMED");
    assertThat(submit(housing, hub, "not a token").statusCode()).isEqualTo(400);
    // a plain YAML body is not a signed submission
    HttpResponse<String> plain = housing.send(HttpRequest.newBuilder(TestHubCity.url(hub, "/v1/catalog/submissions"))
        .header("Content-Type", "application/yaml").POST(HttpRequest.BodyPublishers.ofString(newResource())).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(plain.statusCode()).isEqualTo(415);
    // signed long ago
    String old = CatalogSubmission.register(city.housing, newResource().getBytes(StandardCharsets.UTF_8),
        Instant.now().minus(Duration.ofHours(2)));
    assertThat(submit(housing, hub, old).body()).contains("SUBMISSION_EXPIRED");
    // replayed
    assertThat(submit(housing, hub, token).statusCode()).isEqualTo(201);
    HttpResponse<String> replay = submit(housing, hub, token);
    assertThat(replay.statusCode()).isEqualTo(409);
    assertThat(replay.body()).contains("SUBMISSION_REPLAYED");
    // oversized: refused before it is read
    assertThat(TestWait.rawTls(city, hub, "POST /v1/catalog/submissions HTTP/1.1\r\nHost: x\r\nContent-Type: application/jose"
        + "\r\nContent-Length: " + (io.shulian.hub.review.ReviewRoutes.MAX_BODY_BYTES + 1) + "\r\n\r\n"))
        .isEqualTo("HTTP/1.1 413 Request Entity Too Large");
    assertThat(HubApplicationsEndToEndTest.json(reviewer("GET", "/v1/admin/reviews")).get("submissions")).hasSize(1);
  }

  @Test
  void wrongCredentials_unknownIds_andPathTricks_refused() throws Exception {
    String id = submitted(city.housing, newResource());
    HttpClient housing = city.client(city.housing);
    // a department certificate is not an operator credential, and an operator token not a department's
    assertThat(HubApplicationsEndToEndTest.send(housing, hub, "GET", "/v1/admin/reviews", null).statusCode()).isEqualTo(401);
    assertThat(HubApplicationsEndToEndTest.send(housing, hub, "POST", "/v1/admin/reviews/" + id + "/approve", null)
        .statusCode()).isEqualTo(401);
    assertThat(operator(TestHubCity.OFFICER_TOKEN, "GET", "/v1/catalog/submissions", null).statusCode()).isEqualTo(401);
    assertThat(operator("wrong-token", "GET", "/v1/admin/reviews", null).statusCode()).isEqualTo(401);
    assertThat(operator(null, "POST", "/v1/admin/reviews/" + id + "/approve", null).statusCode()).isEqualTo(401);
    // unknown ids and path tricks: 404, nothing approved
    for (String p : List.of("/v1/admin/reviews/sub-00000000-0000-0000-0000-000000000000/approve",
        "/v1/admin/reviews/" + id + "%2F..%2F/approve", "/v1/admin/reviews/..%2F..%2Fbundle%2Fintl/approve",
        "/v1/admin/reviews/" + id + "/approve/x", "/v1/admin/reviews/" + id.toUpperCase(java.util.Locale.ROOT) + "/approve",
        "/v1/admin/reviews/" + id + "/publish")) {
      HttpResponse<String> r = reviewer("POST", p);
      assertThat(r.statusCode()).as(p + " " + r.body()).isEqualTo(404);
    }
    assertThat(reviewer("DELETE", "/v1/admin/reviews/" + id).statusCode()).isEqualTo(405);
    assertThat(operator(TestHubCity.REVIEWER_TOKEN, "POST", "/v1/admin/reviews/" + id + "/approve", "{}").statusCode())
        .isEqualTo(413);
    assertThat(served().version()).isEqualTo(1);
    assertThat(HubApplicationsEndToEndTest.json(reviewer("GET", "/v1/admin/reviews/" + id)).get("state").asText())
        .isEqualTo("pending");
  }

  @Test
  void staleSubmission_refusedClearly_andStaysPending() throws Exception {
    String first = submitted(city.housing, resource("housing.property-registry", city.housing.party(), "statistics"));
    String second = submitted(city.housing, resource("housing.property-registry", city.housing.party(),
        "housing-subsidy-review"));
    assertThat(reviewer("POST", "/v1/admin/reviews/" + first + "/approve").statusCode()).isEqualTo(200);
    long v = served().version();
    HttpResponse<String> stale = reviewer("POST", "/v1/admin/reviews/" + second + "/approve");
    assertThat(stale.statusCode()).as(stale.body()).isEqualTo(409);
    assertThat(stale.body()).contains("SUBMISSION_STALE");
    assertThat(served().version()).isEqualTo(v);
    JsonNode s = HubApplicationsEndToEndTest.json(reviewer("GET", "/v1/admin/reviews/" + second));
    assertThat(s.get("state").asText()).isEqualTo("pending");
    assertThat(s.get("approvable").asBoolean()).isFalse();
    assertThat(s.get("problems").toString()).contains("SUBMISSION_STALE");
  }

  @Test
  void approvalWhoseResultFailsValidation_partySuspended_refusedWithReasons_staysPending() throws Exception {
    String id = submitted(city.housing, newResource());
    HttpResponse<String> suspend = operator(TestHubCity.OFFICER_TOKEN, "POST", "/v1/admin/actions",
        "{\"kind\":\"suspend-party\",\"target\":\"" + city.housing.party() + "\",\"reason\":\"incident\"}");
    assertThat(suspend.statusCode()).as(suspend.body()).isEqualTo(201);
    long v = served().version();
    HttpResponse<String> r = reviewer("POST", "/v1/admin/reviews/" + id + "/approve");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(422);
    assertThat(r.body()).contains("PARTY_SUSPENDED");
    assertThat(served().version()).isEqualTo(v);
    assertThat(catalog(served()).resource(NEW)).isEmpty();
    assertThat(HubApplicationsEndToEndTest.json(reviewer("GET", "/v1/admin/reviews/" + id)).get("state").asText())
        .isEqualTo("pending");
    // lifted: the same submission is approvable again
    long action = HubApplicationsEndToEndTest.json(suspend).get("id").asLong();
    assertThat(operator(TestHubCity.OFFICER_TOKEN, "DELETE", "/v1/admin/actions/" + action, "{\"reason\":\"done\"}")
        .statusCode()).isEqualTo(200);
    assertThat(reviewer("POST", "/v1/admin/reviews/" + id + "/approve").statusCode()).isEqualTo(200);
  }

  @Test
  void noSigningKey_approvalRefused_submissionStaysPending() throws Exception {
    hub.close();
    hub = city.startHub();
    String id = submitted(city.housing, newResource());
    HttpResponse<String> r = reviewer("POST", "/v1/admin/reviews/" + id + "/approve");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
    assertThat(r.body()).contains("NO_SIGNING_KEY");
    assertThat(HubApplicationsEndToEndTest.json(reviewer("GET", "/v1/admin/reviews/" + id)).get("state").asText())
        .isEqualTo("pending");
  }
}
