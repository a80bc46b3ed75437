package io.shulian.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.shulian.core.envelope.EnvelopeSealer;
import io.shulian.core.envelope.SealRequest;
import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.keys.Suite;
import io.shulian.core.trust.CityAuthority;
import io.shulian.core.trust.CityBundle;
import io.shulian.gateway.config.ConfigLoader;
import io.shulian.gateway.state.RedisServer;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stalled Redis (SIGSTOP: the connection stays open, nothing answers) must not stall the
 * gateway: the provider runs on ONE event loop here, and while an exchange waits for its replay
 * check, the same event loop still serves the admin listener and requests that need no shared
 * state; the waiting exchange is refused (503 STATE_UNAVAILABLE) when the state timeout passes.
 */
class SlowSharedStateEndToEndTest {
  static final Duration REDIS_TIMEOUT = Duration.ofSeconds(6);

  @TempDir Path dir;
  final List<AutoCloseable> closeables = new ArrayList<>();
  final AtomicInteger backendCalls = new AtomicInteger();
  final Map<String, String> env = Map.of("SHULIAN_KEY_PASSWORD", "test-only", "SHULIAN_MASK_KEY", "0123456789abcdef-test");
  PartyIdentity housing;
  PartyIdentity civil;
  RedisServer redis;
  Gateway provider;
  MemoryAuditor audit = new MemoryAuditor();
  HttpClient peer;
  HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeEach
  void start() throws Exception {
    redis = RedisServer.start(dir);
    closeables.add(redis);
    ScaleOutEndToEndTest.Department d = ScaleOutEndToEndTest.Department.write(dir);
    housing = d.housing();
    civil = d.civil();
    HttpServer backend = GatewayStateTest.fundBackend(backendCalls);
    closeables.add(() -> backend.stop(0));
    Files.writeString(dir.resolve("provider.yaml"), String.join("\n",
        "identity: { keystore: housing.p12 }",
        "trust: { root: root.pem, bundle: bundle.jws }",
        "provider:",
        "  listen: 127.0.0.1:0",
        "  backends: [ { resource: " + ScaleOutEndToEndTest.FUND + ", url: \"http://127.0.0.1:"
            + backend.getAddress().getPort() + "\" } ]",
        "  policy: { dir: policy }",
        "admin: { listen: 127.0.0.1:0 }",
        "runtime: { eventLoops: 1 }",
        "audit: { dir: audit }",
        "state: { redis: \"" + redis.uri() + "\", redisTimeout: " + REDIS_TIMEOUT.toSeconds() + "s }", ""));
    provider = ConfigLoader.apply(ConfigLoader.load(dir.resolve("provider.yaml"), env::get), audit, env::get)
        .build().start();
    closeables.add(provider);
    // the consumer department's gateway as the TLS client (its TLS key), the provider's certificate not checked here
    SSLContext tls = SSLContext.getInstance("TLSv1.3");
    tls.init(civil.tlsKeyManagerFactory().getKeyManagers(), new TrustManager[] {new TrustAll()}, null);
    peer = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(tls)
        .connectTimeout(Duration.ofSeconds(5)).build();
  }

  @AfterEach
  void stop() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      try {
        closeables.get(i).close();
      } catch (Exception e) {
        // the others are still closed
      }
    }
  }

  byte[] envelope() throws Exception {
    String req = "GET " + GatewayStateTest.FUND_TARGET + " HTTP/1.1\r\n\r\n";
    return EnvelopeSealer.builder(civil).build().seal(SealRequest.builder()
            .recipient(housing.encryptionCertificate()).resource(ScaleOutEndToEndTest.FUND)
            .purpose(ScaleOutEndToEndTest.PURPOSE).contentType("message/http").build(),
        req.getBytes(StandardCharsets.US_ASCII)).toByteArray();
  }

  CompletableFuture<HttpResponse<String>> post(String path, byte[] body, Duration timeout) {
    HttpRequest r = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + provider.address("provider").getPort() + path))
        .timeout(timeout).header("Content-Type", "application/jose").POST(HttpRequest.BodyPublishers.ofByteArray(body))
        .build();
    return peer.sendAsync(r, HttpResponse.BodyHandlers.ofString());
  }

  double replayCommands() {
    return provider.registry().get("shulian_state_redis_commands").tag("concern", "replay").functionCounter().count();
  }

  @Test
  void redisStalled_sameEventLoopStillServesOthers_waitingExchangeRefusedOnTimeout() throws Exception {
    HttpResponse<String> warm = post("/shulian/v1/exchange", envelope(), Duration.ofSeconds(30)).get(60, TimeUnit.SECONDS);
    assertThat(warm.statusCode()).as(warm.body()).isIn(200, 403); // served or denied by policy: Redis was asked
    double asked = replayCommands();

    redis.pause();
    CompletableFuture<HttpResponse<String>> waiting = post("/shulian/v1/exchange", envelope(), Duration.ofSeconds(60));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (replayCommands() == asked && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(replayCommands()).as("the exchange reached its replay check").isGreaterThan(asked);

    // the one event loop is free: the admin listener and a request needing no shared state are
    // answered while the exchange still waits for Redis (well within the state timeout)
    HttpResponse<String> health = plain.send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + provider.address("admin").getPort() + "/healthz"))
        .timeout(REDIS_TIMEOUT.dividedBy(2)).build(), HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> notFound = post("/nothing-here", new byte[] {1}, REDIS_TIMEOUT.dividedBy(2))
        .get(60, TimeUnit.SECONDS);
    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(notFound.statusCode()).isEqualTo(404);
    assertThat(waiting).as("the exchange still waits for Redis").isNotDone();

    HttpResponse<String> refused = waiting.get(60, TimeUnit.SECONDS);
    assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
    assertThat(refused.body()).contains("STATE_UNAVAILABLE").doesNotContain("balance");
    assertThat(audit.events).filteredOn(e -> e.status == 503)
        .singleElement().satisfies(e -> assertThat(e.outcome).isEqualTo("STATE_UNAVAILABLE"));

    redis.resume();
    HttpResponse<String> back;
    deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    do {
      back = post("/shulian/v1/exchange", envelope(), Duration.ofSeconds(30)).get(60, TimeUnit.SECONDS);
    } while (back.statusCode() == 503 && System.nanoTime() < deadline);
    assertThat(back.statusCode()).as(back.body()).isEqualTo(warm.statusCode());
  }

  /** Accepts any server certificate (the provider's identity is not what this test is about). */
  static final class TrustAll extends X509ExtendedTrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket s) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket s) {}

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine e) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine e) {}

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
