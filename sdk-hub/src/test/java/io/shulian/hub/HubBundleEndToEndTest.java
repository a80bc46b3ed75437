package io.shulian.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shulian.core.keys.Suite;
import io.shulian.core.trust.CityAuthority;
import io.shulian.core.trust.RevocationReason;
import java.net.http.HttpClient;
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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real hub on loopback with real TLS and its embedded H2 database. */
class HubBundleEndToEndTest {
  @TempDir Path dir;
  TestHubCity city;
  final List<AutoCloseable> closeables = new ArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    city = new TestHubCity(dir);
  }

  @AfterEach
  void tearDown() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
  }

  Hub hub(String... extra) throws Exception {
    Hub h = city.startHub(extra);
    closeables.add(h);
    return h;
  }

  HttpResponse<String> get(HttpClient c, Hub h, String path, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(TestHubCity.url(h, path)).timeout(Duration.ofSeconds(90));
    if (headers.length > 0) {
      b.headers(headers);
    }
    return c.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void publish_thenDepartmentGets_theSameBytesWithEtag_and304ForIt() throws Exception {
    Hub h = hub();
    String v1 = city.bundle(1);
    HttpResponse<String> p = city.publish(h, TestHubCity.OFFICER_TOKEN, v1);
    assertThat(p.statusCode()).as(p.body()).isEqualTo(201);
    assertThat(p.body()).contains("\"version\":1");

    HttpClient dept = city.client(city.housing);
    HttpResponse<String> r = get(dept, h, "/v1/bundle/intl");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo(v1);
    String etag = r.headers().firstValue("ETag").orElseThrow();
    assertThat(r.headers().firstValue("X-Shulian-Bundle-Version")).hasValue("1");

    assertThat(get(dept, h, "/v1/bundle/intl", "If-None-Match", etag).statusCode()).isEqualTo(304);
    assertThat(get(dept, h, "/v1/bundle/intl", "If-None-Match", "\"other\"").statusCode()).isEqualTo(200);
  }

  @Test
  void longPoll_wakesOnPublish_withTheNewBundle() throws Exception {
    Hub h = hub();
    assertThat(city.publish(h, TestHubCity.OFFICER_TOKEN, city.bundle(1)).statusCode()).isEqualTo(201);
    HttpClient dept = city.client(city.housing);
    CompletableFuture<HttpResponse<String>> poll = dept.sendAsync(
        HttpRequest.newBuilder(TestHubCity.url(h, "/v1/bundle/intl?after=1&wait=60s")).timeout(Duration.ofSeconds(90)).build(),
        HttpResponse.BodyHandlers.ofString());
    // parked, not answered: nothing newer than v1 yet
    assertThatThrownBy(() -> poll.get(1, TimeUnit.SECONDS)).isInstanceOf(TimeoutException.class);
    assertThat(h.registry().find("shulian.hub.longpolls").gauge().value()).isEqualTo(1.0);

    String v2 = city.bundle(2);
    assertThat(city.publish(h, TestHubCity.OFFICER_TOKEN, v2).statusCode()).isEqualTo(201);
    // answered by the publish, long before its 60 s wait ends
    HttpResponse<String> r = poll.get(30, TimeUnit.SECONDS);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo(v2);
    assertThat(h.registry().find("shulian.hub.longpolls").gauge().value()).isEqualTo(0.0);
  }

  @Test
  void longPoll_nothingNewer_answers304WhenTheWaitEnds() throws Exception {
    Hub h = hub();
    city.publish(h, TestHubCity.OFFICER_TOKEN, city.bundle(3));
    HttpClient dept = city.client(city.housing);
    HttpResponse<String> r = get(dept, h, "/v1/bundle/intl?after=3&wait=200ms");
    assertThat(r.statusCode()).isEqualTo(304);
    assertThat(r.headers().firstValue("X-Shulian-Bundle-Version")).hasValue("3");
    // an older client is answered at once
    assertThat(get(dept, h, "/v1/bundle/intl?after=1&wait=60s").statusCode()).isEqualTo(200);
  }

  @Test
  void longPoll_pastMaxWaiters_refused503WithRetryAfter() throws Exception {
    Path yaml = city.hubYaml();
    Files.writeString(yaml, Files.readString(yaml).replace("limits: { eventLoops: 1 }", "limits: { eventLoops: 1, maxWaiters: 1 }"));
    Hub h = Hub.load(yaml, TestHubCity.ENV::get).start();
    closeables.add(h);
    city.publish(h, TestHubCity.OFFICER_TOKEN, city.bundle(1));
    HttpClient dept = city.client(city.housing);
    CompletableFuture<HttpResponse<String>> first = dept.sendAsync(
        HttpRequest.newBuilder(TestHubCity.url(h, "/v1/bundle/intl?after=1&wait=60s")).build(), HttpResponse.BodyHandlers.ofString());
    Hub hh = h;
    assertThat(TestWait.within(Duration.ofSeconds(10), () -> hh.registry().find("shulian.hub.longpolls").gauge().value() == 1.0)).isTrue();
    HttpResponse<String> second = get(city.client(city.civil), h, "/v1/bundle/intl?after=1&wait=60s");
    assertThat(second.statusCode()).isEqualTo(503);
    assertThat(second.body()).contains("TOO_MANY_WAITERS");
    assertThat(second.headers().firstValue("Retry-After")).isPresent();
    city.publish(h, TestHubCity.OFFICER_TOKEN, city.bundle(2));
    assertThat(first.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
  }

  @Test
  void publish_olderOrEqualVersion_refused409_andNeverServed() throws Exception {
    Hub h = hub();
    String v5 = city.bundle(5);
    assertThat(city.publish(h, TestHubCity.OFFICER_TOKEN, v5).statusCode()).isEqualTo(201);
    HttpResponse<String> older = city.publish(h, TestHubCity.OFFICER_TOKEN, city.bundle(4));
    assertThat(older.statusCode()).isEqualTo(409);
    assertThat(older.body()).contains("BUNDLE_NOT_NEWER").startsWith("{");
    assertThat(older.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    // the same version with other content
    assertThat(city.publish(h, TestHubCity.OFFICER_TOKEN, city.bundle(5)).statusCode()).isEqualTo(409);
    assertThat(get(city.client(city.housing), h, "/v1/bundle/intl").body()).isEqualTo(v5);
  }

  @Test
  void publish_unsignedGarbageOrWrongRoot_refused422_andNeverServed() throws Exception {
    Hub h = hub();
    String v1 = city.bundle(1);
    city.publish(h, TestHubCity.OFFICER_TOKEN, v1);
    CityAuthority other = CityAuthority.init(Suite.INTL, "Another City", dir.resolve("other-ca"), TestHubCity.PW,
        Duration.ofDays(365), Clock.systemUTC());
    String foreign = TestHubCity.bundle(other, 9, city.hub);
    String[] parts = city.bundle(8).split("\\.");
    String unsigned = parts[0] + "." + parts[1] + ".";
    String tampered = parts[0] + "." + parts[1] + "." + new StringBuilder(parts[2]).reverse();
    for (String bad : List.of(foreign, unsigned, tampered, "not a bundle", "")) {
      HttpResponse<String> r = city.publish(h, TestHubCity.OFFICER_TOKEN, bad);
      assertThat(r.statusCode()).as(bad).isEqualTo(422);
      assertThat(r.body()).contains("BUNDLE_INVALID");
    }
    assertThat(get(city.client(city.housing), h, "/v1/bundle/intl").body()).isEqualTo(v1);
    assertThat(h.registry().find("shulian.hub.bundle.version").gauge().value()).isEqualTo(1.0);
  }

  @Test
  void publish_expiredBundle_refused422() throws Exception {
    Hub h = hub();
    String expired = io.shulian.core.trust.CityBundle.draft().version(3)
        .validity(java.time.Instant.now().minus(Duration.ofDays(2)), java.time.Instant.now().minus(Duration.ofDays(1)))
        .caCertificate(city.ca.root()).crl(city.ca.crl(Duration.ofHours(24))).sign(city.ca);
    HttpResponse<String> r = city.publish(h, TestHubCity.OFFICER_TOKEN, expired);
    assertThat(r.statusCode()).isEqualTo(422);
  }

  @Test
  void publish_withoutTokenWrongTokenOrReviewerRole_refused_andNothingPublished() throws Exception {
    Hub h = hub();
    String v1 = city.bundle(1);
    assertThat(city.publish(h, TestHubCity.OFFICER_TOKEN, v1).statusCode()).isEqualTo(201);
    String v2 = city.bundle(2);
    assertThat(city.publish(h, null, v2).statusCode()).isEqualTo(401);
    assertThat(city.publish(h, "wrong-token", v2).statusCode()).isEqualTo(401);
    HttpResponse<String> reviewer = city.publish(h, TestHubCity.REVIEWER_TOKEN, v2);
    assertThat(reviewer.statusCode()).isEqualTo(403);
    assertThat(reviewer.body()).contains("ROLE_NOT_ALLOWED");
    // a department's TLS certificate is not an operator credential
    HttpResponse<String> dept = city.client(city.housing).send(HttpRequest.newBuilder(TestHubCity.url(h, "/v1/admin/bundle/intl"))
        .POST(HttpRequest.BodyPublishers.ofString(v2)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(dept.statusCode()).isEqualTo(401);
    assertThat(get(city.client(city.housing), h, "/v1/bundle/intl").body()).isEqualTo(v1);
  }

  @Test
  void noBundlePublishedYet_departmentCertificatesRefused_operatorsSee404() throws Exception {
    Hub h = hub();
    // with no bundle there is no CRL to check a client certificate against: fail closed
    assertThatThrownBy(() -> get(city.client(city.housing), h, "/v1/bundle/intl")).isInstanceOf(java.io.IOException.class);
    HttpResponse<String> r = get(city.client(null), h, "/v1/bundle/intl", "Authorization", "Bearer " + TestHubCity.OFFICER_TOKEN);
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(r.body()).contains("NO_BUNDLE");
  }

  @Test
  void getBundle_withoutCertificateOrToken_refused401_operatorTokenAccepted() throws Exception {
    Hub h = hub();
    city.publish(h, TestHubCity.OFFICER_TOKEN, city.bundle(1));
    HttpResponse<String> anon = get(city.client(null), h, "/v1/bundle/intl");
    assertThat(anon.statusCode()).isEqualTo(401);
    assertThat(anon.body()).contains("UNAUTHENTICATED");
    assertThat(get(city.client(null), h, "/v1/bundle/intl", "Authorization", "Bearer " + TestHubCity.REVIEWER_TOKEN)
        .statusCode()).isEqualTo(200);
  }

  @Test
  void revokedDepartment_refusedByTheHubAfterThePublishThatRevokesIt() throws Exception {
    Hub h = hub();
    city.publish(h, TestHubCity.OFFICER_TOKEN, city.bundle(1));
    assertThat(get(city.client(city.civil), h, "/v1/bundle/intl").statusCode()).isEqualTo(200);
    city.ca.revoke(city.civil.tlsCertificate().orElseThrow().certificate().getSerialNumber(), RevocationReason.KEY_COMPROMISE);
    assertThat(city.publish(h, TestHubCity.OFFICER_TOKEN, city.bundle(2)).statusCode()).isEqualTo(201);
    // a new connection fails the handshake
    HttpClient fresh = city.client(city.civil);
    assertThatThrownBy(() -> get(fresh, h, "/v1/bundle/intl")).isInstanceOf(java.io.IOException.class);
    assertThat(get(city.client(city.housing), h, "/v1/bundle/intl").statusCode()).isEqualTo(200);
  }

  @Test
  void badRequests_getProblemJson_andChangeNothing() throws Exception {
    Hub h = hub();
    String v1 = city.bundle(1);
    city.publish(h, TestHubCity.OFFICER_TOKEN, v1);
    HttpClient dept = city.client(city.housing);
    for (String q : List.of("?after=x", "?after=-5", "?wait=5s", "?after=1&wait=61s", "?after=1&wait=soon",
        "?after=1&after=2", "?after=99999999999999999999")) {
      HttpResponse<String> r = get(dept, h, "/v1/bundle/intl" + q);
      assertThat(r.statusCode()).as(q).isEqualTo(400);
      assertThat(r.body()).as(q).contains("BAD_QUERY");
    }
    assertThat(get(dept, h, "/v1/bundle/sm9").statusCode()).isEqualTo(404);
    assertThat(get(dept, h, "/v1/nothing").statusCode()).isEqualTo(404);
    HttpResponse<String> put = dept.send(HttpRequest.newBuilder(TestHubCity.url(h, "/v1/bundle/intl"))
        .PUT(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(put.statusCode()).isEqualTo(405);
    assertThat(put.headers().firstValue("Allow")).hasValue("GET");
    assertThat(get(dept, h, "/v1/bundle/intl").body()).isEqualTo(v1);
  }

  @Test
  void oversizedOrUnexpectedBodies_refused413_beforeBeingRead() throws Exception {
    Hub h = hub();
    city.publish(h, TestHubCity.OFFICER_TOKEN, city.bundle(1));
    String big = "POST /v1/admin/bundle/intl HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + TestHubCity.OFFICER_TOKEN
        + "\r\nContent-Length: " + (io.shulian.core.trust.CityBundle.MAX_BUNDLE_BYTES + 1) + "\r\n\r\n";
    assertThat(TestWait.rawTls(city, h, big)).isEqualTo("HTTP/1.1 413 Request Entity Too Large");
    // a GET takes no body at all
    assertThat(TestWait.rawTls(city, h, "GET /v1/bundle/intl HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\nx"))
        .isEqualTo("HTTP/1.1 413 Request Entity Too Large");
    assertThat(h.registry().find("shulian.hub.bundle.version").gauge().value()).isEqualTo(1.0);
  }

  @Test
  void oversizedHeaders_andMalformedRequestLine_refused_overRawTls() throws Exception {
    Hub h = hub();
    city.publish(h, TestHubCity.OFFICER_TOKEN, city.bundle(1));
    String longHeader = "GET /v1/bundle/intl HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(20_000) + "\r\n\r\n";
    assertThat(TestWait.rawTls(city, h, longHeader)).startsWith("HTTP/1.1 4");
    assertThat(TestWait.rawTls(city, h, "NOT HTTP AT ALL\r\n\r\n")).startsWith("HTTP/1.1 400");
    // a second request pipelined behind a parked long-poll is refused, not answered out of order
    assertThat(TestWait.rawTls(city, h, "GET /v1/bundle/intl?after=1&wait=60s HTTP/1.1\r\nHost: x\r\n\r\n"
        + "GET /v1/bundle/intl HTTP/1.1\r\nHost: x\r\n\r\n")).isEqualTo("HTTP/1.1 400 Bad Request");
  }

  @Test
  void restart_servesTheBundlePublishedBefore_fromTheDatabase() throws Exception {
    Hub h = hub();
    String v7 = city.bundle(7);
    city.publish(h, TestHubCity.OFFICER_TOKEN, v7);
    h.close();
    closeables.remove(h);
    Hub again = Hub.load(dir.resolve("hub.yaml"), TestHubCity.ENV::get).start();
    closeables.add(again);
    HttpResponse<String> r = get(city.client(city.housing), again, "/v1/bundle/intl");
    assertThat(r.body()).isEqualTo(v7);
    assertThat(city.publish(again, TestHubCity.OFFICER_TOKEN, city.bundle(6)).statusCode()).isEqualTo(409);
    // the audit log recorded the publish and the refusal
    assertThat(Files.list(dir.resolve("hub-data/audit")).count()).isGreaterThan(0);
  }

  @Test
  void restart_withADamagedBundleRow_refusesToStart_ratherThanServeIt() throws Exception {
    Hub h = hub();
    city.publish(h, TestHubCity.OFFICER_TOKEN, city.bundle(1));
    h.close();
    closeables.remove(h);
    try (java.sql.Connection c = java.sql.DriverManager.getConnection(
        io.shulian.hub.store.HubStore.h2Url(dir.resolve("hub-data")))) {
      c.createStatement().executeUpdate("UPDATE bundle_versions SET bytes = X'2e2e'");
    }
    assertThatThrownBy(() -> Hub.load(dir.resolve("hub.yaml"), TestHubCity.ENV::get))
        .isInstanceOf(io.shulian.gateway.config.ConfigException.class)
        .hasMessageContaining("do not match their SHA-256");
  }

  @Test
  void adminListener_servesHealthReadinessAndMetrics() throws Exception {
    Hub h = hub();
    HttpClient plain = HttpClient.newHttpClient();
    String base = "http://127.0.0.1:" + h.address("admin").getPort();
    assertThat(plain.send(HttpRequest.newBuilder(java.net.URI.create(base + "/healthz")).build(),
        HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
    assertThat(plain.send(HttpRequest.newBuilder(java.net.URI.create(base + "/livez")).build(),
        HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
    HttpResponse<String> ready = plain.send(HttpRequest.newBuilder(java.net.URI.create(base + "/readyz")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
    city.publish(h, TestHubCity.OFFICER_TOKEN, city.bundle(1));
    assertThat(plain.send(HttpRequest.newBuilder(java.net.URI.create(base + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString()).body()).contains("shulian_hub_bundle_version{suite=\"intl\"} 1.0");
  }

  @Test
  void config_badValues_listedAndNothingOpened() throws Exception {
    Path yaml = city.hubYaml("database: { url: \"jdbc:mysql://x\" }");
    Files.writeString(yaml, Files.readString(yaml)
        .replace("role: reviewer", "role: admin")
        .replace("limits: { eventLoops: 1 }", "limits: { eventLoops: -1, maxWait: 5m }"));
    assertThatThrownBy(() -> Hub.load(yaml, TestHubCity.ENV::get))
        .isInstanceOf(io.shulian.gateway.config.ConfigException.class)
        .hasMessageContaining("database.url")
        .hasMessageContaining("operators[1]")
        .hasMessageContaining("limits.maxWait")
        .hasMessageContaining("limits.eventLoops");
    assertThat(Files.exists(dir.resolve("hub-data"))).isFalse();
    Files.writeString(yaml, "listen: [unclosed\n");
    assertThatThrownBy(() -> Hub.load(yaml, TestHubCity.ENV::get))
        .isInstanceOf(io.shulian.gateway.config.ConfigException.class);
  }
}
