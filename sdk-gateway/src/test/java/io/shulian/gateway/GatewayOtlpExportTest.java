package io.shulian.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.sun.net.httpserver.HttpServer;
import io.shulian.core.keys.PartyCertificate;
import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.keys.Suite;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * {@code tracing.otlp} in the gateway configuration: two gateways built from YAML export their spans
 * over OTLP/HTTP to a real receiver on loopback, which decodes the protobuf export requests.
 */
class GatewayOtlpExportTest {
  static final String TOKEN = "Bearer otlp-secret-token-5f3a9c";
  static final String APP_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";

  @TempDir Path dir;
  final List<AutoCloseable> closeables = new ArrayList<>();
  final Map<String, String> env = Map.of("SHULIAN_KEY_PASSWORD", "test-only",
      "OTLP_HEADERS", "authorization=" + TOKEN.replace(" ", "%20"));
  PartyIdentity housing;
  PartyIdentity civil;
  Gateway consumer;
  Gateway provider;

  @AfterEach
  void tearDown() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
  }

  /** Starts a department system, a provider and a consumer gateway, both with {@code tracing}. */
  void startCity(String tracing) throws Exception {
    char[] pw = "test-only".toCharArray();
    housing = PartyIdentity.generateSelfSigned(Suite.INTL, GatewayEndToEndTest.HOUSING, Duration.ofDays(1));
    civil = PartyIdentity.generateSelfSigned(Suite.INTL, GatewayEndToEndTest.CIVIL, Duration.ofDays(1));
    housing.store(dir.resolve("housing.p12"), pw);
    civil.store(dir.resolve("civil.p12"), pw);
    Files.writeString(dir.resolve("housing.pem"), PartyCertificate.toPem(housing.certificates()));
    Files.writeString(dir.resolve("civil.pem"), PartyCertificate.toPem(civil.certificates()));
    HttpServer backend = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    backend.createContext("/api", ex -> {
      byte[] body = "{\"ok\":true}".getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("Content-Type", "application/json");
      ex.sendResponseHeaders(200, body.length);
      ex.getResponseBody().write(body);
      ex.close();
    });
    backend.start();
    closeables.add(() -> backend.stop(0));
    Files.writeString(dir.resolve("provider.yaml"), String.join("\n",
        "identity: { keystore: housing.p12 }",
        "trust: { certificates: [civil.pem] }",
        "provider:",
        "  listen: 127.0.0.1:0",
        "  backends: [ { resource: HOUSING-001, url: \"http://127.0.0.1:" + backend.getAddress().getPort() + "/api\",",
        "    endpoints: [ { method: GET, path: \"/{name}\" } ] } ]",
        "  permissions: [ { consumer: \"" + civil.party() + "\", resource: HOUSING-001, purposes: [p] } ]",
        "runtime: { eventLoops: 1 }",
        "audit: { dir: audit-provider }",
        tracing, ""));
    provider = ConfigLoader.apply(ConfigLoader.load(dir.resolve("provider.yaml"), env::get), new MemoryAuditor(), env::get)
        .build().start();
    closeables.add(provider);
    Files.writeString(dir.resolve("consumer.yaml"), String.join("\n",
        "identity: { keystore: civil.p12 }",
        "trust: { certificates: [housing.pem] }",
        "consumer:",
        "  listen: 127.0.0.1:0",
        "  apps: [ { name: portal, apiKeySha256: \"" + ApiKeys.hash("k") + "\" } ]",
        "  routes: [ { resource: HOUSING-001, provider: \"" + housing.party() + "\", endpoint: \"https://127.0.0.1:"
            + provider.address("provider").getPort() + "\" } ]",
        "runtime: { eventLoops: 1 }",
        "audit: { dir: audit-consumer }",
        tracing, ""));
    consumer = ConfigLoader.apply(ConfigLoader.load(dir.resolve("consumer.yaml"), env::get), new MemoryAuditor(), env::get)
        .build().start();
    closeables.add(consumer);
  }

  HttpResponse<String> call() throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + consumer.address("consumer").getPort() + "/exchange/HOUSING-001/households"))
        .timeout(Duration.ofSeconds(20))
        .header("X-Api-Key", "k")
        .header("X-Shulian-Purpose", "p")
        .header("traceparent", "00-" + APP_TRACE + "-00f067aa0ba902b7-01")
        .GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void otlpConfigured_exchangeThroughTwoGateways_exportsOneTraceWithEachGatewaysResource() throws Exception {
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    logs.start();
    root.addAppender(logs);
    try (OtlpReceiver receiver = new OtlpReceiver()) {
      startCity("tracing: { otlp: { endpoint: \"" + receiver.endpoint() + "\", headersEnv: OTLP_HEADERS, batchDelay: 50ms } }");

      HttpResponse<String> r = call();
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      // closing a gateway flushes its batch span processor
      consumer.close();
      provider.close();

      List<OtlpReceiver.ReceivedSpan> spans = receiver.spans;
      assertThat(spans).extracting(OtlpReceiver.ReceivedSpan::name).contains("shulian.consumer.exchange", "shulian.seal",
          "shulian.open", "shulian.provider.exchange", "shulian.policy", "shulian.backend", "shulian.audit");
      assertThat(spans).extracting(OtlpReceiver.ReceivedSpan::traceId).containsOnly(APP_TRACE);
      Map<String, String> byName = spans.stream().collect(Collectors.toMap(OtlpReceiver.ReceivedSpan::name,
          s -> s.resource().getOrDefault("shulian.party.id", "?"), (a, b) -> a.equals(b) ? a : "both"));
      assertThat(byName.get("shulian.consumer.exchange")).isEqualTo(civil.party().toString());
      assertThat(byName.get("shulian.provider.exchange")).isEqualTo(housing.party().toString());
      assertThat(spans).allSatisfy(s -> {
        assertThat(s.resource()).containsEntry("service.name", "shulian-gateway");
        assertThat(s.resource()).containsEntry("service.version", Gateway.version());
      });
      OtlpReceiver.ReceivedSpan providerExchange = spans.stream()
          .filter(s -> s.name().equals("shulian.provider.exchange")).findFirst().orElseThrow();
      OtlpReceiver.ReceivedSpan consumerExchange = spans.stream()
          .filter(s -> s.name().equals("shulian.consumer.exchange")).findFirst().orElseThrow();
      assertThat(providerExchange.parentSpanId()).isEqualTo(consumerExchange.spanId());
      assertThat(receiver.contentTypes).allSatisfy(ct -> assertThat(ct).startsWith("application/x-protobuf"));
      // the token from the environment reaches the receiver, and no log line
      assertThat(receiver.authorizations).isNotEmpty().containsOnly(TOKEN);
      assertThat(logs.list).isNotEmpty().noneSatisfy(e -> assertThat(e.getFormattedMessage() + e.getKeyValuePairs())
          .contains("otlp-secret-token"));
      assertThat(logs.list).anySatisfy(e -> assertThat(e.getFormattedMessage()).contains("OTLP"));
    } finally {
      root.detachAppender(logs);
    }
  }

  @Test
  void otlpReceiverUnreachable_exchangeIsStillServed() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closed = s.getLocalPort();
    }
    startCity("tracing: { otlp: { endpoint: \"http://127.0.0.1:" + closed + "\", timeout: 200ms, batchDelay: 10ms } }");

    assertThat(call().statusCode()).isEqualTo(200);
    assertThat(call().statusCode()).isEqualTo(200);
  }
}
