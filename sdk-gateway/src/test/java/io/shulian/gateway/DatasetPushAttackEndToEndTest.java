package io.shulian.gateway;

import static io.shulian.gateway.DatasetPushEndToEndTest.API_KEY;
import static io.shulian.gateway.DatasetPushEndToEndTest.DISTRICT_A;
import static io.shulian.gateway.DatasetPushEndToEndTest.DISTRICT_B;
import static io.shulian.gateway.DatasetPushEndToEndTest.PROVINCE;
import static io.shulian.gateway.DatasetPushEndToEndTest.PURPOSE;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.shulian.core.catalog.Catalog;
import io.shulian.core.catalog.DatasetFormat;
import io.shulian.core.envelope.EnvelopeSealer;
import io.shulian.core.envelope.SealRequest;
import io.shulian.core.envelope.SealingStream;
import io.shulian.core.keys.PartyCertificate;
import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.keys.Suite;
import io.shulian.core.party.PartyId;
import io.shulian.core.policy.PolicyEngine;
import io.shulian.core.policy.PolicySet;
import io.shulian.core.trust.Incidents;
import io.shulian.core.trust.PinnedSenderTrust;
import io.shulian.gateway.authenticate.ApiKeys;
import io.shulian.gateway.authenticate.GatewayTls;
import io.shulian.gateway.authenticate.PinnedPeerVerifier;
import io.shulian.gateway.authorize.CatalogPolicy;
import io.shulian.gateway.pipeline.GatewayContext;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Outside attacks on data set push (docs/return-flow.md "Push"), on real gateways on loopback that
 * decide with a real catalog and policy engine: the province provides {@code pension.extract}
 * (JSON Lines) and {@code pension.table} (CSV) and pushes them to district A, whose id numbers are
 * masked. The attacker holds a department app key, or district B's certificates (a valid city
 * party that A's sender trust accepts).
 */
class DatasetPushAttackEndToEndTest {
  static final String JSONL = "pension.extract";
  static final String CSV = "pension.table";
  /** Not in the catalog. */
  static final String OTHER = "pension.other";
  /** The birth-date digits of every id number: masked away by id-number (keeps the first 6 and last 4). */
  static final String MARKER = "19871203";
  static final String ID = "440604" + MARKER + "0012";

  static String catalog() {
    String fields = "    fields:\n"
        + "      - {name: person, type: string, classification: general, personalInfo: none}\n"
        + "      - {name: idNumber, type: string, classification: important, personalInfo: id-number}\n"
        + "      - {name: pension, type: string, classification: general, personalInfo: none}\n";
    String common = "    provider: " + PROVINCE + "\n    sharing: {type: conditional, conditions: c}\n"
        + "    purposes: [" + PURPOSE + "]\n    delivery: dataset\n";
    return "version: \"t\"\npurposes:\n  - {code: " + PURPOSE + ", name: P}\nresources:\n"
        + "  - code: " + JSONL + "\n    name: E\n" + common + "    format: jsonl\n" + fields
        + "  - code: " + CSV + "\n    name: T\n" + common + "    format: csv\n" + fields;
  }

  static final String RULES = "version: \"t\"\nrules:\n"
      + "  - id: down\n    effect: permit\n    subject: {division: [\"440604\", \"440605\"]}\n"
      + "    action: [return-flow]\n    resource: [" + JSONL + ", " + CSV + "]\n    conditions: {purpose: [" + PURPOSE + "]}\n"
      + "    obligations: {mask: {idNumber: id-number}, audit: full}\n    basis: b\n";

  static CatalogPolicy policy() throws Exception {
    Catalog c = Catalog.parse("catalog.yaml", catalog().getBytes(StandardCharsets.UTF_8));
    PolicySet s = PolicySet.parse(c, "rules.yaml", RULES.getBytes(StandardCharsets.UTF_8));
    return new CatalogPolicy(PolicyEngine.builder(s).withoutMaskHashKey().build(), new byte[32]);
  }

  final List<AutoCloseable> closeables = new ArrayList<>();
  final Map<PartyId, PartyIdentity> ids = new ConcurrentHashMap<>();
  final List<PartyCertificate> all = new ArrayList<>();
  final MemoryAuditor provinceAudit = new MemoryAuditor();
  final MemoryAuditor districtAudit = new MemoryAuditor();
  /** Every body district A's backend received. */
  final List<byte[]> delivered = new CopyOnWriteArrayList<>();
  Gateway province;
  Gateway districtA;

  @BeforeEach
  void startCity() throws Exception {
    for (PartyId p : List.of(PROVINCE, DISTRICT_A, DISTRICT_B)) {
      PartyIdentity id = TestIdentities.create(Suite.INTL, p);
      ids.put(p, id);
      all.addAll(id.certificates());
    }
    InetSocketAddress any = new InetSocketAddress("127.0.0.1", 0);
    HttpServer backend = HttpServer.create(any, 0);
    backend.createContext("/incoming", ex -> {
      delivered.add(ex.getRequestBody().readAllBytes());
      ex.sendResponseHeaders(204, -1);
      ex.close();
    });
    backend.start();
    closeables.add(() -> backend.stop(0));
    URI incoming = URI.create("http://127.0.0.1:" + backend.getAddress().getPort() + "/incoming");
    // district A takes pushes from every party of the city, as a gateway on a city bundle does
    districtA = Gateway.builder()
        .identity(ids.get(DISTRICT_A))
        .senderTrust(PinnedSenderTrust.of(all))
        .peers(new PinnedPeerVerifier(all, Clock.systemUTC()))
        .auditor(districtAudit)
        .policy(policy())
        .pushDelivery(JSONL, incoming)
        .pushDelivery(CSV, incoming)
        .pushDelivery(OTHER, incoming)
        .providerListener(any)
        .adminListener(any)
        .eventLoops(1)
        .build().start();
    closeables.add(districtA);
    HttpServer own = HttpServer.create(any, 0);
    own.start();
    closeables.add(() -> own.stop(0));
    URI ownUrl = URI.create("http://127.0.0.1:" + own.getAddress().getPort() + "/extract");
    province = Gateway.builder()
        .identity(ids.get(PROVINCE))
        .senderTrust(PinnedSenderTrust.of(all))
        .peers(new PinnedPeerVerifier(all, Clock.systemUTC()))
        .auditor(provinceAudit)
        .policy(policy())
        .apiKeys(ApiKeys.of(Map.of("pension-system", ApiKeys.hash(API_KEY))))
        .backend(JSONL, ownUrl)
        .backend(CSV, ownUrl)
        .consumerCertificate(ids.get(DISTRICT_A).encryptionCertificate())
        .pushReceiver(DISTRICT_A, URI.create("https://127.0.0.1:" + districtA.address("provider").getPort()))
        .consumerListener(any)
        .providerListener(any)
        .adminListener(any)
        .eventLoops(1)
        .build().start();
    closeables.add(province);
  }

  @AfterEach
  void tearDown() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
  }

  HttpResponse<String> push(String resource, String query, String contentType, String body) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
            + province.address("consumer").getPort() + "/dataset-push/" + resource + query))
        .header("X-Api-Key", API_KEY).header("X-Shulian-Purpose", PURPOSE).header("Content-Type", contentType)
        .timeout(Duration.ofSeconds(30))
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  static String to(PartyId p) {
    return "to=" + URLEncoder.encode(p.toString(), StandardCharsets.UTF_8);
  }

  static JsonNode result(HttpResponse<String> r) throws Exception {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return new ObjectMapper().readTree(r.body()).get("results").get(0);
  }

  /** Seals a data set of {@code resource} for district A as {@code sender} (whose keys the test holds). */
  byte[] seal(PartyId sender, PartyId recipient, String resource, String data) throws Exception {
    return seal(ids.get(sender), ids.get(recipient).encryptionCertificate(), resource,
        data.getBytes(StandardCharsets.UTF_8));
  }

  /** A framed JSON Lines envelope of {@code b} for {@code resource}, sealed by {@code sender} for {@code recipient}. */
  static byte[] seal(PartyIdentity sender, PartyCertificate recipient, String resource, byte[] b) throws Exception {
    EnvelopeSealer sealer = EnvelopeSealer.builder(sender).build();
    ByteArrayOutputStream env = new ByteArrayOutputStream();
    try (SealingStream s = sealer.sealingStream(SealRequest.builder()
        .recipient(recipient)
        .resource(resource).purpose(PURPOSE).contentType(DatasetFormat.JSONL.mediaType()).build(), env)) {
      s.write(b, 0, b.length);
      s.finish();
    }
    return env.toByteArray();
  }

  /** Posts a pushed envelope to district A on a mutual-TLS connection as {@code peer}. */
  HttpResponse<String> postToA(PartyId peer, byte[] envelope) throws Exception {
    HttpClient mtls = HttpClient.newBuilder()
        .sslContext(GatewayTls.jdkClient(ids.get(peer), new PinnedPeerVerifier(all, Clock.systemUTC())))
        .build();
    return mtls.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + districtA.address("provider").getPort()
            + "/shulian/v1/dataset-push"))
        .header("Content-Type", "application/shulian-framed")
        .POST(HttpRequest.BodyPublishers.ofByteArray(envelope)).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void receiver_pushFromAPartyThatIsNotTheResourcesProvider_refusedAndAudited_nothingDelivered() throws Exception {
    String forged = "{\"person\":\"forged\",\"idNumber\":\"" + ID + "\",\"pension\":\"999999\"}\n";

    HttpResponse<String> r = postToA(DISTRICT_B, seal(DISTRICT_B, DISTRICT_A, JSONL, forged));

    assertThat(r.statusCode()).as(r.body()).isEqualTo(403);
    assertThat(r.body()).contains("\"SENDER_NOT_PROVIDER\"").doesNotContain("forged");
    assertThat(delivered).isEmpty();
    assertThat(districtAudit.events).singleElement().satisfies(e -> {
      assertThat(e.sender).isEqualTo(DISTRICT_B.toString());
      assertThat(e.outcome).isEqualTo("SENDER_NOT_PROVIDER");
      assertThat(e.reasons).contains("PUSH");
    });
    // a resource the receiver's catalog does not know is refused too (no provider to match), even
    // though a delivery backend is configured for it
    HttpResponse<String> unknown = postToA(PROVINCE, seal(PROVINCE, DISTRICT_A, OTHER, forged));
    assertThat(unknown.statusCode()).as(unknown.body()).isEqualTo(403);
    assertThat(unknown.body()).contains("\"SENDER_NOT_PROVIDER\"");
    assertThat(delivered).isEmpty();
    // the provider itself still gets through: the refusal was the sender
    HttpResponse<String> ok = postToA(PROVINCE, seal(PROVINCE, DISTRICT_A, JSONL, forged));
    assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
    assertThat(delivered).hasSize(1);
  }

  @Test
  void receiver_replayedPushOrEnvelopeAddressedToAnotherParty_refused_deliveredOnce() throws Exception {
    String data = "{\"person\":\"a\",\"idNumber\":\"x\",\"pension\":\"1\"}\n";
    byte[] envelope = seal(PROVINCE, DISTRICT_A, JSONL, data);

    assertThat(postToA(PROVINCE, envelope).statusCode()).isEqualTo(200);
    HttpResponse<String> replay = postToA(PROVINCE, envelope);
    HttpResponse<String> forB = postToA(PROVINCE, seal(PROVINCE, DISTRICT_B, JSONL, data));
    HttpResponse<String> otherPeer = postToA(DISTRICT_B, seal(PROVINCE, DISTRICT_A, JSONL, data));

    assertThat(replay.statusCode()).as(replay.body()).isEqualTo(409);
    assertThat(replay.body()).contains("\"REPLAYED\"");
    assertThat(forB.statusCode()).as(forB.body()).isIn(400, 403);
    assertThat(otherPeer.statusCode()).as(otherPeer.body()).isEqualTo(403);
    assertThat(otherPeer.body()).contains("\"PEER_MISMATCH\"");
    assertThat(delivered).hasSize(1);
    assertThat(districtAudit.events).hasSize(4);
    assertThat(districtAudit.events.subList(1, 4)).allSatisfy(e -> {
      assertThat(e.permitted).isFalse();
      assertThat(e.reasons).contains("PUSH");
    });
  }

  @Test
  void sender_receiverListTricks_refusedAsAWholeWithNothingSent() throws Exception {
    String record = "{\"person\":\"a\",\"idNumber\":\"" + ID + "\",\"pension\":\"1\"}\n";
    String a = DISTRICT_A.toString();
    Map<String, String> cases = new LinkedHashMap<>();
    cases.put("?to=" + a + "&to=" + a.replace("/", "%2F"), "RECEIVERS_INVALID"); // the same party, encoded
    cases.put("?to=" + a + "&to=" + a.replace("/", "%252F"), "MALFORMED_RECEIVER"); // double encoding
    cases.put("?to=" + a + "&to=" + a.toLowerCase(java.util.Locale.ROOT), "MALFORMED_RECEIVER"); // other case
    cases.put("?to=" + a + "&to=" + URLEncoder.encode(fullwidthDigits(a), StandardCharsets.UTF_8), "MALFORMED_RECEIVER");
    cases.put("?to=" + a + "&to=" + a + "%00", "MALFORMED_RECEIVER");
    cases.put("?to=" + a + "&to=", "MALFORMED_RECEIVER");
    cases.put("?to=" + a + "%0D%0AX-Injected:%201", "MALFORMED_RECEIVER"); // a header injection
    cases.put("?to=" + a + "+", "MALFORMED_RECEIVER"); // a trailing space
    cases.put("?to=..%2F" + a, "MALFORMED_RECEIVER");
    cases.put("?TO=" + a, "RECEIVERS_INVALID"); // not the parameter: no receiver named
    cases.put("?" + to(DISTRICT_A) + "&" + to(PROVINCE), "RECEIVERS_INVALID"); // the sender itself
    cases.put("?" + to(PROVINCE), "RECEIVERS_INVALID");
    for (Map.Entry<String, String> c : cases.entrySet()) {
      HttpResponse<String> r = push(JSONL, c.getKey(), "application/jsonl", record);
      assertThat(r.statusCode()).as(c.getKey() + " " + r.body()).isEqualTo(400);
      assertThat(r.body()).as(c.getKey()).contains("\"" + c.getValue() + "\"");
    }
    StringBuilder thirtyThree = new StringBuilder("?" + to(DISTRICT_A));
    for (int i = 0; i < 32; i++) {
      thirtyThree.append("&to=").append(URLEncoder.encode("4406" + String.format("%02d", i) + "/"
          + io.shulian.core.party.CreditCode.withCheckCharacter("11440604MB2C0002A"), StandardCharsets.UTF_8));
    }
    HttpResponse<String> r = push(JSONL, thirtyThree.toString(), "application/jsonl", record);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
    assertThat(r.body()).contains("\"RECEIVERS_INVALID\"");
    assertThat(delivered).isEmpty();
    assertThat(provinceAudit.events).hasSize(cases.size() + 1).allSatisfy(e -> assertThat(e.permitted).isFalse());
  }

  @Test
  void sender_receiverWithASystemSuffixOrUnknown_refusedMidList_theOthersStillDelivered_inTheOrderNamed()
      throws Exception {
    String record = "{\"person\":\"a\",\"idNumber\":\"" + ID + "\",\"pension\":\"1\"}\n";
    PartyId suffixed = PartyId.parse(DISTRICT_A + "/backdoor"); // a system of A: not the receiver configured

    HttpResponse<String> r = push(JSONL, "?" + to(suffixed) + "&" + to(DISTRICT_B) + "&" + to(DISTRICT_A),
        "application/jsonl", record);

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode results = new ObjectMapper().readTree(r.body()).get("results");
    assertThat(results.get(0).get("party").asText()).isEqualTo(suffixed.toString());
    assertThat(results.get(0).get("status").asText()).isEqualTo("REFUSED");
    assertThat(results.get(0).get("code").asText()).isEqualTo("UNKNOWN_RECEIVER");
    assertThat(results.get(1).get("status").asText()).isEqualTo("REFUSED");
    assertThat(results.get(2).get("party").asText()).isEqualTo(DISTRICT_A.toString());
    assertThat(results.get(2).get("status").asText()).isEqualTo("DELIVERED");
    assertThat(delivered).hasSize(1);
    assertThat(districtAudit.events).singleElement().satisfies(e -> assertThat(e.receiver).isEqualTo(DISTRICT_A.toString()));
  }

  /** Sends {@code request} to the province's app listener on a plain socket; returns its status line. */
  String statusLine(String request) throws Exception {
    try (java.net.Socket s = new java.net.Socket("127.0.0.1", province.address("consumer").getPort())) {
      s.setSoTimeout(30_000);
      s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      s.getOutputStream().flush();
      java.io.InputStream in = s.getInputStream();
      StringBuilder line = new StringBuilder();
      for (int c; (c = in.read()) >= 0 && c != '\r'; ) {
        line.append((char) c);
      }
      return line.toString();
    }
  }

  @Test
  void sender_contentLengthNegativeOverflowingSignedRepeatedOrWithChunked_400_nothingSent_hugeOneCutOffWhenTheAppLeaves()
      throws Exception {
    String head = "POST /dataset-push/" + JSONL + "?" + to(DISTRICT_A) + " HTTP/1.1\r\nHost: p\r\nX-Api-Key: "
        + API_KEY + "\r\nX-Shulian-Purpose: " + PURPOSE + "\r\nContent-Type: application/jsonl\r\n";
    String record = "{\"person\":\"a\",\"idNumber\":\"" + ID + "\",\"pension\":\"1\"}\n";
    for (String framing : List.of("Content-Length: -1\r\n", "Content-Length: 99999999999999999999\r\n",
        "Content-Length: +5\r\n", "Content-Length: 5, 6\r\n", "Content-Length: 5\r\nContent-Length: 5\r\n",
        "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n", "Transfer-Encoding: chunked, identity\r\n")) {
      assertThat(statusLine(head + framing + "\r\n" + record)).as(framing).startsWith("HTTP/1.1 400");
    }
    assertThat(provinceAudit.events).noneMatch(e -> e.receiver.equals(DISTRICT_A.toString()));
    assertThat(districtAudit.events).isEmpty();

    // a Content-Length of a petabyte is streamed like any other (nothing is reserved for it); the
    // app leaves after one record: the receiver is cut off, nothing delivered
    try (java.net.Socket s = new java.net.Socket("127.0.0.1", province.address("consumer").getPort())) {
      s.getOutputStream().write((head + "Content-Length: 1000000000000000\r\n\r\n" + record)
          .getBytes(StandardCharsets.UTF_8));
      s.getOutputStream().flush();
    }
    DatasetPushStreamingTest.await(() -> provinceAudit.events.stream().anyMatch(e -> e.outcome.equals("APP_CLOSED")));
    assertThat(provinceAudit.events).filteredOn(e -> e.receiver.equals(DISTRICT_A.toString())).singleElement()
        .satisfies(e -> assertThat(e.outcome).isEqualTo("APP_CLOSED"));
    assertThat(delivered).isEmpty();
  }

  static String fullwidthDigits(String s) {
    StringBuilder b = new StringBuilder();
    s.chars().forEach(c -> b.append(c >= '0' && c <= '9' ? (char) ('\uFF10' + (c - '0')) : (char) c));
    return b.toString();
  }

  @Test
  void sender_resourceNotADataSetOrNotProvidedHereOrFrozen_refusedAndNothingSent() throws Exception {
    String record = "{\"person\":\"a\",\"idNumber\":\"" + ID + "\",\"pension\":\"1\"}\n";
    String q = "?" + to(DISTRICT_A);
    for (String resource : List.of(OTHER, "..%2F" + JSONL, JSONL + "%00", "%2e%2e", JSONL.toUpperCase())) {
      HttpResponse<String> r = push(resource, q, "application/jsonl", record);
      assertThat(r.statusCode()).as(resource + " " + r.body()).isIn(400, 404);
    }
    GatewayContext ctx = province.context();
    ctx.replaceDirectory(new GatewayContext.Directory(Map.of(),
        Map.of(DISTRICT_A, ids.get(DISTRICT_A).encryptionCertificate()),
        Incidents.none().withFrozen(JSONL, "investigation")));
    JsonNode frozen = result(push(JSONL, q, "application/jsonl", record));
    assertThat(frozen.get("status").asText()).isEqualTo("REFUSED");
    assertThat(frozen.get("code").asText()).isEqualTo("RESOURCE_FROZEN");
    ctx.replaceDirectory(new GatewayContext.Directory(Map.of(),
        Map.of(DISTRICT_A, ids.get(DISTRICT_A).encryptionCertificate()),
        Incidents.none().withSuspended(DISTRICT_A, "investigation")));
    JsonNode suspended = result(push(JSONL, q, "application/jsonl", record));
    assertThat(suspended.get("code").asText()).isEqualTo("PARTY_SUSPENDED");
    assertThat(delivered).isEmpty();
    assertThat(districtAudit.events).isEmpty();
  }

  /** Pushes {@code body} to district A: delivered without the id number in clear, or refused with nothing delivered. */
  void assertIdNumberNeverReleased(String resource, String contentType, String body) throws Exception {
    int before = delivered.size();
    JsonNode r = result(push(resource, "?" + to(DISTRICT_A), contentType, body));
    if (r.get("status").asText().equals("DELIVERED")) {
      assertThat(delivered).hasSize(before + 1);
      assertThat(new String(delivered.get(before), StandardCharsets.UTF_8)).as(body).doesNotContain(MARKER);
    } else {
      // refused before sending, or (the push streams) cut off mid-stream at the record the masker
      // refused: either way the backend never got a complete request
      assertThat(r.get("status").asText()).as(body).isIn("REFUSED", "FAILED");
      assertThat(r.get("code").asText()).as(body).isNotIn("OK", "DELIVERED");
      assertThat(delivered).as(body).hasSize(before);
    }
  }

  /**
   * JSON Lines records the catalog did not predict: the id number never reaches district A in
   * clear; a record the masker cannot handle stops the push for that receiver (nothing delivered).
   */
  @Test
  void masking_jsonlShapesTheCatalogDidNotPredict_neverReleaseTheIdNumber() throws Exception {
    // control: an ordinary record is delivered, masked
    JsonNode plain = result(push(JSONL, "?" + to(DISTRICT_A), "application/jsonl",
        "{\"person\":\"a\",\"idNumber\":\"" + ID + "\",\"pension\":\"1\"}\n"));
    assertThat(plain.get("status").asText()).isEqualTo("DELIVERED");
    assertThat(new String(delivered.get(0), StandardCharsets.UTF_8)).contains("440604").doesNotContain(MARKER);
    List<String> shapes = List.of(
        "{\"person\":\"a\",\"idNumber\":\"" + ID + "\",\"extra\":\"" + ID + "\"}",
        "{\"person\":\"a\",\"IDNUMBER\":\"" + ID + "\"}",
        "{\"person\":\"a\",\"id_number\":\"" + ID + "\"}",
        "{\"person\":\"a\",\"id\\u004eumber\":\"" + ID + "\"}",
        "{\"person\":\"a\",\"\uFEFFidNumber\":\"" + ID + "\"}",
        "{\"person\":\"a\",\"ｉｄＮｕｍｂｅｒ\":\"" + ID + "\"}",
        "{\"person\":\"a\",\"idNumber\":\"x\",\"idNumber\":\"" + ID + "\"}",
        "{\"person\":\"a\",\"idNumber\":{\"value\":\"" + ID + "\"}}",
        "{\"person\":\"a\",\"idNumber\":[\"" + ID + "\"]}",
        "{\"person\":{\"idNumber\":\"" + ID + "\"}}",
        "[{\"idNumber\":\"" + ID + "\"}]",
        "{\"person\":\"a\"} {\"idNumber\":\"" + ID + "\"}",
        "{\"person\":\"a\"}\r{\"idNumber\":\"" + ID + "\"}",
        "\"" + ID + "\"",
        "{\"person\":\"a\",\"idNumber\":\"" + ID + "\"");
    for (String shape : shapes) {
      assertIdNumberNeverReleased(JSONL, "application/jsonl", shape + "\n");
    }
  }

  /** CSV rows the catalog did not predict: header names in other case or encoding, extra and duplicate columns. */
  @Test
  void masking_csvShapesTheCatalogDidNotPredict_neverReleaseTheIdNumber() throws Exception {
    JsonNode plain = result(push(CSV, "?" + to(DISTRICT_A), "text/csv",
        "person,idNumber,pension\r\na," + ID + ",1\r\n"));
    assertThat(plain.get("status").asText()).as(plain.toString()).isEqualTo("DELIVERED");
    assertThat(new String(delivered.get(0), StandardCharsets.UTF_8)).contains("440604").doesNotContain(MARKER);
    List<String> shapes = List.of(
        "person,IDNUMBER\r\na," + ID + "\r\n",
        "person,id_number\r\na," + ID + "\r\n",
        "\uFEFFidNumber,person\r\n" + ID + ",a\r\n",
        "person,\"idNumber\"\r\na,\"" + ID + "\"\r\n",
        "person,idNumber,extra\r\na," + ID + "," + ID + "\r\n",
        "person,idNumber,idNumber\r\na,x," + ID + "\r\n",
        "person,idNumber,IdNumber\r\na,x," + ID + "\r\n",
        "person,idNumber\r\na," + ID + ",spill\r\n",
        "person,idNumber\r\na,\"" + ID + "\r\nx\"\r\n",
        "person,idNumber\r\na,\"x\r\n" + ID + "\"\r\n",
        "person,idNumber\r\na,\"" + ID + "\r\n");
    for (String shape : shapes) {
      assertIdNumberNeverReleased(CSV, "text/csv", shape);
    }
    assertThat(provinceAudit.events).filteredOn(e -> e.outcome.equals("OK")).hasSizeGreaterThanOrEqualTo(1);
    assertThat(provinceAudit.events).allSatisfy(e -> assertThat(e.reasons).contains("PUSH"));
  }
}
