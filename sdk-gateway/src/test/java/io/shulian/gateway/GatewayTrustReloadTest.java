package io.shulian.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.keys.Suite;
import io.shulian.core.trust.CityAuthority;
import io.shulian.core.trust.CityBundle;
import io.shulian.core.trust.RevocationReason;
import io.shulian.gateway.authenticate.ApiKeys;
import io.shulian.gateway.config.ConfigLoader;
import java.io.RandomAccessFile;
import java.net.InetSocketAddress;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Gateways started from YAML under a city CA and bundle: a bundle file that cannot be read never
 * stops hot reload and shows in /readyz and the metrics; a revoked TLS certificate also ends the
 * keep-alive connections that were opened with it, inbound and pooled outbound.
 */
class GatewayTrustReloadTest {
  static final char[] PW = "test-only".toCharArray();
  static final Map<String, String> ENV = Map.of("SHULIAN_KEY_PASSWORD", "test-only");

  @TempDir Path dir;
  final List<AutoCloseable> closeables = new ArrayList<>();
  final HttpClient http = HttpClient.newHttpClient();
  final AtomicInteger backendCalls = new AtomicInteger();
  CityAuthority ca;
  PartyIdentity housing;
  PartyIdentity civil;
  int providerPort;

  @BeforeEach
  void city() throws Exception {
    ca = CityAuthority.init(Suite.INTL, "Test City Data Bureau", dir.resolve("ca"), PW, Duration.ofDays(3650), Clock.systemUTC());
    housing = ca.issue(GatewayEndToEndTest.HOUSING, true, Duration.ofDays(30));
    civil = ca.issue(GatewayEndToEndTest.CIVIL, true, Duration.ofDays(30));
    housing.store(dir.resolve("housing.p12"), PW);
    civil.store(dir.resolve("civil.p12"), PW);
    Files.writeString(dir.resolve("root.pem"), ca.rootPem());
    providerPort = GatewayBundleConfigTest.freePort();
    publish(1);
  }

  @AfterEach
  void tearDown() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
  }

  void publish(long version) throws Exception {
    publish(version, null);
  }

  /** Publishes bundle {@code version}, with {@code catalogJson} as its "catalog" extension if not null. */
  void publish(long version, String catalogJson) throws Exception {
    CityBundle.Draft d = CityBundle.draft();
    if (catalogJson != null) {
      d.extension("catalog", catalogJson);
    }
    String jws = d
        .version(version)
        .validity(Instant.now().minusSeconds(60), Instant.now().plus(Duration.ofDays(1)))
        .member(CityBundle.Member.of(housing.party(), "Housing bureau", URI.create("https://127.0.0.1:" + providerPort),
            housing.certificates()))
        .member(CityBundle.Member.of(civil.party(), "Civil affairs bureau", null, civil.certificates()))
        .caCertificate(ca.root())
        .crl(ca.crl(Duration.ofHours(24)))
        .sign(ca);
    Path tmp = dir.resolve("bundle.jws.tmp");
    Files.writeString(tmp, jws);
    Files.move(tmp, dir.resolve("bundle.jws"), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  Gateway consumer() throws Exception {
    Files.writeString(dir.resolve("consumer.yaml"), String.join("\n",
        "identity: { keystore: civil.p12 }",
        "trust: { root: root.pem, bundle: bundle.jws, bundleReload: 200ms }",
        "consumer:",
        "  listen: 127.0.0.1:0",
        "  apps: [ { name: portal, apiKeySha256: \"" + ApiKeys.hash("k") + "\" } ]",
        "  routes: [ { resource: HOUSING-001, provider: \"" + housing.party() + "\" } ]",
        "admin: { listen: 127.0.0.1:0 }",
        "runtime: { eventLoops: 1 }",
        "audit: { dir: audit-consumer }", ""));
    Gateway g = ConfigLoader.apply(ConfigLoader.load(dir.resolve("consumer.yaml"), ENV::get), new MemoryAuditor()).build().start();
    closeables.add(g);
    return g;
  }

  Gateway provider() throws Exception {
    HttpServer backend = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    backend.createContext("/", ex -> {
      backendCalls.incrementAndGet();
      byte[] b = "{\"ok\":true}".getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("Content-Type", "application/json");
      ex.sendResponseHeaders(200, b.length);
      ex.getResponseBody().write(b);
      ex.close();
    });
    backend.start();
    closeables.add(() -> backend.stop(0));
    Files.writeString(dir.resolve("provider.yaml"), String.join("\n",
        "identity: { keystore: housing.p12 }",
        "trust: { root: root.pem, bundle: bundle.jws, bundleReload: 200ms }",
        "provider:",
        "  listen: 127.0.0.1:" + providerPort,
        "  backends: [ { resource: HOUSING-001, url: \"http://127.0.0.1:" + backend.getAddress().getPort() + "/api\",",
        "    endpoints: [ { method: GET, path: \"/{name}\" } ] } ]",
        "  permissions: [ { consumer: \"" + civil.party() + "\", resource: HOUSING-001, purposes: [p] } ]",
        "admin: { listen: 127.0.0.1:0 }",
        "runtime: { eventLoops: 1 }",
        "audit: { dir: audit-provider }", ""));
    Gateway g = ConfigLoader.apply(ConfigLoader.load(dir.resolve("provider.yaml"), ENV::get), new MemoryAuditor()).build().start();
    closeables.add(g);
    return g;
  }

  HttpResponse<String> admin(Gateway g, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + g.address("admin").getPort() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> exchange(Gateway consumer) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + consumer.address("consumer").getPort()
        + "/exchange/HOUSING-001/x")).header("X-Api-Key", "k").header("X-Shulian-Purpose", "p").build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static double bundleVersion(Gateway g) {
    Gauge v = g.registry().find("shulian.bundle.version").gauge();
    return v == null ? Double.NaN : v.value();
  }

  static boolean within(Duration d, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + d.toNanos();
    while (System.nanoTime() < deadline) {
      if (condition.getAsBoolean()) {
        return true;
      }
      Thread.sleep(50);
    }
    return condition.getAsBoolean();
  }

  // ---- 6(c): an unreadable bundle file never stops hot reload ----

  @Test
  void reload_hugeBundleFile_reportedInReadyzAndMetrics_andTheNextValidBundleIsPickedUp() throws Exception {
    Gateway g = consumer();
    assertThat(bundleVersion(g)).isEqualTo(1.0);
    // a 3 GiB (sparse) file: reading it whole fails with OutOfMemoryError
    try (RandomAccessFile f = new RandomAccessFile(dir.resolve("bundle.jws").toFile(), "rw")) {
      f.setLength(3L << 30);
    }

    assertThat(within(Duration.ofSeconds(10), () -> {
      try {
        return admin(g, "/readyz").body().contains("bundle_reload");
      } catch (Exception e) {
        return false;
      }
    })).as("/readyz reports the failed reload").isTrue();
    HttpResponse<String> ready = admin(g, "/readyz");
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(ready.body()).contains("\"status\":\"READY\"").contains("larger than " + CityBundle.MAX_BUNDLE_BYTES);
    FunctionCounter failures = g.registry().find("shulian.bundle.reload.failures").tag("reason", "too_large").functionCounter();
    assertThat(failures).isNotNull();
    assertThat(failures.count()).isGreaterThanOrEqualTo(1.0);
    assertThat(admin(g, "/metrics").body()).contains("shulian_bundle_reload_failures_total{reason=\"too_large\"}");

    publish(2);

    assertThat(within(Duration.ofSeconds(10), () -> bundleVersion(g) == 2.0)).as("bundle v2 picked up").isTrue();
    assertThat(within(Duration.ofSeconds(5), () -> {
      try {
        return !admin(g, "/readyz").body().contains("bundle_reload");
      } catch (Exception e) {
        return false;
      }
    })).as("the warning clears once a bundle file is read again").isTrue();
  }

  @Test
  void reload_garbageBundleFile_reportedAndTheBundleHeldStaysInUse() throws Exception {
    Gateway g = consumer();
    Files.writeString(dir.resolve("bundle.jws"), "not a bundle");

    assertThat(within(Duration.ofSeconds(10), () -> {
      FunctionCounter c = g.registry().find("shulian.bundle.reload.failures").tag("reason", "malformed").functionCounter();
      return c != null && c.count() >= 1.0;
    })).isTrue();
    HttpResponse<String> ready = admin(g, "/readyz");
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(ready.body()).contains("bundle_reload");
    assertThat(bundleVersion(g)).isEqualTo(1.0);
  }

  @Test
  void reload_bundleWithInvalidCatalog_policyReloadFailureReported_andThePolicyInUseStays() throws Exception {
    com.fasterxml.jackson.databind.ObjectMapper yaml =
        new com.fasterxml.jackson.databind.ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory());
    Path examples = Path.of(System.getProperty("user.dir")).getParent().resolve("docs/examples");
    String catalog = new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(
        yaml.readTree(examples.resolve("catalog.yaml").toFile()));
    publish(1, catalog);
    Files.writeString(dir.resolve("provider.yaml"), String.join("\n",
        "identity: { keystore: housing.p12 }",
        "trust: { root: root.pem, bundle: bundle.jws, bundleReload: 200ms }",
        "provider:",
        "  listen: 127.0.0.1:0",
        "  backends: [ { resource: housing.property-registry, url: \"http://127.0.0.1:9/api\" } ]",
        "  policy: { fromBundle: true }",
        "admin: { listen: 127.0.0.1:0 }",
        "audit: { dir: audit-provider }", ""));
    Gateway p = ConfigLoader.apply(ConfigLoader.load(dir.resolve("provider.yaml"), ENV::get), new MemoryAuditor()).build().start();
    closeables.add(p);
    assertThat(admin(p, "/readyz").body()).doesNotContain("policy_reload");

    publish(2, "{\"version\":\"broken\",\"resources\":\"not a list\"}");

    assertThat(within(Duration.ofSeconds(10), () -> {
      try {
        return admin(p, "/readyz").body().contains("policy_reload");
      } catch (Exception e) {
        return false;
      }
    })).as("/readyz reports the failed policy reload").isTrue();
    assertThat(admin(p, "/readyz").statusCode()).isEqualTo(200);
    assertThat(p.registry().find("shulian.policy.reload.failures").tag("reason", "invalid").functionCounter().count())
        .isGreaterThanOrEqualTo(1.0);
    assertThat(bundleVersion(p)).isEqualTo(2.0);
  }

  // ---- revocation reaches established keep-alive connections ----

  @Test
  void revocation_consumerTlsCertificateRevoked_providerClosesItsEstablishedConnection() throws Exception {
    Gateway p = provider();
    Gateway c = consumer();
    assertThat(exchange(c).statusCode()).isEqualTo(200);
    int served = backendCalls.get();

    ca.revoke(civil.tlsCertificate().orElseThrow().certificate().getSerialNumber(), RevocationReason.KEY_COMPROMISE);
    publish(2);
    assertThat(within(Duration.ofSeconds(10), () -> bundleVersion(p) == 2.0 && bundleVersion(c) == 2.0)).isTrue();

    // the pooled connection opened with the now revoked certificate must not serve again
    assertThat(within(Duration.ofSeconds(10), () -> {
      try {
        return exchange(c).statusCode() != 200;
      } catch (Exception e) {
        return false;
      }
    })).as("an exchange over the revoked peer's connection is refused").isTrue();
    HttpResponse<String> r = exchange(c);
    assertThat(r.statusCode()).isEqualTo(502);
    int afterRevocation = backendCalls.get();
    assertThat(exchange(c).statusCode()).isEqualTo(502);
    assertThat(backendCalls.get()).isEqualTo(afterRevocation);
    assertThat(served).isEqualTo(1);
  }

  @Test
  void revocation_providerTlsCertificateRevoked_consumerClosesItsPooledConnection() throws Exception {
    provider();
    Gateway c = consumer();
    assertThat(exchange(c).statusCode()).isEqualTo(200);

    ca.revoke(housing.tlsCertificate().orElseThrow().certificate().getSerialNumber(), RevocationReason.KEY_COMPROMISE);
    publish(2);
    assertThat(within(Duration.ofSeconds(10), () -> bundleVersion(c) == 2.0)).isTrue();

    assertThat(within(Duration.ofSeconds(10), () -> {
      try {
        return exchange(c).statusCode() != 200;
      } catch (Exception e) {
        return false;
      }
    })).as("the consumer no longer uses its connection to the revoked provider").isTrue();
    int calls = backendCalls.get();
    HttpResponse<String> r = exchange(c);
    assertThat(r.statusCode()).isEqualTo(502);
    assertThat(r.body()).contains("PROVIDER_UNAVAILABLE");
    assertThat(backendCalls.get()).isEqualTo(calls);
  }
}
