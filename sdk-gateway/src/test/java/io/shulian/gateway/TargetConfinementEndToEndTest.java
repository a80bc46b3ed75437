package io.shulian.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.shulian.core.catalog.Endpoint;
import io.shulian.core.envelope.EnvelopeSealer;
import io.shulian.core.envelope.SealRequest;
import io.shulian.core.envelope.SealedEnvelope;
import io.shulian.core.keys.PartyCertificate;
import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.keys.Suite;
import io.shulian.core.trust.PinnedSenderTrust;
import io.shulian.gateway.audit.ExchangeEvent;
import io.shulian.gateway.authenticate.ApiKeys;
import io.shulian.gateway.authenticate.PinnedPeerVerifier;
import io.shulian.gateway.authorize.ExchangePolicy;
import io.shulian.gateway.authorize.Verdict;
import io.shulian.gateway.seal.Route;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 12 findings 1 and 2 on real gateways: a request target that leaves its resource, or a
 * method and path the catalog does not declare, never reaches the department system, whichever
 * gateway is asked, and every refusal is audited with its code.
 */
class TargetConfinementEndToEndTest {
  static final String RESOURCE = "HOUSING-001";
  static final String API_KEY = "civil-portal-key-0123456789";

  final List<AutoCloseable> closeables = new ArrayList<>();
  final MemoryAuditor consumerAudit = new MemoryAuditor();
  final MemoryAuditor providerAudit = new MemoryAuditor();
  RecordingBackend backend;
  PartyIdentity housing;
  PartyIdentity civil;
  Gateway provider;
  Gateway consumer;

  /** Permits reads only: the policy a query-only resource has. */
  static final ExchangePolicy QUERY_ONLY = (h, action, grant) -> "query".equals(action)
      ? Verdict.permit(List.of("query-only"), "v1")
      : Verdict.deny("NO_PERMIT", "only query is permitted", "v1");
  /** What the catalog declares for the resource: records are read one by one, reports are filed. */
  static final List<Endpoint> DECLARED = List.of(new Endpoint("GET", "/records/{id}"), new Endpoint("POST", "/reports"));

  @BeforeEach
  void startCity() throws Exception {
    startCity(QUERY_ONLY, true);
  }

  /** Starts provider and consumer; the consumer knows the catalog's endpoints only if {@code consumerKnowsCatalog}. */
  void startCity(ExchangePolicy policy, boolean consumerKnowsCatalog) throws Exception {
    stop();
    closeables.clear();
    consumerAudit.events.clear();
    providerAudit.events.clear();
    backend = new RecordingBackend();
    closeables.add(backend);
    housing = TestIdentities.create(Suite.INTL, GatewayEndToEndTest.HOUSING);
    civil = TestIdentities.create(Suite.INTL, GatewayEndToEndTest.CIVIL);
    List<PartyCertificate> all = new ArrayList<>(housing.certificates());
    all.addAll(civil.certificates());
    InetSocketAddress any = new InetSocketAddress("127.0.0.1", 0);
    provider = Gateway.builder()
        .identity(housing)
        .senderTrust(PinnedSenderTrust.of(civil.certificates()))
        .peers(new PinnedPeerVerifier(all, Clock.systemUTC()))
        .auditor(providerAudit)
        .policy(policy)
        .backend(RESOURCE, URI.create("http://127.0.0.1:" + backend.port() + "/api/housing"), DECLARED)
        .consumerCertificate(civil.encryptionCertificate())
        .providerListener(any)
        .eventLoops(1)
        .build().start();
    closeables.add(provider);
    Route route = new Route(RESOURCE, GatewayEndToEndTest.HOUSING,
        URI.create("https://127.0.0.1:" + provider.address("provider").getPort()), housing.encryptionCertificate());
    consumer = Gateway.builder()
        .identity(civil)
        .senderTrust(PinnedSenderTrust.of(housing.certificates()))
        .peers(new PinnedPeerVerifier(all, Clock.systemUTC()))
        .auditor(consumerAudit)
        .apiKeys(ApiKeys.of(Map.of("civil-portal", ApiKeys.hash(API_KEY))))
        .route(consumerKnowsCatalog ? route.withEndpoints(DECLARED) : route)
        .consumerListener(any)
        .eventLoops(1)
        .build().start();
    closeables.add(consumer);
  }

  @AfterEach
  void stop() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
  }

  /** Sends one raw request to the consumer gateway and returns the whole answer. */
  String send(String method, String target, String body) throws Exception {
    return send(method, target, body, "");
  }

  String send(String method, String target, String body, String extraHeaders) throws Exception {
    String req = method + " " + target + " HTTP/1.1\r\nHost: x\r\nX-Api-Key: " + API_KEY + "\r\n" + extraHeaders
        + "X-Shulian-Purpose: social-assistance-review\r\nConnection: close\r\n"
        + (body == null ? "" : "Content-Type: application/json\r\nContent-Length: " + body.length() + "\r\n") + "\r\n"
        + (body == null ? "" : body);
    try (java.net.Socket s = new java.net.Socket("127.0.0.1", consumer.address("consumer").getPort())) {
      s.setSoTimeout(20000);
      s.getOutputStream().write(req.getBytes(StandardCharsets.ISO_8859_1));
      s.getOutputStream().flush();
      return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "/exchange/HOUSING-001/../fund/7",
      "/exchange/HOUSING-001/%2e%2e/fund/7",
      "/exchange/HOUSING-001/%2E%2E/fund/7",
      "/exchange/HOUSING-001/.%2e/fund/7",
      "/exchange/HOUSING-001/..%2ffund/7",
      "/exchange/HOUSING-001/..%2Ffund%2F7",
      "/exchange/HOUSING-001/%2e%2e%2ffund%2f7",
      "/exchange/HOUSING-001/%252e%252e/fund/7",
      "/exchange/HOUSING-001/%252e%252e%252ffund/7",
      "/exchange/HOUSING-001/..;/fund/7",
      "/exchange/HOUSING-001/x;a=b/../../fund/7",
      "/exchange/HOUSING-001/..\\fund\\7",
      "/exchange/HOUSING-001/..%5cfund%5c7",
      "/exchange/HOUSING-001/%2e%2e%5cfund",
      "/exchange/HOUSING-001//fund/7",
      "/exchange/HOUSING-001/7%00.json",
      "/exchange/HOUSING-001/7?x=%00",
      "/exchange/HOUSING-001/./7",
      "/exchange/HOUSING-001/7/..",
      "/exchange/HOUSING-001/%c0%ae%c0%ae/fund/7",
      "/exchange/HOUSING-001/7%zz",
      "/exchange/HOUSING-001/7#frag",
      "/exchange/../exchange/HOUSING-001/7",
  })
  void traversal_anyEncoding_refusedAuditedAndNeverForwarded(String target) throws Exception {
    String r = send("GET", target, null);

    assertThat(r).as(target).startsWith("HTTP/1.1 400").contains("BAD_TARGET").doesNotContain(RecordingBackend.SECRET);
    assertThat(backend.requestLines).as("reached the department system").isEmpty();
    assertThat(consumerAudit.events).singleElement().satisfies(e -> {
      assertThat(e.outcome).isEqualTo("BAD_TARGET");
      assertThat(e.status).isEqualTo(400);
      assertThat(e.permitted).isFalse();
    });
    assertThat(providerAudit.events).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"DELETE", "PUT", "PATCH", "POST", "PROPFIND", "TRACE", "OPTIONS"})
  void method_notDeclaredForQueryOnlyResource_refusedAndNeverForwarded(String method) throws Exception {
    String r = send(method, "/exchange/HOUSING-001/records/7", "{\"owner\":\"mallory\"}");

    assertThat(r).as(method).startsWith("HTTP/1.1 405").contains("METHOD_NOT_ALLOWED");
    assertThat(backend.requestLines).isEmpty();
    assertThat(consumerAudit.events).singleElement().satisfies(e -> assertThat(e.outcome).isEqualTo("METHOD_NOT_ALLOWED"));
  }

  @Test
  void declaredEndpoint_isServed() throws Exception {
    String r = send("GET", "/exchange/HOUSING-001/records/7?fields=all", null);

    assertThat(r).startsWith("HTTP/1.1 200").contains("\"resource\":\"housing\"");
    assertThat(backend.requestLines).containsExactly("GET /api/housing/records/7?fields=all HTTP/1.1");
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "/../fund/7",
      "/%2e%2e/fund/7",
      "/..%2ffund/7",
      "/%2e%2e%2ffund%2f7",
      "/%252e%252e/fund/7",
      "/..;/fund/7",
      "/..\\fund\\7",
      "//fund/7",
      "/records/7%00",
  })
  void provider_traversalSealedByMaliciousConsumer_refusedAndNeverForwarded(String target) throws Exception {
    int status = postSealed("GET " + target + " HTTP/1.1\r\n\r\n");

    assertThat(status).isEqualTo(400);
    assertThat(backend.requestLines).isEmpty();
    assertThat(providerAudit.events).singleElement().satisfies(e -> {
      assertThat(e.outcome).isEqualTo("BAD_TARGET");
      assertThat(e.resource).isEqualTo(RESOURCE);
    });
  }

  @ParameterizedTest
  @ValueSource(strings = {"DELETE", "PUT", "PATCH", "POST", "PROPFIND"})
  void provider_undeclaredMethodSealedByMaliciousConsumer_refused(String method) throws Exception {
    int status = postSealed(method + " /records/7 HTTP/1.1\r\ncontent-type: application/json\r\n\r\n{}");

    assertThat(status).isEqualTo(405);
    assertThat(backend.requestLines).isEmpty();
    assertThat(providerAudit.events).singleElement().satisfies(e -> assertThat(e.outcome).isEqualTo("METHOD_NOT_ALLOWED"));
  }

  @Test
  void declaredEndpoint_auditNamesAppMethodAndNormalisedPathOnBothSides() throws Exception {
    String r = send("GET", "/exchange/HOUSING-001/records/7?fields=all", null);

    assertThat(r).startsWith("HTTP/1.1 200");
    assertThat(consumerAudit.events).singleElement().satisfies(e -> {
      assertThat(e.app).isEqualTo("civil-portal");
      assertThat(e.method).isEqualTo("GET");
      assertThat(e.path).isEqualTo("/records/7");
      assertThat(e.resource).isEqualTo(RESOURCE);
    });
    assertThat(providerAudit.events).singleElement().satisfies(e -> {
      assertThat(e.method).isEqualTo("GET");
      assertThat(e.path).isEqualTo("/records/7");
      assertThat(e.resource).isEqualTo(RESOURCE);
      assertThat(e.permitted).isTrue();
    });
  }

  @Test
  void traversal_auditRecordsWhatWasSentAndTheResourceAsWritten() throws Exception {
    send("DELETE", "/exchange/HOUSING-001/..%2ffund/7", null);

    assertThat(consumerAudit.events).singleElement().satisfies(e -> {
      assertThat(e.resource).isEqualTo(RESOURCE);
      assertThat(e.app).isEqualTo("civil-portal");
      assertThat(e.method).isEqualTo("DELETE");
      assertThat(e.path).isEqualTo("/..%2ffund/7");
      assertThat(e.reasons).containsExactly("BAD_TARGET");
    });
  }

  @Test
  void undeclaredPath_is404UnknownEndpointAndNeverForwarded() throws Exception {
    String r = send("GET", "/exchange/HOUSING-001/admin/users", null);

    assertThat(r).startsWith("HTTP/1.1 404").contains("UNKNOWN_ENDPOINT");
    assertThat(backend.requestLines).isEmpty();
    assertThat(consumerAudit.events).singleElement().satisfies(e -> assertThat(e.outcome).isEqualTo("UNKNOWN_ENDPOINT"));
  }

  @Test
  void methodNotAllowed_namesTheDeclaredMethodsInAllow() throws Exception {
    String r = send("DELETE", "/exchange/HOUSING-001/records/7", null);

    assertThat(r).startsWith("HTTP/1.1 405").containsIgnoringCase("allow: GET\r\n");
  }

  @ParameterizedTest
  @ValueSource(strings = {"DELETE", "PUT", "PATCH", "POST", "PROPFIND"})
  void consumerWithoutCatalog_undeclaredMethod_refusedByProviderWith405(String method) throws Exception {
    startCity(QUERY_ONLY, false);

    String r = send(method, "/exchange/HOUSING-001/records/7", "{}");

    assertThat(r).as(method).startsWith("HTTP/1.1 405").contains("METHOD_NOT_ALLOWED");
    assertThat(backend.requestLines).isEmpty();
    if (!method.equals("PROPFIND")) {
      assertThat(r).containsIgnoringCase("allow: GET\r\n");
      assertThat(providerAudit.events).singleElement().satisfies(e -> {
        assertThat(e.outcome).isEqualTo("METHOD_NOT_ALLOWED");
        assertThat(e.method).isEqualTo(method);
      });
    }
  }

  @Test
  void consumerWithoutCatalog_traversalStillRefusedBeforeSealing() throws Exception {
    startCity(QUERY_ONLY, false);

    String r = send("GET", "/exchange/HOUSING-001/%2e%2e/fund/7", null);

    assertThat(r).startsWith("HTTP/1.1 400").contains("BAD_TARGET");
    assertThat(providerAudit.events).isEmpty();
    assertThat(backend.requestLines).isEmpty();
  }

  @Test
  void declaredWrite_underQueryOnlyPolicy_isDeniedAsWrite() throws Exception {
    String r = send("POST", "/exchange/HOUSING-001/reports", "{\"lamp\":\"out\"}");

    assertThat(r).startsWith("HTTP/1.1 403").contains("NO_PERMIT");
    assertThat(backend.requestLines).isEmpty();
  }

  @Test
  void declaredWrite_withAppClaimingQuery_isStillDecidedAsWrite() throws Exception {
    String r = send("POST", "/exchange/HOUSING-001/reports", "{}", "X-Shulian-Action: query\r\n");

    assertThat(r).startsWith("HTTP/1.1 400").contains("ACTION_NOT_ALLOWED");
    assertThat(backend.requestLines).isEmpty();
  }

  @Test
  void declaredWrite_whenPolicyPermitsWrite_isServed() throws Exception {
    java.util.Set<String> decided = java.util.concurrent.ConcurrentHashMap.newKeySet();
    startCity((h, action, grant) -> {
      decided.add(action);
      return Verdict.permit(List.of("any"), "v1");
    }, true);

    String r = send("POST", "/exchange/HOUSING-001/reports", "{\"lamp\":\"out\"}");

    assertThat(r).startsWith("HTTP/1.1 200");
    assertThat(decided).containsExactly("write");
    assertThat(backend.requestLines).containsExactly("POST /api/housing/reports HTTP/1.1");
  }

  @Test
  void readEndpoint_appAskingWrite_isRefusedNotDecided() throws Exception {
    String r = send("GET", "/exchange/HOUSING-001/records/7", null, "X-Shulian-Action: write\r\n");

    assertThat(r).startsWith("HTTP/1.1 400").contains("ACTION_NOT_ALLOWED");
    assertThat(backend.requestLines).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "CONNECT 127.0.0.1:443",
      "GET http://127.0.0.1/exchange/HOUSING-001/records/7",
      "GET *",
  })
  void nonOriginFormTargets_refused(String methodAndTarget) throws Exception {
    String[] mt = methodAndTarget.split(" ", 2);
    String r = send(mt[0], mt[1], null);

    assertThat(r).as(methodAndTarget).startsWith("HTTP/1.1 4");
    assertThat(backend.requestLines).isEmpty();
    assertThat(providerAudit.events).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"/../fund/7", "/%2e%2e/fund/7", "/..%2ffund/7", "/..;/fund/7", "//fund/7"})
  void passthrough_traversal_refusedAndNeverForwarded(String target) throws Exception {
    Gateway pass = Gateway.builder()
        .identity(housing)
        .senderTrust(PinnedSenderTrust.of(civil.certificates()))
        .peers(new PinnedPeerVerifier(civil.certificates(), Clock.systemUTC()))
        .auditor(new MemoryAuditor())
        .passthrough(new InetSocketAddress("127.0.0.1", 0), URI.create("http://127.0.0.1:" + backend.port() + "/api/housing"))
        .eventLoops(1)
        .build().start();
    closeables.add(pass);
    int port = pass.address("passthrough").getPort();

    String refused = NginxFrontEndToEndTest.raw(port, "GET", target, "");
    String served = NginxFrontEndToEndTest.raw(port, "GET", "/records/7", "");

    assertThat(refused).as(target).startsWith("HTTP/1.1 400").contains("BAD_TARGET").doesNotContain(RecordingBackend.SECRET);
    assertThat(served).startsWith("HTTP/1.1 200");
    assertThat(backend.requestLines).containsExactly("GET /api/housing/records/7 HTTP/1.1");
  }

  /** Seals {@code message} as civil affairs would, bypassing its gateway, and posts it to the provider over mTLS. */
  int postSealed(String message) throws Exception {
    SealedEnvelope env = EnvelopeSealer.builder(civil).build().seal(SealRequest.builder()
        .recipient(housing.encryptionCertificate()).resource(RESOURCE).purpose("social-assistance-review")
        .contentType("message/http").build(), message.getBytes(StandardCharsets.ISO_8859_1));
    List<PartyCertificate> all = new ArrayList<>(housing.certificates());
    all.addAll(civil.certificates());
    io.netty.channel.EventLoopGroup group = new io.netty.channel.MultiThreadIoEventLoopGroup(1,
        io.netty.channel.nio.NioIoHandler.newFactory());
    try {
      io.shulian.gateway.forward.BackendPool client = new io.shulian.gateway.forward.BackendPool(
          io.netty.channel.socket.nio.NioSocketChannel.class,
          io.shulian.gateway.authenticate.GatewayTls.client(civil, new PinnedPeerVerifier(all, Clock.systemUTC())),
          Duration.ofSeconds(5), Duration.ofSeconds(10), 1 << 20, null);
      URI target = URI.create("https://127.0.0.1:" + provider.address("provider").getPort() + "/shulian/v1/exchange");
      io.netty.handler.codec.http.FullHttpRequest req = new io.netty.handler.codec.http.DefaultFullHttpRequest(
          io.netty.handler.codec.http.HttpVersion.HTTP_1_1, io.netty.handler.codec.http.HttpMethod.POST,
          "/shulian/v1/exchange", io.netty.buffer.Unpooled.wrappedBuffer(env.toByteArray()));
      req.headers().set("Content-Type", "application/jose").setInt("Content-Length", env.size());
      io.netty.channel.EventLoop loop = group.next();
      io.netty.handler.codec.http.FullHttpResponse resp =
          loop.submit(() -> client.send(loop, target, req, false)).get().get(15, java.util.concurrent.TimeUnit.SECONDS);
      try {
        return resp.status().code();
      } finally {
        resp.release();
      }
    } finally {
      group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }
  }

  static List<ExchangeEvent> refusals(MemoryAuditor a) {
    return a.events.stream().filter(e -> !e.permitted).toList();
  }
}
