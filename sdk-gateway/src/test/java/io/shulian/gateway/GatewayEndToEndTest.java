package io.shulian.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.shulian.core.keys.PartyCertificate;
import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.keys.Suite;
import io.shulian.core.party.CreditCode;
import io.shulian.core.party.PartyId;
import io.shulian.core.trust.PinnedSenderTrust;
import io.shulian.gateway.audit.ExchangeEvent;
import io.shulian.gateway.authenticate.ApiKeys;
import io.shulian.gateway.authenticate.PinnedPeerVerifier;
import io.shulian.gateway.authorize.ExchangePolicy;
import io.shulian.gateway.authorize.Verdict;
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
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Real gateways, a real backend and real mutual TLS on ephemeral loopback ports. */
class GatewayEndToEndTest {
  static final PartyId HOUSING = PartyId.of("440600", CreditCode.withCheckCharacter("11440600MB2C1234H"), "housing");
  static final PartyId CIVIL = PartyId.of("440600", CreditCode.withCheckCharacter("11440600MB2C5678C"), null);
  static final String API_KEY = "civil-portal-key-0123456789";
  static final String RECORD = "{\"name\":\"张三\",\"idNumber\":\"440604199001011234\",\"phone\":\"13800138000\"}";

  final List<AutoCloseable> closeables = new ArrayList<>();
  final MemoryAuditor consumerAudit = new MemoryAuditor();
  final MemoryAuditor providerAudit = new MemoryAuditor();
  final AtomicInteger backendCalls = new AtomicInteger();
  volatile int backendDelayMs;
  HttpServer backend;
  Gateway provider;
  Gateway consumer;
  final HttpClient http = HttpClient.newHttpClient();

  @AfterEach
  void tearDown() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
  }

  void startCity(Suite suite, ExchangePolicy policy) throws Exception {
    backend = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    backend.createContext("/api/housing", ex -> {
      backendCalls.incrementAndGet();
      if (backendDelayMs > 0) {
        try {
          Thread.sleep(backendDelayMs);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      byte[] body = (ex.getRequestURI().getPath().endsWith("/records") ? RECORD : "{\"path\":\"" + ex.getRequestURI() + "\"}")
          .getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("Content-Type", "application/json");
      ex.sendResponseHeaders(200, body.length);
      ex.getResponseBody().write(body);
      ex.close();
    });
    backend.start();
    closeables.add(() -> backend.stop(0));

    PartyIdentity housing = TestIdentities.create(suite, HOUSING);
    PartyIdentity civil = TestIdentities.create(suite, CIVIL);
    List<PartyCertificate> all = new ArrayList<>(housing.certificates());
    all.addAll(civil.certificates());
    InetSocketAddress any = new InetSocketAddress("127.0.0.1", 0);

    provider = Gateway.builder()
        .identity(housing)
        .senderTrust(PinnedSenderTrust.of(civil.certificates()))
        .peers(new PinnedPeerVerifier(all, Clock.systemUTC()))
        .auditor(providerAudit)
        .policy(policy)
        .backend("HOUSING-001", URI.create("http://127.0.0.1:" + backend.getAddress().getPort() + "/api/housing"))
        .consumerCertificate(civil.encryptionCertificate())
        .limits(new io.shulian.gateway.inbound.Limits(1 << 20, 8192, 4096, Duration.ofSeconds(5),
            Duration.ofSeconds(5), Duration.ofMillis(1500), 1000))
        .providerListener(any)
        .adminListener(any)
        .eventLoops(2)
        .build().start();
    closeables.add(provider);

    consumer = Gateway.builder()
        .identity(civil)
        .senderTrust(PinnedSenderTrust.of(housing.certificates()))
        .peers(new PinnedPeerVerifier(all, Clock.systemUTC()))
        .auditor(consumerAudit)
        .apiKeys(ApiKeys.of(Map.of("civil-portal", ApiKeys.hash(API_KEY))))
        .route(new Route("HOUSING-001", HOUSING,
            URI.create("https://127.0.0.1:" + provider.address("provider").getPort()), housing.encryptionCertificate()))
        .consumerListener(any)
        .adminListener(any)
        .eventLoops(2)
        .build().start();
    closeables.add(consumer);
  }

  static ExchangePolicy permitPurpose(String purpose) {
    return (h, action) -> h.purpose().equals(purpose)
        ? Verdict.permit(List.of("test-permit"), "v1")
        : Verdict.deny("PURPOSE_NOT_ALLOWED", "purpose not allowed", "v1");
  }

  HttpResponse<String> call(String path, String purpose, String apiKey) throws Exception {
    HttpRequest.Builder r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + consumer.address("consumer").getPort() + path))
        .timeout(Duration.ofSeconds(20));
    if (purpose != null) {
      r.header("X-Shulian-Purpose", purpose);
    }
    if (apiKey != null) {
      r.header("X-Api-Key", apiKey);
    }
    return http.send(r.GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  @ParameterizedTest
  @EnumSource(Suite.class)
  void exchange_permittedRequest_returnsBackendResponseThroughBothGateways(Suite suite) throws Exception {
    startCity(suite, permitPurpose("social-assistance-review"));

    HttpResponse<String> r = call("/exchange/HOUSING-001/households?id=7", "social-assistance-review", API_KEY);

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("{\"path\":\"/api/housing/households?id=7\"}");
    assertThat(r.headers().firstValue("X-Shulian-Envelope-Id")).isPresent();
    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
    assertThat(providerAudit.events).hasSize(1);
    ExchangeEvent pe = providerAudit.events.get(0);
    assertThat(pe.permitted).isTrue();
    assertThat(pe.sender).isEqualTo(CIVIL.toString());
    assertThat(pe.ruleIds).containsExactly("test-permit");
    assertThat(consumerAudit.events).hasSize(1);
    assertThat(consumerAudit.events.get(0).envelopeId).isEqualTo(r.headers().firstValue("X-Shulian-Request-Envelope-Id").orElseThrow());
  }

  @ParameterizedTest
  @EnumSource(Suite.class)
  void exchange_purposeNotAllowed_is403WithReasonAndAudited(Suite suite) throws Exception {
    startCity(suite, permitPurpose("social-assistance-review"));

    HttpResponse<String> r = call("/exchange/HOUSING-001/households", "marketing", API_KEY);

    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    assertThat(r.body()).contains("PURPOSE_NOT_ALLOWED");
    assertThat(backendCalls.get()).isZero();
    assertThat(providerAudit.events).singleElement().satisfies(e -> {
      assertThat(e.permitted).isFalse();
      assertThat(e.reasons).contains("PURPOSE_NOT_ALLOWED");
    });
  }
}
