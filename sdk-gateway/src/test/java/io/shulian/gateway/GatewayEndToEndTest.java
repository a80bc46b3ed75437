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
  /** Makes the provider's peer verifier refuse the consumer, as a trust swap revoking it would. */
  volatile boolean civilUntrustedAtProvider;
  final AtomicInteger backendCalls = new AtomicInteger();
  volatile int backendDelayMs;
  /** When set, the backend holds each request until the latch opens. */
  volatile java.util.concurrent.CountDownLatch backendGate;
  Duration backendTimeout = Duration.ofMillis(1500);
  HttpServer backend;
  PartyIdentity housingId;
  PartyIdentity civilId;
  Gateway provider;
  Gateway consumer;
  final HttpClient http = HttpClient.newHttpClient();

  @AfterEach
  void tearDown() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
  }

  /** The consumer gateway's limits ({@link #startCity} reads them). */
  io.shulian.gateway.inbound.Limits consumerLimits = io.shulian.gateway.inbound.Limits.defaults();

  void startCity(Suite suite, ExchangePolicy policy) throws Exception {
    backend = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    backend.createContext("/api/housing", ex -> {
      backendCalls.incrementAndGet();
      java.util.concurrent.CountDownLatch gate = backendGate;
      if (gate != null) {
        try {
          gate.await(60, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
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
    // a pool, so that delayed responses overlap instead of queueing behind each other
    java.util.concurrent.ExecutorService backendThreads = java.util.concurrent.Executors.newFixedThreadPool(32);
    backend.setExecutor(backendThreads);
    backend.start();
    closeables.add(backendThreads::shutdownNow);
    closeables.add(() -> backend.stop(0));

    PartyIdentity housing = TestIdentities.create(suite, HOUSING);
    PartyIdentity civil = TestIdentities.create(suite, CIVIL);
    housingId = housing;
    civilId = civil;
    List<PartyCertificate> all = new ArrayList<>(housing.certificates());
    all.addAll(civil.certificates());
    InetSocketAddress any = new InetSocketAddress("127.0.0.1", 0);

    PinnedPeerVerifier pinned = new PinnedPeerVerifier(all, Clock.systemUTC());
    provider = Gateway.builder()
        .identity(housing)
        .senderTrust(PinnedSenderTrust.of(civil.certificates()))
        .peers(chain -> {
          io.shulian.core.party.PartyId party = pinned.verify(chain);
          if (civilUntrustedAtProvider && party.equals(CIVIL)) {
            throw new java.security.cert.CertificateException("revoked");
          }
          return party;
        })
        .auditor(providerAudit)
        .policy(policy)
        .backend("HOUSING-001", URI.create("http://127.0.0.1:" + backend.getAddress().getPort() + "/api/housing"),
            List.of(new io.shulian.core.catalog.Endpoint("GET", "/{name}")))
        .consumerCertificate(civil.encryptionCertificate())
        .limits(new io.shulian.gateway.inbound.Limits(1 << 20, 8192, 4096, Duration.ofSeconds(5),
            Duration.ofSeconds(5), backendTimeout, 1000))
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
        .limits(consumerLimits)
        .consumerListener(any)
        .adminListener(any)
        .eventLoops(2)
        .build().start();
    closeables.add(consumer);
  }

  static ExchangePolicy permitPurpose(String purpose) {
    return (h, action, grant) -> h.purpose().equals(purpose)
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

  @org.junit.jupiter.api.Test
  void exchange_unknownApiKey_is401AndAudited() throws Exception {
    startCity(Suite.INTL, permitPurpose("social-assistance-review"));

    HttpResponse<String> r = call("/exchange/HOUSING-001/x", "social-assistance-review", "wrong-key");

    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.body()).contains("UNKNOWN_APP");
    assertThat(consumerAudit.events).singleElement().satisfies(e -> assertThat(e.status).isEqualTo(401));
    assertThat(providerAudit.events).isEmpty();
  }

  @org.junit.jupiter.api.Test
  void exchange_unknownResource_is404() throws Exception {
    startCity(Suite.INTL, permitPurpose("social-assistance-review"));

    HttpResponse<String> r = call("/exchange/NO-SUCH-RESOURCE/x", "social-assistance-review", API_KEY);

    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(r.body()).contains("UNKNOWN_RESOURCE");
  }

  @org.junit.jupiter.api.Test
  void exchange_withoutPurpose_is400() throws Exception {
    startCity(Suite.INTL, permitPurpose("social-assistance-review"));

    HttpResponse<String> r = call("/exchange/HOUSING-001/x", null, API_KEY);

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).contains("PURPOSE_REQUIRED");
  }

  @org.junit.jupiter.api.Test
  void exchange_backendDown_is502AndAuditedOnBothSides() throws Exception {
    startCity(Suite.INTL, permitPurpose("social-assistance-review"));
    backend.stop(0);

    HttpResponse<String> r = call("/exchange/HOUSING-001/x", "social-assistance-review", API_KEY);

    assertThat(r.statusCode()).isEqualTo(502);
    assertThat(r.body()).contains("BACKEND_UNAVAILABLE").doesNotContain("127.0.0.1");
    assertThat(providerAudit.events).singleElement().satisfies(e -> assertThat(e.outcome).isEqualTo("BACKEND_UNAVAILABLE"));
    assertThat(consumerAudit.events).singleElement().satisfies(e -> assertThat(e.status).isEqualTo(502));
  }

  @org.junit.jupiter.api.Test
  void exchange_backendSlowerThanTimeout_is504() throws Exception {
    startCity(Suite.INTL, permitPurpose("social-assistance-review"));
    backendDelayMs = 3000;

    HttpResponse<String> r = call("/exchange/HOUSING-001/x", "social-assistance-review", API_KEY);

    assertThat(r.statusCode()).isEqualTo(504);
    assertThat(r.body()).contains("BACKEND_TIMEOUT");
  }

  @org.junit.jupiter.api.Test
  void exchange_providerAuditUnwritable_is503AndNothingReleased() throws Exception {
    startCity(Suite.INTL, permitPurpose("social-assistance-review"));
    providerAudit.failing = true;

    HttpResponse<String> r = call("/exchange/HOUSING-001/records", "social-assistance-review", API_KEY);

    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(r.body()).contains("AUDIT_UNAVAILABLE").doesNotContain("440604199001011234");
    HttpResponse<String> ready = http.send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + provider.address("admin").getPort() + "/readyz")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(ready.statusCode()).isEqualTo(503);
    assertThat(ready.body()).contains("audit");
  }

  @org.junit.jupiter.api.Test
  void exchange_consumerAuditUnwritable_is503AndNothingReleased() throws Exception {
    startCity(Suite.INTL, permitPurpose("social-assistance-review"));
    consumerAudit.failing = true;

    HttpResponse<String> r = call("/exchange/HOUSING-001/records", "social-assistance-review", API_KEY);

    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(r.body()).doesNotContain("440604199001011234");
  }

  @org.junit.jupiter.api.Test
  void exchange_maskingObligation_isAppliedBeforeSealing() throws Exception {
    ExchangePolicy masking = (h, a, gr) -> new Verdict(true, List.of(), List.of("mask-id"), List.of("mask:idNumber"), "v1",
        body -> new String(body, StandardCharsets.UTF_8).replace("440604199001011234", "440604********1234")
            .getBytes(StandardCharsets.UTF_8));
    startCity(Suite.GM, masking);

    HttpResponse<String> r = call("/exchange/HOUSING-001/records", "social-assistance-review", API_KEY);

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).contains("440604********1234").doesNotContain("440604199001011234");
    assertThat(providerAudit.events.get(0).obligations).containsExactly("mask:idNumber");
  }

  @org.junit.jupiter.api.Test
  void admin_healthAndMetrics_areServed() throws Exception {
    startCity(Suite.INTL, permitPurpose("social-assistance-review"));
    call("/exchange/HOUSING-001/x", "social-assistance-review", API_KEY);
    String admin = "http://127.0.0.1:" + provider.address("admin").getPort();

    HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create(admin + "/healthz")).build(), HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> ready = http.send(HttpRequest.newBuilder(URI.create(admin + "/readyz")).build(), HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(URI.create(admin + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());

    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(metrics.body()).contains("shulian_exchanges_total").contains("resource=\"HOUSING-001\"")
        .contains("shulian_tls_handshakes_total");
  }

  @ParameterizedTest
  @EnumSource(Suite.class)
  void exchange_concurrentRequests_eachGetsItsOwnAnswerUnderSharedSignatures(Suite suite) throws Exception {
    startCity(suite, permitPurpose("social-assistance-review"));
    int n = 48;
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(16);
    List<java.util.concurrent.Future<HttpResponse<String>>> futures = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String path = "/exchange/HOUSING-001/item-" + i;
      futures.add(pool.submit(() -> call(path, "social-assistance-review", API_KEY)));
    }
    for (int i = 0; i < n; i++) {
      HttpResponse<String> r = futures.get(i).get(60, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      // batch-signed envelopes never cross: each answer is the one for its own request
      assertThat(r.body()).isEqualTo("{\"path\":\"/api/housing/item-" + i + "\"}");
    }
    pool.shutdown();
    for (Gateway gw : List.of(consumer, provider)) {
      String metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gw.address("admin").getPort()
          + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
      // every envelope sealed went through the batcher: n requests, or n responses
      assertThat(metrics).contains("shulian_envelope_signature_batch_sum " + n + ".0");
    }
  }

  @org.junit.jupiter.api.Test
  void close_underTraffic_answersEveryAcceptedRequest() throws Exception {
    startCity(Suite.INTL, permitPurpose("social-assistance-review"));
    backendDelayMs = 200;
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
    List<java.util.concurrent.Future<Integer>> futures = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      futures.add(pool.submit(() -> call("/exchange/HOUSING-001/x", "social-assistance-review", API_KEY).statusCode()));
    }
    Thread.sleep(100);
    provider.close();
    int ok = 0;
    int refused = 0;
    for (java.util.concurrent.Future<Integer> f : futures) {
      int status = f.get(30, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(status).isIn(200, 502);
      if (status == 200) {
        ok++;
      } else {
        refused++;
      }
    }
    pool.shutdown();
    // every request the provider accepted before the close was answered and audited
    assertThat(ok).isEqualTo((int) providerAudit.events.stream().filter(e -> e.status == 200).count());
    assertThat(ok + refused).isEqualTo(16);
  }

  /** Sends raw bytes to the consumer listener and returns what comes back until the server closes. */
  String raw(String request) throws Exception {
    try (java.net.Socket s = new java.net.Socket("127.0.0.1", consumer.address("consumer").getPort())) {
      s.setSoTimeout(15000);
      s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      s.getOutputStream().flush();
      return new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
    }
  }

  @org.junit.jupiter.api.Test
  void inbound_contentLengthWithTransferEncoding_isRejectedNotForwarded() throws Exception {
    startCity(Suite.INTL, permitPurpose("social-assistance-review"));

    String r = raw("POST /exchange/HOUSING-001/x HTTP/1.1\r\nHost: x\r\nX-Api-Key: " + API_KEY
        + "\r\nX-Shulian-Purpose: social-assistance-review\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\n\r\n");

    assertThat(r).startsWith("HTTP/1.1 400").contains("MALFORMED_REQUEST");
    assertThat(backendCalls.get()).isZero();
  }

  @org.junit.jupiter.api.Test
  void inbound_bodyOverLimit_is413() throws Exception {
    startCity(Suite.INTL, permitPurpose("social-assistance-review"));

    String r = raw("POST /exchange/HOUSING-001/x HTTP/1.1\r\nHost: x\r\nContent-Length: 20000000\r\n\r\n");

    assertThat(r).startsWith("HTTP/1.1 413").contains("BODY_TOO_LARGE");
  }

  @org.junit.jupiter.api.Test
  void inbound_headerSectionOverLimit_is431() throws Exception {
    startCity(Suite.INTL, permitPurpose("social-assistance-review"));

    String r = raw("GET /exchange/HOUSING-001/x HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(10000) + "\r\n\r\n");

    assertThat(r).startsWith("HTTP/1.1 431");
  }

  @org.junit.jupiter.api.Test
  void inbound_slowHeaders_areCutOffWith408() throws Exception {
    io.shulian.gateway.inbound.Limits d = io.shulian.gateway.inbound.Limits.defaults();
    // a header timeout of 2 s, not the default 10 s: the rule is the same, the wait shorter
    consumerLimits = new io.shulian.gateway.inbound.Limits(d.maxBodyBytes(), d.maxHeaderBytes(), d.maxInitialLineBytes(),
        Duration.ofSeconds(2), d.requestTimeout(), d.backendTimeout(), d.maxConnections());
    startCity(Suite.INTL, permitPurpose("social-assistance-review"));
    try (java.net.Socket s = new java.net.Socket("127.0.0.1", consumer.address("consumer").getPort())) {
      s.setSoTimeout(20000);
      s.getOutputStream().write("GET /exchange/HOUSING-001/x HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
      long t0 = System.nanoTime();
      String r = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
      assertThat(r).startsWith("HTTP/1.1 408");
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(15));
    }
  }

  @org.junit.jupiter.api.Test
  void provider_replayedEnvelope_is409AndServedOnce() throws Exception {
    startCity(Suite.INTL, permitPurpose("social-assistance-review"));
    io.shulian.core.envelope.SealedEnvelope env = io.shulian.core.envelope.EnvelopeSealer.builder(civilId).build().seal(
        io.shulian.core.envelope.SealRequest.builder().recipient(housingId.encryptionCertificate()).resource("HOUSING-001")
            .purpose("social-assistance-review").contentType("message/http").build(),
        "GET /records HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    List<PartyCertificate> all = new ArrayList<>(housingId.certificates());
    all.addAll(civilId.certificates());
    io.netty.channel.EventLoopGroup group = new io.netty.channel.MultiThreadIoEventLoopGroup(1, io.netty.channel.nio.NioIoHandler.newFactory());
    closeables.add(() -> group.shutdownGracefully().syncUninterruptibly());
    io.shulian.gateway.forward.BackendPool client = new io.shulian.gateway.forward.BackendPool(
        io.netty.channel.socket.nio.NioSocketChannel.class,
        io.shulian.gateway.authenticate.GatewayTls.client(civilId, new PinnedPeerVerifier(all, Clock.systemUTC())),
        Duration.ofSeconds(5), Duration.ofSeconds(10), 1 << 20, null);
    URI target = URI.create("https://127.0.0.1:" + provider.address("provider").getPort() + "/shulian/v1/exchange");
    int[] statuses = new int[2];
    for (int i = 0; i < 2; i++) {
      io.netty.handler.codec.http.FullHttpRequest req = new io.netty.handler.codec.http.DefaultFullHttpRequest(
          io.netty.handler.codec.http.HttpVersion.HTTP_1_1, io.netty.handler.codec.http.HttpMethod.POST, "/shulian/v1/exchange",
          io.netty.buffer.Unpooled.wrappedBuffer(env.toByteArray()));
      req.headers().set("Content-Type", "application/jose").setInt("Content-Length", env.size());
      io.netty.channel.EventLoop loop = group.next();
      io.netty.handler.codec.http.FullHttpResponse resp = loop.submit(() -> client.send(loop, target, req, false)).get().get(15, java.util.concurrent.TimeUnit.SECONDS);
      statuses[i] = resp.status().code();
      resp.release();
    }

    assertThat(statuses).containsExactly(200, 409);
    assertThat(backendCalls.get()).isEqualTo(1);
    assertThat(providerAudit.events).hasSize(2);
    assertThat(providerAudit.events.get(1).reasons).containsExactly("REPLAYED");
  }

  @org.junit.jupiter.api.Test
  void provider_clientCertificateNotTrusted_handshakeRefused() throws Exception {
    startCity(Suite.INTL, permitPurpose("social-assistance-review"));
    PartyIdentity stranger = TestIdentities.create(Suite.INTL, CIVIL);
    io.netty.channel.EventLoopGroup group = new io.netty.channel.MultiThreadIoEventLoopGroup(1, io.netty.channel.nio.NioIoHandler.newFactory());
    closeables.add(() -> group.shutdownGracefully().syncUninterruptibly());
    List<PartyCertificate> serverSide = new ArrayList<>(housingId.certificates());
    io.shulian.gateway.forward.BackendPool client = new io.shulian.gateway.forward.BackendPool(
        io.netty.channel.socket.nio.NioSocketChannel.class,
        io.shulian.gateway.authenticate.GatewayTls.client(stranger, new PinnedPeerVerifier(serverSide, Clock.systemUTC())),
        Duration.ofSeconds(5), Duration.ofSeconds(10), 1 << 20, null);
    URI target = URI.create("https://127.0.0.1:" + provider.address("provider").getPort() + "/shulian/v1/exchange");
    io.netty.handler.codec.http.FullHttpRequest req = new io.netty.handler.codec.http.DefaultFullHttpRequest(
        io.netty.handler.codec.http.HttpVersion.HTTP_1_1, io.netty.handler.codec.http.HttpMethod.POST, "/shulian/v1/exchange",
        io.netty.buffer.Unpooled.wrappedBuffer(new byte[] {1}));
    io.netty.channel.EventLoop loop = group.next();
    io.netty.util.concurrent.Future<io.netty.handler.codec.http.FullHttpResponse> f =
        loop.submit(() -> client.send(loop, target, req, false)).get();
    f.await(15, java.util.concurrent.TimeUnit.SECONDS);

    assertThat(f.isSuccess()).isFalse();
    assertThat(backendCalls.get()).isZero();
    assertThat(providerAudit.events).isEmpty();
  }

  HttpResponse<String> admin(Gateway g, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + g.address("admin").getPort() + path))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }

  @org.junit.jupiter.api.Test
  void close_whileDraining_readyzIs503DrainingAndLivezStays200() throws Exception {
    backendTimeout = Duration.ofSeconds(30);
    startCity(Suite.INTL, permitPurpose("social-assistance-review"));
    backendGate = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
    try {
      java.util.concurrent.Future<Integer> held = pool.submit(
          () -> call("/exchange/HOUSING-001/x", "social-assistance-review", API_KEY).statusCode());
      while (backendCalls.get() == 0) {
        Thread.sleep(10);
      }
      assertThat(admin(provider, "/readyz").statusCode()).isEqualTo(200);
      java.util.concurrent.Future<?> closing = pool.submit(provider::close);
      HttpResponse<String> ready = admin(provider, "/readyz");
      while (ready.statusCode() == 200) {
        Thread.sleep(10);
        ready = admin(provider, "/readyz");
      }

      assertThat(ready.statusCode()).isEqualTo(503);
      assertThat(ready.body()).contains("\"status\":\"DRAINING\"").contains("draining");
      assertThat(admin(provider, "/livez").statusCode()).isEqualTo(200);
      assertThat(admin(provider, "/healthz").statusCode()).isEqualTo(200);
      assertThat(closing).isNotDone();
      backendGate.countDown();
      assertThat(held.get(30, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(200);
      closing.get(30, java.util.concurrent.TimeUnit.SECONDS);
      // after the drain the admin listener is closed too
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> admin(provider, "/livez"))
          .isInstanceOf(java.io.IOException.class);
    } finally {
      backendGate.countDown();
      pool.shutdownNow();
    }
  }

  @org.junit.jupiter.api.Test
  void peerRevokedAfterHandshake_requestOnTheOpenConnection_refusedBeforeTheBackend() throws Exception {
    startCity(Suite.INTL, permitPurpose("social-assistance-review"));
    assertThat(call("/exchange/HOUSING-001/x", "social-assistance-review", API_KEY).statusCode()).isEqualTo(200);
    int served = backendCalls.get();

    // the trust now refuses the consumer, but no reload has closed the pooled connection yet
    civilUntrustedAtProvider = true;
    HttpResponse<String> r = call("/exchange/HOUSING-001/x", "social-assistance-review", API_KEY);

    assertThat(r.statusCode()).as(r.body()).isNotEqualTo(200);
    assertThat(backendCalls.get()).isEqualTo(served);
    assertThat(providerAudit.events.get(providerAudit.events.size() - 1).outcome).isEqualTo("PEER_UNTRUSTED");
  }
}
