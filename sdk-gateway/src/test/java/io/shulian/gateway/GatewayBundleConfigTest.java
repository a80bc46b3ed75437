package io.shulian.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.shulian.core.keys.KeyUse;
import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.keys.Suite;
import io.shulian.core.trust.CityAuthority;
import io.shulian.core.trust.CityBundle;
import io.shulian.core.trust.RevocationReason;
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
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Gateways started from YAML with a city CA and a signed city bundle; revocation by bundle hot reload. */
class GatewayBundleConfigTest {
  @TempDir Path dir;

  static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  static String bundle(CityAuthority ca, long version, PartyIdentity housing, PartyIdentity civil, int providerPort) throws Exception {
    return CityBundle.draft()
        .version(version)
        .validity(Instant.now().minusSeconds(60), Instant.now().plus(Duration.ofDays(1)))
        .member(CityBundle.Member.of(housing.party(), "Housing bureau", URI.create("https://127.0.0.1:" + providerPort),
            housing.certificates()))
        .member(CityBundle.Member.of(civil.party(), "Civil affairs bureau", null, civil.certificates()))
        .caCertificate(ca.root())
        .crl(ca.crl(Duration.ofHours(24)))
        .sign(ca);
  }

  /** A started department system on loopback answering every request {@code {"ok":true}}. */
  static HttpServer okBackend() throws java.io.IOException {
    HttpServer backend = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    backend.createContext("/", ex -> {
      byte[] b = "{\"ok\":true}".getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("Content-Type", "application/json");
      ex.sendResponseHeaders(200, b.length);
      ex.getResponseBody().write(b);
      ex.close();
    });
    backend.start();
    return backend;
  }

  @Test
  void gatewaysFromConfig_exchangeUnderCityTrust_andRevokedSenderIsRefusedAfterReload() throws Exception {
    char[] pw = "test-only".toCharArray();
    CityAuthority ca = CityAuthority.init(Suite.INTL, "Test City Data Bureau", dir.resolve("ca"), pw,
        Duration.ofDays(3650), Clock.systemUTC());
    PartyIdentity housing = ca.issue(GatewayEndToEndTest.HOUSING, true, Duration.ofDays(30));
    PartyIdentity civil = ca.issue(GatewayEndToEndTest.CIVIL, true, Duration.ofDays(30));
    housing.store(dir.resolve("housing.p12"), pw);
    civil.store(dir.resolve("civil.p12"), pw);
    Files.writeString(dir.resolve("root.pem"), ca.rootPem());
    int providerPort = freePort();
    Files.writeString(dir.resolve("bundle.jws"), bundle(ca, 1, housing, civil, providerPort));

    HttpServer backend = okBackend();
    Files.writeString(dir.resolve("provider.yaml"), String.join("\n",
        "identity: { keystore: housing.p12 }",
        "trust: { root: root.pem, bundle: bundle.jws, bundleReload: 200ms }",
        "provider:",
        "  listen: 127.0.0.1:" + providerPort,
        "  backends: [ { resource: HOUSING-001, url: \"http://127.0.0.1:" + backend.getAddress().getPort() + "/api\","
            + " endpoints: [ { method: GET, path: \"/{id}\" } ] } ]",
        "  permissions: [ { consumer: \"" + civil.party() + "\", resource: HOUSING-001, purposes: [social-assistance-review] } ]",
        "audit: { dir: audit-provider }", ""));
    Files.writeString(dir.resolve("consumer.yaml"), String.join("\n",
        "identity: { keystore: civil.p12 }",
        "trust: { root: root.pem, bundle: bundle.jws, bundleReload: 200ms }",
        "consumer:",
        "  listen: 127.0.0.1:0",
        "  apps: [ { name: portal, apiKeySha256: \"" + ApiKeys.hash("k") + "\" } ]",
        "  routes: [ { resource: HOUSING-001, provider: \"" + housing.party() + "\" } ]",
        "audit: { dir: audit-consumer }", ""));
    Map<String, String> env = Map.of("SHULIAN_KEY_PASSWORD", "test-only");
    MemoryAuditor pa = new MemoryAuditor();
    try (Gateway provider = ConfigLoader.apply(ConfigLoader.load(dir.resolve("provider.yaml"), env::get), pa).build().start();
        Gateway consumer = ConfigLoader.apply(ConfigLoader.load(dir.resolve("consumer.yaml"), env::get), new MemoryAuditor()).build().start()) {
      HttpClient http = HttpClient.newHttpClient();
      HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + consumer.address("consumer").getPort()
          + "/exchange/HOUSING-001/x")).header("X-Api-Key", "k").header("X-Shulian-Purpose", "social-assistance-review").build();

      HttpResponse<String> ok = http.send(req, HttpResponse.BodyHandlers.ofString());
      assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
      assertThat(ok.body()).isEqualTo("{\"ok\":true}");

      // the bureau revokes the civil affairs signing key and publishes bundle v2
      ca.revoke(civil.signingCertificate().certificate().getSerialNumber(), RevocationReason.KEY_COMPROMISE);
      Files.writeString(dir.resolve("bundle.jws"), bundle(ca, 2, housing, civil, providerPort));
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      HttpResponse<String> refused = http.send(req, HttpResponse.BodyHandlers.ofString());
      while (refused.statusCode() == 200 && System.nanoTime() < deadline) {
        Thread.sleep(100);
        refused = http.send(req, HttpResponse.BodyHandlers.ofString());
      }
      assertThat(refused.statusCode()).isEqualTo(400);
      assertThat(refused.body()).contains("ENVELOPE_REJECTED");
      assertThat(pa.events.get(pa.events.size() - 1).reasons).containsExactly("UNTRUSTED_SENDER");
      assertThat(civil.signingCertificate().allows(KeyUse.SIGN)).isTrue();
    } finally {
      backend.stop(0);
    }
  }

  static final String CATALOG = "{\"version\": \"t-1\", \"purposes\": [{\"code\": \"social-assistance-review\", \"name\": \"S\"}],"
      + " \"resources\": [{\"code\": \"housing.records\", \"name\": \"R\", \"provider\": \"" + GatewayEndToEndTest.HOUSING + "\","
      + " \"sharing\": {\"type\": \"unconditional\"}, \"purposes\": [\"social-assistance-review\"],"
      + " \"fields\": [{\"name\": \"ok\", \"type\": \"boolean\", \"classification\": \"general\"}],"
      + " \"endpoints\": [{\"method\": \"GET\", \"path\": \"/{id}\"}]}]}";

  @Test
  void consumerWithBundleCatalog_refusesUndeclaredMethodsAndPathsItself() throws Exception {
    char[] pw = "test-only".toCharArray();
    CityAuthority ca = CityAuthority.init(Suite.INTL, "Test City Data Bureau", dir.resolve("ca"), pw,
        Duration.ofDays(3650), Clock.systemUTC());
    PartyIdentity housing = ca.issue(GatewayEndToEndTest.HOUSING, true, Duration.ofDays(30));
    PartyIdentity civil = ca.issue(GatewayEndToEndTest.CIVIL, true, Duration.ofDays(30));
    housing.store(dir.resolve("housing.p12"), pw);
    civil.store(dir.resolve("civil.p12"), pw);
    Files.writeString(dir.resolve("root.pem"), ca.rootPem());
    int providerPort = freePort();
    Files.writeString(dir.resolve("bundle.jws"), CityBundle.draft()
        .version(1)
        .validity(Instant.now().minusSeconds(60), Instant.now().plus(Duration.ofDays(1)))
        .member(CityBundle.Member.of(housing.party(), "Housing bureau", URI.create("https://127.0.0.1:" + providerPort),
            housing.certificates()))
        .member(CityBundle.Member.of(civil.party(), "Civil affairs bureau", null, civil.certificates()))
        .caCertificate(ca.root())
        .crl(ca.crl(Duration.ofHours(24)))
        .extension("catalog", CATALOG)
        .sign(ca));
    RecordingBackend backend = new RecordingBackend();
    Files.writeString(dir.resolve("provider.yaml"), String.join("\n",
        "identity: { keystore: housing.p12 }",
        "trust: { root: root.pem, bundle: bundle.jws }",
        "provider:",
        "  listen: 127.0.0.1:" + providerPort,
        "  backends: [ { resource: housing.records, url: \"http://127.0.0.1:" + backend.port() + "/api/housing\" } ]",
        "  policy: { fromBundle: true }",
        "audit: { dir: audit-provider }", ""));
    Files.writeString(dir.resolve("consumer.yaml"), String.join("\n",
        "identity: { keystore: civil.p12 }",
        "trust: { root: root.pem, bundle: bundle.jws }",
        "consumer:",
        "  listen: 127.0.0.1:0",
        "  apps: [ { name: portal, apiKeySha256: \"" + ApiKeys.hash("k") + "\" } ]",
        "  routes: [ { resource: housing.records, provider: \"" + housing.party() + "\" } ]",
        "audit: { dir: audit-consumer }", ""));
    Map<String, String> env = Map.of("SHULIAN_KEY_PASSWORD", "test-only", "SHULIAN_MASK_KEY", "0123456789abcdef-test");
    MemoryAuditor pa = new MemoryAuditor();
    MemoryAuditor ca2 = new MemoryAuditor();
    try (backend;
        Gateway provider = ConfigLoader.apply(ConfigLoader.load(dir.resolve("provider.yaml"), env::get), pa, env::get).build().start();
        Gateway consumer = ConfigLoader.apply(ConfigLoader.load(dir.resolve("consumer.yaml"), env::get), ca2, env::get).build().start()) {
      int port = consumer.address("consumer").getPort();
      String headers = "X-Api-Key: k\r\nX-Shulian-Purpose: social-assistance-review\r\n";

      String ok = NginxFrontEndToEndTest.raw(port, "GET", "/exchange/housing.records/7", headers);
      String delete = NginxFrontEndToEndTest.raw(port, "DELETE", "/exchange/housing.records/7", headers);
      String unknown = NginxFrontEndToEndTest.raw(port, "GET", "/exchange/housing.records/7/history", headers);

      assertThat(ok).startsWith("HTTP/1.1 200");
      assertThat(delete).startsWith("HTTP/1.1 405").containsIgnoringCase("allow: GET\r\n");
      assertThat(unknown).startsWith("HTTP/1.1 404").contains("UNKNOWN_ENDPOINT");
      // the two refusals never left the consumer gateway; each is in its audit log
      assertThat(pa.events).hasSize(1);
      assertThat(ca2.events).extracting(e -> e.outcome).containsExactly("OK", "METHOD_NOT_ALLOWED", "UNKNOWN_ENDPOINT");
      assertThat(backend.requestLines).containsExactly("GET /api/housing/7 HTTP/1.1");
    }
  }
}
