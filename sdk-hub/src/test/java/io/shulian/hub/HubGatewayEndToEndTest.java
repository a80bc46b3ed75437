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

  final java.util.Queue<ExchangeEvent> audited = new java.util.concurrent.ConcurrentLinkedQueue<>();

  /** Accepts every record and keeps it in {@link #audited}. */
  final class NoAudit implements ExchangeAuditor {
    @Override
    public CompletableFuture<Void> record(ExchangeEvent event) {
      audited.add(event);
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
    // the hub holds the bureau's bundle-signing key (the test CA) for its incident actions
    hub = city.startHub("signing: { intl: { ca: ca, passwordEnv: SHULIAN_KEY_PASSWORD } }");
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
    return consumerYamlWith("trust: { root: root.pem, bundle: \"" + bundleUrl + "\", initialBundle: v1.jws, bundleReload: 200ms }");
  }

  /** A consumer that keeps the bundle file v1.jws: it never learns of the hub's actions, the provider must refuse alone. */
  Gateway consumerWithoutHub() throws Exception {
    Gateway g = ConfigLoader.apply(ConfigLoader.load(consumerYamlWith("trust: { root: root.pem, bundle: v1.jws }"),
        TestHubCity.ENV::get), new NoAudit()).build().start();
    closeables.add(g);
    return g;
  }

  Path consumerYamlWith(String trustLine) throws Exception {
    Path p = dir.resolve("consumer.yaml");
    Files.writeString(p, String.join("\n",
        "identity: { keystore: civil.p12 }",
        trustLine,
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

    // pushed by the long-poll (no file, no reload interval): the provider holds v2 within seconds. The
    // revoked consumer may not: the hub checks client certificates against the newest CRL, so its
    // gateway gets v2 only if its long-poll was parked before the publish
    assertThat(TestWait.within(Duration.ofSeconds(10), () -> bundleVersion(p) == 2.0)).isTrue();
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
    // the last good bundle is written just after the swap: wait for it, or a quick close races the write
    Path lastGood = dir.resolve("audit-consumer-state/hub-bundle.jws");
    assertThat(TestWait.within(Duration.ofSeconds(30), () -> {
      try {
        return Files.exists(lastGood) && CityBundle.verify(Files.readAllBytes(lastGood), List.of(city.ca.root()),
            Instant.now(), Duration.ZERO).version() == 2;
      } catch (Exception e) {
        return false;
      }
    })).isTrue();
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
    assertThat(TestWait.within(Duration.ofSeconds(30), () -> {
      try {
        return Files.exists(lastGood) && Files.readString(lastGood).equals(v3);
      } catch (java.io.IOException e) {
        return false;
      }
    })).as("saved after it was accepted").isTrue();
  }

  // ---- incident actions (issue 15 item 4) ------------------------------------------------------

  HttpResponse<String> action(String token, String method, String path, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(TestHubCity.url(hub, path)).timeout(Duration.ofSeconds(30))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return hubClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpClient hubClient;

  HttpClient hubClient() throws Exception {
    if (hubClient == null) {
      hubClient = city.client(null);
    }
    return hubClient;
  }

  /** The backend is not reached by a refused exchange (after the refusal was first seen). */
  void refusedWithoutTheBackend(Gateway c, int status) throws Exception {
    int served = backendCalls.get();
    assertThat(exchange(c).statusCode()).isEqualTo(status);
    assertThat(backendCalls.get()).isEqualTo(served);
  }

  HttpResponse<String> take(String kind, String target) throws Exception {
    return action(TestHubCity.OFFICER_TOKEN, "POST", "/v1/admin/actions",
        "{\"kind\":\"" + kind + "\",\"target\":\"" + target + "\",\"reason\":\"incident 2026-17\"}");
  }

  static long field(HttpResponse<String> r, String name) throws Exception {
    return new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body()).path(name).asLong(-1);
  }

  boolean eventually(java.util.function.Predicate<HttpResponse<String>> ok, Gateway c) throws Exception {
    return TestWait.within(Duration.ofSeconds(10), () -> {
      try {
        return ok.test(exchange(c));
      } catch (Exception e) {
        return false;
      }
    });
  }

  boolean auditedWith(String code) {
    return audited.stream().anyMatch(e -> !e.permitted && (code.equals(e.outcome) || e.reasons.contains(code)));
  }

  @Test
  void suspendParty_throughTheHub_refusedWithinSeconds_auditedThenRestoredAfterLift() throws Exception {
    Gateway p = provider();
    Gateway c = consumer();
    assertThat(exchange(c).statusCode()).isEqualTo(200);

    HttpResponse<String> taken = take("suspend-party", city.civil.party().toString());
    assertThat(taken.statusCode()).as(taken.body()).isEqualTo(201);
    long v = field(taken, "bundleVersion");
    assertThat(v).isGreaterThan(1);
    assertThat(TestWait.within(Duration.ofSeconds(10), () -> bundleVersion(c) == v && bundleVersion(p) == v)).isTrue();
    assertThat(eventually(r -> r.statusCode() == 403 && r.body().contains("PARTY_SUSPENDED"), c)).isTrue();
    refusedWithoutTheBackend(c, 403);
    assertThat(auditedWith("PARTY_SUSPENDED")).as("the refusal is audited").isTrue();
    // the same action twice is refused and publishes nothing
    HttpResponse<String> again = take("suspend-party", city.civil.party().toString());
    assertThat(again.statusCode()).isEqualTo(409);
    assertThat(again.body()).contains("ACTION_IN_FORCE");

    HttpResponse<String> lifted = action(TestHubCity.OFFICER_TOKEN, "DELETE", "/v1/admin/actions/" + field(taken, "id"),
        "{\"reason\":\"system cleaned\"}");
    assertThat(lifted.statusCode()).as(lifted.body()).isEqualTo(200);
    assertThat(lifted.body()).contains("\"inForce\":false");
    assertThat(eventually(r -> r.statusCode() == 200, c)).as("restored after the lift").isTrue();
    assertThat(action(TestHubCity.REVIEWER_TOKEN, "GET", "/v1/admin/actions", null).body())
        .contains("suspend-party").contains("\"liftedBy\":\"alice\"");
  }

  @Test
  void suspendParty_providerRefusesTheEnvelopes_evenIfTheConsumerGatewayNeverLearnsOfIt() throws Exception {
    Gateway p = provider();
    Gateway c = consumerWithoutHub();
    assertThat(exchange(c).statusCode()).isEqualTo(200);
    HttpResponse<String> taken = take("suspend-party", city.civil.party().toString());
    assertThat(taken.statusCode()).as(taken.body()).isEqualTo(201);
    long v = field(taken, "bundleVersion");
    assertThat(TestWait.within(Duration.ofSeconds(10), () -> bundleVersion(p) == v)).isTrue();
    assertThat(eventually(r -> r.statusCode() == 403 && r.body().contains("PARTY_SUSPENDED"), c)).isTrue();
    refusedWithoutTheBackend(c, 403);
    assertThat(audited.stream().anyMatch(e -> !e.permitted && e.reasons.contains("PARTY_SUSPENDED")
        && e.sender.equals(city.civil.party().toString()))).isTrue();
  }

  @Test
  void suspendParty_providerClosesTheSuspendedPartysOpenConnection() throws Exception {
    provider();
    javax.net.ssl.SSLContext tls = io.shulian.gateway.authenticate.GatewayTls.jdkClient(city.civil,
        new io.shulian.gateway.authenticate.CityPeerVerifier(trustOfV1(), java.time.Clock.systemUTC()));
    try (javax.net.ssl.SSLSocket s = (javax.net.ssl.SSLSocket) tls.getSocketFactory().createSocket("127.0.0.1", providerPort)) {
      s.startHandshake();
      // a harmless request on the connection, so the provider has certainly accepted it as the civil party's
      s.getOutputStream().write("GET /nowhere HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
      byte[] buf = new byte[8192];
      s.setSoTimeout(10_000);
      assertThat(s.getInputStream().read(buf)).isPositive();
      HttpResponse<String> taken = take("suspend-party", city.civil.party().toString());
      assertThat(taken.statusCode()).as(taken.body()).isEqualTo(201);
      // the provider closes the connection when it swaps in the bundle (a timeout here fails the test)
      int n;
      do {
        n = s.getInputStream().read(buf);
      } while (n > 0);
      assertThat(n).isEqualTo(-1);
    }
  }

  io.shulian.core.trust.BundleHolder trustOfV1() throws Exception {
    io.shulian.core.trust.BundleHolder h = io.shulian.core.trust.BundleHolder.of(List.of(city.ca.root()));
    h.update(Files.readAllBytes(dir.resolve("v1.jws")));
    return h;
  }

  @Test
  void freezeResource_refusedByTheProvider_thenUnfrozen() throws Exception {
    Gateway p = provider();
    Gateway c = consumerWithoutHub();
    assertThat(exchange(c).statusCode()).isEqualTo(200);
    HttpResponse<String> taken = take("freeze-resource", "HOUSING-001");
    assertThat(taken.statusCode()).as(taken.body()).isEqualTo(201);
    assertThat(eventually(r -> r.statusCode() == 403 && r.body().contains("RESOURCE_FROZEN"), c)).isTrue();
    refusedWithoutTheBackend(c, 403);
    assertThat(auditedWith("RESOURCE_FROZEN")).isTrue();
    HttpResponse<String> lifted = action(TestHubCity.OFFICER_TOKEN, "DELETE", "/v1/admin/actions/" + field(taken, "id"),
        "{\"reason\":\"checked\"}");
    assertThat(lifted.statusCode()).as(lifted.body()).isEqualTo(200);
    assertThat(eventually(r -> r.statusCode() == 200, c)).isTrue();
    assertThat(bundleVersion(p)).isEqualTo((double) field(lifted, "liftedBundleVersion"));
  }

  @Test
  void emergencyCrl_throughTheHub_closesAndRefusesThePeer_andCannotBeLifted() throws Exception {
    Gateway p = provider();
    Gateway c = consumerWithoutHub();
    assertThat(exchange(c).statusCode()).isEqualTo(200);
    String serial = city.civil.tlsCertificate().orElseThrow().certificate().getSerialNumber().toString(16);
    HttpResponse<String> taken = take("revoke-cert", serial);
    assertThat(taken.statusCode()).as(taken.body()).isEqualTo(201);
    assertThat(eventually(r -> r.statusCode() != 200, c)).as("the provider refuses the revoked consumer").isTrue();
    refusedWithoutTheBackend(c, 502);
    HttpResponse<String> lift = action(TestHubCity.OFFICER_TOKEN, "DELETE", "/v1/admin/actions/" + field(taken, "id"),
        "{\"reason\":\"oops\"}");
    assertThat(lift.statusCode()).isEqualTo(409);
    assertThat(lift.body()).contains("NOT_LIFTABLE");
  }

  @Test
  void actions_wrongRole_unauthenticated_malformed_refusedAndChangeNothing() throws Exception {
    String party = city.civil.party().toString();
    String ok = "{\"kind\":\"suspend-party\",\"target\":\"" + party + "\",\"reason\":\"r\"}";
    assertThat(action(null, "POST", "/v1/admin/actions", ok).statusCode()).isEqualTo(401);
    assertThat(action("wrong-token", "POST", "/v1/admin/actions", ok).statusCode()).isEqualTo(401);
    HttpResponse<String> reviewer = action(TestHubCity.REVIEWER_TOKEN, "POST", "/v1/admin/actions", ok);
    assertThat(reviewer.statusCode()).isEqualTo(403);
    assertThat(reviewer.body()).contains("ROLE_NOT_ALLOWED");
    assertThat(action(TestHubCity.REVIEWER_TOKEN, "DELETE", "/v1/admin/actions/1", "{\"reason\":\"r\"}").statusCode())
        .isEqualTo(403);
    for (String bad : new String[] {"", "not json", "[]", "{\"kind\":\"suspend-party\"}",
        "{\"kind\":\"explode\",\"target\":\"x\",\"reason\":\"r\"}",
        "{\"kind\":\"suspend-party\",\"target\":\"" + party + "\",\"reason\":\"r\",\"extra\":1}",
        "{\"kind\":\"suspend-party\",\"target\":\"not-a-party\",\"reason\":\"r\"}",
        "{\"kind\":\"suspend-party\",\"target\":\"" + party + "\",\"reason\":\"\"}",
        "{\"kind\":\"suspend-party\",\"target\":\"" + party + "\",\"reason\":\"" + "x".repeat(201) + "\"}",
        "{\"kind\":\"suspend-party\",\"target\":\"" + party + "\",\"reason\":\"r\",\"kind\":\"freeze-resource\"}",
        "{\"kind\":\"freeze-resource\",\"target\":\"../etc\",\"reason\":\"r\"}",
        "{\"kind\":\"revoke-grant\",\"target\":\"no-issuer\",\"reason\":\"r\"}",
        "{\"kind\":\"revoke-cert\",\"target\":\"XYZ\",\"reason\":\"r\"}",
        "{\"kind\":\"suspend-party\",\"target\":\"" + party + "\",\"reason\":\"r\",\"suite\":\"rot13\"}"}) {
      HttpResponse<String> r = action(TestHubCity.OFFICER_TOKEN, "POST", "/v1/admin/actions", bad);
      assertThat(r.statusCode()).as(bad).isEqualTo(400);
      assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).contains("problem+json"));
    }
    // well-formed but impossible: a party not in the bundle, a certificate the CA never issued, a lift of nothing
    assertThat(take("suspend-party", TestHubCity.HUB.toString().replace("hub", "other")).statusCode()).isEqualTo(422);
    assertThat(take("revoke-cert", "abcdef0123").statusCode()).isEqualTo(422);
    assertThat(action(TestHubCity.OFFICER_TOKEN, "DELETE", "/v1/admin/actions/999", "{\"reason\":\"r\"}").statusCode())
        .isEqualTo(404);
    assertThat(action(TestHubCity.OFFICER_TOKEN, "DELETE", "/v1/admin/actions/abc", "{\"reason\":\"r\"}").statusCode())
        .isEqualTo(400);
    assertThat(action(TestHubCity.OFFICER_TOKEN, "POST", "/v1/admin/actions", "{\"reason\":\"" + "x".repeat(20_000) + "\"}")
        .statusCode()).isEqualTo(413);
    // nothing changed: still bundle v1, no action recorded
    HttpResponse<String> b = hubClient().send(HttpRequest.newBuilder(TestHubCity.url(hub, "/v1/bundle/intl"))
        .header("Authorization", "Bearer " + TestHubCity.REVIEWER_TOKEN).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(b.headers().firstValue("X-Shulian-Bundle-Version")).hasValue("1");
    assertThat(action(TestHubCity.REVIEWER_TOKEN, "GET", "/v1/admin/actions", null).body()).isEqualTo("{\"actions\":[]}");
  }

  @Test
  void action_whoseBundleCannotBeSigned_changesNothing() throws Exception {
    hubClient();
    Path state = dir.resolve("ca").resolve(io.shulian.core.trust.CityAuthority.STATE_JSON);
    byte[] good = Files.readAllBytes(state);
    Files.writeString(state, "{ damaged");
    HttpResponse<String> r = take("suspend-party", city.civil.party().toString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(422);
    assertThat(r.body()).contains("BUNDLE_NOT_SIGNED");
    assertThat(action(TestHubCity.REVIEWER_TOKEN, "GET", "/v1/admin/actions", null).body()).isEqualTo("{\"actions\":[]}");
    HttpResponse<String> b = hubClient().send(HttpRequest.newBuilder(TestHubCity.url(hub, "/v1/bundle/intl"))
        .header("Authorization", "Bearer " + TestHubCity.REVIEWER_TOKEN).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(b.headers().firstValue("X-Shulian-Bundle-Version")).hasValue("1");
    // repaired, the same action goes through
    Files.write(state, good);
    assertThat(take("suspend-party", city.civil.party().toString()).statusCode()).isEqualTo(201);
  }
}
