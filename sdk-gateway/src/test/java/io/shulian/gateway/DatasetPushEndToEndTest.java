package io.shulian.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.shulian.core.catalog.DatasetFormat;
import io.shulian.core.envelope.EnvelopeHeader;
import io.shulian.core.envelope.EnvelopeSealer;
import io.shulian.core.envelope.SealRequest;
import io.shulian.core.envelope.SealingStream;
import io.shulian.core.keys.PartyCertificate;
import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.keys.Suite;
import io.shulian.core.party.CreditCode;
import io.shulian.core.party.PartyId;
import io.shulian.core.trust.PinnedSenderTrust;
import io.shulian.gateway.audit.ExchangeEvent;
import io.shulian.gateway.authenticate.ApiKeys;
import io.shulian.gateway.authenticate.GatewayTls;
import io.shulian.gateway.authenticate.PinnedPeerVerifier;
import io.shulian.gateway.authorize.ExchangePolicy;
import io.shulian.gateway.authorize.Verdict;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Data set push (docs/return-flow.md "Push") on real gateways on loopback: the province's app
 * pushes a JSON Lines data set through its gateway to named district gateways, which verify it
 * and deliver it to their backends.
 */
class DatasetPushEndToEndTest {
  static final String API_KEY = GatewayEndToEndTest.API_KEY;
  static final String PURPOSE = "pension-review";
  static final String RESOURCE = "PENSION-EXTRACT";
  static final PartyId PROVINCE = PartyId.of("440000", CreditCode.withCheckCharacter("11440000MB2C0001P"), "pension");
  static final PartyId DISTRICT_A = PartyId.of("440604", CreditCode.withCheckCharacter("11440604MB2C0002A"), null);
  static final PartyId DISTRICT_B = PartyId.of("440605", CreditCode.withCheckCharacter("11440605MB2C0003B"), null);
  /** Refused by the province's policy. */
  static final PartyId DISTRICT_C = PartyId.of("440606", CreditCode.withCheckCharacter("11440606MB2C0004C"), null);
  /** Not in the city trust: the province knows where it is, not its certificate. */
  static final PartyId OUTSIDER = PartyId.of("440607", CreditCode.withCheckCharacter("11440607MB2C0005D"), null);

  final List<AutoCloseable> closeables = new ArrayList<>();
  final MemoryAuditor provinceAudit = new MemoryAuditor();
  final Map<PartyId, MemoryAuditor> districtAudit = new ConcurrentHashMap<>();
  /** What each district's backend received. */
  final Map<PartyId, byte[]> delivered = new ConcurrentHashMap<>();
  final Map<PartyId, Gateway> districts = new ConcurrentHashMap<>();
  final Map<PartyId, PartyIdentity> identities = new ConcurrentHashMap<>();
  final List<PartyCertificate> all = new ArrayList<>();
  Gateway province;
  final AtomicInteger outsiderConnections = new AtomicInteger();
  /** The province's policy (tests of the stream itself permit without masking). */
  ExchangePolicy policy = POLICY;

  /** Lets a test configure the province (the sender) further. */
  Gateway.Builder province(Gateway.Builder b) throws Exception {
    return b;
  }

  /** Lets a test configure a district gateway further. */
  Gateway.Builder district(PartyId d, Gateway.Builder b) throws Exception {
    return b;
  }

  /** What a district's backend does with a delivery: by default keeps the body and answers 204. */
  com.sun.net.httpserver.HttpHandler backend(PartyId d) {
    return ex -> {
      delivered.put(d, ex.getRequestBody().readAllBytes());
      ex.sendResponseHeaders(204, -1);
      ex.close();
    };
  }

  @AfterEach
  void tearDown() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
  }

  static String record(int i) {
    String id = String.format("440604%08d%04d", 19900000 + (i % 100000), i % 10000);
    return "{\"person\":\"户" + i + "\",\"idNumber\":\"" + id + "\",\"pension\":" + (1000 + i) + "}\n";
  }

  static byte[] dataset(int records) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < records; i++) {
      b.append(record(i));
    }
    return b.toString().getBytes(StandardCharsets.UTF_8);
  }

  static String maskIds(String s) {
    return s.replaceAll("(440604)(\\d{8})(\\d{4})", "$1********$3");
  }

  /** Permits the return flow to every receiver but {@link #DISTRICT_C}, masking id numbers. */
  static final ExchangePolicy POLICY = new ExchangePolicy() {
    @Override
    public Verdict decide(EnvelopeHeader request, String action, @Nullable String grantToken) {
      return Verdict.deny("NO_PULL", "this test only pushes", "v1");
    }

    @Override
    public Verdict decidePush(PartyId receiver, String resource, String purpose) {
      if (receiver.equals(DISTRICT_C) || !purpose.equals(PURPOSE)) {
        return Verdict.deny("LEVEL_NOT_PERMITTED", "not a receiver of this data set", "v1");
      }
      return new Verdict(true, List.of(), List.of("mask-id"), List.of("mask:idNumber"), "v1",
          body -> maskIds(new String(body, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8));
    }
  };

  /** Districts whose gateway is down when the city starts (their port reserved, nothing listening) until {@link #bringUp}. */
  final java.util.Set<PartyId> down = new java.util.HashSet<>();
  final Map<PartyId, Integer> downPorts = new ConcurrentHashMap<>();
  final Map<PartyId, URI> backendUrls = new ConcurrentHashMap<>();

  /** Starts a district's gateway (it delivers pushes to its backend) on {@code at}. */
  void startDistrict(PartyId d, InetSocketAddress at) throws Exception {
    Gateway g = district(d, Gateway.builder()
        .identity(identities.get(d))
        .senderTrust(PinnedSenderTrust.of(identities.get(PROVINCE).certificates()))
        .peers(new PinnedPeerVerifier(all, Clock.systemUTC()))
        .auditor(districtAudit.get(d))
        .policy(ExchangePolicy.denyAll())
        .pushDelivery(RESOURCE, backendUrls.get(d))
        .providerListener(at)
        .adminListener(new InetSocketAddress("127.0.0.1", 0))
        .eventLoops(1))
        .build().start();
    closeables.add(g);
    districts.put(d, g);
  }

  /** Starts the gateway of a district that was {@link #down} on the port the province pushes to. */
  void bringUp(PartyId d) throws Exception {
    startDistrict(d, new InetSocketAddress("127.0.0.1", downPorts.get(d)));
  }

  void startCity(Suite suite) throws Exception {
    InetSocketAddress any = new InetSocketAddress("127.0.0.1", 0);
    for (PartyId p : List.of(PROVINCE, DISTRICT_A, DISTRICT_B, DISTRICT_C)) {
      PartyIdentity id = TestIdentities.create(suite, p);
      identities.put(p, id);
      all.addAll(id.certificates());
    }
    for (PartyId d : List.of(DISTRICT_A, DISTRICT_B, DISTRICT_C)) {
      HttpServer backend = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      backend.createContext("/pension/incoming", backend(d));
      java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newCachedThreadPool();
      backend.setExecutor(threads);
      backend.start();
      closeables.add(threads::shutdownNow);
      closeables.add(() -> backend.stop(0));
      backendUrls.put(d, URI.create("http://127.0.0.1:" + backend.getAddress().getPort() + "/pension/incoming"));
      districtAudit.put(d, new MemoryAuditor());
      if (down.contains(d)) {
        try (ServerSocket reserved = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
          downPorts.put(d, reserved.getLocalPort()); // nothing listens there until bringUp(d)
        }
      } else {
        startDistrict(d, any);
      }
    }
    ServerSocket outsider = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
    closeables.add(outsider);
    Thread accept = new Thread(() -> {
      while (!outsider.isClosed()) {
        try (java.net.Socket s = outsider.accept()) {
          outsiderConnections.incrementAndGet();
        } catch (java.io.IOException e) {
          return;
        }
      }
    });
    accept.setDaemon(true);
    accept.start();
    HttpServer own = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    own.start();
    closeables.add(() -> own.stop(0));
    Gateway.Builder b = Gateway.builder()
        .identity(identities.get(PROVINCE))
        .senderTrust(PinnedSenderTrust.of(identities.get(DISTRICT_A).certificates()))
        .peers(new PinnedPeerVerifier(all, Clock.systemUTC()))
        .auditor(provinceAudit)
        .policy(policy)
        .apiKeys(ApiKeys.of(Map.of("pension-system", ApiKeys.hash(API_KEY))))
        .backend(RESOURCE, URI.create("http://127.0.0.1:" + own.getAddress().getPort() + "/extract"),
            List.of(new io.shulian.core.catalog.Endpoint("GET", "/extract", "return-flow")))
        .dataset(RESOURCE, DatasetFormat.JSONL)
        .pushReceiver(OUTSIDER, URI.create("https://127.0.0.1:" + outsider.getLocalPort()))
        .consumerListener(any)
        .providerListener(any)
        .adminListener(any)
        .eventLoops(2);
    for (PartyId d : List.of(DISTRICT_A, DISTRICT_B, DISTRICT_C)) {
      b.consumerCertificate(identities.get(d).encryptionCertificate())
          .pushReceiver(d, URI.create("https://127.0.0.1:"
              + (down.contains(d) ? downPorts.get(d) : districts.get(d).address("provider").getPort())));
    }
    province = province(b).build().start();
    closeables.add(province);
  }

  HttpResponse<String> push(byte[] body, PartyId... to) throws Exception {
    StringBuilder q = new StringBuilder();
    for (PartyId p : to) {
      q.append(q.length() == 0 ? "?" : "&").append("to=").append(java.net.URLEncoder.encode(p.toString(), StandardCharsets.UTF_8));
    }
    HttpRequest r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + province.address("consumer").getPort()
            + "/dataset-push/" + RESOURCE + q))
        .header("X-Api-Key", API_KEY)
        .header("X-Shulian-Purpose", PURPOSE)
        .header("Content-Type", "application/jsonl")
        .timeout(Duration.ofSeconds(60))
        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
        .build();
    return HttpClient.newHttpClient().send(r, HttpResponse.BodyHandlers.ofString());
  }

  static Map<String, JsonNode> results(HttpResponse<String> r) throws Exception {
    Map<String, JsonNode> out = new java.util.HashMap<>();
    for (JsonNode n : new ObjectMapper().readTree(r.body()).get("results")) {
      out.put(n.get("party").asText(), n);
    }
    return out;
  }

  static String sha256Label(byte[] b) throws Exception {
    return "sha256:" + Base64.getUrlEncoder().withoutPadding().encodeToString(MessageDigest.getInstance("SHA-256").digest(b));
  }

  @ParameterizedTest
  @EnumSource(Suite.class)
  void push_twoPermittedReceiversGetIdenticalMaskedData_policyRefusedReceiverGetsNothingAndIsAudited(Suite suite)
      throws Exception {
    startCity(suite);
    byte[] data = dataset(3000); // several 64 KiB segments

    HttpResponse<String> r = push(data, DISTRICT_A, DISTRICT_B, DISTRICT_C);

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    Map<String, JsonNode> res = results(r);
    byte[] masked = maskIds(new String(data, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
    assertThat(masked).isNotEqualTo(data);
    for (PartyId d : List.of(DISTRICT_A, DISTRICT_B)) {
      JsonNode n = res.get(d.toString());
      assertThat(n.get("status").asText()).as(d.toString()).isEqualTo("DELIVERED");
      assertThat(delivered.get(d)).isEqualTo(masked);
      assertThat(n.get("bytes").asLong()).isEqualTo(masked.length);
      if (suite != Suite.GM) {
        assertThat(n.get("digest").asText()).isEqualTo(sha256Label(masked));
      }
      ExchangeEvent in = districtAudit.get(d).events.get(0);
      assertThat(in.direction).isEqualTo(ExchangeEvent.Direction.REQUEST_IN);
      assertThat(in.outcome).isEqualTo("OK");
      assertThat(in.envelopeId).isEqualTo(n.get("envelopeId").asText());
    }
    assertThat(res.get(DISTRICT_A.toString()).get("digest")).isEqualTo(res.get(DISTRICT_B.toString()).get("digest"));
    // each receiver its own envelope
    assertThat(res.get(DISTRICT_A.toString()).get("envelopeId"))
        .isNotEqualTo(res.get(DISTRICT_B.toString()).get("envelopeId"));

    JsonNode c = res.get(DISTRICT_C.toString());
    assertThat(c.get("status").asText()).isEqualTo("REFUSED");
    assertThat(c.get("code").asText()).isEqualTo("LEVEL_NOT_PERMITTED");
    assertThat(delivered).doesNotContainKey(DISTRICT_C);
    assertThat(districtAudit.get(DISTRICT_C).events).isEmpty(); // nothing reached its gateway
    assertThat(provinceAudit.events).filteredOn(e -> e.receiver.equals(DISTRICT_C.toString()))
        .singleElement().satisfies(e -> {
          assertThat(e.permitted).isFalse();
          assertThat(e.outcome).isEqualTo("LEVEL_NOT_PERMITTED");
          assertThat(e.reasons).contains("PUSH", "LEVEL_NOT_PERMITTED");
        });
    assertThat(provinceAudit.events).filteredOn(e -> e.outcome.equals("OK")).hasSize(2);
  }

  @Test
  void push_receiverNotInCityTrust_refusedBeforeAnythingIsSent_othersStillDelivered() throws Exception {
    startCity(Suite.INTL);

    HttpResponse<String> r = push(dataset(10), OUTSIDER, DISTRICT_A);

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    Map<String, JsonNode> res = results(r);
    assertThat(res.get(OUTSIDER.toString()).get("status").asText()).isEqualTo("REFUSED");
    assertThat(res.get(OUTSIDER.toString()).get("code").asText()).isEqualTo("UNKNOWN_RECEIVER");
    assertThat(res.get(OUTSIDER.toString()).has("envelopeId")).isFalse();
    assertThat(outsiderConnections.get()).isZero();
    assertThat(provinceAudit.events).filteredOn(e -> e.receiver.equals(OUTSIDER.toString()))
        .singleElement().satisfies(e -> assertThat(e.outcome).isEqualTo("UNKNOWN_RECEIVER"));
    assertThat(res.get(DISTRICT_A.toString()).get("status").asText()).isEqualTo("DELIVERED");
  }

  @Test
  void push_badRequests_refusedWithCodesAndAudited() throws Exception {
    startCity(Suite.INTL);
    HttpClient http = HttpClient.newHttpClient();
    String base = "http://127.0.0.1:" + province.address("consumer").getPort() + "/dataset-push/";
    Map<String, String> cases = Map.of(
        RESOURCE, "RECEIVERS_INVALID",
        RESOURCE + "?to=not-a-party", "MALFORMED_RECEIVER",
        RESOURCE + "?to=" + DISTRICT_A + "&to=" + DISTRICT_A, "RECEIVERS_INVALID",
        "OTHER?to=" + DISTRICT_A, "NOT_A_DATASET");
    for (Map.Entry<String, String> c : cases.entrySet()) {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + c.getKey()))
          .header("X-Api-Key", API_KEY).header("X-Shulian-Purpose", PURPOSE).header("Content-Type", "application/jsonl")
          .POST(HttpRequest.BodyPublishers.ofString(record(1))).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(r.body()).as(c.getKey()).contains("\"" + c.getValue() + "\"");
      assertThat(r.statusCode()).as(c.getKey()).isIn(400, 404);
    }
    HttpResponse<String> csv = http.send(HttpRequest.newBuilder(URI.create(base + RESOURCE + "?to=" + DISTRICT_A))
        .header("X-Api-Key", API_KEY).header("X-Shulian-Purpose", PURPOSE).header("Content-Type", "text/csv")
        .POST(HttpRequest.BodyPublishers.ofString("a,b\r\n")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(csv.statusCode()).isEqualTo(415);
    HttpResponse<String> noKey = http.send(HttpRequest.newBuilder(URI.create(base + RESOURCE + "?to=" + DISTRICT_A))
        .header("X-Shulian-Purpose", PURPOSE).header("Content-Type", "application/jsonl")
        .POST(HttpRequest.BodyPublishers.ofString(record(1))).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(noKey.statusCode()).isEqualTo(401);
    assertThat(delivered).isEmpty();
    assertThat(provinceAudit.events).hasSize(cases.size() + 2).allSatisfy(e -> assertThat(e.permitted).isFalse());
  }

  /** Seals a data set for {@code to} as the province would (the test holds the province's keys). */
  byte[] sealAsProvince(PartyId to, byte[] data) throws Exception {
    EnvelopeSealer sealer = EnvelopeSealer.builder(identities.get(PROVINCE)).build();
    ByteArrayOutputStream env = new ByteArrayOutputStream();
    try (SealingStream s = sealer.sealingStream(SealRequest.builder()
        .recipient(identities.get(to).encryptionCertificate())
        .resource(RESOURCE).purpose(PURPOSE).contentType(DatasetFormat.JSONL.mediaType()).build(), env)) {
      s.write(data, 0, data.length);
      s.finish();
    }
    return env.toByteArray();
  }

  HttpResponse<String> postAsProvince(PartyId to, byte[] envelope) throws Exception {
    HttpClient mtls = HttpClient.newBuilder()
        .sslContext(GatewayTls.jdkClient(identities.get(PROVINCE), new PinnedPeerVerifier(all, Clock.systemUTC())))
        .build();
    return mtls.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + districts.get(to).address("provider").getPort()
            + "/shulian/v1/dataset-push"))
        .header("Content-Type", "application/shulian-framed")
        .POST(HttpRequest.BodyPublishers.ofByteArray(envelope)).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void push_tamperedSegmentTowardOneReceiver_detectedByThatReceiver_nothingDelivered() throws Exception {
    startCity(Suite.INTL);
    byte[] data = dataset(3000);
    byte[] tampered = sealAsProvince(DISTRICT_A, data);
    tampered[tampered.length / 2] ^= 0x01; // a byte inside a middle segment

    HttpResponse<String> bad = postAsProvince(DISTRICT_A, tampered);

    assertThat(bad.statusCode()).as(bad.body()).isEqualTo(400);
    assertThat(bad.body()).doesNotContain("户");
    assertThat(delivered).doesNotContainKey(DISTRICT_A);
    assertThat(districtAudit.get(DISTRICT_A).events).singleElement().satisfies(e -> {
      assertThat(e.outcome).isNotEqualTo("OK");
      assertThat(e.reasons).contains("PUSH");
      assertThat(e.transfer).isNotNull();
      assertThat(e.transfer.complete()).isFalse();
    });
    // the same data sealed intact is delivered: the refusal was the tampering
    HttpResponse<String> good = postAsProvince(DISTRICT_A, sealAsProvince(DISTRICT_A, data));
    assertThat(good.statusCode()).as(good.body()).isEqualTo(200);
    assertThat(delivered.get(DISTRICT_A)).isEqualTo(data);
  }
}
