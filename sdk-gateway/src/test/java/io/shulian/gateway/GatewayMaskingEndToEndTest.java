package io.shulian.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.shulian.core.keys.PartyCertificate;
import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.keys.Suite;
import io.shulian.core.party.CreditCode;
import io.shulian.core.party.PartyId;
import io.shulian.core.policy.Grant;
import io.shulian.core.policy.GrantIssuer;
import io.shulian.gateway.audit.ExchangeEvent;
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
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12 finding 3 on real gateways: the provider's backend answers the conditional provident-fund
 * resource (docs/examples) in shapes that do not match the catalog; the core and personal fields
 * never reach the consumer in clear.
 */
class GatewayMaskingEndToEndTest {
  static final String ID = "440604199001011234";
  static final String CARD = "6222021234567890123";
  static final String PHONE = "13800138000";
  static final String TARGET = "/440604199001015678"; // the catalog declares GET /{idNumber}
  static final PartyId CHANCHENG = PartyId.of("440604", CreditCode.withCheckCharacter("11440604MB2C9012D"), null);
  static final PartyId NANSHAN = PartyId.of("440305", CreditCode.withCheckCharacter("11440305MB2C9012D"), null);
  /** The property registry with a division field: return-flow records are bound to the requester's division. */
  static final UnaryOperator<String> WITH_DIVISION = c -> c.replace(
      "      - {name: floorArea, type: number, classification: general}",
      "      - {name: floorArea, type: number, classification: general}\n"
      + "      - {name: division, type: division, classification: general}");

  @TempDir Path dir;
  final List<AutoCloseable> closeables = new ArrayList<>();
  final HttpClient http = HttpClient.newHttpClient();
  final MemoryAuditor providerAudit = new MemoryAuditor();
  final MemoryAuditor consumerAudit = new MemoryAuditor();
  final java.util.concurrent.atomic.AtomicInteger backendCalls = new java.util.concurrent.atomic.AtomicInteger();
  volatile String backendBody = "{}";
  volatile Map<String, String> backendHeaders = Map.of();
  volatile int backendStatus = 200;
  volatile String backendType = "application/json";
  Gateway provider;
  PartyIdentity housing;
  PartyIdentity civil;
  Gateway consumer;

  @BeforeEach
  void startCity() throws Exception {
    start(GatewayEndToEndTest.CIVIL, c -> c);
  }

  /** Starts the housing bureau's provider gateway and a consumer gateway of {@code consumerParty}. */
  void start(PartyId consumerParty, UnaryOperator<String> catalogEdit) throws Exception {
    stop();
    closeables.clear();
    providerAudit.events.clear();
    consumerAudit.events.clear();
    Path dir = Files.createTempDirectory(this.dir, "city");
    char[] pw = "test-only".toCharArray();
    housing = TestIdentities.create(Suite.INTL, GatewayEndToEndTest.HOUSING);
    civil = TestIdentities.create(Suite.INTL, consumerParty);
    housing.store(dir.resolve("housing.p12"), pw);
    civil.store(dir.resolve("civil.p12"), pw);
    Files.writeString(dir.resolve("housing.pem"), PartyCertificate.toPem(housing.certificates()));
    Files.writeString(dir.resolve("civil.pem"), PartyCertificate.toPem(civil.certificates()));
    Files.createDirectories(dir.resolve("policy"));
    Path examples = Path.of(System.getProperty("user.dir")).getParent().resolve("docs/examples");
    Files.writeString(dir.resolve("policy/catalog.yaml"),
        catalogEdit.apply(Files.readString(examples.resolve("catalog.yaml"), StandardCharsets.UTF_8)), StandardCharsets.UTF_8);
    Files.copy(examples.resolve("policies.yaml"), dir.resolve("policy/policies.yaml"));

    HttpServer backend = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    backend.createContext("/", ex -> {
      backendCalls.incrementAndGet();
      byte[] b = backendBody.getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("Content-Type", backendType);
      backendHeaders.forEach((k, v) -> ex.getResponseHeaders().set(k, v));
      ex.sendResponseHeaders(backendStatus, b.length);
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
        "    - { resource: housing.provident-fund.balance, url: \"" + url + "\" }",
        "    - { resource: housing.property-registry, url: \"" + url + "\" }",
        "  policy: { dir: policy }",
        "audit: { dir: audit-provider }", ""));
    Map<String, String> env = Map.of("SHULIAN_KEY_PASSWORD", "test-only", "SHULIAN_MASK_KEY", "0123456789abcdef-test");
    provider = ConfigLoader.apply(ConfigLoader.load(dir.resolve("provider.yaml"), env::get), providerAudit, env::get)
        .build().start();
    closeables.add(provider);
    Files.writeString(dir.resolve("consumer.yaml"), String.join("\n",
        "identity: { keystore: civil.p12 }",
        "trust: { certificates: [housing.pem] }",
        "consumer:",
        "  listen: 127.0.0.1:0",
        "  apps: [ { name: portal, apiKeySha256: \"" + ApiKeys.hash("k") + "\" } ]",
        "  routes:",
        "    - { resource: housing.provident-fund.balance, provider: \"" + housing.party() + "\", endpoint: \"https://127.0.0.1:"
            + provider.address("provider").getPort() + "\" }",
        "    - { resource: housing.property-registry, provider: \"" + housing.party() + "\", endpoint: \"https://127.0.0.1:"
            + provider.address("provider").getPort() + "\" }",
        "audit: { dir: audit-consumer }", ""));
    consumer = ConfigLoader.apply(ConfigLoader.load(dir.resolve("consumer.yaml"), env::get), consumerAudit, env::get)
        .build().start();
    closeables.add(consumer);
  }

  @AfterEach
  void stop() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
  }

  /** Asks for a record of {@code resource} without a grant, for {@code purpose}. */
  HttpResponse<String> getFor(String resource, String purpose) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + consumer.address("consumer").getPort()
        + "/exchange/" + resource + TARGET)).header("X-Api-Key", "k")
        .header("X-Shulian-Purpose", purpose).timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
  }

  static com.fasterxml.jackson.databind.JsonNode json(HttpResponse<String> r) throws Exception {
    return new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body());
  }

  /** Asks for the provident-fund record with a valid grant for name, id number and balance. */
  HttpResponse<String> getWithGrant() throws Exception {
    String grant = GrantIssuer.of(housing).issue(Grant.builder()
        .id("grant-mask-e2e")
        .issuer(housing.party())
        .consumer(civil.party())
        .resource("housing.provident-fund.balance")
        .fields(List.of("applicant.name", "applicant.idNumber", "balance"))
        .purpose("social-assistance-review")
        .validity(Instant.now().minusSeconds(60), Instant.now().plus(Duration.ofDays(1)))
        .maxUses(10)
        .build());
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + consumer.address("consumer").getPort()
        + "/exchange/housing.provident-fund.balance" + TARGET)).header("X-Api-Key", "k")
        .header("X-Shulian-Purpose", "social-assistance-review").header("X-Shulian-Grant", grant)
        .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
  }

  static void assertNoClearData(HttpResponse<String> r) {
    assertThat(r.body()).doesNotContain(ID).doesNotContain(CARD).doesNotContain(PHONE);
    r.headers().map().forEach((k, vs) -> assertThat(String.join(",", vs)).as(k).doesNotContain(ID).doesNotContain(CARD));
  }

  @Test
  void conditionalResource_arrayWhereObjectExpected_is502UnmaskableAndAudited() throws Exception {
    backendBody = "{\"applicant\":[{\"name\":\"张三\",\"idNumber\":\"" + ID + "\",\"phone\":\"" + PHONE + "\"}],"
        + "\"balance\":12345.6,\"bankCard\":\"" + CARD + "\"}";

    HttpResponse<String> r = getWithGrant();

    assertThat(r.statusCode()).as(r.body()).isEqualTo(502);
    assertThat(r.body()).contains("UNMASKABLE_RESPONSE");
    assertNoClearData(r);
    ExchangeEvent e = providerAudit.events.get(providerAudit.events.size() - 1);
    assertThat(e.outcome).isEqualTo("UNMASKABLE_RESPONSE");
    assertThat(e.status).isEqualTo(502);
    assertThat(e.permitted).isFalse();
    assertThat(e.reasons).contains("UNMASKABLE_RESPONSE", "SHAPE_MISMATCH");
    assertThat(consumerAudit.events).anySatisfy(c -> assertThat(c.status).isEqualTo(502));
  }

  @Test
  void conditionalResource_flatKeysAndWrapper_neverReleaseClearValues() throws Exception {
    backendBody = "{\"applicant.idNumber\":\"" + ID + "\",\"data\":{\"applicant\":{\"idNumber\":\"" + ID + "\"},\"bankCard\":\""
        + CARD + "\"},\"results\":[{\"bankCard\":\"" + CARD + "\"}],\"applicant\":{\"name\":\"张三\"},\"balance\":12345.6}";

    HttpResponse<String> r = getWithGrant();

    // the resource has important and core fields, so members the catalog does not list are dropped
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("{\"applicant\":{\"name\":\"张*\"},\"balance\":12345.6}");
    assertNoClearData(r);
  }

  @Test
  void conditionalResource_coreFieldAsNestedObject_dropped() throws Exception {
    backendBody = "{\"applicant\":{\"name\":\"张三\",\"idNumber\":\"" + ID + "\"},\"bankCard\":{\"number\":\"" + CARD
        + "\"},\"balance\":12345678901234567.89}";

    HttpResponse<String> r = getWithGrant();

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("{\"applicant\":{\"name\":\"张*\",\"idNumber\":\"440604********1234\"},"
        + "\"balance\":12345678901234567.89}");
    assertNoClearData(r);
  }

  @Test
  void conditionalResource_duplicateMaskedKey_is502() throws Exception {
    backendBody = "{\"applicant\":{\"idNumber\":\"x\",\"idNumber\":\"" + ID + "\"}}";

    HttpResponse<String> r = getWithGrant();

    assertThat(r.statusCode()).as(r.body()).isEqualTo(502);
    assertNoClearData(r);
    assertThat(providerAudit.events.get(providerAudit.events.size() - 1).reasons).contains("DUPLICATE_FIELD");
  }

  @Test
  void conditionalResource_headersCarryingRecordData_notReleasedUnderMasking() throws Exception {
    backendBody = "{\"applicant\":{\"name\":\"张三\"}}";
    backendHeaders = Map.of("Location", "/api/provident-fund/" + ID, "ETag", "\"" + CARD + "\"");

    HttpResponse<String> r = getWithGrant();

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertNoClearData(r);
  }

  HttpResponse<String> returnFlow() throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + consumer.address("consumer").getPort()
        + "/exchange/housing.property-registry/440604199001015678")).header("X-Api-Key", "k")
        .header("X-Shulian-Purpose", "statistics").header("X-Shulian-Action", "return-flow")
        .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
  }

  static String property(String division) {
    return "{\"owner\":{\"name\":\"张三\",\"idNumber\":\"" + ID + "\"},\"address\":\"广东省佛山市禅城区示例路1号\","
        + "\"floorArea\":88.5,\"division\":\"" + division + "\"}";
  }

  @Test
  void returnFlow_toADistrictOfTheProvidersCity_servedWithItsOwnRecords() throws Exception {
    start(CHANCHENG, WITH_DIVISION);
    backendBody = "[" + property("440604") + "," + property("440604003") + "]";

    HttpResponse<String> r = returnFlow();

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    // the rule releases address and floor area; owner fields and the division itself are dropped after the check
    assertThat(r.body()).isEqualTo("[{\"owner\":{},\"address\":\"广东省佛山市禅城区****\",\"floorArea\":88.5},"
        + "{\"owner\":{},\"address\":\"广东省佛山市禅城区****\",\"floorArea\":88.5}]");
    assertThat(providerAudit.events.get(0).obligations).contains("record-division:division:440604");
  }

  @Test
  void returnFlow_recordOfAnotherDistrict_is502AndAudited() throws Exception {
    start(CHANCHENG, WITH_DIVISION);
    backendBody = "[" + property("440604") + "," + property("440605") + "]";

    HttpResponse<String> r = returnFlow();

    assertThat(r.statusCode()).as(r.body()).isEqualTo(502);
    assertThat(r.body()).contains("UNMASKABLE_RESPONSE").doesNotContain("示例路");
    assertThat(providerAudit.events.get(0).reasons).contains("UNMASKABLE_RESPONSE", "RECORD_OUTSIDE_DIVISION");
  }

  @Test
  void returnFlow_toADistrictOfAnotherCity_deniedBeforeTheBackend() throws Exception {
    start(NANSHAN, c -> c);
    backendBody = property("440305");

    HttpResponse<String> r = returnFlow();

    assertThat(r.statusCode()).as(r.body()).isEqualTo(403);
    assertThat(r.body()).contains("RETURN_FLOW_OUTSIDE_DIVISION").doesNotContain("示例路");
    assertThat(providerAudit.events.get(0).reasons).contains("RETURN_FLOW_OUTSIDE_DIVISION");
    assertThat(backendCalls.get()).isZero();
  }

  // ---- issue 13: backend statuses under masking ----

  @Test
  void backendStatus_404TextBodyUnderMasking_is404BackendNotFoundWithoutTheBody() throws Exception {
    backendStatus = 404;
    backendType = "text/plain";
    backendBody = "no record for " + ID;

    HttpResponse<String> r = getWithGrant();

    assertThat(r.statusCode()).as(r.body()).isEqualTo(404);
    assertThat(json(r).path("code").asText()).isEqualTo("BACKEND_NOT_FOUND");
    assertThat(json(r).path("backendStatus").asInt()).isEqualTo(404);
    assertNoClearData(r);
    ExchangeEvent e = providerAudit.events.get(providerAudit.events.size() - 1);
    assertThat(e.outcome).isEqualTo("BACKEND_NOT_FOUND");
    assertThat(e.status).isEqualTo(404);
    assertThat(e.reasons).contains("BACKEND_NOT_FOUND", "NOT_JSON");
    assertThat(consumerAudit.events).anySatisfy(c -> assertThat(c.status).isEqualTo(404));
  }

  @Test
  void backendStatus_501UnderMasking_is502BackendErrorWithoutTheBody() throws Exception {
    backendStatus = 501;
    backendType = "text/html";
    backendBody = "<h1>not implemented for " + ID + "</h1>";

    HttpResponse<String> r = getWithGrant();

    assertThat(r.statusCode()).as(r.body()).isEqualTo(502);
    assertThat(json(r).path("code").asText()).isEqualTo("BACKEND_ERROR");
    assertThat(json(r).path("backendStatus").asInt()).isEqualTo(501);
    assertNoClearData(r);
    ExchangeEvent e = providerAudit.events.get(providerAudit.events.size() - 1);
    assertThat(e.outcome).isEqualTo("BACKEND_ERROR");
    assertThat(e.status).isEqualTo(502);
  }

  @Test
  void backendStatus_200OctetStreamUnderMasking_stays502UnmaskableAndAudited() throws Exception {
    backendType = "application/octet-stream";
    backendBody = ID + CARD;

    HttpResponse<String> r = getWithGrant();

    assertThat(r.statusCode()).as(r.body()).isEqualTo(502);
    assertThat(json(r).path("code").asText()).isEqualTo("UNMASKABLE_RESPONSE");
    assertNoClearData(r);
    ExchangeEvent e = providerAudit.events.get(providerAudit.events.size() - 1);
    assertThat(e.outcome).isEqualTo("UNMASKABLE_RESPONSE");
    assertThat(e.reasons).contains("UNMASKABLE_RESPONSE", "NOT_JSON");
  }

  @Test
  void backendStatus_409JsonUnderMasking_passesStatusWithMaskedBody() throws Exception {
    backendStatus = 409;
    backendBody = "{\"applicant\":{\"name\":\"张三\",\"idNumber\":\"" + ID + "\"},\"bankCard\":\"" + CARD + "\"}";

    HttpResponse<String> r = getWithGrant();

    assertThat(r.statusCode()).as(r.body()).isEqualTo(409);
    assertThat(r.body()).isEqualTo("{\"applicant\":{\"name\":\"张*\",\"idNumber\":\"440604********1234\"}}");
    assertNoClearData(r);
  }

  // ---- issue 13: one primary code plus reasons ----

  @Test
  void problem_purposeNoRuleAllows_onePrimaryCodeAndDeduplicatedReasons() throws Exception {
    HttpResponse<String> r = getFor("housing.property-registry", "business-licensing");

    assertThat(r.statusCode()).as(r.body()).isEqualTo(403);
    com.fasterxml.jackson.databind.JsonNode n = json(r);
    assertThat(n.path("code").asText()).isEqualTo("PURPOSE_NOT_ALLOWED");
    List<String> codes = new ArrayList<>();
    n.path("reasons").forEach(x -> {
      codes.add(x.path("code").asText());
      assertThat(x.path("message").asText()).isNotEmpty();
    });
    assertThat(codes).containsExactly("NO_PERMIT", "PURPOSE_NOT_ALLOWED");
    ExchangeEvent e = providerAudit.events.get(providerAudit.events.size() - 1);
    assertThat(e.outcome).isEqualTo("PURPOSE_NOT_ALLOWED");
    assertThat(e.reasons).containsExactly("NO_PERMIT", "PURPOSE_NOT_ALLOWED");
    assertThat(provider.registry().find("shulian.exchanges").tag("outcome", "purpose_not_allowed").counter()).isNotNull();
    assertThat(provider.registry().getMeters()).allSatisfy(m -> assertThat(String.valueOf(m.getId().getTag("outcome")))
        .doesNotContain(","));
  }
}
