package io.shulian.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.shulian.core.envelope.EnvelopeSealer;
import io.shulian.core.envelope.SealRequest;
import io.shulian.core.envelope.SealedEnvelope;
import io.shulian.core.keys.PartyIdentity;
import io.shulian.gateway.audit.ExchangeEvent;
import io.shulian.gateway.authenticate.GatewayTls;
import io.shulian.gateway.authenticate.PinnedPeerVerifier;
import io.shulian.gateway.forward.BackendPool;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The HTTP edge of real gateways on loopback: pipelined requests are answered in order, requests
 * refused at the edge are audited and counted, metrics stay bounded whatever names arrive, and one
 * body limit holds end to end.
 */
class GatewayEdgeTest {
  TestCity city;

  @AfterEach
  void tearDown() throws Exception {
    if (city != null) {
      city.close();
    }
  }

  // ---- pipelining (RFC 9112 9.3.2: responses in the order of the requests) ----

  @Test
  void pipelining_slowFirstRequest_responsesInRequestOrder() throws Exception {
    city = TestCity.start(GatewayEndToEndTest.permitPurpose(TestCity.PURPOSE));
    List<String> paths = List.of("/exchange/HOUSING-001/slow-0", "/exchange/HOUSING-001/fast-1",
        "/exchange/HOUSING-001/fast-2", "/exchange/HOUSING-001/fast-3");

    List<TestCity.Response> responses = new ArrayList<>();
    try (Socket s = new Socket("127.0.0.1", city.consumerPort())) {
      s.setSoTimeout(20000);
      StringBuilder all = new StringBuilder();
      paths.forEach(p -> all.append(TestCity.get(p)));
      s.getOutputStream().write(all.toString().getBytes(StandardCharsets.ISO_8859_1));
      InputStream in = s.getInputStream();
      for (int i = 0; i < paths.size(); i++) {
        responses.add(TestCity.read(in));
      }
    }

    for (int i = 0; i < paths.size(); i++) {
      assertThat(responses.get(i).status()).as(responses.get(i).body()).isEqualTo(200);
      assertThat(responses.get(i).body()).contains(paths.get(i).replace("/exchange/HOUSING-001", "/api/housing"));
    }
  }

  @Test
  void pipelining_refusalsBehindSlowRequest_answeredInOrder() throws Exception {
    city = TestCity.start(GatewayEndToEndTest.permitPurpose(TestCity.PURPOSE));
    String badKey = "GET /exchange/HOUSING-001/x HTTP/1.1\r\nHost: x\r\nX-Api-Key: wrong\r\n\r\n";

    List<TestCity.Response> responses = new ArrayList<>();
    try (Socket s = new Socket("127.0.0.1", city.consumerPort())) {
      s.setSoTimeout(20000);
      s.getOutputStream().write((TestCity.get("/exchange/HOUSING-001/slow") + badKey
          + TestCity.get("/exchange/NO-SUCH/x") + TestCity.get("/exchange/HOUSING-001/fast"))
          .getBytes(StandardCharsets.ISO_8859_1));
      for (int i = 0; i < 4; i++) {
        responses.add(TestCity.read(s.getInputStream()));
      }
    }

    assertThat(responses).extracting(TestCity.Response::status).containsExactly(200, 401, 404, 200);
    assertThat(responses.get(0).body()).contains("/api/housing/slow");
    assertThat(responses.get(3).body()).contains("/api/housing/fast");
  }

  @Test
  void pipelining_malformedRequestBehindSlowRequest_slowAnsweredThen400() throws Exception {
    city = TestCity.start(GatewayEndToEndTest.permitPurpose(TestCity.PURPOSE));

    String r = city.raw(TestCity.get("/exchange/HOUSING-001/slow")
        + "POST /exchange/HOUSING-001/x HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");

    assertThat(r).startsWith("HTTP/1.1 200");
    assertThat(r.indexOf("/api/housing/slow")).isPositive().isLessThan(r.indexOf("HTTP/1.1 400"));
    assertThat(r).contains("MALFORMED_REQUEST");
  }

  // ---- refusals at the HTTP edge are audited and counted ----

  static Stream<Arguments> edgeRefusals() {
    String head = "POST /exchange/HOUSING-001/x HTTP/1.1\r\nHost: x\r\nX-Api-Key: " + TestCity.API_KEY
        + "\r\nX-Shulian-Purpose: " + TestCity.PURPOSE + "\r\n";
    return Stream.of(
        Arguments.of("content-length with transfer-encoding",
            head + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\n\r\n", 400, "MALFORMED_REQUEST"),
        Arguments.of("bad chunk size", head + "Transfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n", 400, "MALFORMED_REQUEST"),
        Arguments.of("two content-lengths", head + "Content-Length: 1\r\nContent-Length: 2\r\n\r\nab", 400, "MALFORMED_REQUEST"),
        Arguments.of("header section too large", head + "X-Big: " + "a".repeat(10000) + "\r\n\r\n", 431, "HEADERS_TOO_LARGE"),
        Arguments.of("body too large", head + "Content-Length: 2000000\r\n\r\n", 413, "BODY_TOO_LARGE"),
        Arguments.of("body too large, expecting 100-continue",
            head + "Expect: 100-continue\r\nContent-Length: 2000000\r\n\r\n", 413, "BODY_TOO_LARGE"),
        Arguments.of("unsupported expectation", head + "Expect: teapot\r\nContent-Length: 1\r\n\r\n", 417, "EXPECTATION_FAILED"),
        Arguments.of("request not completed in time", head + "Content-Length: 10\r\n\r\nabc", 408, "REQUEST_TIMEOUT"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("edgeRefusals")
  void edge_refusedRequest_isAuditedAndCounted(String name, String request, int status, String code) throws Exception {
    city = TestCity.start(GatewayEndToEndTest.permitPurpose(TestCity.PURPOSE));

    String r = city.raw(request);

    assertThat(r).startsWith("HTTP/1.1 " + status).contains("application/problem+json").contains(code);
    assertThat(city.backendCalls.get()).isZero();
    assertThat(city.providerAudit.events).isEmpty();
    assertThat(city.consumerAudit.events).singleElement().satisfies(e -> {
      assertThat(e.status).isEqualTo(status);
      assertThat(e.outcome).isEqualTo(code);
      assertThat(e.reasons).containsExactly("EDGE_REFUSED");
      assertThat(e.direction).isEqualTo(ExchangeEvent.Direction.REQUEST_OUT);
      assertThat(e.permitted).isFalse();
    });
    Counter c = city.consumer.registry().find("shulian.edge.refusals").tag("listener", "consumer")
        .tag("code", code.toLowerCase(java.util.Locale.ROOT)).counter();
    assertThat(c).isNotNull();
    assertThat(c.count()).isEqualTo(1.0);
  }

  /** A TLS socket to the provider listener that authenticates as {@code who}. */
  static SSLSocket tlsTo(int port, PartyIdentity who) throws Exception {
    KeyManagerFactory kmf = who.tlsKeyManagerFactory();
    SSLContext tls = SSLContext.getInstance("TLSv1.3");
    tls.init(kmf.getKeyManagers(), new TrustManager[] {new X509TrustManager() {
      @Override
      public void checkClientTrusted(X509Certificate[] chain, String authType) {}

      @Override
      public void checkServerTrusted(X509Certificate[] chain, String authType) {}

      @Override
      public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
      }
    }}, null);
    SSLSocket s = (SSLSocket) tls.getSocketFactory().createSocket("127.0.0.1", port);
    s.setSoTimeout(15000);
    s.startHandshake();
    return s;
  }

  @Test
  void edge_smugglingAttemptFromPeerGateway_isAuditedWithThePeerAndCounted() throws Exception {
    city = TestCity.start(GatewayEndToEndTest.permitPurpose(TestCity.PURPOSE));

    String r;
    try (SSLSocket s = tlsTo(city.provider.address("provider").getPort(), city.civil)) {
      OutputStream out = s.getOutputStream();
      out.write(("POST /shulian/v1/exchange HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"
          + "0\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      r = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
    }

    assertThat(r).startsWith("HTTP/1.1 400").contains("MALFORMED_REQUEST");
    assertThat(city.providerAudit.events).singleElement().satisfies(e -> {
      assertThat(e.status).isEqualTo(400);
      assertThat(e.direction).isEqualTo(ExchangeEvent.Direction.REQUEST_IN);
      assertThat(e.sender).isEqualTo(GatewayEndToEndTest.CIVIL.toString());
      assertThat(e.reasons).containsExactly("EDGE_REFUSED");
    });
    assertThat(city.provider.registry().find("shulian.edge.refusals").tag("listener", "provider")
        .tag("code", "malformed_request").counter().count()).isEqualTo(1.0);
  }

  // ---- metrics cardinality ----

  /** Sends GETs for {@code names} as resource names on one keep-alive connection, one at a time. */
  void callResources(List<String> names) throws Exception {
    try (Socket s = new Socket("127.0.0.1", city.consumerPort())) {
      s.setSoTimeout(20000);
      for (String n : names) {
        s.getOutputStream().write(TestCity.get("/exchange/" + n + "/x").getBytes(StandardCharsets.ISO_8859_1));
        assertThat(TestCity.read(s.getInputStream()).status()).isEqualTo(404);
      }
    }
  }

  static List<String> randomNames(int n) {
    List<String> l = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      l.add("R" + UUID.randomUUID().toString().replace("-", ""));
    }
    return l;
  }

  @Test
  void metrics_thousandsOfUnknownResourceNames_metricsStayBounded() throws Exception {
    city = TestCity.start(GatewayEndToEndTest.permitPurpose(TestCity.PURPOSE));
    assertThat(city.call("GET", "/exchange/HOUSING-001/x", null).statusCode()).isEqualTo(200);
    callResources(randomNames(20));
    int before = city.consumer.registry().scrape().length();

    List<String> names = randomNames(3000);
    callResources(names);
    String after = city.consumer.registry().scrape();

    assertThat(after.length()).isLessThan(before + 4096);
    assertThat(after).doesNotContain(names.get(0)).doesNotContain(names.get(2999))
        .contains("resource=\"HOUSING-001\"").contains("resource=\"unknown\"");
    assertThat(city.consumerAudit.events).anySatisfy(e -> assertThat(e.resource).isEqualTo(names.get(0)));
  }

  @Test
  void metrics_envelopesForManyUnknownResources_providerMetricsStayBounded() throws Exception {
    city = TestCity.start(GatewayEndToEndTest.permitPurpose(TestCity.PURPOSE));
    io.netty.channel.EventLoopGroup group =
        new io.netty.channel.MultiThreadIoEventLoopGroup(1, io.netty.channel.nio.NioIoHandler.newFactory());
    city.closeables.add(() -> group.shutdownGracefully().syncUninterruptibly());
    BackendPool peer = new BackendPool(io.netty.channel.socket.nio.NioSocketChannel.class,
        GatewayTls.client(city.civil, new PinnedPeerVerifier(city.all, Clock.systemUTC())),
        Duration.ofSeconds(5), Duration.ofSeconds(10), 1 << 20, null);
    URI target = URI.create("https://127.0.0.1:" + city.provider.address("provider").getPort() + "/shulian/v1/exchange");
    EnvelopeSealer sealer = EnvelopeSealer.builder(city.civil).build();
    List<String> names = randomNames(300);
    int before = 0;
    for (int i = 0; i < names.size(); i++) {
      SealedEnvelope env = sealer.seal(SealRequest.builder().recipient(city.housing.encryptionCertificate())
          .resource(names.get(i)).purpose(TestCity.PURPOSE).contentType("message/http").build(),
          "GET /x HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      io.netty.handler.codec.http.FullHttpRequest req = new io.netty.handler.codec.http.DefaultFullHttpRequest(
          io.netty.handler.codec.http.HttpVersion.HTTP_1_1, io.netty.handler.codec.http.HttpMethod.POST,
          "/shulian/v1/exchange", io.netty.buffer.Unpooled.wrappedBuffer(env.toByteArray()));
      req.headers().set("Content-Type", "application/jose").setInt("Content-Length", env.size());
      io.netty.channel.EventLoop loop = group.next();
      io.netty.handler.codec.http.FullHttpResponse resp =
          loop.submit(() -> peer.send(loop, target, req, false)).get().get(15, TimeUnit.SECONDS);
      assertThat(resp.status().code()).isEqualTo(404);
      resp.release();
      if (i == 9) {
        before = city.provider.registry().scrape().length();
      }
    }
    String after = city.provider.registry().scrape();

    assertThat(after.length()).isLessThan(before + 4096);
    assertThat(after).doesNotContain(names.get(299));
  }

  // ---- one body limit, end to end ----

  @Test
  void limits_bodyOfExactlyMaxBodyBytes_passesEndToEnd() throws Exception {
    city = TestCity.start(GatewayEndToEndTest.permitPurpose(TestCity.PURPOSE), TestCity.limits(64 * 1024));
    byte[] body = new byte[64 * 1024];
    Arrays.fill(body, (byte) 'a');

    HttpResponse<String> r = city.call("POST", "/exchange/HOUSING-001/upload", body);

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.body()).contains("\"bytes\":65536");
  }

  @Test
  void limits_bodyOverMaxBodyBytes_is413AtConsumerAndNothingForwarded() throws Exception {
    city = TestCity.start(GatewayEndToEndTest.permitPurpose(TestCity.PURPOSE), TestCity.limits(64 * 1024));

    TestCity.Response r;
    try (Socket s = new Socket("127.0.0.1", city.consumerPort())) {
      s.setSoTimeout(15000);
      s.getOutputStream().write(("POST /exchange/HOUSING-001/upload HTTP/1.1\r\nHost: x\r\nX-Api-Key: " + TestCity.API_KEY
          + "\r\nX-Shulian-Purpose: " + TestCity.PURPOSE + "\r\nContent-Length: " + (64 * 1024 + 1) + "\r\n\r\n"
          + "a".repeat(64 * 1024 + 1)).getBytes(StandardCharsets.ISO_8859_1));
      // the gateway answers once it sees the length, and may close before reading the body
      r = TestCity.read(s.getInputStream());
    }

    assertThat(r.status()).isEqualTo(413);
    assertThat(r.body()).contains("BODY_TOO_LARGE");
    assertThat(city.backendCalls.get()).isZero();
    assertThat(city.providerAudit.events).isEmpty();
    assertThat(city.consumerAudit.events).singleElement().satisfies(e -> assertThat(e.status).isEqualTo(413));
  }
}
