package io.shulian.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.keys.Suite;
import io.shulian.core.trust.CityAuthority;
import io.shulian.core.trust.CityBundle;
import io.shulian.gateway.config.ConfigLoader;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code /metrics} page of live gateways after exchanges that passed and exchanges that were
 * refused: {@code promtool check metrics} finds no problem, every family is documented in the
 * metrics table of docs/gateway.md and every documented family is exposed, enum-like label values
 * are lower-case, latency histograms have the SLO buckets only, and JVM, process and build
 * metrics are there.
 */
class MetricsExpositionTest {
  static final Path GATEWAY_MD = Path.of(System.getProperty("user.dir")).getParent().resolve("docs/gateway.md");
  /** Labels whose values are drawn from a fixed vocabulary (identifiers such as parties and resources are not). */
  static final Set<String> ENUM_LABELS = Set.of("direction", "outcome", "code", "result", "listener", "reason", "suite");

  @TempDir Path dir;
  TestCity city;
  final List<AutoCloseable> closeables = new ArrayList<>();

  @AfterEach
  void tearDown() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
    if (city != null) {
      city.close();
    }
  }

  /** Runs exchanges that pass and are refused (policy, unknown resource, HTTP edge, TLS), then scrapes both gateways. */
  Map<String, String> cityAfterTraffic() throws Exception {
    city = TestCity.start(GatewayEndToEndTest.permitPurpose(TestCity.PURPOSE));
    assertThat(city.call("GET", "/exchange/HOUSING-001/x", null).statusCode()).isEqualTo(200);
    assertThat(city.call("GET", "/exchange/NO-SUCH-RESOURCE/x", null).statusCode()).isEqualTo(404);
    assertThat(city.raw("GET /exchange/HOUSING-001/x HTTP/1.1\r\nHost: x\r\nX-Api-Key: " + TestCity.API_KEY
        + "\r\nX-Shulian-Purpose: another-purpose\r\nConnection: close\r\n\r\n")).startsWith("HTTP/1.1 403");
    assertThat(city.raw("POST /exchange/HOUSING-001/x HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
        + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n")).startsWith("HTTP/1.1 400");
    // plain text to the TLS listener: an inbound handshake that fails
    try (Socket s = new Socket("127.0.0.1", city.provider.address("provider").getPort())) {
      s.setSoTimeout(10000);
      s.getOutputStream().write("GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      InputStream in = s.getInputStream();
      while (in.read() != -1) {
        // until the provider closes
      }
    }
    System.gc(); // the GC pause families appear after the first collection (told asynchronously)
    Map<String, String> pages = new TreeMap<>();
    pages.put("consumer", awaitScrape(city.consumer, "jvm_gc_pause_seconds_count"));
    pages.put("provider", awaitScrape(city.provider, "shulian_tls_handshakes_total{direction=\"inbound\",result=\"failed\"}"));
    return pages;
  }

  /** A provider gateway from YAML under a city CA, bundle and policy from the bundle (the bundle and reload families). */
  Gateway bundleProvider() throws Exception {
    char[] pw = "test-only".toCharArray();
    CityAuthority ca = CityAuthority.init(Suite.INTL, "Test City Data Bureau", dir.resolve("ca"), pw, Duration.ofDays(3650),
        Clock.systemUTC());
    PartyIdentity housing = ca.issue(GatewayEndToEndTest.HOUSING, true, Duration.ofDays(30));
    housing.store(dir.resolve("housing.p12"), pw);
    Files.writeString(dir.resolve("root.pem"), ca.rootPem());
    com.fasterxml.jackson.databind.ObjectMapper yaml =
        new com.fasterxml.jackson.databind.ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory());
    String catalog = new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(
        yaml.readTree(GATEWAY_MD.getParent().resolve("examples/catalog.yaml").toFile()));
    Files.writeString(dir.resolve("bundle.jws"), CityBundle.draft()
        .extension("catalog", catalog)
        .version(1)
        .validity(Instant.now().minusSeconds(60), Instant.now().plus(Duration.ofDays(1)))
        .member(CityBundle.Member.of(housing.party(), "Housing bureau", URI.create("https://127.0.0.1:9"),
            housing.certificates()))
        .caCertificate(ca.root())
        .crl(ca.crl(Duration.ofHours(24)))
        .sign(ca));
    Files.writeString(dir.resolve("provider.yaml"), String.join("\n",
        "identity: { keystore: housing.p12 }",
        "trust: { root: root.pem, bundle: bundle.jws, bundleReload: 1h }",
        "provider:",
        "  listen: 127.0.0.1:0",
        "  backends: [ { resource: housing.property-registry, url: \"http://127.0.0.1:9/api\" } ]",
        "  policy: { fromBundle: true }",
        "admin: { listen: 127.0.0.1:0 }",
        "runtime: { eventLoops: 1 }",
        "audit: { dir: audit-provider }",
        // shipping to a hub that is not there: the shipping families exist, shipping fails and retries
        "collector: { hub: \"https://127.0.0.1:9/v1/events\", interval: 1s }", ""));
    Gateway g = ConfigLoader.apply(ConfigLoader.load(dir.resolve("provider.yaml"), Map.of("SHULIAN_KEY_PASSWORD", "test-only")::get),
        new MemoryAuditor()).build().start();
    closeables.add(g);
    return g;
  }

  String scrape(Gateway g) throws Exception {
    java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(
        java.net.http.HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + g.address("admin").getPort() + "/metrics")).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
    return r.body();
  }

  /** Scrapes until {@code expected} appears (a closing connection is counted on the event loop, after the client saw the close). */
  String awaitScrape(Gateway g, String expected) throws Exception {
    String page = scrape(g);
    for (int i = 0; i < 100 && !page.contains(expected); i++) {
      Thread.sleep(50);
      page = scrape(g);
    }
    return page;
  }

  // ---- promtool ----

  /** promtool from $PROMTOOL, the PATH or /usr/bin; with CI=true a missing promtool fails the test instead of skipping it. */
  static Path promtool() {
    List<Path> candidates = new ArrayList<>();
    String env = System.getenv("PROMTOOL");
    if (env != null && !env.isBlank()) {
      candidates.add(Path.of(env));
    }
    for (String d : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
      if (!d.isEmpty()) {
        candidates.add(Path.of(d, "promtool"));
      }
    }
    candidates.add(Path.of("/usr/bin/promtool"));
    for (Path p : candidates) {
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    String why = "promtool not found ($PROMTOOL, PATH, /usr/bin): install the Debian package prometheus or set PROMTOOL"
        + " (.ci/run does)";
    if ("true".equals(System.getenv("CI"))) {
      fail(why);
    }
    Assumptions.abort(why);
    return null;
  }

  /** Runs {@code promtool check metrics} on {@code page}; returns its exit code and output. */
  static Map.Entry<Integer, String> promtoolCheck(Path promtool, String page) throws Exception {
    Process p = new ProcessBuilder(promtool.toString(), "check", "metrics").redirectErrorStream(true).start();
    try (var out = p.getOutputStream()) {
      out.write(page.getBytes(StandardCharsets.UTF_8));
    }
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return Map.entry(p.exitValue(), output);
  }

  @Test
  void metrics_liveGatewaysAfterOkAndRefusedExchanges_promtoolFindsNoProblem() throws Exception {
    Path promtool = promtool();
    Map<String, String> pages = cityAfterTraffic();
    pages.put("bundle provider", scrape(bundleProvider()));

    for (Map.Entry<String, String> page : pages.entrySet()) {
      Map.Entry<Integer, String> r = promtoolCheck(promtool, page.getValue());
      assertThat(r.getValue()).as("promtool check metrics on the %s gateway", page.getKey()).isEmpty();
      assertThat(r.getKey()).as("promtool exit code on the %s gateway", page.getKey()).isZero();
    }
  }

  @Test
  void promtool_pageWithoutHelpText_isFlagged() throws Exception {
    // the check above could not fail if promtool accepted anything
    Map.Entry<Integer, String> r = promtoolCheck(promtool(), "# TYPE shulian_x_total counter\nshulian_x_total 1\n");

    assertThat(r.getValue()).contains("no help text");
  }

  // ---- the documented families ----

  static Set<String> families(String page) {
    Set<String> s = new TreeSet<>();
    Matcher m = Pattern.compile("(?m)^# TYPE (\\S+) \\S+$").matcher(page);
    while (m.find()) {
      s.add(m.group(1));
    }
    return s;
  }

  /** Rows with this note are families that the JVM's collector may never produce (SerialGC on a small VM). */
  static final String COLLECTOR_DEPENDENT = "concurrent collector only";

  /** Rows with this note are families of a gateway that follows the city hub (HubGatewayEndToEndTest in sdk-hub). */
  static final String HUB_ONLY = "with a hub URL only";

  /** Rows with this note are families of a gateway shipping to Kafka (DocumentedKafkaMetricsTest checks them against KafkaShipper). */
  static final String KAFKA_ONLY = "with `collector.kafka` only";

  /** The first-column names of the metrics table in docs/gateway.md (section "Metrics"). */
  static Set<String> documentedFamilies() throws Exception {
    return documentedFamilies(false);
  }

  static Set<String> documentedFamilies(boolean withoutCollectorDependent) throws Exception {
    String md = Files.readString(GATEWAY_MD);
    int start = md.indexOf("\n### Metrics");
    assertThat(start).as("docs/gateway.md has a \"### Metrics\" section").isPositive();
    int end = md.indexOf("\n#", start + 1);
    Set<String> s = new TreeSet<>();
    Matcher m = Pattern.compile("(?m)^\\| `([a-z_:][a-z0-9_:]*)` \\|(.*)$").matcher(md.substring(start, end < 0 ? md.length() : end));
    while (m.find()) {
      if (!(withoutCollectorDependent && (m.group(2).contains(COLLECTOR_DEPENDENT) || m.group(2).contains(HUB_ONLY)
          || m.group(2).contains(KAFKA_ONLY)))) {
        s.add(m.group(1));
      }
    }
    return s;
  }

  @Test
  void metrics_everyExposedFamily_isDocumented_andEveryDocumentedFamilyIsExposed() throws Exception {
    Map<String, String> pages = cityAfterTraffic();
    pages.put("bundle provider", scrape(bundleProvider()));
    Set<String> exposed = new TreeSet<>();
    pages.values().forEach(p -> exposed.addAll(families(p)));
    Set<String> documented = documentedFamilies();

    assertThat(exposed).as("families on /metrics missing from the table in docs/gateway.md")
        .isSubsetOf(documented);
    assertThat(documentedFamilies(true)).as("families in docs/gateway.md that no gateway exposes").isSubsetOf(exposed);
  }

  // ---- label values, buckets, JVM and build metrics ----

  static final Pattern SAMPLE = Pattern.compile("(?m)^([a-zA-Z_:][a-zA-Z0-9_:]*)\\{([^}]*)\\} \\S+");
  static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

  @Test
  void metrics_enumLikeLabelValues_areLowerCase() throws Exception {
    Map<String, String> pages = cityAfterTraffic();
    List<String> upper = new ArrayList<>();
    int checked = 0;
    for (String page : pages.values()) {
      Matcher s = SAMPLE.matcher(page);
      while (s.find()) {
        if (!s.group(1).startsWith("shulian_")) {
          continue;
        }
        Matcher l = LABEL.matcher(s.group(2));
        while (l.find()) {
          if (ENUM_LABELS.contains(l.group(1))) {
            checked++;
            if (!l.group(2).equals(l.group(2).toLowerCase(java.util.Locale.ROOT))) {
              upper.add(s.group(1) + " " + l.group(1) + "=" + l.group(2));
            }
          }
        }
      }
    }

    assertThat(checked).isPositive();
    assertThat(upper).isEmpty();
    assertThat(pages.get("consumer")).contains("outcome=\"ok\"").contains("code=\"malformed_request\"")
        .contains("direction=\"request_out\"");
  }

  @Test
  void metrics_latencyHistogram_hasTheSloBucketsOnly() throws Exception {
    String page = cityAfterTraffic().get("consumer");
    Set<String> le = new TreeSet<>();
    Matcher m = Pattern.compile("(?m)^shulian_exchange_latency_seconds_bucket\\{[^}]*outcome=\"ok\"[^}]*le=\"([^\"]+)\"")
        .matcher(page);
    while (m.find()) {
      le.add(m.group(1));
    }

    assertThat(le).containsExactlyInAnyOrder("0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1.0", "2.5", "5.0",
        "10.0", "+Inf");
  }

  @Test
  void metrics_jvmProcessAndBuildInfo_exposed() throws Exception {
    String page = cityAfterTraffic().get("consumer");

    assertThat(page).contains("jvm_memory_used_bytes{").contains("jvm_threads_live_threads ")
        .contains("jvm_classes_loaded_classes ").contains("process_cpu_usage ").contains("process_uptime_seconds ")
        .contains("system_cpus ").contains("process_cpu_seconds_total ").doesNotContain("process_cpu_time_ns");
    assertThat(page).containsPattern("(?m)^shulian_build_info\\{suite=\"intl\",version=\"[^\"]+\"\\} 1(\\.0)?$");
  }

  @Test
  void metrics_outboundTlsHandshakes_counted() throws Exception {
    String page = cityAfterTraffic().get("consumer");

    assertThat(page).containsPattern("(?m)^shulian_tls_handshakes_total\\{direction=\"outbound\",result=\"ok\"\\} [1-9]");
  }

  @Test
  void metrics_outboundHandshakeWithAServerThatIsNotTls_countedFailed() throws Exception {
    // a plain HTTP server that answers the ClientHello at once (not after the handshake timeout)
    java.net.ServerSocket plain = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
    closeables.add(plain);
    Thread server = new Thread(() -> {
      while (!plain.isClosed()) {
        try (java.net.Socket s = plain.accept()) {
          s.getInputStream().read(new byte[4096]);
          s.getOutputStream().write("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
              .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        } catch (java.io.IOException e) {
          // closed at the end of the test, or the gateway hung up first
        }
      }
    });
    server.setDaemon(true);
    server.start();
    // the request is sealed before the connection is made: any certificate of the party will do
    PartyIdentity housing = TestIdentities.create(Suite.INTL, GatewayEndToEndTest.HOUSING);
    city = TestCity.start(GatewayEndToEndTest.permitPurpose(TestCity.PURPOSE), TestCity.limits(1 << 20), List.of(),
        b -> b.route(new io.shulian.gateway.seal.Route("HOUSING-002", GatewayEndToEndTest.HOUSING,
            URI.create("https://127.0.0.1:" + plain.getLocalPort()), housing.encryptionCertificate())));

    assertThat(city.call("GET", "/exchange/HOUSING-002/x", null).statusCode()).isEqualTo(502);

    assertThat(awaitScrape(city.consumer, "direction=\"outbound\",result=\"failed\"} 1"))
        .containsPattern("(?m)^shulian_tls_handshakes_total\\{direction=\"outbound\",result=\"failed\"\\} [1-9]");
  }
}
