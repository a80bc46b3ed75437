package io.shulian.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The monitoring assets under deploy/: the Prometheus alerting rules pass {@code promtool check
 * rules} and their unit tests ({@code promtool test rules}), and every metric name in them and in
 * the Grafana dashboard is a family that live gateways really expose.
 */
class DeployAssetsTest {
  static final Path DEPLOY = Path.of(System.getProperty("user.dir")).getParent().resolve("deploy");
  static final Path RULES = DEPLOY.resolve("prometheus/shulian-alerts.yml");
  static final Path RULE_TESTS = DEPLOY.resolve("prometheus/shulian-alerts.test.yml");
  static final Path DASHBOARD = DEPLOY.resolve("grafana/shulian-gateway.json");
  /** Metric names in PromQL: the gateway's families (and Prometheus' own {@code up}). */
  static final Pattern METRIC = Pattern.compile("\\b((?:shulian|jvm|process)_[a-z0-9_]+|up)\\b");

  @TempDir Path dir;
  MetricsExpositionTest live;

  @AfterEach
  void tearDown() throws Exception {
    if (live != null) {
      live.tearDown();
    }
  }

  static Map.Entry<Integer, String> promtool(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(MetricsExpositionTest.promtool().toString()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).directory(DEPLOY.resolve("prometheus").toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    return Map.entry(p.exitValue(), out);
  }

  @Test
  void alertingRules_promtoolCheckAndUnitTests_pass() throws Exception {
    Map.Entry<Integer, String> check = promtool("check", "rules", RULES.getFileName().toString());
    assertThat(check.getKey()).as(check.getValue()).isZero();
    Map.Entry<Integer, String> test = promtool("test", "rules", RULE_TESTS.getFileName().toString());
    assertThat(test.getKey()).as(test.getValue()).isZero();
  }

  @Test
  void promtool_ruleWithBadExpression_isRefused() throws Exception {
    // the check above could not fail if promtool accepted anything
    Path bad = DEPLOY.resolve("prometheus");
    Path f = dir.resolve("bad.yml");
    Files.writeString(f, "groups:\n  - name: x\n    rules:\n      - alert: X\n        expr: rate(shulian_x_total[5m]\n");
    Process p = new ProcessBuilder(MetricsExpositionTest.promtool().toString(), "check", "rules", f.toString())
        .directory(bad.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isNotZero();
  }

  /** Every PromQL expression of the dashboard (panel targets and template queries). */
  static List<String> dashboardQueries() throws Exception {
    JsonNode d = new ObjectMapper().readTree(DASHBOARD.toFile());
    List<String> out = new ArrayList<>();
    for (JsonNode p : d.get("panels")) {
      for (JsonNode t : p.path("targets")) {
        out.add(t.get("expr").asText());
      }
    }
    for (JsonNode v : d.path("templating").path("list")) {
      if (v.path("type").asText().equals("query")) {
        out.add(v.get("query").asText());
      }
    }
    return out;
  }

  static List<String> ruleQueries() throws Exception {
    JsonNode r = new ObjectMapper(new YAMLFactory()).readTree(RULES.toFile());
    List<String> out = new ArrayList<>();
    for (JsonNode g : r.get("groups")) {
      for (JsonNode rule : g.get("rules")) {
        out.add(rule.get("expr").asText());
      }
    }
    return out;
  }

  static Set<String> names(List<String> queries) {
    Set<String> s = new TreeSet<>();
    for (String q : queries) {
      Matcher m = METRIC.matcher(q);
      while (m.find()) {
        s.add(m.group(1));
      }
    }
    return s;
  }

  static Set<String> sharedStateFamilies() throws Exception {
    String md = Files.readString(MetricsExpositionTest.GATEWAY_MD);
    int start = md.indexOf("\n## Shared state of replicas (Redis)");
    assertThat(start).as("docs/gateway.md has the shared state section").isPositive();
    int end = md.indexOf("\n## ", start + 1);
    Set<String> s = new TreeSet<>();
    Matcher m = Pattern.compile("(?m)^\\| `([a-z_:][a-z0-9_:]*)` \\|").matcher(md.substring(start, end < 0 ? md.length() : end));
    while (m.find()) {
      s.add(m.group(1));
    }
    return s;
  }

  /** A name as it appears in PromQL is exposed if it is a family or a histogram/summary series of one. */
  static boolean exposed(String name, Set<String> families) {
    if (families.contains(name) || name.equals("up")) {
      return true;
    }
    for (String suffix : List.of("_bucket", "_count", "_sum")) {
      if (name.endsWith(suffix) && families.contains(name.substring(0, name.length() - suffix.length()))) {
        return true;
      }
    }
    return false;
  }

  @Test
  void dashboardAndRules_everyMetricName_isExposedByLiveGateways() throws Exception {
    live = new MetricsExpositionTest();
    live.dir = dir;
    Map<String, String> pages = live.cityAfterTraffic();
    pages.put("bundle provider", live.scrape(live.bundleProvider()));
    Set<String> families = new TreeSet<>();
    pages.values().forEach(p -> families.addAll(MetricsExpositionTest.families(p)));
    assertThat(families).contains("shulian_ship_lag_records", "shulian_ship_failures_total", "shulian_ship_records_total");
    // families that only a gateway following the hub (registered next to its /readyz warning bundle_hub,
    // which HubGatewayEndToEndTest sees) or a concurrent collector exposes: documented so in docs/gateway.md
    Set<String> conditional = new TreeSet<>(MetricsExpositionTest.documentedFamilies(false));
    conditional.removeAll(MetricsExpositionTest.documentedFamilies(true));
    assertThat(conditional).contains("shulian_bundle_hub_failures_total");
    families.addAll(conditional);
    // families registered only by a gateway with `state.redis` (RedisState; RedisReplicationStateTest reads them):
    // the table of docs/gateway.md "Shared state of replicas (Redis)"
    Set<String> shared = sharedStateFamilies();
    assertThat(shared).contains("shulian_state_redis_up", "shulian_state_not_replicated_total");
    families.addAll(shared);

    List<String> dash = dashboardQueries();
    assertThat(dash).hasSizeGreaterThan(10);
    List<String> unknown = new ArrayList<>();
    for (String n : names(dash)) {
      if (!exposed(n, families)) {
        unknown.add("dashboard: " + n);
      }
    }
    for (String n : names(ruleQueries())) {
      if (!exposed(n, families)) {
        unknown.add("rules: " + n);
      }
    }
    assertThat(unknown).as("metric names no gateway exposes").isEmpty();
    // the check itself: a name that is not exposed is found
    assertThat(exposed("shulian_no_such_metric_total", families)).isFalse();
  }
}
