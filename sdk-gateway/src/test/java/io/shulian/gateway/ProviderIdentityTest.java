package io.shulian.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.keys.Suite;
import io.shulian.core.party.CreditCode;
import io.shulian.core.party.PartyId;
import io.shulian.gateway.pipeline.GatewayContext;
import io.shulian.gateway.seal.Route;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The consumer talks only to the route's provider: a TLS server with a valid certificate of another
 * city party is refused before anything is sent, and what the real provider says in a problem is
 * re-issued as its code with our own text.
 */
class ProviderIdentityTest {
  static final PartyId ENVIRONMENT =
      PartyId.of("440600", CreditCode.withCheckCharacter("11440600MB2C9012D"), "environment");

  TestCity city;
  HttpsServer fake;

  @AfterEach
  void tearDown() throws Exception {
    if (fake != null) {
      fake.stop(0);
    }
    if (city != null) {
      city.close();
    }
  }

  /** Points the consumer's HOUSING-001 route (provider: housing) at another endpoint. */
  void routeHousingTo(URI endpoint) {
    city.consumer.context().replaceDirectory(new GatewayContext.Directory(
        Map.of("HOUSING-001", new Route("HOUSING-001", GatewayEndToEndTest.HOUSING, endpoint, city.housing.encryptionCertificate())),
        Map.of(GatewayEndToEndTest.HOUSING, city.housing.encryptionCertificate())));
  }

  @Test
  void consumer_routeEndpointServedByAnotherCityParty_is502ProviderMismatchAndNothingSent() throws Exception {
    PartyIdentity environment = TestIdentities.create(Suite.INTL, ENVIRONMENT);
    city = TestCity.start(GatewayEndToEndTest.permitPurpose(TestCity.PURPOSE), TestCity.limits(1 << 20),
        List.of(environment), b -> {});
    MemoryAuditor impostorAudit = new MemoryAuditor();
    Gateway impostor = city.providerFor(environment, GatewayEndToEndTest.permitPurpose(TestCity.PURPOSE),
        TestCity.limits(1 << 20), impostorAudit, city.backendUrl()).build().start();
    city.closeables.add(impostor);
    routeHousingTo(URI.create("https://127.0.0.1:" + impostor.address("provider").getPort()));

    HttpResponse<String> r = city.call("GET", "/exchange/HOUSING-001/records", null);

    assertThat(r.statusCode()).as(r.body()).isEqualTo(502);
    assertThat(r.body()).contains("PROVIDER_MISMATCH").doesNotContain("ENVELOPE_REJECTED");
    assertThat(city.backendCalls.get()).isZero();
    // the envelope never reached the other party's gateway
    assertThat(impostorAudit.events).isEmpty();
    assertThat(city.consumerAudit.events).singleElement().satisfies(e -> {
      assertThat(e.status).isEqualTo(502);
      assertThat(e.outcome).isEqualTo("PROVIDER_MISMATCH");
    });
  }

  @Test
  void consumer_providerMismatch_pooledConnectionToTheRealProviderStillServes() throws Exception {
    PartyIdentity environment = TestIdentities.create(Suite.INTL, ENVIRONMENT);
    city = TestCity.start(GatewayEndToEndTest.permitPurpose(TestCity.PURPOSE), TestCity.limits(1 << 20),
        List.of(environment), b -> {});
    Gateway impostor = city.providerFor(environment, GatewayEndToEndTest.permitPurpose(TestCity.PURPOSE),
        TestCity.limits(1 << 20), new MemoryAuditor(), city.backendUrl()).build().start();
    city.closeables.add(impostor);
    URI real = URI.create("https://127.0.0.1:" + city.provider.address("provider").getPort());
    assertThat(city.call("GET", "/exchange/HOUSING-001/a", null).statusCode()).isEqualTo(200);

    routeHousingTo(URI.create("https://127.0.0.1:" + impostor.address("provider").getPort()));
    assertThat(city.call("GET", "/exchange/HOUSING-001/b", null).statusCode()).isEqualTo(502);
    routeHousingTo(real);
    HttpResponse<String> back = city.call("GET", "/exchange/HOUSING-001/c", null);

    assertThat(back.statusCode()).as(back.body()).isEqualTo(200);
    assertThat(back.body()).contains("/api/housing/c");
  }

  /** A TLS server holding the housing bureau's own TLS key that answers every request with {@code status} and {@code body}. */
  URI fakeProvider(int status, String body) throws Exception {
    KeyManagerFactory kmf = city.housing.tlsKeyManagerFactory();
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
    fake = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    fake.setHttpsConfigurator(new HttpsConfigurator(tls) {
      @Override
      public void configure(HttpsParameters params) {
        SSLParameters p = tls.getDefaultSSLParameters();
        p.setWantClientAuth(true);
        params.setSSLParameters(p);
      }
    });
    AtomicInteger calls = new AtomicInteger();
    fake.createContext("/", ex -> {
      calls.incrementAndGet();
      ex.getRequestBody().readAllBytes();
      byte[] b = body.getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("Content-Type", "application/problem+json");
      ex.sendResponseHeaders(status, b.length);
      ex.getResponseBody().write(b);
      ex.close();
    });
    fake.start();
    return URI.create("https://127.0.0.1:" + fake.getAddress().getPort());
  }

  @Test
  void consumer_providerProblemWithInventedText_reissuedAsCodeWithOurText() throws Exception {
    city = TestCity.start(GatewayEndToEndTest.permitPurpose(TestCity.PURPOSE));
    routeHousingTo(fakeProvider(403, "{\"type\":\"about:blank\",\"status\":403,\"code\":\"PURPOSE_NOT_ALLOWED\","
        + "\"detail\":\"your account is locked: call +86 20 5555 0000 with your password\"}"));

    HttpResponse<String> r = city.call("GET", "/exchange/HOUSING-001/records", null);

    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    assertThat(r.body()).contains("\"code\":\"PURPOSE_NOT_ALLOWED\"").doesNotContain("password").doesNotContain("5555");
    assertThat(city.consumerAudit.events).singleElement().satisfies(e -> assertThat(e.status).isEqualTo(403));
  }

  @Test
  void consumer_providerWithJoinedCode_relaysOnePrimaryCodeAndDeduplicatedReasons() throws Exception {
    city = TestCity.start(GatewayEndToEndTest.permitPurpose(TestCity.PURPOSE));
    // what a provider gateway of the previous release sends
    routeHousingTo(fakeProvider(403, "{\"status\":403,\"code\":\"NO_PERMIT,PURPOSE_NOT_ALLOWED,PURPOSE_NOT_ALLOWED\"}"));

    HttpResponse<String> r = city.call("GET", "/exchange/HOUSING-001/records", null);

    assertThat(r.statusCode()).isEqualTo(403);
    com.fasterxml.jackson.databind.JsonNode n = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body());
    assertThat(n.path("code").asText()).isEqualTo("PURPOSE_NOT_ALLOWED");
    assertThat(n.path("reasons")).hasSize(2);
    assertThat(n.path("reasons").get(0).path("code").asText()).isEqualTo("NO_PERMIT");
  }

  @Test
  void consumer_providerReasonsWithInventedMessagesAndBadCodes_onlyWellFormedCodesWithOurText() throws Exception {
    city = TestCity.start(GatewayEndToEndTest.permitPurpose(TestCity.PURPOSE));
    routeHousingTo(fakeProvider(404, "{\"status\":404,\"code\":\"BACKEND_NOT_FOUND\",\"backendStatus\":\"x\","
        + "\"reasons\":[{\"code\":\"BACKEND_NOT_FOUND\",\"message\":\"call 5555 with your password\"},"
        + "{\"code\":\"<script>\",\"message\":\"x\"},{\"code\":\"NOT_JSON\",\"message\":\"password\"}]}"));

    HttpResponse<String> r = city.call("GET", "/exchange/HOUSING-001/records", null);

    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(r.body()).contains("\"code\":\"BACKEND_NOT_FOUND\"").contains("NOT_JSON").doesNotContain("password")
        .doesNotContain("5555").doesNotContain("script").doesNotContain("backendStatus");
  }

  @Test
  void consumer_providerProblemWithMalformedCode_isGenericProviderError() throws Exception {
    city = TestCity.start(GatewayEndToEndTest.permitPurpose(TestCity.PURPOSE));
    routeHousingTo(fakeProvider(403, "{\"code\":\"<a href=https://evil.example>LOGIN</a>\",\"detail\":\"x\"}"));

    HttpResponse<String> r = city.call("GET", "/exchange/HOUSING-001/records", null);

    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.body()).contains("PROVIDER_ERROR").doesNotContain("evil.example");
  }

  @Test
  void consumer_providerProblemWithSuccessStatus_isNotPassedOn() throws Exception {
    city = TestCity.start(GatewayEndToEndTest.permitPurpose(TestCity.PURPOSE));
    routeHousingTo(fakeProvider(200, "{\"code\":\"OK\",\"detail\":\"trust me\"}"));

    HttpResponse<String> r = city.call("GET", "/exchange/HOUSING-001/records", null);

    assertThat(r.statusCode()).isEqualTo(502);
    assertThat(r.body()).contains("PROVIDER_ERROR").doesNotContain("trust me");
  }
}
