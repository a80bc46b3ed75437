package io.shulian.hub;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.Gauge;
import io.shulian.core.trust.CityBundle;
import io.shulian.core.trust.RevocationReason;
import io.shulian.gateway.Gateway;
import io.shulian.gateway.audit.ExchangeAuditor;
import io.shulian.gateway.audit.ExchangeEvent;
import io.shulian.gateway.authenticate.ApiKeys;
import io.shulian.gateway.config.ConfigException;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real gateways that take their city bundle from a real hub ({@code trust.bundle: https://…}):
 * a publish reaches them within seconds, and a gateway restarted while the hub is down starts
 * from the last bundle it accepted.
 */
class HubGatewayEndToEndTest {
  @TempDir Path dir;
  TestHubCity city;
  Hub hub;
  int providerPort;
  final List<AutoCloseable> closeables = new ArrayList<>();
  final HttpClient http = HttpClient.newHttpClient();
  final AtomicInteger backendCalls = new AtomicInteger();

  /** Accepts every record (these tests are about trust, not audit). */
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
    hub = city.startHub();
    Files.writeString(dir.resolve("v1.jws"), bundle(1));
    assertThat(city.publish(hub, TestHubCity.OFFICER_TOKEN, bundle(1)).statusCode()).isEqualTo(201);
  }

  @AfterEach
  void tearDown() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
    if (hub != null) {
      hub.close();
    }
  }

  String bundle(long version) throws Exception {
    CityBundle.Draft d = CityBundle.draft().version(version)
        .validity(Instant.now().minusSeconds(60), Instant.now().plus(Duration.ofDays(1)))
        .member(CityBundle.Member.of(city.housing.party(), "Housing bureau", URI.create("https://127.0.0.1:" + providerPort),
            city.housing.certificates()))
        .member(CityBundle.Member.of(city.civil.party(), "Civil affairs bureau", null, city.civil.certificates()))
        .member(CityBundle.Member.of(city.hub.party(), "City hub", null, city.hub.certificates()));
    return d.caCertificate(city.ca.root()).crl(city.ca.crl(Duration.ofHours(24))).sign(city.ca);
  }

  String hubUrl() {
    return "https://127.0.0.1:" + hub.address("hub").getPort() + "/v1/bundle/intl";
  }

  Path consumerYaml(String bundleUrl) throws Exception {
    Path p = dir.resolve("consumer.yaml");
    Files.writeString(p, String.join("\n",
        "identity: { keystore: civil.p12 }",
        "trust: { root: root.pem, bundle: \"" + bundleUrl + "\", initialBundle: v1.jws, bundleReload: 200ms }",
        "consumer:",
        "  listen: 127.0.0.1:0",
        "  apps: [ { name: portal, apiKeySha256: \"" + ApiKeys.hash("k") + "\" } ]",
        "  routes: [ { resource: HOUSING-001, provider: \"" + city.housing.party() + "\" } ]",
        "admin: { listen: 127.0.0.1:0 }",
        "runtime: { eventLoops: 1 }",
        "audit: { dir: audit-consumer }", ""));
    return p;
  }

  Gateway consumer() throws Exception {
    Gateway g = ConfigLoader.apply(ConfigLoader.load(consumerYaml(hubUrl()), TestHubCity.ENV::get), new NoAudit()).build().start();
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
        "trust: { root: root.pem, bundle: \"" + hubUrl() + "\", initialBundle: v1.jws, bundleReload: 200ms }",
        "provider:",
        "  listen: 127.0.0.1:" + providerPort,
        "  backends: [ { resource: HOUSING-001, url: \"http://127.0.0.1:" + backend.getAddress().getPort() + "/api\",",
        "    endpoints: [ { method: GET, path: \"/{name}\" } ] } ]",
        "  permissions: [ { consumer: \"" + city.civil.party() + "\", resource: HOUSING-001, purposes: [p] } ]",
        "admin: { listen: 127.0.0.1:0 }",
        "runtime: { eventLoops: 1 }",
        "audit: { dir: audit-provider }", ""));
    Gateway g = ConfigLoader.apply(ConfigLoader.load(dir.resolve("provider.yaml"), TestHubCity.ENV::get), new NoAudit())
        .build().start();
    closeables.add(g);
    return g;
  }

  HttpResponse<String> exchange(Gateway consumer) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + consumer.address("consumer").getPort()
        + "/exchange/HOUSING-001/x")).header("X-Api-Key", "k").header("X-Shulian-Purpose", "p").build(),
        HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> admin(Gateway g, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + g.address("admin").getPort() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static double bundleVersion(Gateway g) {
    Gauge v = g.registry().find("shulian.bundle.version").gauge();
    return v == null ? Double.NaN : v.value();
  }

  @Test
  void hubPublish_reachesTheGateways_andANewlyRevokedConsumerIsRefused() throws Exception {
    Gateway p = provider();
    Gateway c = consumer();
    assertThat(exchange(c).statusCode()).isEqualTo(200);
    int served = backendCalls.get();

    city.ca.revoke(city.civil.tlsCertificate().orElseThrow().certificate().getSerialNumber(), RevocationReason.KEY_COMPROMISE);
    assertThat(city.publish(hub, TestHubCity.OFFICER_TOKEN, bundle(2)).statusCode()).isEqualTo(201);

    // pushed by the long-poll (no file, no reload interval): both gateways hold v2 within seconds
    assertThat(TestWait.within(Duration.ofSeconds(10), () -> bundleVersion(p) == 2.0 && bundleVersion(c) == 2.0)).isTrue();
    assertThat(TestWait.within(Duration.ofSeconds(10), () -> {
      try {
        return exchange(c).statusCode() != 200;
      } catch (Exception e) {
        return false;
      }
    })).as("the provider refuses the revoked consumer").isTrue();
    assertThat(exchange(c).statusCode()).isEqualTo(502);
    assertThat(backendCalls.get()).isEqualTo(served);
  }

  @Test
  void restart_whileTheHubIsDown_startsFromTheLastBundleAcceptedFromIt() throws Exception {
    Gateway c = consumer();
    assertThat(city.publish(hub, TestHubCity.OFFICER_TOKEN, bundle(2)).statusCode()).isEqualTo(201);
    assertThat(TestWait.within(Duration.ofSeconds(10), () -> bundleVersion(c) == 2.0)).isTrue();
    c.close();
    closeables.remove(c);
    hub.close();
    hub = null;

    // initialBundle is still v1; the state directory has v2 from the hub
    Gateway again = ConfigLoader.apply(ConfigLoader.load(dir.resolve("consumer.yaml"), TestHubCity.ENV::get), new NoAudit())
        .build().start();
    closeables.add(again);
    assertThat(bundleVersion(again)).isEqualTo(2.0);
    assertThat(TestWait.within(Duration.ofSeconds(10), () -> {
      try {
        return admin(again, "/readyz").body().contains("bundle_hub");
      } catch (Exception e) {
        return false;
      }
    })).as("/readyz warns that the hub cannot be reached").isTrue();
    HttpResponse<String> ready = admin(again, "/readyz");
    assertThat(ready.statusCode()).as("still ready: the bundle held is within its validity").isEqualTo(200);
  }

  @Test
  void config_hubUrl_plainHttpOrNoInitialBundle_refusedWithReasons() throws Exception {
    Path yaml = consumerYaml("http://127.0.0.1:1/v1/bundle/intl");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> ConfigLoader.load(yaml, TestHubCity.ENV::get))
        .isInstanceOf(ConfigException.class).hasMessageContaining("plain http is refused");
    Files.writeString(yaml, Files.readString(consumerYaml(hubUrl())).replace(", initialBundle: v1.jws", ""));
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> ConfigLoader.load(yaml, TestHubCity.ENV::get))
        .isInstanceOf(ConfigException.class).hasMessageContaining("trust.initialBundle: required");
    // initialBundle with a bundle file is a mistake, not silently ignored
    Files.writeString(yaml, Files.readString(consumerYaml(hubUrl())).replace("bundle: \"" + hubUrl() + "\"", "bundle: v1.jws"));
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> ConfigLoader.load(yaml, TestHubCity.ENV::get))
        .isInstanceOf(ConfigException.class).hasMessageContaining("trust.initialBundle: only used");
  }

  @Test
  void everyBundleFromTheHub_isSavedAsTheLastGood_inTheStateDirectory() throws Exception {
    Gateway c = consumer();
    String v3 = bundle(3);
    assertThat(city.publish(hub, TestHubCity.OFFICER_TOKEN, v3).statusCode()).isEqualTo(201);
    assertThat(TestWait.within(Duration.ofSeconds(10), () -> bundleVersion(c) == 3.0)).isTrue();
    Path lastGood = dir.resolve("audit-consumer-state/hub-bundle.jws");
    assertThat(TestWait.within(Duration.ofSeconds(5), () -> {
      try {
        return Files.exists(lastGood) && Files.readString(lastGood).equals(v3);
      } catch (java.io.IOException e) {
        return false;
      }
    })).as("saved after it was accepted").isTrue();
  }
}
