package io.shulian.hub;

import io.shulian.gateway.Gateway;
import io.shulian.gateway.authenticate.ApiKeys;
import io.shulian.gateway.config.ConfigLoader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * The propagation benchmark of docs/benchmarks.md, not a unit test (runs only with
 * {@code -Dshulian.bench=true}; benchmarks/hub/propagation.sh): a real hub and N real consumer
 * gateways following it ({@code trust.bundle: https://…}, each with its own long-polling
 * HubBundleSource), then emergency actions (suspend, lift, …) through the hub's API; per action and
 * gateway, the time from sending the action to the gateway holding the new bundle (its trust,
 * routes and incidents swapped in one housekeeping step).
 */
class PropagationBench {
  @TempDir Path dir;

  @Test
  @EnabledIfSystemProperty(named = "shulian.bench", matches = "true")
  void propagation() throws Exception {
    int n = Integer.getInteger("shulian.bench.gateways", 50);
    int rounds = Integer.getInteger("shulian.bench.rounds", 10);
    TestHubCity city = new TestHubCity(dir);
    List<AutoCloseable> open = new ArrayList<>();
    Hub hub = city.startHub("signing: { intl: { ca: ca, passwordEnv: SHULIAN_KEY_PASSWORD } }");
    try {
      String v1 = city.bundle(1);
      Files.writeString(dir.resolve("v1.jws"), v1);
      if (city.publish(hub, TestHubCity.OFFICER_TOKEN, v1).statusCode() != 201) {
        throw new IllegalStateException("publish v1 failed");
      }
      String url = "https://127.0.0.1:" + hub.address("hub").getPort() + "/v1/bundle/intl";
      List<Gateway> gateways = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        Path yaml = dir.resolve("consumer-" + i + ".yaml");
        Files.writeString(yaml, String.join("\n",
            "identity: { keystore: civil.p12 }",
            "trust: { root: root.pem, bundle: \"" + url + "\", initialBundle: v1.jws, bundleReload: 30s }",
            "consumer:",
            "  listen: 127.0.0.1:0",
            "  apps: [ { name: portal, apiKeySha256: \"" + ApiKeys.hash("k") + "\" } ]",
            "  routes: [ { resource: HOUSING-001, provider: \"" + city.housing.party() + "\", endpoint: \"https://127.0.0.1:1\" } ]",
            "runtime: { eventLoops: 1 }",
            "audit: { dir: audit-" + i + " }", ""));
        Gateway g = ConfigLoader.apply(ConfigLoader.load(yaml, TestHubCity.ENV::get), new NoAudit()).build().start();
        open.add(g);
        gateways.add(g);
      }
      HttpClient http = city.client(null);
      // let every poller park its first long-poll
      Thread.sleep(3000);
      List<Long> nanos = new ArrayList<>();
      long actionId = 0;
      for (int r = 0; r < rounds; r++) {
        boolean suspend = r % 2 == 0;
        HttpRequest.Builder rb = suspend
            ? HttpRequest.newBuilder(TestHubCity.url(hub, "/v1/admin/actions")).POST(HttpRequest.BodyPublishers.ofString(
                "{\"kind\":\"suspend-party\",\"target\":\"" + city.civil.party() + "\",\"reason\":\"bench\"}"))
            : HttpRequest.newBuilder(TestHubCity.url(hub, "/v1/admin/actions/" + actionId))
                .method("DELETE", HttpRequest.BodyPublishers.ofString("{\"reason\":\"bench\"}"));
        long t0 = System.nanoTime();
        HttpResponse<String> resp = http.send(rb.header("Authorization", "Bearer " + TestHubCity.OFFICER_TOKEN).build(),
            HttpResponse.BodyHandlers.ofString());
        if (resp.statusCode() / 100 != 2) {
          throw new IllegalStateException("action refused: " + resp.body());
        }
        var node = new com.fasterxml.jackson.databind.ObjectMapper().readTree(resp.body());
        actionId = node.path("id").asLong();
        long version = suspend ? node.path("bundleVersion").asLong() : node.path("liftedBundleVersion").asLong();
        long[] seen = new long[n];
        int left = n;
        long deadline = t0 + Duration.ofSeconds(30).toNanos();
        while (left > 0 && System.nanoTime() < deadline) {
          for (int i = 0; i < n; i++) {
            if (seen[i] == 0 && HubGatewayEndToEndTest.bundleVersion(gateways.get(i)) == (double) version) {
              seen[i] = System.nanoTime() - t0;
              left--;
            }
          }
          Thread.sleep(1);
        }
        if (left > 0) {
          throw new IllegalStateException(left + " gateways did not honour v" + version + " within 30 s");
        }
        for (long s : seen) {
          nanos.add(s);
        }
        Thread.sleep(500);
      }
      long[] sorted = nanos.stream().mapToLong(Long::longValue).sorted().toArray();
      String result = String.format(java.util.Locale.ROOT,
          "gateways=%d rounds=%d samples=%d p50=%.1fms p90=%.1fms p99=%.1fms max=%.1fms (action request sent -> gateway holds the new bundle)",
          n, rounds, sorted.length, pct(sorted, 50), pct(sorted, 90), pct(sorted, 99), sorted[sorted.length - 1] / 1e6);
      System.out.println("PROPAGATION " + result);
      Path out = Path.of(System.getProperty("shulian.bench.out", "target/propagation.txt"));
      Files.writeString(out, result + "\n");
    } finally {
      for (int i = open.size() - 1; i >= 0; i--) {
        open.get(i).close();
      }
      hub.close();
    }
  }

  /** Accepts every record (no exchange happens here). */
  static final class NoAudit implements io.shulian.gateway.audit.ExchangeAuditor {
    @Override
    public java.util.concurrent.CompletableFuture<Void> record(io.shulian.gateway.audit.ExchangeEvent event) {
      return java.util.concurrent.CompletableFuture.completedFuture(null);
    }

    @Override
    public boolean writable() {
      return true;
    }

    @Override
    public void close() {}
  }

  private static double pct(long[] sorted, int p) {
    int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1e6;
  }
}
