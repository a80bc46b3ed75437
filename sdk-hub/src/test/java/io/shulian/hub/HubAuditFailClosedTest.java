package io.shulian.hub;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hub's audit log broken mid-run (its current segment replaced by a directory) on a real hub:
 * every state change is refused with 503 AUDIT_UNAVAILABLE and the database is unchanged; readiness
 * fails and a metric counts; once the file is back the hub reopens the log and works again.
 */
class HubAuditFailClosedTest {
  @TempDir Path dir;
  TestHubCity city;
  Hub hub;
  Path segment;
  Path aside;

  @BeforeEach
  void setUp() throws Exception {
    city = new TestHubCity(dir);
    hub = city.startHub("signing: { intl: { ca: ca, passwordEnv: SHULIAN_KEY_PASSWORD } }");
    assertThat(city.publish(hub, TestHubCity.OFFICER_TOKEN, HubApplicationsEndToEndTest.catalogBundle(city, 1)).statusCode())
        .isEqualTo(201);
  }

  @AfterEach
  void tearDown() {
    if (hub != null) {
      hub.close();
    }
  }

  /** Replaces the audit log's current segment by a directory (the writer's file is moved aside). */
  void breakAudit() throws Exception {
    try (Stream<Path> s = Files.list(dir.resolve("hub-data/audit"))) {
      segment = s.filter(p -> p.getFileName().toString().matches("segment-.*\\.log")).sorted().reduce((a, b) -> b).orElseThrow();
    }
    aside = dir.resolve("segment-aside");
    Files.move(segment, aside);
    Files.createDirectory(segment);
  }

  void repairAudit() throws Exception {
    Files.delete(segment);
    Files.move(aside, segment);
    assertThat(TestWait.within(Duration.ofSeconds(20), () -> admin("/readyz").statusCode() == 200))
        .as("ready again once the log is writable").isTrue();
  }

  HttpResponse<String> admin(String path) {
    try {
      return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
          + hub.address("admin").getPort() + path)).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  HttpResponse<String> officer(String method, String path, String body) throws Exception {
    return city.client(null).send(HttpRequest.newBuilder(TestHubCity.url(hub, path)).timeout(Duration.ofSeconds(30))
        .header("Authorization", "Bearer " + TestHubCity.OFFICER_TOKEN)
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
        .build(), HttpResponse.BodyHandlers.ofString());
  }

  String newestVersion() throws Exception {
    return city.client(city.housing).send(HttpRequest.newBuilder(TestHubCity.url(hub, "/v1/bundle/intl")).build(),
        HttpResponse.BodyHandlers.ofString()).headers().firstValue("X-Shulian-Bundle-Version").orElseThrow();
  }

  void assertUnavailable(HttpResponse<String> r) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
    assertThat(r.body()).contains("AUDIT_UNAVAILABLE");
    HttpResponse<String> ready = admin("/readyz");
    assertThat(ready.statusCode()).isEqualTo(503);
    assertThat(ready.body()).contains("audit");
    assertThat(admin("/metrics").body()).containsPattern("shulian_hub_audit_failures_total(\\{[^}]*\\})? [1-9]");
  }

  String auditText() throws Exception {
    List<String> text = new ArrayList<>();
    try (Stream<Path> files = Files.walk(dir.resolve("hub-data/audit"))) {
      for (Path p : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
        text.add(new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1));
      }
    }
    return String.join("\n", text);
  }

  @Test
  void auditBrokenMidRun_publishRefused503_nothingStored_publishesAfterRepair() throws Exception {
    breakAudit();
    assertUnavailable(city.publish(hub, TestHubCity.OFFICER_TOKEN, HubApplicationsEndToEndTest.catalogBundle(city, 2)));
    assertThat(newestVersion()).isEqualTo("1");

    repairAudit();
    // version 2 was never stored: it is newer than everything published, not a repeat
    HttpResponse<String> again = city.publish(hub, TestHubCity.OFFICER_TOKEN, HubApplicationsEndToEndTest.catalogBundle(city, 2));
    assertThat(again.statusCode()).as(again.body()).isEqualTo(201);
    assertThat(newestVersion()).isEqualTo("2");
    hub.close();
    hub = null;
    // the reopened log holds the refusal's trace, and the hub opens on it again
    assertThat(auditText()).contains("NOT_COMMITTED");
    hub = Hub.load(city.hubYaml(), TestHubCity.ENV::get).start();
    assertThat(admin("/readyz").statusCode()).isEqualTo(200);
  }

  @Test
  void auditBrokenMidRun_actionRefused503_noActionNoBundle_takenAfterRepair() throws Exception {
    String suspend = "{\"kind\":\"suspend-party\",\"target\":\"" + TestHubCity.CIVIL + "\",\"reason\":\"incident 2026-17\"}";
    breakAudit();
    assertUnavailable(officer("POST", "/v1/admin/actions", suspend));
    assertThat(officer("GET", "/v1/admin/actions", null).body()).isEqualTo("{\"actions\":[]}");
    assertThat(newestVersion()).isEqualTo("1");

    repairAudit();
    HttpResponse<String> taken = officer("POST", "/v1/admin/actions", suspend);
    assertThat(taken.statusCode()).as(taken.body()).isEqualTo(201);
    assertThat(officer("GET", "/v1/admin/actions", null).body()).contains("suspend-party");
  }

  @Test
  void auditBrokenMidRun_applicationRefused503_noCase_appliesAfterRepair() throws Exception {
    HubApplicationsEndToEndTest apps = new HubApplicationsEndToEndTest();
    apps.from = java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    apps.until = apps.from.plus(Duration.ofDays(30));
    HttpClient civil = city.client(city.civil);
    breakAudit();
    assertUnavailable(HubApplicationsEndToEndTest.send(civil, hub, "POST", "/v1/applications", apps.fundApplication()));
    assertThat(HubApplicationsEndToEndTest.send(civil, hub, "GET", "/v1/applications", null).body())
        .isEqualTo("{\"applications\":[]}");

    repairAudit();
    HttpResponse<String> applied = HubApplicationsEndToEndTest.send(civil, hub, "POST", "/v1/applications", apps.fundApplication());
    assertThat(applied.statusCode()).as(applied.body()).isEqualTo(201);
    assertThat(HubApplicationsEndToEndTest.send(civil, hub, "GET", "/v1/applications", null).body()).contains("submitted");
  }

  @Test
  void auditBrokenMidRun_catalogSubmissionAndRejection_refused503_nothingStored_workAfterRepair() throws Exception {
    String yaml = HubCatalogReviewEndToEndTest.resource("housing.rental-subsidy", city.housing.party(), "social-assistance-review");
    breakAudit();
    assertUnavailable(HubCatalogReviewEndToEndTest.submit(city.client(city.housing), hub,
        HubCatalogReviewEndToEndTest.sign(city.housing, yaml)));
    assertThat(officer("GET", "/v1/admin/reviews", null).body()).doesNotContain("housing.rental-subsidy");

    repairAudit();
    HttpResponse<String> submitted = HubCatalogReviewEndToEndTest.submit(city.client(city.housing), hub,
        HubCatalogReviewEndToEndTest.sign(city.housing, yaml));
    assertThat(submitted.statusCode()).as(submitted.body()).isEqualTo(201);
    String id = com.fasterxml.jackson.databind.json.JsonMapper.builder().build().readTree(submitted.body()).path("id").asText();

    // a rejection while the log is broken changes nothing either: the submission stays pending
    breakAudit();
    assertUnavailable(officer("POST", "/v1/admin/reviews/" + id + "/reject", "{\"reason\":\"duplicate of an existing resource\"}"));
    assertThat(officer("GET", "/v1/admin/reviews/" + id, null).body()).contains("\"state\":\"pending\"");
    repairAudit();
    HttpResponse<String> rejected = officer("POST", "/v1/admin/reviews/" + id + "/reject",
        "{\"reason\":\"duplicate of an existing resource\"}");
    assertThat(rejected.statusCode()).as(rejected.body()).isEqualTo(200);
    assertThat(rejected.body()).contains("\"state\":\"rejected\"");
  }
}
