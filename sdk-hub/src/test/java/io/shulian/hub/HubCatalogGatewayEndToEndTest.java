package io.shulian.hub;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.trust.CityBundle;
import io.shulian.gateway.Gateway;
import io.shulian.gateway.audit.ExchangeAuditor;
import io.shulian.gateway.audit.ExchangeEvent;
import io.shulian.gateway.authenticate.ApiKeys;
import io.shulian.gateway.config.ConfigLoader;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real gateways following a real hub, with the catalog and policies taken from the bundle: a
 * resource a department registers is served by the gateways once a reviewer approves it, and a
 * rejected one changes nothing.
 */
class HubCatalogGatewayEndToEndTest {
  static final String NEW = HubCatalogReviewEndToEndTest.NEW;
  static final String OTHER = "housing.heating-subsidy";
  static final Map<String, String> ENV = Map.of("SHULIAN_KEY_PASSWORD", "test-only", "SHULIAN_MASK_KEY", "0123456789abcdef-test");

  @TempDir Path dir;
  TestHubCity city;
  Hub hub;
  int providerPort;
  final List<AutoCloseable> closeables = new ArrayList<>();
  final HttpClient http = HttpClient.newHttpClient();
  final AtomicInteger backendCalls = new AtomicInteger();

  static final class NoAudit implements ExchangeAuditor {
    @Override
    public CompletableFuture<Void> record(ExchangeEvent event) {
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public boolean writable() {
      return true;
    }

    @Override
    public void close() {}
  }

  @BeforeEach
  void setUp() throws Exception {
    city = new TestHubCity(dir);
    try (ServerSocket s = new ServerSocket(0)) {
      providerPort = s.getLocalPort();
    }
    hub = city.startHub(HubCatalogReviewEndToEndTest.SIGNING);
    String v1 = bundle(1);
    Files.writeString(dir.resolve("v1.jws"), v1);
    assertThat(city.publish(hub, TestHubCity.OFFICER_TOKEN, v1).statusCode()).isEqualTo(201);
  }

  @AfterEach
  void tearDown() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
    hub.close();
  }

  /** The example catalog, every party, housing with its gateway's endpoint. */
  String bundle(long version) throws Exception {
    String catalog = HubApplicationsEndToEndTest.JSON.writeValueAsString(new com.fasterxml.jackson.databind.ObjectMapper(
        new com.fasterxml.jackson.dataformat.yaml.YAMLFactory()).readTree(Path.of("..", "docs", "examples", "catalog.yaml").toFile()));
    CityBundle.Draft d = CityBundle.draft().version(version)
        .validity(Instant.now().minusSeconds(60), Instant.now().plus(Duration.ofDays(1)))
        .member(CityBundle.Member.of(city.housing.party(), "Housing bureau", URI.create("https://127.0.0.1:" + providerPort),
            city.housing.certificates()))
        .member(CityBundle.Member.of(city.civil.party(), "Civil affairs bureau", null, city.civil.certificates()))
        .member(CityBundle.Member.of(city.hub.party(), "City hub", null, city.hub.certificates()));
    return d.caCertificate(city.ca.root()).crl(city.ca.crl(Duration.ofHours(24))).extension("catalog", catalog).sign(city.ca);
  }

  /**
   * Following the hub, with the default file poll interval: a pushed bundle — and the catalog and
   * policies it carries — must be in use within seconds, not at the next 30 s poll.
   */
  String trust() {
    return "trust: { root: root.pem, bundle: \"https://127.0.0.1:" + hub.address("hub").getPort()
        + "/v1/bundle/intl\", initialBundle: v1.jws, bundleReload: 30s }";
  }

  Gateway provider() throws Exception {
    HttpServer backend = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    backend.createContext("/", ex -> {
      backendCalls.incrementAndGet();
      byte[] b = "{\"amount\":1200}".getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("Content-Type", "application/json");
      ex.sendResponseHeaders(200, b.length);
      ex.getResponseBody().write(b);
      ex.close();
    });
    backend.start();
    closeables.add(() -> backend.stop(0));
    String url = "http://127.0.0.1:" + backend.getAddress().getPort() + "/api";
    Files.writeString(dir.resolve("provider.yaml"), String.join("\n",
        "identity: { keystore: housing.p12 }",
        trust(),
        "provider:",
        "  listen: 127.0.0.1:" + providerPort,
        "  backends: [ { resource: " + NEW + ", url: \"" + url + "\" }, { resource: " + OTHER + ", url: \"" + url + "\" } ]",
        "  policy: { fromBundle: true }",
        "admin: { listen: 127.0.0.1:0 }",
        "runtime: { eventLoops: 1 }",
        "audit: { dir: audit-provider }", ""));
    Gateway g = ConfigLoader.apply(ConfigLoader.load(dir.resolve("provider.yaml"), ENV::get), new NoAudit(), ENV::get)
        .build().start();
    closeables.add(g);
    return g;
  }

  Gateway consumer() throws Exception {
    Files.writeString(dir.resolve("consumer.yaml"), String.join("\n",
        "identity: { keystore: civil.p12 }",
        trust(),
        "consumer:",
        "  listen: 127.0.0.1:0",
        "  apps: [ { name: portal, apiKeySha256: \"" + ApiKeys.hash("k") + "\" } ]",
        "  routes: [ { resource: " + NEW + ", provider: \"" + city.housing.party() + "\" },",
        "            { resource: " + OTHER + ", provider: \"" + city.housing.party() + "\" } ]",
        "admin: { listen: 127.0.0.1:0 }",
        "runtime: { eventLoops: 1 }",
        "audit: { dir: audit-consumer }", ""));
    Gateway g = ConfigLoader.apply(ConfigLoader.load(dir.resolve("consumer.yaml"), ENV::get), new NoAudit(), ENV::get)
        .build().start();
    closeables.add(g);
    return g;
  }

  HttpResponse<String> exchange(Gateway consumer, String resource) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + consumer.address("consumer").getPort()
        + "/exchange/" + resource + "/110101199001011234")).header("X-Api-Key", "k")
        .header("X-Shulian-Purpose", "social-assistance-review").build(), HttpResponse.BodyHandlers.ofString());
  }

  String submit(PartyIdentity who, String code) throws Exception {
    HttpResponse<String> r = HubCatalogReviewEndToEndTest.submit(city.client(who), hub,
        HubCatalogReviewEndToEndTest.sign(who, HubCatalogReviewEndToEndTest.resource(code, who.party(), "social-assistance-review")));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return HubApplicationsEndToEndTest.json(r).get("id").asText();
  }

  HttpResponse<String> review(String id, String verb, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(TestHubCity.url(hub, "/v1/admin/reviews/" + id + "/" + verb))
        .header("Authorization", "Bearer " + TestHubCity.REVIEWER_TOKEN).timeout(Duration.ofSeconds(30));
    b.header("Content-Type", "application/json").POST(body == null ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofString(body));
    return city.client(null).send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void registeredResource_approved_isServedThroughTheGateways_rejectedOneStaysRefused() throws Exception {
    Gateway p = provider();
    Gateway c = consumer();
    HttpResponse<String> before = exchange(c, NEW);
    assertThat(before.statusCode()).as(before.body()).isNotEqualTo(200);
    assertThat(backendCalls.get()).isZero();

    String approved = submit(city.housing, NEW);
    String rejected = submit(city.housing, OTHER);
    assertThat(review(rejected, "reject", "{\"reason\":\"duplicate of the rental subsidy\"}").statusCode()).isEqualTo(200);
    HttpResponse<String> ok = review(approved, "approve", null);
    assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
    long version = HubApplicationsEndToEndTest.json(ok).get("bundleVersion").asLong();

    // pushed by the hub's long-poll to both gateways, which reload the catalog from the bundle
    assertThat(TestWait.within(Duration.ofSeconds(15), () -> {
      try {
        return exchange(c, NEW).statusCode() == 200;
      } catch (Exception e) {
        return false;
      }
    })).as("the consumer can call the approved resource").isTrue();
    HttpResponse<String> served = exchange(c, NEW);
    assertThat(served.body()).contains("1200");
    assertThat(HubGatewayEndToEndTest.bundleVersion(p)).isEqualTo((double) version);
    int calls = backendCalls.get();
    HttpResponse<String> still = exchange(c, OTHER);
    assertThat(still.statusCode()).as(still.body()).isNotEqualTo(200);
    assertThat(backendCalls.get()).isEqualTo(calls);
  }
}
