package io.shulian.gateway;

import com.sun.net.httpserver.HttpServer;
import io.shulian.core.keys.PartyCertificate;
import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.keys.Suite;
import io.shulian.core.trust.PinnedSenderTrust;
import io.shulian.gateway.authenticate.ApiKeys;
import io.shulian.gateway.authenticate.PinnedPeerVerifier;
import io.shulian.gateway.authorize.ExchangePolicy;
import io.shulian.gateway.inbound.Limits;
import io.shulian.gateway.seal.Route;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A consumer gateway (civil affairs) and a provider gateway (housing) with a real backend, on
 * ephemeral loopback ports. The backend answers {@code {"path":…,"bytes":<request body length>}};
 * a path containing {@code slow} is answered after {@link #SLOW_MS}.
 */
final class TestCity implements AutoCloseable {
  static final String API_KEY = GatewayEndToEndTest.API_KEY;
  static final String PURPOSE = "social-assistance-review";
  static final int SLOW_MS = 1000;

  final MemoryAuditor consumerAudit = new MemoryAuditor();
  final MemoryAuditor providerAudit = new MemoryAuditor();
  final AtomicInteger backendCalls = new AtomicInteger();
  final List<AutoCloseable> closeables = new ArrayList<>();
  final PartyIdentity housing;
  final PartyIdentity civil;
  final List<PartyCertificate> all = new ArrayList<>();
  HttpServer backend;
  Gateway provider;
  Gateway consumer;

  private TestCity(Suite suite, List<PartyIdentity> alsoTrusted) throws Exception {
    housing = TestIdentities.create(suite, GatewayEndToEndTest.HOUSING);
    civil = TestIdentities.create(suite, GatewayEndToEndTest.CIVIL);
    all.addAll(housing.certificates());
    all.addAll(civil.certificates());
    for (PartyIdentity p : alsoTrusted) {
      all.addAll(p.certificates());
    }
  }

  static Limits limits(int maxBodyBytes) {
    return new Limits(maxBodyBytes, 8192, 4096, Duration.ofSeconds(2), Duration.ofSeconds(10), Duration.ofSeconds(5), 1000);
  }

  /**
   * Starts the city with the given limits on both gateways; both also trust the certificates of
   * {@code alsoTrusted} (other parties of the city); {@code consumerExtra} may add to the consumer.
   */
  static TestCity start(ExchangePolicy policy, Limits limits, List<PartyIdentity> alsoTrusted,
      Consumer<Gateway.Builder> consumerExtra) throws Exception {
    TestCity c = new TestCity(Suite.INTL, alsoTrusted);
    try {
      c.startBackend();
      c.provider = c.providerFor(c.housing, policy, limits, c.providerAudit, c.backendUrl()).build().start();
      c.closeables.add(c.provider);
      Gateway.Builder cb = c.consumerBuilder(limits)
          .route(new Route("HOUSING-001", GatewayEndToEndTest.HOUSING,
              URI.create("https://127.0.0.1:" + c.provider.address("provider").getPort()), c.housing.encryptionCertificate()));
      consumerExtra.accept(cb);
      c.consumer = cb.build().start();
      c.closeables.add(c.consumer);
      return c;
    } catch (Exception | Error e) {
      c.close();
      throw e;
    }
  }

  static TestCity start(ExchangePolicy policy, Limits limits) throws Exception {
    return start(policy, limits, List.of(), b -> {});
  }

  static TestCity start(ExchangePolicy policy) throws Exception {
    return start(policy, limits(1 << 20));
  }

  URI backendUrl() {
    return URI.create("http://127.0.0.1:" + backend.getAddress().getPort() + "/api/housing");
  }

  void startBackend() throws Exception {
    backend = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    backend.createContext("/api/housing", ex -> {
      backendCalls.incrementAndGet();
      byte[] in;
      try (InputStream is = ex.getRequestBody()) {
        in = is.readAllBytes();
      }
      if (ex.getRequestURI().getPath().contains("slow")) {
        try {
          Thread.sleep(SLOW_MS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      byte[] body = ("{\"path\":\"" + ex.getRequestURI() + "\",\"bytes\":" + in.length + "}").getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("Content-Type", "application/json");
      ex.sendResponseHeaders(200, body.length);
      ex.getResponseBody().write(body);
      ex.close();
    });
    ExecutorService threads = Executors.newFixedThreadPool(16);
    backend.setExecutor(threads);
    backend.start();
    closeables.add(threads::shutdownNow);
    closeables.add(() -> backend.stop(0));
  }

  /** A provider gateway for {@code who} serving HOUSING-001 from {@code backendUrl}, trusting every party of this city. */
  Gateway.Builder providerFor(PartyIdentity who, ExchangePolicy policy, Limits limits, MemoryAuditor audit, URI backendUrl) {
    InetSocketAddress any = new InetSocketAddress("127.0.0.1", 0);
    return Gateway.builder()
        .identity(who)
        .senderTrust(PinnedSenderTrust.of(civil.certificates()))
        .peers(new PinnedPeerVerifier(all, Clock.systemUTC()))
        .auditor(audit)
        .policy(policy)
        .backend("HOUSING-001", backendUrl, List.of(new io.shulian.core.catalog.Endpoint("GET", "/{name}"),
            new io.shulian.core.catalog.Endpoint("POST", "/{name}")))
        .consumerCertificate(civil.encryptionCertificate())
        .limits(limits)
        .providerListener(any)
        .adminListener(any)
        .eventLoops(2);
  }

  Gateway.Builder consumerBuilder(Limits limits) {
    InetSocketAddress any = new InetSocketAddress("127.0.0.1", 0);
    return Gateway.builder()
        .identity(civil)
        .senderTrust(PinnedSenderTrust.of(all))
        .peers(new PinnedPeerVerifier(all, Clock.systemUTC()))
        .auditor(consumerAudit)
        .apiKeys(ApiKeys.of(Map.of("civil-portal", ApiKeys.hash(API_KEY))))
        .limits(limits)
        .consumerListener(any)
        .adminListener(any)
        .eventLoops(2);
  }

  int consumerPort() {
    return consumer.address("consumer").getPort();
  }

  final java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();

  /** Calls the consumer as the department app does: {@code method path} with API key and purpose. */
  java.net.http.HttpResponse<String> call(String method, String path, byte[] body) throws Exception {
    java.net.http.HttpRequest r = java.net.http.HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + consumerPort() + path))
        .timeout(Duration.ofSeconds(20))
        .header("X-Api-Key", API_KEY)
        .header("X-Shulian-Purpose", PURPOSE)
        .method(method, body == null ? java.net.http.HttpRequest.BodyPublishers.noBody()
            : java.net.http.HttpRequest.BodyPublishers.ofByteArray(body))
        .build();
    return http.send(r, java.net.http.HttpResponse.BodyHandlers.ofString());
  }

  java.net.http.HttpResponse<String> get(Gateway gw, String adminPath) throws Exception {
    return http.send(java.net.http.HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + gw.address("admin").getPort() + adminPath)).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
  }

  /** A GET request for {@code path} as a department app sends it (keep-alive). */
  static String get(String path) {
    return "GET " + path + " HTTP/1.1\r\nHost: x\r\nX-Api-Key: " + API_KEY + "\r\nX-Shulian-Purpose: " + PURPOSE + "\r\n\r\n";
  }

  /** Sends raw bytes to the consumer listener and returns everything until the server closes. */
  String raw(String request) throws Exception {
    try (Socket s = new Socket("127.0.0.1", consumerPort())) {
      s.setSoTimeout(15000);
      s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      s.getOutputStream().flush();
      return new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
    }
  }

  /** One HTTP/1.1 response read off a socket: status, headers (lower-case names) and body. */
  record Response(int status, Map<String, String> headers, String body) {}

  /** Reads one response framed by Content-Length; null at end of stream. */
  static Response read(InputStream in) throws Exception {
    String statusLine = line(in);
    if (statusLine == null) {
      return null;
    }
    Map<String, String> headers = new java.util.HashMap<>();
    for (String l = line(in); l != null && !l.isEmpty(); l = line(in)) {
      int c = l.indexOf(':');
      headers.put(l.substring(0, c).trim().toLowerCase(java.util.Locale.ROOT), l.substring(c + 1).trim());
    }
    int n = Integer.parseInt(headers.getOrDefault("content-length", "0"));
    byte[] body = in.readNBytes(n);
    return new Response(Integer.parseInt(statusLine.split(" ")[1]), headers, new String(body, StandardCharsets.UTF_8));
  }

  private static String line(InputStream in) throws Exception {
    StringBuilder b = new StringBuilder();
    int c;
    while ((c = in.read()) != -1) {
      if (c == '\n') {
        return b.toString();
      }
      if (c != '\r') {
        b.append((char) c);
      }
    }
    return b.length() == 0 ? null : b.toString();
  }

  @Override
  public void close() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
  }
}
