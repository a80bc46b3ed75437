package io.shulian.hub;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import io.shulian.core.audit.AuditDecision;
import io.shulian.core.audit.AuditLog;
import io.shulian.core.audit.AuditLogReader;
import io.shulian.core.audit.AuditRecord;
import io.shulian.core.audit.Direction;
import io.shulian.core.audit.RecordBatch;
import io.shulian.hub.events.Collector;
import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.trust.BundleHolder;
import io.shulian.gateway.authenticate.CityPeerVerifier;
import io.shulian.gateway.authenticate.GatewayTls;
import io.shulian.gateway.ship.EventShipper;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Gateway audit logs shipped to the real hub's collector over real TLS (H2): resumable shipping,
 * catching up after the hub was away, and every refusal of the collector with its alert.
 */
public class HubEventsEndToEndTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** new_consumer (info) would fire on every first exchange here; AlertRulesTest covers it. */
  static final String QUIET_NEW_CONSUMERS = "alerts: { newConsumer: false }";
  @TempDir Path dir;

  public static AuditRecord record(PartyIdentity from, int i, String outcome) {
    return AuditRecord.builder().time(Instant.now()).envelopeId("env-" + i).direction(Direction.REQUEST_IN)
        .sender(TestHubCity.CIVIL).receiver(from.party()).resource("housing.provident-fund.balance")
        .purpose("social-assistance-review").decision(outcome.equals("OK") ? AuditDecision.permit()
            : AuditDecision.deny(outcome))
        .status(outcome.equals("OK") ? 200 : 403).outcome(outcome).latency(Duration.ofMillis(3)).build();
  }

  static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static HttpResponse<String> post(HttpClient c, Hub h, byte[] body) throws Exception {
    return c.send(HttpRequest.newBuilder(TestHubCity.url(h, "/v1/events")).timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> get(HttpClient c, Hub h, String path, String token) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(TestHubCity.url(h, path)).timeout(Duration.ofSeconds(30));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return c.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> alertMove(HttpClient c, Hub h, long id, String verb, String token) throws Exception {
    return c.send(HttpRequest.newBuilder(TestHubCity.url(h, "/v1/admin/alerts/" + id + "/" + verb))
        .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"note\":\"looked at it\"}")).timeout(Duration.ofSeconds(30)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode alerts(TestHubCity city, Hub h) throws Exception {
    return JSON.readTree(get(city.client(null), h, "/v1/admin/alerts", TestHubCity.OFFICER_TOKEN).body()).get("alerts");
  }

  private static JsonNode alertOf(JsonNode alerts, String rule) {
    for (JsonNode a : alerts) {
      if (a.get("rule").asText().equals(rule)) {
        return a;
      }
    }
    throw new AssertionError("no alert " + rule + " in " + alerts);
  }

  /** The test city's hub on a fixed port, so that a restarted hub is found at the same address. */
  private static Hub hubOn(TestHubCity city, int port) throws Exception {
    Path yaml = city.hubYaml(QUIET_NEW_CONSUMERS);
    java.nio.file.Files.writeString(yaml, java.nio.file.Files.readString(yaml).replace("listen: 127.0.0.1:0\n",
        "listen: 127.0.0.1:" + port + "\n"));
    return Hub.load(yaml, TestHubCity.ENV::get).start();
  }

  private EventShipper shipper(TestHubCity city, int port, Path log) throws Exception {
    BundleHolder trust = BundleHolder.of(List.of(city.ca.root()));
    trust.update(city.bundle(1).getBytes(StandardCharsets.US_ASCII));
    return new EventShipper(URI.create("https://127.0.0.1:" + port + "/v1/events"), log, dir.resolve("housing-state"), 10,
        Duration.ofMillis(50), Duration.ofSeconds(1),
        GatewayTls.jdkClient(city.housing, new CityPeerVerifier(trust, Clock.systemUTC())));
  }

  @Test
  void shipper_shipsVerifiedBatches_catchesUpAfterTheHubWasAway_withoutLossOrDuplicates() throws Exception {
    TestHubCity city = new TestHubCity(dir);
    int port = freePort();
    Path log = dir.resolve("housing-audit");
    java.nio.file.Files.createDirectories(dir.resolve("housing-state"));
    try (AuditLog audit = AuditLog.builder(log, city.housing).checkpointEveryRecords(10).open()) {
      Hub h = hubOn(city, port);
      try (EventShipper s = shipper(city, port, log)) {
        assertThat(city.publish(h, TestHubCity.OFFICER_TOKEN, city.bundle(1)).statusCode()).isEqualTo(201);
        for (int i = 0; i < 25; i++) {
          audit.append(record(city.housing, i, "OK")).get();
        }
        s.start();
        assertThat(TestWait.within(Duration.ofSeconds(30), () -> s.acknowledged() == 25)).as("shipped 25").isTrue();

        // the hub goes away; the gateway keeps logging; the hub comes back on the same database
        h.close();
        for (int i = 25; i < 60; i++) {
          audit.append(record(city.housing, i, i % 2 == 0 ? "OK" : "DENIED")).get();
        }
        // a request in flight while the hub stops ends with the request timeout (60 s)
        assertThat(TestWait.within(Duration.ofSeconds(90), () -> s.lastFailure() != null)).as("failure noticed").isTrue();
        assertThat(s.acknowledged()).isEqualTo(25);
        h = hubOn(city, port);
        assertThat(TestWait.within(Duration.ofSeconds(60), () -> s.acknowledged() == 60)).as("caught up").isTrue();
        audit.checkpoint().get();
        HttpResponse<String> cursor = get(city.client(city.housing), h, "/v1/events/logs/" + audit.logId(), null);
        assertThat(cursor.statusCode()).isEqualTo(200);
        Hub hub = h;
        assertThat(TestWait.within(Duration.ofSeconds(30), () -> {
          try {
            return JSON.readTree(get(city.client(city.housing), hub, "/v1/events/logs/" + audit.logId(), null).body())
                .get("covered").asLong() == 60;
          } catch (Exception e) {
            return false;
          }
        })).as("every record covered by a verified checkpoint").isTrue();
        // another department cannot read this log's cursor
        assertThat(get(city.client(city.civil), h, "/v1/events/logs/" + audit.logId(), null).statusCode()).isEqualTo(404);

        // shipping the same batch again stores nothing twice
        RecordBatch again = AuditLogReader.readBatch(log, 20, 10, null);
        HttpResponse<String> dup = post(city.client(city.housing), h, EventShipper.toJson(again));
        assertThat(dup.statusCode()).as(dup.body()).isEqualTo(200);
        assertThat(JSON.readTree(dup.body()).get("stored").asInt()).isZero();
        assertThat(JSON.readTree(dup.body()).get("duplicates").asInt()).isEqualTo(10);
        assertThat(alerts(city, h)).isEmpty();
      } finally {
        h.close();
      }
    }
  }

  @Test
  void largeRecords_everyBatchTheReaderGives_fitsTheHubsBodyLimit_andIsStored() throws Exception {
    // 1,100 records of ~8 KB: a 2,000-record batch cut only at 8 MiB of record bytes was 10.7 MiB of
    // JSON (base64), which the hub refuses (413) — for ever, as the shipper sends the same batch again
    TestHubCity city = new TestHubCity(dir);
    Path log = dir.resolve("housing-audit");
    String purpose = "p".repeat(8_000);
    try (AuditLog audit = AuditLog.builder(log, city.housing).checkpointEveryRecords(100).open()) {
      for (int i = 0; i < 1_100; i++) {
        audit.append(AuditRecord.builder().time(Instant.now()).envelopeId("env-" + i).direction(Direction.REQUEST_IN)
            .sender(TestHubCity.CIVIL).receiver(city.housing.party()).resource("housing.provident-fund.balance")
            .purpose(purpose).decision(AuditDecision.permit()).status(200).outcome("OK").latency(Duration.ofMillis(3))
            .build()).get();
      }
      audit.checkpoint().get();
    }
    Hub h = city.startHub(QUIET_NEW_CONSUMERS);
    try {
      assertThat(city.publish(h, TestHubCity.OFFICER_TOKEN, city.bundle(1)).statusCode()).isEqualTo(201);
      long next = 0;
      int batches = 0;
      while (next < 1_100) {
        RecordBatch b = AuditLogReader.readBatch(log, next, 10_000, null);
        byte[] body = EventShipper.toJson(b);
        assertThat(body.length).as("batch from seq " + next).isLessThanOrEqualTo(Collector.MAX_BODY_BYTES);
        HttpResponse<String> r = post(city.client(city.housing), h, body);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        long was = next;
        next = JSON.readTree(r.body()).get("nextSeq").asLong();
        assertThat(next).as("the hub stored the batch from seq " + was).isGreaterThan(was);
        batches++;
      }
      assertThat(batches).as("cut into several batches").isGreaterThan(1);
    } finally {
      h.close();
    }
  }

  @Test
  void collector_forgedGapForeignAndUnsigned_refusedTypedWithAlerts_andTheWebhookGetsAnAlertmanagerPayload() throws Exception {
    TestHubCity city = new TestHubCity(dir);
    List<String> hooks = new CopyOnWriteArrayList<>();
    HttpServer receiver = HttpServer.create(new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
    receiver.createContext("/hook", x -> {
      hooks.add(new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
      x.sendResponseHeaders(200, -1);
      x.close();
    });
    receiver.start();
    Path log = dir.resolve("housing-audit");
    try (AuditLog audit = AuditLog.builder(log, city.housing).checkpointEveryRecords(5).open();
        Hub h = city.startHub("alerts: { newConsumer: false, webhook: \"http://127.0.0.1:" + receiver.getAddress().getPort()
            + "/hook\" }")) {
      assertThat(city.publish(h, TestHubCity.OFFICER_TOKEN, city.bundle(1)).statusCode()).isEqualTo(201);
      for (int i = 0; i < 12; i++) {
        audit.append(record(city.housing, i, "OK")).get();
      }
      HttpClient housing = city.client(city.housing);
      HttpClient civil = city.client(city.civil);

      // another department shipping housing's log: refused before anything is stored
      HttpResponse<String> foreignFirst = post(civil, h, EventShipper.toJson(AuditLogReader.readBatch(log, 0, 6, null)));
      assertThat(foreignFirst.statusCode()).as(foreignFirst.body()).isEqualTo(422);
      assertThat(foreignFirst.body()).contains("CHECKPOINT_SIGNATURE_INVALID");

      assertThat(post(housing, h, EventShipper.toJson(AuditLogReader.readBatch(log, 0, 6, null))).statusCode()).isEqualTo(200);
      HttpResponse<String> foreign = post(civil, h, EventShipper.toJson(AuditLogReader.readBatch(log, 6, 3, null)));
      assertThat(foreign.statusCode()).as(foreign.body()).isEqualTo(403);
      assertThat(foreign.body()).contains("NOT_OWN_LOG");

      // a gap: seq 6..8 missing
      HttpResponse<String> gap = post(housing, h, EventShipper.toJson(AuditLogReader.readBatch(log, 9, 3, null)));
      assertThat(gap.statusCode()).as(gap.body()).isEqualTo(409);
      assertThat(gap.body()).contains("SEQUENCE_GAP");

      // a stored record sent again with other content: a fork
      ObjectNode forged = (ObjectNode) JSON.readTree(EventShipper.toJson(AuditLogReader.readBatch(log, 3, 3, null)));
      byte[] body = Base64.getDecoder().decode(forged.get("records").get(1).asText());
      body[body.length - 9] ^= 1; // the last byte of the outcome text: still a well-formed record
      ((ArrayNode) forged.get("records")).set(1, JSON.getNodeFactory().textNode(Base64.getEncoder().encodeToString(body)));
      HttpResponse<String> fork = post(housing, h, JSON.writeValueAsBytes(forged));
      assertThat(fork.statusCode()).as(fork.body()).isEqualTo(409);
      assertThat(fork.body()).contains("CHAIN_FORK");

      // a new record forged before it reaches the hub: the checkpoint after it does not match
      ObjectNode tampered = (ObjectNode) JSON.readTree(EventShipper.toJson(AuditLogReader.readBatch(log, 6, 6, null)));
      byte[] rec = Base64.getDecoder().decode(tampered.get("records").get(0).asText());
      rec[rec.length - 9] ^= 1;
      ((ArrayNode) tampered.get("records")).set(0, JSON.getNodeFactory().textNode(Base64.getEncoder().encodeToString(rec)));
      HttpResponse<String> rewritten = post(housing, h, JSON.writeValueAsBytes(tampered));
      assertThat(rewritten.statusCode()).as(rewritten.body()).isEqualTo(409);
      assertThat(rewritten.body()).contains("CHAIN_FORK");

      // malformed bodies: refused without an alert
      assertThat(post(housing, h, "not json".getBytes(StandardCharsets.UTF_8)).body()).contains("MALFORMED_BATCH");
      assertThat(post(housing, h, "{\"logId\":\"x\",\"extra\":1}".getBytes(StandardCharsets.UTF_8)).body())
          .contains("MALFORMED_BATCH");
      // without a client certificate
      assertThat(post(city.client(null), h, EventShipper.toJson(AuditLogReader.readBatch(log, 6, 6, null))).statusCode())
          .isEqualTo(401);

      // nothing of the refused batches was stored: the honest continuation is taken
      HttpResponse<String> ok = post(housing, h, EventShipper.toJson(AuditLogReader.readBatch(log, 6, 6, null)));
      assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
      assertThat(JSON.readTree(ok.body()).get("nextSeq").asLong()).isEqualTo(12);

      JsonNode list = alerts(city, h);
      assertThat(list).hasSize(4);
      for (String rule : List.of("bad_checkpoint_signature", "foreign_log", "sequence_gap", "chain_fork")) {
        JsonNode a = alertOf(list, rule);
        assertThat(a.get("severity").asText()).isEqualTo("critical");
        assertThat(a.get("events")).isNotEmpty();
      }
      // the two forks are one open alert for the log
      long id = alertOf(list, "chain_fork").get("id").asLong();
      assertThat(alertMove(city.client(null), h, id, "acknowledge", TestHubCity.REVIEWER_TOKEN).statusCode()).isEqualTo(403);
      assertThat(alertMove(city.client(null), h, id, "acknowledge", TestHubCity.OFFICER_TOKEN).statusCode()).isEqualTo(200);
      assertThat(alertMove(city.client(null), h, id, "acknowledge", TestHubCity.OFFICER_TOKEN).statusCode()).isEqualTo(409);
      HttpResponse<String> closed = alertMove(city.client(null), h, id, "close", TestHubCity.OFFICER_TOKEN);
      assertThat(closed.statusCode()).isEqualTo(200);
      assertThat(JSON.readTree(closed.body()).get("state").asText()).isEqualTo("closed");
      assertThat(alertMove(city.client(null), h, 999, "close", TestHubCity.OFFICER_TOKEN).statusCode()).isEqualTo(404);
      assertThat(get(city.client(null), h, "/v1/admin/alerts", null).statusCode()).isEqualTo(401);
      assertThat(get(city.client(null), h, "/v1/admin/alerts?state=bogus", TestHubCity.OFFICER_TOKEN).statusCode())
          .isEqualTo(400);

      // the webhook: four alerts firing, one resolved, each an Alertmanager v4 payload
      assertThat(TestWait.within(Duration.ofSeconds(10), () -> hooks.size() == 5)).as(hooks.toString()).isTrue();
      int resolved = 0;
      for (String p : hooks) {
        JsonNode n = JSON.readTree(p);
        assertThat(n.get("version").asText()).isEqualTo("4");
        assertThat(n.get("receiver").asText()).isNotEmpty();
        JsonNode a = n.get("alerts").get(0);
        assertThat(a.get("labels").get("alertname").asText()).isIn("bad_checkpoint_signature", "foreign_log",
            "sequence_gap", "chain_fork");
        assertThat(a.get("labels").get("severity").asText()).isEqualTo("critical");
        assertThat(Instant.parse(a.get("startsAt").asText())).isBefore(Instant.now().plusSeconds(1));
        assertThat(a.get("status").asText()).isEqualTo(n.get("status").asText());
        if (n.get("status").asText().equals("resolved")) {
          resolved++;
          assertThat(Instant.parse(a.get("endsAt").asText())).isAfterOrEqualTo(Instant.parse(a.get("startsAt").asText()));
        }
      }
      assertThat(resolved).isEqualTo(1);
    } finally {
      receiver.stop(0);
    }
  }

  @Test
  void cli_hubAlerts_listAckClose_withExitCodes() throws Exception {
    TestHubCity city = new TestHubCity(dir);
    Path log = dir.resolve("housing-audit");
    try (AuditLog audit = AuditLog.builder(log, city.housing).open(); Hub h = city.startHub(QUIET_NEW_CONSUMERS)) {
      assertThat(city.publish(h, TestHubCity.OFFICER_TOKEN, city.bundle(1)).statusCode()).isEqualTo(201);
      for (int i = 0; i < 4; i++) {
        audit.append(record(city.housing, i, "OK")).get();
      }
      // a gap raises an alert
      assertThat(post(city.client(city.housing), h, EventShipper.toJson(AuditLogReader.readBatch(log, 0, 2, null)))
          .statusCode()).isEqualTo(200);
      assertThat(post(city.client(city.housing), h, EventShipper.toJson(AuditLogReader.readBatch(log, 3, 1, null)))
          .statusCode()).isEqualTo(409);
      java.nio.file.Files.writeString(dir.resolve("officer.token"), TestHubCity.OFFICER_TOKEN + "\n");
      java.nio.file.Files.writeString(dir.resolve("reviewer.token"), TestHubCity.REVIEWER_TOKEN + "\n");
      java.nio.file.Files.writeString(dir.resolve("b.jws"), city.bundle(1));
      String[] common = {"--hub", "https://127.0.0.1:" + h.address("hub").getPort(), "--root",
          dir.resolve("root.pem").toString(), "--bundle", dir.resolve("b.jws").toString()};
      java.util.function.Function<String[], HubCliTest.Run> cli = args -> {
        String[] all = new String[args.length + common.length + 2];
        all[0] = "hub";
        all[1] = "alerts";
        System.arraycopy(args, 0, all, 2, args.length);
        System.arraycopy(common, 0, all, 2 + args.length, common.length);
        return HubCliTest.shulian(all);
      };
      String officer = dir.resolve("officer.token").toString();
      HubCliTest.Run list = cli.apply(new String[] {"list", "--state", "open", "--token-file", officer});
      assertThat(list.code()).as(list.err()).isZero();
      JsonNode a = JSON.readTree(list.out()).get("alerts");
      assertThat(a).hasSize(1);
      assertThat(a.get(0).get("rule").asText()).isEqualTo("sequence_gap");
      String id = a.get(0).get("id").asText();
      HubCliTest.Run byReviewer = cli.apply(new String[] {"ack", id, "--note", "seen",
          "--token-file", dir.resolve("reviewer.token").toString()});
      assertThat(byReviewer.code()).isEqualTo(1);
      assertThat(cli.apply(new String[] {"ack", id, "--note", "seen", "--token-file", officer}).code()).isZero();
      HubCliTest.Run close = cli.apply(new String[] {"close", id, "--note", "gateway restored", "--token-file", officer});
      assertThat(close.code()).as(close.err()).isZero();
      assertThat(close.out()).contains("\"state\":\"closed\"").contains("gateway restored");
      assertThat(cli.apply(new String[] {"close", id, "--note", "again", "--token-file", officer}).code()).isEqualTo(3);
      assertThat(cli.apply(new String[] {"close", "12345", "--note", "x", "--token-file", officer}).code()).isEqualTo(3);
      assertThat(cli.apply(new String[] {"close", id, "--token-file", officer}).code()).isEqualTo(2);
      assertThat(cli.apply(new String[] {"bogus", "--token-file", officer}).code()).isEqualTo(2);
      // acknowledging and closing are in the hub's audit log
      List<String> purposes = new java.util.ArrayList<>();
      AuditLogReader.forEach(dir.resolve("hub-data/audit"), e -> {
        if (e.record().resource().equals("alert/" + id)) {
          purposes.add(e.record().purpose() + " " + e.record().outcome() + " " + e.record().sender());
        }
      });
      assertThat(purposes).containsExactly("acknowledge ALERT_ACKNOWLEDGED alice", "close ALERT_CLOSED alice",
          "close ILLEGAL_TRANSITION alice");
    }
  }
}
