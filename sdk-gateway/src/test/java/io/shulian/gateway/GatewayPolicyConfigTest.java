package io.shulian.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.shulian.core.keys.PartyCertificate;
import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.keys.Suite;
import io.shulian.core.policy.Grant;
import io.shulian.core.policy.GrantIssuer;
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
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Provider gateway deciding with the catalog and policy engine (docs/examples), configured from YAML. */
class GatewayPolicyConfigTest {
  static final String PROPERTY = "{\"owner\":{\"name\":\"张三\",\"idNumber\":\"440604199001011234\"},"
      + "\"members\":[{\"name\":\"李四\",\"phone\":\"13800138000\"}],\"address\":\"广东省佛山市禅城区示例路1号\",\"floorArea\":88.5}";
  static final String FUND = "{\"applicant\":{\"name\":\"张三\",\"idNumber\":\"440604199001011234\",\"phone\":\"13800138000\"},"
      + "\"balance\":12345.6,\"monthlyDeposit\":800,\"bankCard\":\"6222021234567890123\"}";

  @TempDir Path dir;
  final List<AutoCloseable> closeables = new ArrayList<>();
  final HttpClient http = HttpClient.newHttpClient();
  PartyIdentity housing;
  PartyIdentity civil;
  Gateway consumer;
  MemoryAuditor providerAudit = new MemoryAuditor();

  @BeforeEach
  void startCity() throws Exception {
    char[] pw = "test-only".toCharArray();
    housing = PartyIdentity.generateSelfSigned(Suite.INTL, GatewayEndToEndTest.HOUSING, Duration.ofDays(1));
    civil = PartyIdentity.generateSelfSigned(Suite.INTL, GatewayEndToEndTest.CIVIL, Duration.ofDays(1));
    housing.store(dir.resolve("housing.p12"), pw);
    civil.store(dir.resolve("civil.p12"), pw);
    Files.writeString(dir.resolve("housing.pem"), PartyCertificate.toPem(housing.certificates()));
    Files.writeString(dir.resolve("civil.pem"), PartyCertificate.toPem(civil.certificates()));
    Files.createDirectories(dir.resolve("policy"));
    Path examples = Path.of(System.getProperty("user.dir")).getParent().resolve("docs/examples");
    Files.copy(examples.resolve("catalog.yaml"), dir.resolve("policy/catalog.yaml"));
    Files.copy(examples.resolve("policies.yaml"), dir.resolve("policy/policies.yaml"));

    HttpServer backend = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    backend.createContext("/", ex -> {
      byte[] b = (ex.getRequestURI().getPath().contains("property") ? PROPERTY : FUND).getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("Content-Type", "application/json");
      ex.sendResponseHeaders(200, b.length);
      ex.getResponseBody().write(b);
      ex.close();
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
        "    - { resource: housing.property-registry, url: \"" + url + "/property\" }",
        "    - { resource: housing.provident-fund.balance, url: \"" + url + "/fund\" }",
        "  policy: { dir: policy }",
        "audit: { dir: audit-provider }", ""));
    Map<String, String> env = Map.of("SHULIAN_KEY_PASSWORD", "test-only", "SHULIAN_MASK_KEY", "0123456789abcdef-test");
    Gateway provider = ConfigLoader.apply(ConfigLoader.load(dir.resolve("provider.yaml"), env::get), providerAudit, env::get)
        .build().start();
    closeables.add(provider);
    Files.writeString(dir.resolve("consumer.yaml"), String.join("\n",
        "identity: { keystore: civil.p12 }",
        "trust: { certificates: [housing.pem] }",
        "consumer:",
        "  listen: 127.0.0.1:0",
        "  apps: [ { name: portal, apiKeySha256: \"" + ApiKeys.hash("k") + "\" } ]",
        "  routes:",
        "    - { resource: housing.property-registry, provider: \"" + housing.party() + "\", endpoint: \"https://127.0.0.1:"
            + provider.address("provider").getPort() + "\" }",
        "    - { resource: housing.provident-fund.balance, provider: \"" + housing.party() + "\", endpoint: \"https://127.0.0.1:"
            + provider.address("provider").getPort() + "\" }",
        "audit: { dir: audit-consumer }", ""));
    consumer = ConfigLoader.apply(ConfigLoader.load(dir.resolve("consumer.yaml"), env::get), new MemoryAuditor(), env::get)
        .build().start();
    closeables.add(consumer);
  }

  @AfterEach
  void stop() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
  }

  HttpResponse<String> get(String resource, String purpose, String grant) throws Exception {
    HttpRequest.Builder r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + consumer.address("consumer").getPort()
        + "/exchange/" + resource + "/records")).header("X-Api-Key", "k").header("X-Shulian-Purpose", purpose);
    if (grant != null) {
      r.header("X-Shulian-Grant", grant);
    }
    return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void unconditionalResource_isServedWithPersonalInformationMasked() throws Exception {
    HttpResponse<String> r = get("housing.property-registry", "social-assistance-review", null);

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.body()).doesNotContain("440604199001011234").doesNotContain("13800138000").contains("88.5");
    assertThat(providerAudit.events.get(0).ruleIds).contains("civil-affairs-property-for-assistance");
    assertThat(providerAudit.events.get(0).obligations).anySatisfy(o -> assertThat(o).startsWith("mask:owner.idNumber"));
  }

  @Test
  void wrongPurpose_isDenied() throws Exception {
    HttpResponse<String> r = get("housing.property-registry", "business-licensing", null);

    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(providerAudit.events.get(0).permitted).isFalse();
  }

  @Test
  void conditionalResource_deniedWithoutGrant_servedWithGrant_masked() throws Exception {
    HttpResponse<String> without = get("housing.provident-fund.balance", "social-assistance-review", null);
    assertThat(without.statusCode()).isEqualTo(403);

    String grant = GrantIssuer.of(housing).issue(Grant.builder()
        .id("grant-2026-0001")
        .issuer(housing.party())
        .consumer(civil.party())
        .resource("housing.provident-fund.balance")
        .fields(List.of("applicant.name", "applicant.idNumber", "balance", "monthlyDeposit"))
        .purpose("social-assistance-review")
        .validity(Instant.now().minusSeconds(60), Instant.now().plus(Duration.ofDays(30)))
        .maxUses(10)
        .build());
    HttpResponse<String> with = get("housing.provident-fund.balance", "social-assistance-review", grant);

    assertThat(with.statusCode()).as(with.body()).isEqualTo(200);
    assertThat(with.body()).contains("12345.6").doesNotContain("440604199001011234").doesNotContain("6222021234567890123");
    assertThat(providerAudit.events.get(1).grantId).isEqualTo("grant-2026-0001");
  }
}
