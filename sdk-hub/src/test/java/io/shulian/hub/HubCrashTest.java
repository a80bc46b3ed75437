package io.shulian.hub;

import static org.assertj.core.api.Assertions.assertThat;

import io.shulian.core.catalog.Catalog;
import io.shulian.core.trust.CityBundle;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the real {@code shulian hub} as a child JVM, kills it with SIGKILL while approvals (each a
 * bundle publish) are in flight, restarts it, and checks: an approval the hub answered 200 is in the
 * newest published bundle's catalog; any other submission is either approved with its resource in
 * that catalog, or still pending and approvable after the restart; and every bundle served, before
 * and after the kill, verifies against the city root.
 */
class HubCrashTest {
  static final int ROUNDS = 3;
  static final int PER_ROUND = 4;

  @TempDir Path dir;

  /** A child hub and the port it listens on. */
  record Child(Process process, int port) {}

  Child start() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb = new ProcessBuilder(java, "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "-cp", System.getProperty("java.class.path"), "io.shulian.gateway.cli.ShulianCli", "hub", "--config",
        dir.resolve("hub.yaml").toString()).redirectErrorStream(true);
    pb.environment().put("SHULIAN_KEY_PASSWORD", "test-only");
    Process p = pb.start();
    CompletableFuture<Integer> port = new CompletableFuture<>();
    Thread drain = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          if (line.contains("WARN") || line.contains("ERROR") || line.contains("Exception")) {
            // for diagnosis: the child's warnings end up in this test's output
            System.out.println("[hub child] " + line);
          }
          int at = line.indexOf("hub running: hub=");
          if (at >= 0) {
            port.complete(Integer.parseInt(line.substring(line.lastIndexOf(':') + 1).trim()));
          }
        }
      } catch (java.io.IOException e) {
        // the child died
      }
      port.complete(-1);
    }, "hub-child-output");
    drain.setDaemon(true);
    drain.start();
    int p2 = port.get(120, TimeUnit.SECONDS);
    assertThat(p2).as("the child hub started").isPositive();
    return new Child(p, p2);
  }

  static HttpResponse<String> send(HttpClient c, int port, String method, String path, String token, String type,
      String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(60));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    if (body != null) {
      b.header("Content-Type", type);
    }
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    return c.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static CityBundle verified(TestHubCity city, byte[] jws) throws Exception {
    return CityBundle.verify(jws, List.of(city.ca.root()), Instant.now(), Duration.ZERO);
  }

  @Test
  void killDashNineDuringApprovals_noApprovedChangeLost_andNoHalfWrittenBundleServed() throws Exception {
    TestHubCity city = new TestHubCity(dir);
    city.hubYaml(HubCatalogReviewEndToEndTest.SIGNING);
    HttpClient operator = city.client(null);
    HttpClient housing = city.client(city.housing);
    Map<String, String> codeOf = new LinkedHashMap<>();
    Map<String, Boolean> acknowledged = new ConcurrentHashMap<>();
    AtomicInteger servedChecked = new AtomicInteger();
    for (int round = 0; round < ROUNDS; round++) {
      Child hub = start();
      try {
        if (round == 0) {
          assertThat(send(operator, hub.port(), "POST", "/v1/admin/bundle/intl", TestHubCity.OFFICER_TOKEN, "application/jose",
              HubApplicationsEndToEndTest.catalogBundle(city, 1)).statusCode()).isEqualTo(201);
        }
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < PER_ROUND; i++) {
          String code = "housing.crash-" + round + "-" + i;
          HttpResponse<String> r = send(housing, hub.port(), "POST", "/v1/catalog/submissions", null, "application/jose",
              HubCatalogReviewEndToEndTest.sign(city.housing, HubCatalogReviewEndToEndTest.resource(code, city.housing.party(),
                  "statistics")));
          assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
          String id = HubApplicationsEndToEndTest.json(r).get("id").asText();
          ids.add(id);
          codeOf.put(id, code);
        }
        // a poller fetches and verifies every bundle the hub serves while it is being killed
        AtomicBoolean stop = new AtomicBoolean();
        Thread poller = new Thread(() -> {
          while (!stop.get()) {
            try {
              HttpResponse<byte[]> b = city.client(city.civil).send(HttpRequest.newBuilder(
                  URI.create("https://127.0.0.1:" + hub.port() + "/v1/bundle/intl")).timeout(Duration.ofSeconds(10)).build(),
                  HttpResponse.BodyHandlers.ofByteArray());
              if (b.statusCode() == 200) {
                verified(city, b.body());
                servedChecked.incrementAndGet();
              }
              Thread.sleep(20);
            } catch (java.io.IOException | InterruptedException e) {
              return;
            } catch (Exception e) {
              throw new AssertionError("a served bundle does not verify", e);
            }
          }
        }, "bundle-poller");
        poller.start();
        List<CompletableFuture<HttpResponse<String>>> inFlight = new ArrayList<>();
        for (String id : ids) {
          inFlight.add(operator.sendAsync(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + hub.port()
              + "/v1/admin/reviews/" + id + "/approve")).header("Authorization", "Bearer " + TestHubCity.REVIEWER_TOKEN)
              .POST(HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString())
              .whenComplete((r, e) -> {
                if (r != null && r.statusCode() == 200) {
                  acknowledged.put(id, true);
                }
              }));
        }
        // kill once the first approval is answered, the others still queued or being published
        CompletableFuture.anyOf(inFlight.toArray(new CompletableFuture<?>[0])).handle((r, e) -> null).get(60, TimeUnit.SECONDS);
        hub.process().destroyForcibly();
        assertThat(hub.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
        stop.set(true);
        poller.join(TimeUnit.SECONDS.toMillis(30));
        CompletableFuture.allOf(inFlight.toArray(new CompletableFuture<?>[0])).handle((r, e) -> null).get(60, TimeUnit.SECONDS);
      } finally {
        hub.process().destroyForcibly();
        hub.process().waitFor(30, TimeUnit.SECONDS);
      }
    }
    assertThat(acknowledged).as("some approvals were answered before a kill").isNotEmpty();
    assertThat(servedChecked.get()).as("bundles were served and verified while approvals ran").isPositive();

    Child hub = start();
    try {
      HttpResponse<byte[]> b = city.client(city.civil).send(HttpRequest.newBuilder(
          URI.create("https://127.0.0.1:" + hub.port() + "/v1/bundle/intl")).build(), HttpResponse.BodyHandlers.ofByteArray());
      Catalog catalog = Catalog.parse("served", verified(city, b.body()).extension("catalog").orElseThrow()
          .getBytes(StandardCharsets.UTF_8));
      for (Map.Entry<String, String> e : codeOf.entrySet()) {
        HttpResponse<String> shown = send(operator, hub.port(), "GET", "/v1/admin/reviews/" + e.getKey(),
            TestHubCity.REVIEWER_TOKEN, null, null);
        // a submission the hub answered 201 is still there
        assertThat(shown.statusCode()).as(e.getValue() + " " + shown.body()).isEqualTo(200);
        String state = HubApplicationsEndToEndTest.json(shown).get("state").asText();
        if (acknowledged.containsKey(e.getKey())) {
          assertThat(state).as(e.getValue() + " was acknowledged").isEqualTo("approved");
        }
        assertThat(state).isIn("approved", "pending");
        // approved <=> published: never one without the other
        assertThat(catalog.resource(e.getValue()).isPresent()).as(e.getValue() + " " + state).isEqualTo(state.equals("approved"));
        if (state.equals("pending")) {
          HttpResponse<String> again = send(operator, hub.port(), "POST", "/v1/admin/reviews/" + e.getKey() + "/approve",
              TestHubCity.REVIEWER_TOKEN, null, null);
          assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
        }
      }
      HttpResponse<byte[]> last = city.client(city.civil).send(HttpRequest.newBuilder(
          URI.create("https://127.0.0.1:" + hub.port() + "/v1/bundle/intl")).build(), HttpResponse.BodyHandlers.ofByteArray());
      Catalog all = Catalog.parse("served", verified(city, last.body()).extension("catalog").orElseThrow()
          .getBytes(StandardCharsets.UTF_8));
      assertThat(all.resources().keySet()).containsAll(codeOf.values());
    } finally {
      hub.process().destroyForcibly();
      hub.process().waitFor(30, TimeUnit.SECONDS);
    }
  }
}
