package io.shulian.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.shulian.core.keys.PartyCertificate;
import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.keys.Suite;
import io.shulian.core.trust.PinnedSenderTrust;
import io.shulian.gateway.authenticate.ApiKeys;
import io.shulian.gateway.authenticate.PinnedPeerVerifier;
import io.shulian.gateway.seal.Route;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * One W3C trace across all four hops: app → consumer gateway → (signed envelope header) → provider
 * gateway → department system, and the answer's envelope back; recorded with the OpenTelemetry SDK's
 * in-memory exporter, and propagated without any SDK too.
 */
class GatewayTracingTest {
  final List<AutoCloseable> closeables = new ArrayList<>();
  /** The traceparent headers the department system received. */
  final List<String> backendTraceparents = new CopyOnWriteArrayList<>();
  final InMemorySpanExporter spans = InMemorySpanExporter.create();
  final OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
      .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build())
      .build();
  Gateway consumer;

  @AfterEach
  void tearDown() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
    sdk.close();
  }

  void startCity(OpenTelemetry otel) throws Exception {
    HttpServer backend = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    backend.createContext("/api/housing", ex -> {
      String tp = ex.getRequestHeaders().getFirst("traceparent");
      backendTraceparents.add(tp == null ? "none" : tp);
      byte[] body = "{\"ok\":true}".getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("Content-Type", "application/json");
      ex.sendResponseHeaders(200, body.length);
      ex.getResponseBody().write(body);
      ex.close();
    });
    backend.start();
    closeables.add(() -> backend.stop(0));
    PartyIdentity housing = TestIdentities.create(Suite.INTL, GatewayEndToEndTest.HOUSING);
    PartyIdentity civil = TestIdentities.create(Suite.INTL, GatewayEndToEndTest.CIVIL);
    List<PartyCertificate> all = new ArrayList<>(housing.certificates());
    all.addAll(civil.certificates());
    InetSocketAddress any = new InetSocketAddress("127.0.0.1", 0);
    Gateway provider = Gateway.builder()
        .identity(housing)
        .senderTrust(PinnedSenderTrust.of(civil.certificates()))
        .peers(new PinnedPeerVerifier(all, Clock.systemUTC()))
        .auditor(new MemoryAuditor())
        .policy(GatewayEndToEndTest.permitPurpose("social-assistance-review"))
        .backend("HOUSING-001", URI.create("http://127.0.0.1:" + backend.getAddress().getPort() + "/api/housing"),
            List.of(new io.shulian.core.catalog.Endpoint("GET", "/{name}")))
        .consumerCertificate(civil.encryptionCertificate())
        .providerListener(any)
        .adminListener(any)
        .eventLoops(1)
        .openTelemetry(otel)
        .build().start();
    closeables.add(provider);
    consumer = Gateway.builder()
        .identity(civil)
        .senderTrust(PinnedSenderTrust.of(housing.certificates()))
        .peers(new PinnedPeerVerifier(all, Clock.systemUTC()))
        .auditor(new MemoryAuditor())
        .apiKeys(ApiKeys.of(Map.of("civil-portal", ApiKeys.hash(GatewayEndToEndTest.API_KEY))))
        .route(new Route("HOUSING-001", GatewayEndToEndTest.HOUSING,
            URI.create("https://127.0.0.1:" + provider.address("provider").getPort()), housing.encryptionCertificate()))
        .consumerListener(any)
        .adminListener(any)
        .eventLoops(1)
        .openTelemetry(otel)
        .build().start();
    closeables.add(consumer);
  }

  HttpResponse<String> call(String traceparent) throws Exception {
    HttpRequest.Builder r = HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + consumer.address("consumer").getPort() + "/exchange/HOUSING-001/households"))
        .timeout(Duration.ofSeconds(20))
        .header("X-Api-Key", GatewayEndToEndTest.API_KEY)
        .header("X-Shulian-Purpose", "social-assistance-review");
    if (traceparent != null) {
      r.header("traceparent", traceparent);
    }
    return HttpClient.newHttpClient().send(r.GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  static SpanData named(List<SpanData> all, String name) {
    return all.stream().filter(s -> s.getName().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no span " + name + " in " + all));
  }

  @Test
  void exchange_oneTraceAcrossAppBothGatewaysAndBackend() throws Exception {
    startCity(sdk);
    Span app = sdk.getTracer("case-review-app").spanBuilder("review case").setSpanKind(SpanKind.CLIENT).startSpan();
    String appTp = "00-" + app.getSpanContext().getTraceId() + "-" + app.getSpanContext().getSpanId() + "-01";

    HttpResponse<String> r = call(appTp);
    app.end();

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    List<SpanData> all = spans.getFinishedSpanItems();
    String traceId = app.getSpanContext().getTraceId();
    assertThat(all).extracting(SpanData::getName).contains("review case", "shulian.consumer.exchange", "shulian.seal",
        "shulian.provider.exchange", "shulian.policy", "shulian.backend", "shulian.open");
    assertThat(all).allSatisfy(s -> assertThat(s.getTraceId()).as(s.getName()).isEqualTo(traceId));
    SpanData consumerSpan = named(all, "shulian.consumer.exchange");
    SpanData providerSpan = named(all, "shulian.provider.exchange");
    SpanData backendSpan = named(all, "shulian.backend");
    // app → consumer (HTTP header), consumer → provider (the signed envelope header), provider → backend
    assertThat(consumerSpan.getParentSpanId()).isEqualTo(app.getSpanContext().getSpanId());
    assertThat(providerSpan.getParentSpanId()).isEqualTo(consumerSpan.getSpanId());
    assertThat(backendSpan.getParentSpanId()).isEqualTo(providerSpan.getSpanId());
    assertThat(backendTraceparents).containsExactly("00-" + traceId + "-" + backendSpan.getSpanId() + "-01");
    // and back: the answer's envelope carries the provider's span; the consumer opens it under its own
    assertThat(named(all, "shulian.open").getParentSpanId()).isEqualTo(consumerSpan.getSpanId());
    // each gateway's audit append, under its exchange span, ended before the answer left
    assertThat(all).filteredOn(s -> s.getName().equals("shulian.audit")).extracting(SpanData::getParentSpanId)
        .containsExactlyInAnyOrder(consumerSpan.getSpanId(), providerSpan.getSpanId());
  }

  @Test
  void exchange_withoutSdk_traceparentStillReachesTheBackend() throws Exception {
    startCity(OpenTelemetry.noop());
    String appTp = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    assertThat(call(appTp).statusCode()).isEqualTo(200);

    assertThat(backendTraceparents).containsExactly(appTp);
  }

  @Test
  void exchange_malformedTraceparentFromApp_isIgnored_newTraceStarted() throws Exception {
    startCity(sdk);

    assertThat(call("01-zz-not-a-traceparent").statusCode()).isEqualTo(200);

    List<SpanData> all = spans.getFinishedSpanItems();
    SpanData consumerSpan = named(all, "shulian.consumer.exchange");
    assertThat(consumerSpan.getParentSpanContext().isValid()).isFalse();
    assertThat(all.stream().map(SpanData::getTraceId).collect(Collectors.toSet())).hasSize(1);
  }
}
