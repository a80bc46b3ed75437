package io.shulian.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.shulian.core.keys.PartyCertificate;
import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.keys.Suite;
import io.shulian.gateway.authenticate.ApiKeys;
import io.shulian.gateway.cli.DatasetDownload;
import io.shulian.gateway.config.ConfigLoader;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A provider gateway without a catalog, configured from YAML, declares a backend a data set with
 * {@code delivery: dataset} and streams it (docs/gateway.md, docs/return-flow.md).
 */
class PinnedDatasetConfigEndToEndTest {
  @TempDir Path dir;
  final List<AutoCloseable> closeables = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
  }

  @Test
  void pinnedProvider_backendDeclaredDatasetInYaml_streamedWithVerifiedTrailer_otherBackendIsNot() throws Exception {
    char[] pw = "test-only".toCharArray();
    PartyIdentity housing = PartyIdentity.generateSelfSigned(Suite.INTL, GatewayEndToEndTest.HOUSING, Duration.ofDays(1));
    PartyIdentity civil = PartyIdentity.generateSelfSigned(Suite.INTL, GatewayEndToEndTest.CIVIL, Duration.ofDays(1));
    housing.store(dir.resolve("housing.p12"), pw);
    civil.store(dir.resolve("civil.p12"), pw);
    Files.writeString(dir.resolve("housing.pem"), PartyCertificate.toPem(housing.certificates()));
    Files.writeString(dir.resolve("civil.pem"), PartyCertificate.toPem(civil.certificates()));
    StringBuilder lines = new StringBuilder();
    for (int i = 0; i < 3000; i++) {
      lines.append("{\"household\":\"户").append(i).append("\"}\n");
    }
    byte[] data = lines.toString().getBytes(StandardCharsets.UTF_8);
    HttpServer backend = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    backend.createContext("/", ex -> {
      ex.getResponseHeaders().set("Content-Type", "application/jsonl");
      ex.sendResponseHeaders(200, data.length);
      try (OutputStream o = ex.getResponseBody()) {
        o.write(data);
      }
    });
    backend.start();
    closeables.add(() -> backend.stop(0));
    String url = "http://127.0.0.1:" + backend.getAddress().getPort();
    Files.writeString(dir.resolve("provider.yaml"), String.join("\n",
        "identity: { keystore: housing.p12 }",
        "trust: { certificates: [civil.pem] }",
        "provider:",
        "  listen: 127.0.0.1:0",
        "  backends:",
        "    - resource: civil.household.daily-extract",
        "      url: \"" + url + "/households\"",
        "      endpoints: [ { method: GET, path: /daily, action: return-flow } ]",
        "      delivery: dataset",
        "      format: jsonl",
        "    - resource: civil.household.lookup",
        "      url: \"" + url + "/lookup\"",
        "      endpoints: [ { method: GET, path: /daily, action: return-flow } ]",
        "  permissions:",
        "    - { consumer: \"" + civil.party() + "\", resource: civil.household.daily-extract, purposes: [p],"
            + " actions: [return-flow] }",
        "    - { consumer: \"" + civil.party() + "\", resource: civil.household.lookup, purposes: [p],"
            + " actions: [return-flow] }",
        "audit: { dir: audit-provider }", ""));
    Map<String, String> env = Map.of("SHULIAN_KEY_PASSWORD", "test-only");
    Gateway provider = ConfigLoader.apply(ConfigLoader.load(dir.resolve("provider.yaml"), env::get),
        new MemoryAuditor(), env::get).build().start();
    closeables.add(provider);
    String endpoint = "https://127.0.0.1:" + provider.address("provider").getPort();
    Files.writeString(dir.resolve("consumer.yaml"), String.join("\n",
        "identity: { keystore: civil.p12 }",
        "trust: { certificates: [housing.pem] }",
        "consumer:",
        "  listen: 127.0.0.1:0",
        "  apps: [ { name: portal, apiKeySha256: \"" + ApiKeys.hash("k") + "\" } ]",
        "  routes:",
        "    - { resource: civil.household.daily-extract, provider: \"" + housing.party() + "\", endpoint: \"" + endpoint
            + "\" }",
        "    - { resource: civil.household.lookup, provider: \"" + housing.party() + "\", endpoint: \"" + endpoint + "\" }",
        "audit: { dir: audit-consumer }", ""));
    Gateway consumer = ConfigLoader.apply(ConfigLoader.load(dir.resolve("consumer.yaml"), env::get),
        new MemoryAuditor(), env::get).build().start();
    closeables.add(consumer);
    String base = "http://127.0.0.1:" + consumer.address("consumer").getPort();
    Map<String, String> headers = Map.of("X-Api-Key", "k", "X-Shulian-Purpose", "p");
    ByteArrayOutputStream got = new ByteArrayOutputStream();

    DatasetDownload.Result r = DatasetDownload.get(URI.create(base + "/dataset/civil.household.daily-extract/daily"),
        headers, got, n -> {}, Duration.ofSeconds(30));
    DatasetDownload.Result not = DatasetDownload.get(URI.create(base + "/dataset/civil.household.lookup/daily"),
        headers, new ByteArrayOutputStream(), n -> {}, Duration.ofSeconds(30));

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.complete()).isTrue();
    assertThat(got.toByteArray()).isEqualTo(data);
    assertThat(not.status()).isEqualTo(406);
  }
}
