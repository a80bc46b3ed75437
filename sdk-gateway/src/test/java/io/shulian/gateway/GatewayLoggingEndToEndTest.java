package io.shulian.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.keys.Suite;
import io.shulian.core.trust.CityAuthority;
import io.shulian.core.trust.CityBundle;
import io.shulian.gateway.authenticate.ApiKeys;
import io.shulian.gateway.cli.ShulianCli;
import io.shulian.gateway.config.ConfigLoader;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code shulian gateway} run as an operator runs it (a child JVM with the logging configuration
 * that shulian.jar ships, src/shade/logback.xml): every line it writes is one JSON object; an
 * access line per exchange with its stable fields; a 5xx line; a bundle reload refusal logged once
 * per distinct reason however often the file is polled; start and drain lines; no secret anywhere.
 */
class GatewayLoggingEndToEndTest {
  static final String KEY_PASSWORD = "key-password-7f3a9c";
  static final String API_KEY = "api-key-9d2e61b4c0";
  static final String QUERY_SECRET = "440602199001011234";
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  /** One log line: its level, logger and message, and its key-value pairs as one map. */
  record Line(String level, String logger, String message, Map<String, String> kv) {
    String event() {
      return kv.getOrDefault("event", "");
    }
  }

  static Line parse(String line) {
    JsonNode n;
    try {
      n = JSON.readTree(line);
    } catch (Exception e) {
      throw new AssertionError("not a JSON line: " + line, e);
    }
    assertThat(n.isObject()).as(line).isTrue();
    Map<String, String> kv = new LinkedHashMap<>();
    for (JsonNode pair : n.path("kvpList")) {
      pair.fields().forEachRemaining(f -> assertThat(kv.put(f.getKey(), f.getValue().asText())).as(line).isNull());
    }
    assertThat(n.path("timestamp").isNumber()).as(line).isTrue();
    return new Line(n.path("level").asText(), n.path("loggerName").asText(), n.path("formattedMessage").asText(), kv);
  }

  static List<Line> lines(Path file) throws Exception {
    List<Line> out = new ArrayList<>();
    for (String l : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      // a line still being written has no newline yet: readAllLines returns it; skip a non-object tail
      if (!l.isEmpty()) {
        out.add(parse(l));
      }
    }
    return out;
  }

  static Line await(Path log, Predicate<Line> p, String what) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      String text = Files.readString(log, StandardCharsets.UTF_8);
      int end = text.lastIndexOf('\n');
      if (end >= 0) {
        for (String l : text.substring(0, end).split("\n")) {
          Line line = parse(l);
          if (p.test(line)) {
            return line;
          }
        }
      }
      Thread.sleep(50);
    }
    throw new AssertionError("no log line " + what + " in\n" + Files.readString(log));
  }

  /** The sum of the family's samples over all label values (e.g. every {@code reason}). */
  static double metric(HttpClient http, String admin, String name) throws Exception {
    String body = http.send(HttpRequest.newBuilder(URI.create("http://" + admin + "/metrics")).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    double sum = 0;
    for (String l : body.split("\n")) {
      if (l.startsWith(name + " ") || l.startsWith(name + "{")) {
        sum += Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1));
      }
    }
    return sum;
  }

  static void awaitMetric(HttpClient http, String admin, String name, double atLeast) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (metric(http, admin, name) < atLeast) {
      assertThat(System.nanoTime()).as(name + " did not reach " + atLeast).isLessThan(deadline);
      Thread.sleep(50);
    }
  }

  @Test
  void gatewayProcess_logsJsonAccessLinesAndReloadRefusalsOnce_andNoSecret() throws Exception {
    char[] pw = KEY_PASSWORD.toCharArray();
    CityAuthority ca = CityAuthority.init(Suite.INTL, "Test City Data Bureau", dir.resolve("ca"), pw,
        Duration.ofDays(3650), Clock.systemUTC());
    PartyIdentity housing = ca.issue(GatewayEndToEndTest.HOUSING, true, Duration.ofDays(30));
    PartyIdentity civil = ca.issue(GatewayEndToEndTest.CIVIL, true, Duration.ofDays(30));
    housing.store(dir.resolve("housing.p12"), pw);
    civil.store(dir.resolve("civil.p12"), pw);
    Files.writeString(dir.resolve("root.pem"), ca.rootPem());
    int providerPort = GatewayBundleConfigTest.freePort();
    int closedPort = GatewayBundleConfigTest.freePort();
    Files.writeString(dir.resolve("provider-bundle.jws"), GatewayBundleConfigTest.bundle(ca, 1, housing, civil, providerPort));
    Files.writeString(dir.resolve("bundle.jws"), GatewayBundleConfigTest.bundle(ca, 1, housing, civil, providerPort));

    HttpServer backend = GatewayBundleConfigTest.okBackend();
    Files.writeString(dir.resolve("provider.yaml"), String.join("\n",
        "identity: { keystore: housing.p12 }",
        "trust: { root: root.pem, bundle: provider-bundle.jws }",
        "provider:",
        "  listen: 127.0.0.1:" + providerPort,
        "  backends:",
        "    - { resource: HOUSING-001, url: \"http://127.0.0.1:" + backend.getAddress().getPort() + "/api\","
            + " endpoints: [ { method: GET, path: \"/{id}\" } ] }",
        "    - { resource: HOUSING-002, url: \"http://127.0.0.1:" + closedPort + "/api\","
            + " endpoints: [ { method: GET, path: \"/{id}\" } ] }",
        "  permissions:",
        "    - { consumer: \"" + civil.party() + "\", resource: HOUSING-001, purposes: [social-assistance-review] }",
        "    - { consumer: \"" + civil.party() + "\", resource: HOUSING-002, purposes: [social-assistance-review] }",
        "audit: { dir: audit-provider }", ""));
    Files.writeString(dir.resolve("consumer.yaml"), String.join("\n",
        "identity: { keystore: civil.p12 }",
        "trust: { root: root.pem, bundle: bundle.jws, bundleReload: 100ms }",
        "consumer:",
        "  listen: 127.0.0.1:0",
        "  apps: [ { name: portal, apiKeySha256: \"" + ApiKeys.hash(API_KEY) + "\" } ]",
        "  routes:",
        "    - { resource: HOUSING-001, provider: \"" + housing.party() + "\" }",
        "    - { resource: HOUSING-002, provider: \"" + housing.party() + "\" }",
        "admin: { listen: 127.0.0.1:0 }",
        "audit: { dir: audit-consumer }", ""));

    Path out = dir.resolve("stdout.txt");
    Path err = dir.resolve("stderr.txt");
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-XX:TieredStopAtLevel=1"));
    if (Runtime.version().feature() >= 22) {
      // what shulian.jar's manifest (Enable-Native-Access) gives `java -jar`: without it, JDK 22+
      // print a plain-text warning when Netty loads its native transport and TLS
      command.add("--enable-native-access=ALL-UNNAMED");
    }
    command.addAll(List.of("-Dlogback.configurationFile=" + Path.of("src/shade/logback.xml").toAbsolutePath(),
        "-cp", System.getProperty("java.class.path"), ShulianCli.class.getName(),
        "gateway", "--config", dir.resolve("consumer.yaml").toString()));
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().keySet().removeIf(k -> k.startsWith("SHULIAN_"));
    pb.environment().put("SHULIAN_KEY_PASSWORD", KEY_PASSWORD);
    pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    pb.redirectOutput(out.toFile());
    pb.redirectError(err.toFile());

    Map<String, String> env = Map.of("SHULIAN_KEY_PASSWORD", KEY_PASSWORD);
    Process p = null;
    int downStatus;
    try (Gateway provider = ConfigLoader.apply(ConfigLoader.load(dir.resolve("provider.yaml"), env::get),
        new MemoryAuditor()).build().start()) {
      p = pb.start();
      Line started = await(err, l -> l.event().equals("gateway_started"), "gateway_started");
      assertThat(started.kv()).containsEntry("party", civil.party().toString()).containsEntry("suite", "INTL")
          .containsKeys("version", "consumer", "admin", "transport", "tls");
      assertThat(started.kv().get("version")).doesNotContain("unknown");
      String consumer = started.kv().get("consumer");
      String admin = started.kv().get("admin");

      HttpClient http = HttpClient.newHttpClient();
      HttpResponse<String> ok = http.send(HttpRequest.newBuilder(URI.create("http://" + consumer
              + "/exchange/HOUSING-001/x?idcard=" + QUERY_SECRET))
          .header("X-Api-Key", API_KEY).header("X-Shulian-Purpose", "social-assistance-review").build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
      // the gateway's own audit log publishes its meters (AuditMeters): the exchange above moved them
      awaitMetric(http, admin, "shulian_audit_records_total", 1);
      HttpResponse<String> badKey = http.send(HttpRequest.newBuilder(URI.create("http://" + consumer
              + "/exchange/HOUSING-001/y")).header("X-Api-Key", API_KEY + "-wrong")
          .header("X-Shulian-Purpose", "social-assistance-review").build(), HttpResponse.BodyHandlers.ofString());
      assertThat(badKey.statusCode()).isEqualTo(401);
      HttpResponse<String> down = http.send(HttpRequest.newBuilder(URI.create("http://" + consumer
              + "/exchange/HOUSING-002/z")).header("X-Api-Key", API_KEY)
          .header("X-Shulian-Purpose", "social-assistance-review").build(), HttpResponse.BodyHandlers.ofString());
      downStatus = down.statusCode();
      assertThat(downStatus).as(down.body()).isGreaterThanOrEqualTo(500);

      // a bundle file left broken fails every 100 ms poll: one line; another reason: one more line
      // each file is replaced atomically, as an operator should (docs/operations.md): a file caught
      // half-written by a poll is a third reason, which is right but not what this test is about
      replace(dir, "not a bundle".getBytes(StandardCharsets.UTF_8));
      awaitMetric(http, admin, "shulian_bundle_reload_failures_total", 5);
      replace(dir, new byte[CityBundle.MAX_BUNDLE_BYTES + 1]);
      awaitMetric(http, admin, "shulian_bundle_reload_failures_total", 10);
      replace(dir, GatewayBundleConfigTest.bundle(ca, 2, housing, civil, providerPort).getBytes(StandardCharsets.UTF_8));
      Line swapped = await(err, l -> l.event().equals("bundle_swapped"), "bundle_swapped");
      assertThat(swapped.kv()).containsEntry("version", "2").containsEntry("previous_version", "1");
      await(err, l -> l.event().equals("bundle_reload_recovered"), "bundle_reload_recovered");

      p.destroy(); // SIGTERM: the shutdown hook drains
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("the gateway stopped on SIGTERM").isTrue();
    } finally {
      if (p != null) {
        p.destroyForcibly();
      }
      backend.stop(0);
    }

    assertThat(Files.readString(out)).as("nothing on standard output").isEmpty();
    String all = Files.readString(err);
    assertThat(all).doesNotContain(KEY_PASSWORD).doesNotContain(API_KEY).doesNotContain(QUERY_SECRET);
    List<Line> lines = lines(err); // every line is a JSON object

    List<Line> access = lines.stream().filter(l -> l.event().equals("access")).toList();
    assertThat(access).extracting(l -> l.kv().get("status")).containsExactly("200", "401", downStatus + "");
    Map<String, String> first = access.get(0).kv();
    assertThat(access.get(0).logger()).isEqualTo("shulian.access");
    assertThat(first).containsEntry("direction", "request_out").containsEntry("method", "GET")
        .containsEntry("path", "/x").containsEntry("resource", "HOUSING-001")
        .containsEntry("purpose", "social-assistance-review").containsEntry("code", "OK")
        .containsEntry("consumer", civil.party().toString()).containsEntry("provider", housing.party().toString())
        .containsEntry("app", "portal").containsEntry("bytes_out", "11")
        .containsKeys("bytes_in", "duration_ms", "exchange_id");
    assertThat(first.get("exchange_id")).isNotEqualTo("-");
    assertThat(access.get(1).kv()).containsEntry("path", "/exchange/HOUSING-001/y").containsEntry("code", "UNKNOWN_APP").doesNotContainValue(API_KEY + "-wrong");

    List<Line> serverErrors = lines.stream().filter(l -> l.event().equals("server_error")).toList();
    assertThat(serverErrors).as(all).hasSize(1);
    assertThat(serverErrors.get(0).level()).isEqualTo("WARN");
    assertThat(serverErrors.get(0).kv()).containsEntry("resource", "HOUSING-002").containsEntry("path", "/z");

    List<Line> refused = lines.stream().filter(l -> l.event().equals("bundle_reload_refused")).toList();
    assertThat(refused).as("one line per distinct reason, not one per poll\n" + all).hasSize(2);
    assertThat(refused.get(0).kv().get("reason")).isNotEqualTo(refused.get(1).kv().get("reason"));
    assertThat(refused).allMatch(l -> l.level().equals("WARN"));

    assertThat(lines).extracting(Line::event).contains("drain_started", "drain_ended", "gateway_stopped");
  }

  private static void replace(Path dir, byte[] content) throws IOException {
    Path tmp = dir.resolve("bundle.jws.tmp");
    Files.write(tmp, content);
    Files.move(tmp, dir.resolve("bundle.jws"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
