package io.shulian.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.shulian.core.audit.AuditEntry;
import io.shulian.core.audit.AuditLog;
import io.shulian.core.audit.AuditLogReader;
import io.shulian.core.audit.AuditStatistics;
import io.shulian.core.audit.Direction;
import io.shulian.core.keys.PartyCertificate;
import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.keys.Suite;
import io.shulian.core.trust.PinnedSenderTrust;
import io.shulian.gateway.audit.AuditLogAuditor;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Real gateways on loopback that write real audit logs ({@link AuditLogAuditor} over {@link
 * AuditLog}): what the logs hold, and that the gateways fail closed when a log directory goes away.
 */
class GatewayAuditEndToEndTest {
  static final String API_KEY = GatewayEndToEndTest.API_KEY;
  static final String PURPOSE = "social-assistance-review";

  @TempDir Path tmp;
  final List<AutoCloseable> closeables = new ArrayList<>();
  final AtomicInteger backendCalls = new AtomicInteger();
  final HttpClient http = HttpClient.newHttpClient();
  Path consumerLog;
  Path providerLog;
  Gateway provider;
  Gateway consumer;

  @AfterEach
  void tearDown() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
  }

  void startCity() throws Exception {
    HttpServer backend = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    backend.createContext("/api/housing", ex -> {
      backendCalls.incrementAndGet();
      byte[] body = GatewayEndToEndTest.RECORD.getBytes(StandardCharsets.UTF_8);
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
    providerLog = tmp.resolve("provider-audit");
    consumerLog = tmp.resolve("consumer-audit");
    ExchangePolicy policy = (h, action, grant) -> h.purpose().equals(PURPOSE)
        ? Verdict.permit(List.of("test-permit"), "v1")
        : Verdict.deny("PURPOSE_NOT_ALLOWED", "purpose not allowed", "v1");

    provider = Gateway.builder()
        .identity(housing)
        .senderTrust(PinnedSenderTrust.of(civil.certificates()))
        .peers(new PinnedPeerVerifier(all, Clock.systemUTC()))
        .auditor(new AuditLogAuditor(AuditLog.builder(providerLog, housing).open()))
        .policy(policy)
        .backend("HOUSING-001", URI.create("http://127.0.0.1:" + backend.getAddress().getPort() + "/api/housing"),
            List.of(new io.shulian.core.catalog.Endpoint("GET", "/{name}")))
        .consumerCertificate(civil.encryptionCertificate())
        .providerListener(any)
        .adminListener(any)
        .eventLoops(1)
        .build().start();
    closeables.add(provider);

    consumer = Gateway.builder()
        .identity(civil)
        .senderTrust(PinnedSenderTrust.of(housing.certificates()))
        .peers(new PinnedPeerVerifier(all, Clock.systemUTC()))
        .auditor(new AuditLogAuditor(AuditLog.builder(consumerLog, civil).open()))
        .apiKeys(ApiKeys.of(Map.of("civil-portal", ApiKeys.hash(API_KEY))))
        .route(new Route("HOUSING-001", GatewayEndToEndTest.HOUSING,
            URI.create("https://127.0.0.1:" + provider.address("provider").getPort()), housing.encryptionCertificate()))
        .consumerListener(any)
        .adminListener(any)
        .eventLoops(1)
        .build().start();
    closeables.add(consumer);
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

  HttpResponse<String> readyz(Gateway g) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + g.address("admin").getPort() + "/readyz"))
        .build(), HttpResponse.BodyHandlers.ofString());
  }

  static void deleteTree(Path dir) throws Exception {
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
        Files.delete(p);
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"provider", "consumer"})
  void exchange_auditDirectoryDeletedUnderRunningGateway_503AndNothingReleased(String side) throws Exception {
    startCity();
    HttpResponse<String> before = call("/exchange/HOUSING-001/records", PURPOSE, API_KEY);
    assertThat(before.statusCode()).as(before.body()).isEqualTo(200);
    Gateway gateway = side.equals("provider") ? provider : consumer;

    deleteTree(side.equals("provider") ? providerLog : consumerLog);
    HttpResponse<String> r = call("/exchange/HOUSING-001/records", PURPOSE, API_KEY);

    assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
    assertThat(r.body()).contains("AUDIT_UNAVAILABLE").doesNotContain("440604199001011234");
    HttpResponse<String> ready = readyz(gateway);
    assertThat(ready.statusCode()).isEqualTo(503);
    assertThat(ready.body()).contains("audit");
    // and it stays closed: a directory recreated at the same path is not the log it had open
    Files.createDirectories(side.equals("provider") ? providerLog : consumerLog);
    assertThat(call("/exchange/HOUSING-001/records", PURPOSE, API_KEY).statusCode()).isEqualTo(503);
  }

  @Test
  void exchange_permitted_bothGatewaysRecordRequestAndResponseWithTheirBytes() throws Exception {
    startCity();
    HttpResponse<String> r = call("/exchange/HOUSING-001/records", PURPOSE, API_KEY);
    assertThat(r.statusCode()).isEqualTo(200);
    String requestId = r.headers().firstValue("X-Shulian-Request-Envelope-Id").orElseThrow();
    consumer.close();
    provider.close();
    long bodyBytes = GatewayEndToEndTest.RECORD.getBytes(StandardCharsets.UTF_8).length;

    List<AuditEntry> c = new ArrayList<>();
    AuditLogReader.forEach(consumerLog, c::add);
    List<AuditEntry> p = new ArrayList<>();
    AuditLogReader.forEach(providerLog, p::add);
    assertThat(c).extracting(e -> e.record().direction()).containsExactly(Direction.REQUEST_OUT, Direction.RESPONSE_IN);
    assertThat(p).extracting(e -> e.record().direction()).containsExactly(Direction.REQUEST_IN, Direction.RESPONSE_OUT);
    for (List<AuditEntry> log : List.of(c, p)) {
      assertThat(log).allSatisfy(e -> assertThat(e.record().envelopeId()).isEqualTo(requestId));
      assertThat(log.get(0).record().payloadBytes()).as("a GET has no request body").isZero();
      assertThat(log.get(1).record().payloadBytes()).isEqualTo(bodyBytes);
      assertThat(log.get(1).record().sender()).isEqualTo(GatewayEndToEndTest.HOUSING.toString());
    }
  }

  @Test
  void auditStats_realExchanges_countBytesAndSplitConsumerRefusalsByReason() throws Exception {
    startCity();
    assertThat(call("/exchange/HOUSING-001/records", PURPOSE, API_KEY).statusCode()).isEqualTo(200);
    assertThat(call("/exchange/HOUSING-001/records", PURPOSE, API_KEY).statusCode()).isEqualTo(200);
    assertThat(call("/exchange/HOUSING-001/records", "marketing", API_KEY).statusCode()).isEqualTo(403);
    assertThat(call("/exchange/HOUSING-001/records", PURPOSE, "wrong-key").statusCode()).isEqualTo(401);
    assertThat(call("/exchange/HOUSING-001/records", PURPOSE, "other-wrong-key").statusCode()).isEqualTo(401);
    assertThat(call("/exchange/HOUSING-001/records", null, API_KEY).statusCode()).isEqualTo(400);
    assertThat(call("/exchange/NO-SUCH/records", PURPOSE, API_KEY).statusCode()).isEqualTo(404);
    consumer.close();
    provider.close();
    long bodyBytes = GatewayEndToEndTest.RECORD.getBytes(StandardCharsets.UTF_8).length;

    for (List<Path> logs : List.of(List.of(consumerLog), List.of(consumerLog, providerLog))) {
      AuditStatistics s = AuditStatistics.compute(logs, null, null);
      AuditStatistics.Row exchanged = s.rows().stream()
          .filter(row -> row.provider().equals(GatewayEndToEndTest.HOUSING.toString())).findFirst().orElseThrow();
      assertThat(exchanged.requests()).as(logs.toString()).isEqualTo(3);
      assertThat(exchanged.permitted()).isEqualTo(2);
      assertThat(exchanged.denied()).isEqualTo(1);
      assertThat(exchanged.responseBytes()).as("two released responses").isEqualTo(2 * bodyBytes);
      assertThat(exchanged.requestBytes()).isZero();
      // every refusal at the consumer counts, each under its own reason
      long refused = s.rows().stream().filter(row -> row.provider().equals("-")).mapToLong(AuditStatistics.Row::denied).sum();
      assertThat(refused).as(s.toTable()).isEqualTo(4);
      Map<String, Long> reasons = new java.util.TreeMap<>();
      s.rows().stream().filter(row -> row.provider().equals("-"))
          .forEach(row -> row.deniedByReason().forEach((k, v) -> reasons.merge(k, v, Long::sum)));
      assertThat(reasons).containsExactlyInAnyOrderEntriesOf(Map.of("UNKNOWN_APP", 2L, "PURPOSE_REQUIRED", 1L,
          "UNKNOWN_RESOURCE", 1L));
    }
  }
}
