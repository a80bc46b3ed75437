package io.shulian.hub;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shulian.gateway.authenticate.ApiKeys;
import io.shulian.hub.access.PasswordHash;
import io.shulian.hub.console.SecurityHeaders;
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
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The console's security on a real hub over real TLS, without a browser: log-in (Argon2id, the
 * same answer for an unknown name and a wrong password, rate limits), sessions (cookie attributes,
 * rotation, server-side log-out), CSRF and origin checks on every state-changing session request,
 * roles (a viewer changes nothing), the security headers, the static allow-list against path
 * tricks, and that every console action reaches the hub's audit log with the operator's name.
 */
class ConsoleSecurityTest {
  static final String ALICE_PW = "alice-console-pw-1";
  static final String BOB_PW = "bob-console-pw-22";
  static final String VERA_PW = "vera-console-pw-333";
  static final String VIEWER_TOKEN = "viewer-token-for-tests-only";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dir;
  static TestHubCity city;
  static Hub hub;
  static HttpClient client;
  static String origin;

  @BeforeAll
  static void start() throws Exception {
    city = new TestHubCity(dir);
    hub = Hub.load(consoleYaml(city, "console: { loginBurstPerName: 1000, loginBurstPerAddress: 1000 }"),
        TestHubCity.ENV::get).start();
    client = city.client(null);
    origin = "https://127.0.0.1:" + hub.address("hub").getPort();
  }

  @AfterAll
  static void stop() {
    if (hub != null) {
      hub.close();
    }
  }

  /** hub.yaml of {@code city} with console passwords for alice (officer), bob (reviewer) and vera (viewer). */
  static Path consoleYaml(TestHubCity city, String... extra) throws Exception {
    Path p = city.hubYaml(extra);
    String y = Files.readString(p);
    y = y.replace("tokenSha256: \"" + ApiKeys.hash(TestHubCity.OFFICER_TOKEN) + "\" }",
        "tokenSha256: \"" + ApiKeys.hash(TestHubCity.OFFICER_TOKEN) + "\", passwordHash: \"" + hash(ALICE_PW) + "\" }");
    y = y.replace("tokenSha256: \"" + ApiKeys.hash(TestHubCity.REVIEWER_TOKEN) + "\" }",
        "tokenSha256: \"" + ApiKeys.hash(TestHubCity.REVIEWER_TOKEN) + "\", passwordHash: \"" + hash(BOB_PW) + "\" }\n"
            + "  - { name: vera, role: viewer, tokenSha256: \"" + ApiKeys.hash(VIEWER_TOKEN) + "\", passwordHash: \""
            + hash(VERA_PW) + "\" }");
    assertThat(y).contains("name: vera");
    Files.writeString(p, y);
    return p;
  }

  static String hash(String pw) {
    return PasswordHash.create(pw.toCharArray()).phc();
  }

  /** A logged-in session: the cookie value and the CSRF token. */
  record Session(String id, String csrf, String setCookie) {}

  static HttpResponse<String> login(String name, String password) throws Exception {
    return send(HttpRequest.newBuilder(url("/console/api/login")).header("Origin", origin)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(JSON.createObjectNode().put("name", name).put("password", password)
            .toString())));
  }

  static Session session(String name, String password) throws Exception {
    HttpResponse<String> r = login(name, password);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    String set = r.headers().firstValue("Set-Cookie").orElseThrow();
    String id = set.substring(set.indexOf('=') + 1, set.indexOf(';'));
    return new Session(id, JSON.readTree(r.body()).get("csrf").asText(), set);
  }

  static URI url(String path) {
    return URI.create(origin + path);
  }

  static HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
    return client.send(b.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
  }

  static HttpRequest.Builder as(Session s, String method, String path, String body) {
    HttpRequest.Builder b = HttpRequest.newBuilder(url(path)).header("Cookie", "__Host-shulian_session=" + s.id());
    return body == null ? b.method(method, HttpRequest.BodyPublishers.noBody())
        : b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
  }

  /** The hub's audit log as text (records are durable before the change commits; notes are best effort: wait). */
  static boolean audited(String... all) throws Exception {
    return TestWait.within(Duration.ofSeconds(10), () -> {
      StringBuilder text = new StringBuilder();
      try (java.util.stream.Stream<Path> files = Files.walk(dir.resolve("hub-data/audit"))) {
        for (Path p : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
          text.append(new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1));
        }
      } catch (java.io.IOException e) {
        return false;
      }
      for (String s : all) {
        if (!text.toString().contains(s)) {
          return false;
        }
      }
      return true;
    });
  }

  /** Sends {@code request} as raw bytes over TLS (no client certificate) and returns the status line. */
  static String raw(String request) throws Exception {
    try (javax.net.ssl.SSLSocket s = (javax.net.ssl.SSLSocket) client.sslContext().getSocketFactory()
        .createSocket("127.0.0.1", hub.address("hub").getPort())) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write(request.getBytes(StandardCharsets.UTF_8));
      s.getOutputStream().flush();
      java.io.InputStream in = s.getInputStream();
      StringBuilder line = new StringBuilder();
      int c;
      while ((c = in.read()) != -1 && c != '\n') {
        line.append((char) c);
      }
      return line.toString().trim();
    }
  }

  static JsonNode json(HttpResponse<String> r) throws Exception {
    return JSON.readTree(r.body());
  }

  // ---------------------------------------------------------------- 1. log-in

  @Test
  void login_unknownNameAndWrongPassword_sameRefusal_andAudited() throws Exception {
    HttpResponse<String> wrong = login("bob", "not-bobs-password");
    HttpResponse<String> unknown = login("nobody-here", "not-bobs-password");
    assertThat(wrong.statusCode()).isEqualTo(401);
    assertThat(unknown.statusCode()).isEqualTo(401);
    assertThat(wrong.body()).isEqualTo(unknown.body()).contains("LOGIN_FAILED").doesNotContain("bob");
    assertThat(wrong.headers().firstValue("Set-Cookie")).isEmpty();
    assertThat(audited("nobody-here", "LOGIN_FAILED")).isTrue();
  }

  @Test
  void login_rateLimitedPerNameAndPerAddress_evenWithTheRightPasswordAfterwards(@TempDir Path other) throws Exception {
    TestHubCity c2 = new TestHubCity(other);
    try (Hub h2 = Hub.load(consoleYaml(c2, "console: { loginBurstPerName: 3, loginBurstPerAddress: 6 }"),
        TestHubCity.ENV::get).start()) {
      HttpClient cl = c2.client(null);
      String o2 = "https://127.0.0.1:" + h2.address("hub").getPort();
      java.util.function.BiFunction<String, String, HttpResponse<String>> attempt = (name, pw) -> {
        try {
          return cl.send(HttpRequest.newBuilder(URI.create(o2 + "/console/api/login")).header("Origin", o2)
              .POST(HttpRequest.BodyPublishers.ofString(JSON.createObjectNode().put("name", name).put("password", pw)
                  .toString())).build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
          throw new AssertionError(e);
        }
      };
      for (int i = 0; i < 3; i++) {
        assertThat(attempt.apply("vera", "guess-" + i).statusCode()).isEqualTo(401);
      }
      // the name's allowance is spent: even the right password waits
      HttpResponse<String> limited = attempt.apply("vera", VERA_PW);
      assertThat(limited.statusCode()).isEqualTo(429);
      assertThat(limited.body()).contains("LOGIN_RATE_LIMITED");
      assertThat(limited.headers().firstValue("Retry-After")).isPresent();
      // other names from the same address, until the address's allowance (6) is spent
      assertThat(attempt.apply("n1", "x").statusCode()).isEqualTo(401);
      assertThat(attempt.apply("n2", "x").statusCode()).isEqualTo(401);
      assertThat(attempt.apply("n3", "x").statusCode()).isEqualTo(429);
    }
  }

  @Test
  void login_crossOrigin_refused() throws Exception {
    HttpResponse<String> r = send(HttpRequest.newBuilder(url("/console/api/login")).header("Origin", "https://evil.example")
        .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"alice\",\"password\":\"" + ALICE_PW + "\"}")));
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.body()).contains("CSRF_REFUSED");
    assertThat(r.headers().firstValue("Set-Cookie")).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "[]", "{\"name\":\"alice\"}", "{\"name\":1,\"password\":\"x\"}",
      "{\"name\":\"alice\",\"password\":\"x\",\"x\":1}", "{\"name\":\"alice\",\"name\":\"bob\",\"password\":\"x\"}", "{{{"})
  void login_malformedBody_400(String body) throws Exception {
    HttpResponse<String> r = send(HttpRequest.newBuilder(url("/console/api/login")).header("Origin", origin)
        .POST(HttpRequest.BodyPublishers.ofString(body)));
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).contains("MALFORMED_LOGIN");
  }

  // ---------------------------------------------------------------- 2. sessions

  @Test
  void session_cookieIsHostPrefixedSecureHttpOnlyStrict_andRotatedAtLogIn() throws Exception {
    Session a = session("bob", BOB_PW);
    assertThat(a.setCookie()).startsWith("__Host-shulian_session=").contains("; Path=/").contains("; Secure")
        .contains("; HttpOnly").contains("; SameSite=Strict").doesNotContain("Domain");
    assertThat(a.id()).matches("[A-Za-z0-9_-]{43}");
    // a log-in over an existing session gives a new id and ends the old one (no session fixation)
    HttpResponse<String> again = send(HttpRequest.newBuilder(url("/console/api/login")).header("Origin", origin)
        .header("Cookie", "__Host-shulian_session=" + a.id())
        .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"bob\",\"password\":\"" + BOB_PW + "\"}")));
    assertThat(again.statusCode()).isEqualTo(200);
    String set = again.headers().firstValue("Set-Cookie").orElseThrow();
    assertThat(set).doesNotContain(a.id());
    assertThat(send(as(a, "GET", "/console/api/session", null)).statusCode()).isEqualTo(401);
  }

  @Test
  void session_readsAdminApisAsItsOperator() throws Exception {
    Session v = session("vera", VERA_PW);
    HttpResponse<String> who = send(as(v, "GET", "/console/api/session", null));
    assertThat(json(who).get("role").asText()).isEqualTo("viewer");
    assertThat(send(as(v, "GET", "/v1/admin/alerts", null)).statusCode()).isEqualTo(200);
    assertThat(send(as(v, "GET", "/v1/admin/actions", null)).statusCode()).isEqualTo(200);
    assertThat(send(as(v, "GET", "/v1/admin/reviews", null)).statusCode()).isEqualTo(200);
    assertThat(send(as(v, "GET", "/console/api/overview", null)).statusCode()).isEqualTo(200);
  }

  @Test
  void scorecards_viewerSessionAndTokenRead_othersRefused() throws Exception {
    Session v = session("vera", VERA_PW);
    HttpResponse<String> r = send(as(v, "GET", "/console/api/scorecards?month=2026-12", null));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(json(r).get("month").asText()).isEqualTo("2026-12");
    assertThat(json(r).get("zone").asText()).isEqualTo("Asia/Shanghai");
    assertThat(json(r).get("columns").get(1).asText()).isEqualTo("department");
    HttpResponse<String> token = send(HttpRequest.newBuilder(url("/console/api/scorecards?month=2026-12&zone=UTC"))
        .header("Authorization", "Bearer " + VIEWER_TOKEN));
    assertThat(token.statusCode()).isEqualTo(200);
    assertThat(json(token).get("zone").asText()).isEqualTo("UTC");
    assertThat(send(HttpRequest.newBuilder(url("/console/api/scorecards?month=2026-12"))).statusCode()).isEqualTo(401);
    HttpResponse<String> post = send(as(v, "POST", "/console/api/scorecards?month=2026-12", null).header("Origin", origin)
        .header("X-CSRF-Token", v.csrf()));
    assertThat(post.statusCode()).isEqualTo(405);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "?month=", "?month=2026-13", "?month=2026-00", "?month=1999-12", "?month=2026-1",
      "?month=2026-12-01", "?month=2026-12&month=2027-01", "?month=2026-12%27%20OR%201=1--",
      "?month=%3Cscript%3Ealert(1)%3C/script%3E", "?month=%EF%BC%92026-12", "?month=99999-12",
      "?month=2026-12&zone=Mars/Olympus", "?month=2026-12&zone=", "?month=2026-12&zone=../../etc/passwd",
      "?month=2026-12&zone=UTC&zone=UTC", "?month=2026-12&zone=%3Cb%3E", "?month=2026-12&zone=GMT%2B99"})
  void scorecards_badMonthOrZone_400NeverA500(String query) throws Exception {
    HttpResponse<String> r = send(HttpRequest.newBuilder(url("/console/api/scorecards" + query))
        .header("Authorization", "Bearer " + VIEWER_TOKEN));
    assertThat(r.statusCode()).as(query + " " + r.body()).isEqualTo(400);
    assertThat(json(r).get("code").asText()).isEqualTo("BAD_QUERY");
    assertThat(r.body()).doesNotContain("<script").doesNotContain("<b>").doesNotContain("Mars");
  }

  @Test
  void session_forgedOrTwoCookies_unauthenticated() throws Exception {
    Session a = session("bob", BOB_PW);
    HttpResponse<String> forged = send(HttpRequest.newBuilder(url("/v1/admin/alerts"))
        .header("Cookie", "__Host-shulian_session=" + "A".repeat(43)));
    assertThat(forged.statusCode()).isEqualTo(401);
    HttpResponse<String> two = send(HttpRequest.newBuilder(url("/v1/admin/alerts"))
        .header("Cookie", "__Host-shulian_session=" + a.id() + "; __Host-shulian_session=" + "B".repeat(43)));
    assertThat(two.statusCode()).isEqualTo(401);
  }

  @Test
  void logout_endsTheSessionOnTheServer_andIsAudited() throws Exception {
    Session a = session("bob", BOB_PW);
    HttpResponse<String> out = send(as(a, "POST", "/console/api/logout", null).header("Origin", origin)
        .header("X-CSRF-Token", a.csrf()));
    assertThat(out.statusCode()).isEqualTo(200);
    assertThat(out.headers().firstValue("Set-Cookie").orElseThrow()).contains("Max-Age=0");
    // the old cookie, replayed, is worth nothing
    assertThat(send(as(a, "GET", "/v1/admin/alerts", null)).statusCode()).isEqualTo(401);
    assertThat(audited("LOGOUT")).isTrue();
  }

  // ---------------------------------------------------------------- 3. CSRF

  @Test
  void csrf_sessionPostWithoutToken_403AndAudited() throws Exception {
    Session a = session("alice", ALICE_PW);
    HttpResponse<String> r = send(as(a, "POST", "/v1/admin/actions",
        "{\"kind\":\"freeze-resource\",\"target\":\"housing-register\",\"reason\":\"csrf test\"}").header("Origin", origin));
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.body()).contains("CSRF_REFUSED");
    assertThat(audited("CSRF_REFUSED", "csrf-refused")).isTrue();
    HttpResponse<String> list = send(as(a, "GET", "/v1/admin/actions", null));
    assertThat(list.body()).doesNotContain("csrf test");
  }

  @Test
  void csrf_rightTokenButForeignOrigin_403() throws Exception {
    Session a = session("alice", ALICE_PW);
    HttpResponse<String> foreign = send(as(a, "POST", "/v1/admin/alerts/1/acknowledge", "{\"note\":\"x\"}")
        .header("Origin", "https://evil.example").header("X-CSRF-Token", a.csrf()));
    assertThat(foreign.statusCode()).isEqualTo(403);
    HttpResponse<String> crossSite = send(as(a, "POST", "/v1/admin/alerts/1/acknowledge", "{\"note\":\"x\"}")
        .header("Sec-Fetch-Site", "cross-site").header("X-CSRF-Token", a.csrf()));
    assertThat(crossSite.statusCode()).isEqualTo(403);
    HttpResponse<String> neither = send(as(a, "POST", "/v1/admin/alerts/1/acknowledge", "{\"note\":\"x\"}")
        .header("X-CSRF-Token", a.csrf()));
    assertThat(neither.statusCode()).isEqualTo(403);
    HttpResponse<String> wrongToken = send(as(a, "POST", "/v1/admin/alerts/1/acknowledge", "{\"note\":\"x\"}")
        .header("Origin", origin).header("X-CSRF-Token", a.csrf().substring(1) + "x"));
    assertThat(wrongToken.statusCode()).isEqualTo(403);
    // the other session's token does not fit this one
    Session other = session("alice", ALICE_PW);
    HttpResponse<String> swapped = send(as(a, "POST", "/v1/admin/alerts/1/acknowledge", "{\"note\":\"x\"}")
        .header("Origin", origin).header("X-CSRF-Token", other.csrf()));
    assertThat(swapped.statusCode()).isEqualTo(403);
  }

  @Test
  void csrf_tokenAndSameOrigin_passes_andTheOperatorNameIsAudited() throws Exception {
    Session a = session("alice", ALICE_PW);
    HttpResponse<String> r = send(as(a, "POST", "/v1/admin/alerts/987654/acknowledge", "{\"note\":\"from the console\"}")
        .header("Origin", origin).header("X-CSRF-Token", a.csrf()));
    // past the guard: the alert route answers (no such alert) and audits alice's attempt
    assertThat(r.statusCode()).as(r.body()).isEqualTo(404);
    assertThat(r.body()).contains("ALERT_NOT_FOUND");
    assertThat(audited("alert/987654", "alice", "ALERT_NOT_FOUND")).isTrue();
  }

  @Test
  void bearerToken_unchanged_noCsrfNeeded() throws Exception {
    HttpResponse<String> r = send(HttpRequest.newBuilder(url("/v1/admin/alerts/987655/acknowledge"))
        .header("Authorization", "Bearer " + TestHubCity.OFFICER_TOKEN)
        .POST(HttpRequest.BodyPublishers.ofString("{\"note\":\"cli\"}")));
    assertThat(r.statusCode()).isEqualTo(404);
    // a bearer token beside a session cookie: the token decides, the cookie is ignored
    Session v = session("vera", VERA_PW);
    HttpResponse<String> both = send(as(v, "POST", "/v1/admin/alerts/987655/acknowledge", "{\"note\":\"cli\"}")
        .header("Authorization", "Bearer " + TestHubCity.OFFICER_TOKEN));
    assertThat(both.statusCode()).isEqualTo(404);
  }

  // ---------------------------------------------------------------- roles

  @Test
  void viewer_mayNotChangeAnything() throws Exception {
    Session v = session("vera", VERA_PW);
    String[][] changes = {
        {"POST", "/v1/admin/alerts/1/acknowledge", "{\"note\":\"x\"}"},
        {"POST", "/v1/admin/alerts/1/close", "{\"note\":\"x\"}"},
        {"POST", "/v1/admin/actions", "{\"kind\":\"freeze-resource\",\"target\":\"r\",\"reason\":\"x\"}"},
        {"DELETE", "/v1/admin/actions/1", "{\"reason\":\"x\"}"},
        {"POST", "/v1/admin/reviews/sub-1/approve", null},
        {"POST", "/v1/admin/reviews/sub-1/reject", "{\"reason\":\"x\"}"},
    };
    for (String[] c : changes) {
      HttpResponse<String> r = send(as(v, c[0], c[1], c[2]).header("Origin", origin).header("X-CSRF-Token", v.csrf()));
      assertThat(r.statusCode()).as(c[0] + " " + c[1] + " " + r.body()).isEqualTo(403);
      assertThat(r.body()).contains("ROLE_NOT_ALLOWED");
    }
    // the viewer's bearer token likewise
    HttpResponse<String> token = send(HttpRequest.newBuilder(url("/v1/admin/reviews/sub-1/approve"))
        .header("Authorization", "Bearer " + VIEWER_TOKEN).POST(HttpRequest.BodyPublishers.noBody()));
    assertThat(token.statusCode()).isEqualTo(403);
  }

  // ---------------------------------------------------------------- 4. headers

  @ParameterizedTest
  @ValueSource(strings = {"/console/", "/console/app.js", "/console/api/session", "/console/api/overview", "/console/nope",
      "/console/api/scorecards?month=2026-12", "/v1/admin/alerts"})
  void headers_onEveryConsoleResponse(String path) throws Exception {
    HttpResponse<String> r = send(HttpRequest.newBuilder(url(path)));
    assertThat(r.headers().firstValue("Content-Security-Policy")).contains(SecurityHeaders.CSP);
    assertThat(SecurityHeaders.CSP).contains("default-src 'none'", "script-src 'self'", "frame-ancestors 'none'")
        .doesNotContain("unsafe");
    assertThat(r.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
    assertThat(r.headers().firstValue("Referrer-Policy")).contains("no-referrer");
    assertThat(r.headers().firstValue("Cache-Control")).contains("no-store");
  }

  @Test
  void page_hasNoInlineScriptOrStyle() throws Exception {
    HttpResponse<String> r = send(HttpRequest.newBuilder(url("/console/")));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).contains("text/html; charset=utf-8");
    String html = r.body().toLowerCase(java.util.Locale.ROOT);
    assertThat(html).doesNotContain("<style").doesNotContain(" style=").doesNotContain("javascript:")
        .doesNotContainPattern("<script(?![^>]*\\ssrc=)").doesNotContainPattern("\\son[a-z]+=");
    String js = send(HttpRequest.newBuilder(url("/console/app.js"))).body();
    assertThat(js).doesNotContain("innerHTML").doesNotContain("outerHTML").doesNotContain("insertAdjacentHTML")
        .doesNotContain("document.write").doesNotContain("eval(");
  }

  // ---------------------------------------------------------------- 6. static files

  @ParameterizedTest
  @ValueSource(strings = {"/console/../hub.yaml", "/console/%2e%2e/%2e%2e/hub.yaml", "/console/%252e%252e/hub.yaml",
      "/console/..%5c..%5chub.yaml", "/console/..\\..\\hub.yaml", "/console//app.js", "/console/app.js%00.html",
      "/console/vendor/../app.js", "/console/vendor/%2e%2e/app.js", "/console/%2fapp.js", "/console/APP.JS",
      "/console/io/shulian/hub/console/app.js", "/console/META-INF/MANIFEST.MF", "/console/vendor/",
      "/console/./app.js", "/%63onsole/app.js", "/console/app.js/", "/console/hub.p12"})
  void static_pathTricks_neverServeAFile(String path) throws Exception {
    String status = raw("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    assertThat(status).as(path).matches("HTTP/1.1 (400|404) .*");
  }

  @Test
  void static_allowListed_served() throws Exception {
    assertThat(raw("GET /console/app.js HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"))
        .startsWith("HTTP/1.1 200");
    HttpResponse<String> e = send(HttpRequest.newBuilder(url("/console/vendor/echarts.min.js")));
    assertThat(e.statusCode()).isEqualTo(200);
    assertThat(e.headers().firstValue("Content-Type")).contains("text/javascript; charset=utf-8");
    assertThat(e.body()).contains("echarts");
    HttpResponse<String> post = send(HttpRequest.newBuilder(url("/console/app.js")).POST(HttpRequest.BodyPublishers.noBody()));
    assertThat(post.statusCode()).isEqualTo(405);
  }

  // ---------------------------------------------------------------- 5. audit, and script in a form

  @Test
  void login_success_audited_withTheOperatorName() throws Exception {
    session("bob", BOB_PW);
    assertThat(audited("LOGIN", "bob", "console")).isTrue();
  }

  @Test
  void scriptInAFormField_storedAndAnsweredAsJsonText() throws Exception {
    Session a = session("alice", ALICE_PW);
    String evil = "<script>alert(1)</script><img src=x onerror=alert(2)>";
    HttpResponse<String> r = send(as(a, "POST", "/v1/admin/alerts/987656/close",
        JSON.createObjectNode().put("note", evil).toString()).header("Origin", origin).header("X-CSRF-Token", a.csrf()));
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
    assertThat(r.body()).doesNotContain("<script>");
    Optional<String> ct = send(as(a, "GET", "/v1/admin/alerts", null)).headers().firstValue("Content-Type");
    assertThat(ct).contains("application/json");
  }
}
