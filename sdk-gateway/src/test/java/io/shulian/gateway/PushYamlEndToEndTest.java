package io.shulian.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.shulian.core.keys.PartyCertificate;
import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.keys.Suite;
import io.shulian.core.party.PartyId;
import io.shulian.gateway.authenticate.ApiKeys;
import io.shulian.gateway.config.ConfigLoader;
import java.net.InetSocketAddress;
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
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Push receivers and push deliveries configured in YAML (docs/gateway.md, docs/return-flow.md
 * "Push"): the province gateway's {@code provider.pushReceivers} names the district's gateway, the
 * district gateway's {@code provider.pushDeliveries} names its backend, and a push goes through.
 */
class PushYamlEndToEndTest {
  static final PartyId PROVINCE = DatasetPushEndToEndTest.PROVINCE;
  static final PartyId DISTRICT = DatasetPushEndToEndTest.DISTRICT_A;
  static final String RESOURCE = DatasetPushEndToEndTest.RESOURCE;
  @TempDir Path dir;
  final List<AutoCloseable> closeables = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
  }

  @Test
  void pushReceiversAndDeliveriesFromYaml_pushDelivered() throws Exception {
    char[] pw = "test-only".toCharArray();
    PartyIdentity province = PartyIdentity.generateSelfSigned(Suite.INTL, PROVINCE, Duration.ofDays(1));
    PartyIdentity district = PartyIdentity.generateSelfSigned(Suite.INTL, DISTRICT, Duration.ofDays(1));
    province.store(dir.resolve("province.p12"), pw);
    district.store(dir.resolve("district.p12"), pw);
    Files.writeString(dir.resolve("province.pem"), PartyCertificate.toPem(province.certificates()));
    Files.writeString(dir.resolve("district.pem"), PartyCertificate.toPem(district.certificates()));
    AtomicReference<byte[]> delivered = new AtomicReference<>();
    HttpServer backend = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    backend.createContext("/pension/incoming", ex -> {
      delivered.set(ex.getRequestBody().readAllBytes());
      ex.sendResponseHeaders(204, -1);
      ex.close();
    });
    backend.start();
    closeables.add(() -> backend.stop(0));
    Map<String, String> env = Map.of("SHULIAN_KEY_PASSWORD", "test-only");
    Files.writeString(dir.resolve("district.yaml"), String.join("\n",
        "identity: { keystore: district.p12 }",
        "trust: { certificates: [province.pem] }",
        "provider:",
        "  listen: 127.0.0.1:0",
        "  pushDeliveries:",
        "    - { resource: " + RESOURCE + ", url: \"http://127.0.0.1:" + backend.getAddress().getPort()
            + "/pension/incoming\" }",
        "audit: { dir: audit-district }", ""));
    MemoryAuditor districtAudit = new MemoryAuditor();
    Gateway d = ConfigLoader.apply(ConfigLoader.load(dir.resolve("district.yaml"), env::get), districtAudit, env::get)
        .build().start();
    closeables.add(d);
    Files.writeString(dir.resolve("province.yaml"), String.join("\n",
        "identity: { keystore: province.p12 }",
        "trust: { certificates: [district.pem] }",
        "consumer:",
        "  listen: 127.0.0.1:0",
        "  apps: [ { name: pension-system, apiKeySha256: \"" + ApiKeys.hash("k") + "\" } ]",
        "provider:",
        "  listen: 127.0.0.1:0",
        "  backends:",
        "    - resource: " + RESOURCE,
        "      url: \"http://127.0.0.1:1/extract\"",
        "      endpoints: [ { method: GET, path: /extract, action: return-flow } ]",
        "      delivery: dataset",
        "      format: jsonl",
        "  pushReceivers:",
        "    - { party: \"" + DISTRICT + "\", gateway: \"https://127.0.0.1:" + d.address("provider").getPort() + "\" }",
        "audit: { dir: audit-province }", ""));
    // static permissions decide no pushes: the province takes the test's return-flow policy
    Gateway p = ConfigLoader.apply(ConfigLoader.load(dir.resolve("province.yaml"), env::get), new MemoryAuditor(), env::get)
        .policy(DatasetPushEndToEndTest.POLICY).build().start();
    closeables.add(p);
    byte[] data = DatasetPushEndToEndTest.dataset(500);

    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
            "http://127.0.0.1:" + p.address("consumer").getPort() + "/dataset-push/" + RESOURCE + "?to="
                + java.net.URLEncoder.encode(DISTRICT.toString(), StandardCharsets.UTF_8)))
        .header("X-Api-Key", "k").header("X-Shulian-Purpose", DatasetPushEndToEndTest.PURPOSE)
        .header("Content-Type", "application/jsonl").POST(HttpRequest.BodyPublishers.ofByteArray(data)).build(),
        HttpResponse.BodyHandlers.ofString());

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode res = new ObjectMapper().readTree(r.body()).get("results").get(0);
    assertThat(res.get("status").asText()).as(r.body()).isEqualTo("DELIVERED");
    assertThat(delivered.get()).isEqualTo(DatasetPushEndToEndTest.maskIds(new String(data, StandardCharsets.UTF_8))
        .getBytes(StandardCharsets.UTF_8));
    assertThat(districtAudit.events).singleElement().satisfies(e -> assertThat(e.outcome).isEqualTo("OK"));
  }
}
