package io.shulian.hub;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Outside attacks on the console (docs/console.md) that {@link ConsoleSecurityTest} does not try, on
 * a real hub over real TLS: a viewer reaching state changes through other routes and method tricks,
 * CSRF with near-miss origins, {@code ;} path parameters and other encodings on static files,
 * oversized log-in bodies, and rotating {@code X-Forwarded-For} to escape the per-address log-in
 * limit. The hub allows 3 log-in attempts per address (one more each 100 s): the viewer's log-in takes one.
 */
class ConsoleAttackTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dir;
  static TestHubCity city;
  static Hub hub;
  static HttpClient client;
  static String origin;
  static String viewerCookie;
  static String viewerCsrf;

  @BeforeAll
  static void start() throws Exception {
    city = new TestHubCity(dir);
    hub = Hub.load(ConsoleSecurityTest.consoleYaml(city,
        "console: { loginBurstPerName: 1000, loginBurstPerAddress: 3 }"), TestHubCity.ENV::get).start();
    client = city.client(null);
    origin = "https://127.0.0.1:" + hub.address("hub").getPort();
    HttpResponse<String> r = login("vera", ConsoleSecurityTest.VERA_PW, null);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    String set = r.headers().firstValue("Set-Cookie").orElseThrow();
    viewerCookie = set.substring(0, set.indexOf(';'));
    viewerCsrf = JSON.readTree(r.body()).get("csrf").asText();
  }

  @AfterAll
  static void stop() {
    if (hub != null) {
      hub.close();
    }
  }

  static HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
    return client.send(b.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> login(String name, String password, String forwardedFor) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(origin + "/console/api/login")).header("Origin", origin)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(JSON.createObjectNode().put("name", name).put("password", password)
            .toString()));
    if (forwardedFor != null) {
      b.header("X-Forwarded-For", forwardedFor).header("X-Real-IP", forwardedFor).header("Forwarded", "for=" + forwardedFor);
    }
    return send(b);
  }

  /** A request of the viewer's session with its CSRF token and this origin. */
  static HttpRequest.Builder asViewer(String method, String path, String body) {
    return HttpRequest.newBuilder(URI.create(origin + path)).header("Cookie", viewerCookie).header("Origin", origin)
        .header("X-CSRF-Token", viewerCsrf).header("Content-Type", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
  }

  @Test
  void viewer_otherStateChangingRoutesAndMethodTricks_neverChangeAnything() throws Exception {
    String[][] changes = {
        {"POST", "/v1/admin/bundle/intl", "x.y.z"},
        {"POST", "/v1/admin/bundle/gm", "x.y.z"},
        {"PUT", "/v1/admin/actions", "{\"kind\":\"freeze-resource\",\"target\":\"r\",\"reason\":\"x\"}"},
        {"PATCH", "/v1/admin/alerts/1/close", "{\"note\":\"x\"}"},
        {"POST", "/v1/admin/alerts/1/../1/close", "{\"note\":\"x\"}"},
        {"POST", "/v1/admin/alerts/1/close/", "{\"note\":\"x\"}"},
        {"POST", "/v1/admin/alerts/1/CLOSE", "{\"note\":\"x\"}"},
        {"POST", "/v1/admin/reviews/sub-1/approve/", null},
        {"POST", "/v1/admin/reviews/sub-1/Approve", null},
        {"POST", "/v1/admin/cases", "{}"},
        {"POST", "/v1/applications/1/approve", "{}"},
        {"POST", "/v1/objections/1/answer", "{}"},
        {"POST", "/v1/events", "{}"},
    };
    for (String[] c : changes) {
      HttpResponse<String> r = send(asViewer(c[0], c[1], c[2]));
      assertThat(r.statusCode()).as(c[0] + " " + c[1] + " " + r.body()).isIn(400, 401, 403, 404, 405, 413);
    }
    // a GET that asks to be treated as a POST stays a read
    HttpResponse<String> override = send(asViewer("GET", "/v1/admin/actions", null)
        .header("X-HTTP-Method-Override", "POST").header("X-Method-Override", "POST"));
    assertThat(override.statusCode()).as(override.body()).isIn(200, 405);
    HttpResponse<String> actions = send(HttpRequest.newBuilder(URI.create(origin + "/v1/admin/actions"))
        .header("Authorization", "Bearer " + TestHubCity.OFFICER_TOKEN));
    assertThat(actions.body()).doesNotContain("freeze-resource");
    // a viewer session plus someone's bearer header: the header decides, and a bogus one is nobody
    HttpResponse<String> bogus = send(asViewer("GET", "/v1/admin/actions", null).header("Authorization", "Bearer nope"));
    assertThat(bogus.statusCode()).isEqualTo(401);
  }

  @ParameterizedTest
  @ValueSource(strings = {"null", "https://127.0.0.1", "http://127.0.0.1:PORT", "https://127.0.0.1:PORT.evil.example",
      "https://evil.example/https://127.0.0.1:PORT", "https://127.0.0.1:PORT/", "HTTPS://127.0.0.1:PORT, https://evil.example",
      "https://user@127.0.0.1:PORT"})
  void csrf_nearMissOrigins_refused(String o) throws Exception {
    String value = o.replace("PORT", Integer.toString(hub.address("hub").getPort()));
    HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(origin + "/v1/admin/alerts/1/close"))
        .header("Cookie", viewerCookie).header("X-CSRF-Token", viewerCsrf).header("Origin", value)
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"note\":\"x\"}")));
    assertThat(r.statusCode()).as(value + " " + r.body()).isEqualTo(403);
    assertThat(r.body()).contains("CSRF_REFUSED");
  }

  @ParameterizedTest
  @ValueSource(strings = {"/console/app.js;x", "/console;x/app.js", "/console/;/app.js", "/console/app.js;.css",
      "/console/%3bapp.js", "/console/app%2ejs", "/console/app.js%20", "/console/app.js%2f", "/console/%61pp.js",
      "/console/index.html%3f", "/console/..;/console/app.js", "/console/vendor;/echarts.min.js",
      "/console/app.js%c0%ae", "/console/%ef%bc%8fapp.js", "/console/app.js\\", "/console\\app.js",
      "/console/%5capp.js", "/console/%u002fapp.js", "/console/app.js%23", "/console/app.js%0d%0aX-Evil:%201"})
  void static_pathParametersAndEncodings_neverServeAFile(String path) throws Exception {
    String status;
    try (javax.net.ssl.SSLSocket s = (javax.net.ssl.SSLSocket) client.sslContext().getSocketFactory()
        .createSocket("127.0.0.1", hub.address("hub").getPort())) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.UTF_8));
      StringBuilder line = new StringBuilder();
      java.io.InputStream in = s.getInputStream();
      for (int c; (c = in.read()) != -1 && c != '\n'; ) {
        line.append((char) c);
      }
      status = line.toString().trim();
    }
    assertThat(status).as(path).matches("HTTP/1.1 (400|404) .*");
  }

  @Test
  void login_oversizedOrDeeplyNestedBodies_refusedWithoutWork() throws Exception {
    String big = "{\"name\":\"vera\",\"password\":\"" + "p".repeat(8192) + "\"}";
    HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(origin + "/console/api/login")).header("Origin", origin)
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(big)));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(413);
    String deep = "{\"name\":" + "[".repeat(1000) + "]".repeat(1000) + ",\"password\":\"x\"}";
    HttpResponse<String> d = send(HttpRequest.newBuilder(URI.create(origin + "/console/api/login")).header("Origin", origin)
        .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(deep)));
    assertThat(d.statusCode()).as(d.body()).isEqualTo(400);
    String form = "name=vera&password=" + ConsoleSecurityTest.VERA_PW;
    HttpResponse<String> f = send(HttpRequest.newBuilder(URI.create(origin + "/console/api/login")).header("Origin", origin)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(form, StandardCharsets.UTF_8)));
    assertThat(f.statusCode()).as(f.body()).isEqualTo(400);
    assertThat(f.headers().firstValue("Set-Cookie")).isEmpty();
  }

  @Test
  void login_rotatingForwardedForHeaders_doesNotEscapeThePerAddressLimit() throws Exception {
    // use up the address's attempts, each "from" another address (a bucket refills one per 100 s)
    int status = 0;
    for (int i = 1; i <= 5 && status != 429; i++) {
      status = login("nobody-" + i, "wrong-password", "203.0.113." + i).statusCode();
      assertThat(status).isIn(401, 429);
    }
    assertThat(status).as("the per-address limit applies at all").isEqualTo(429);

    HttpResponse<String> r = login("vera", ConsoleSecurityTest.VERA_PW, "198.51.100.7");

    assertThat(r.statusCode()).as(r.body()).isEqualTo(429);
    assertThat(r.body()).contains("LOGIN_RATE_LIMITED");
    assertThat(r.headers().firstValue("Set-Cookie")).isEmpty();
  }
}
