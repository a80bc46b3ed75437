package io.shulian.hub;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.Counter;
import io.shulian.core.audit.AuditLog;
import io.shulian.core.audit.AuditLogReader;
import io.shulian.core.audit.RecordBatch;
import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.trust.CityBundle;
import io.shulian.gateway.Gateway;
import io.shulian.gateway.audit.AuditLogAuditor;
import io.shulian.gateway.config.ConfigLoader;
import io.shulian.gateway.ship.EventShipper;
import io.shulian.gateway.ship.KafkaShipper;
import io.shulian.hub.kafka.KafkaBroker;
import io.shulian.hub.events.KafkaEvents;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
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
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audit event stream on a real Kafka broker (KRaft, from the Apache Kafka Maven artifacts, in a
 * child JVM, one per class): gateways publish with collector.kafka, the hub consumes with
 * events.kafka. Every test uses its own topic and consumer group.
 */
class KafkaEventStreamTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir static Path brokerDir;
  static KafkaBroker broker;
  @TempDir Path dir;
  TestHubCity city;
  String topic;
  final List<AutoCloseable> closeables = new ArrayList<>();
  final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void startBroker() throws Exception {
    broker = KafkaBroker.start(brokerDir);
  }

  @AfterAll
  static void stopBroker() throws Exception {
    broker.close();
  }

  @BeforeEach
  void setUp() throws Exception {
    city = new TestHubCity(dir);
    topic = KafkaBroker.unique("shulian.audit");
    broker.createTopic(topic, 2);
  }

  @AfterEach
  void tearDown() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
  }

  private Hub hub(String group) throws Exception {
    // new_consumer and certificate_expiring (30-day test certificates) would fire while the tests run
    Hub h = city.startHub("alerts: { newConsumer: false, certificateExpiry: 1d }",
        "events: { kafka: { bootstrap: \"" + broker.bootstrap() + "\", topic: \"" + topic + "\", group: " + group + " } }");
    // a restarted hub keeps its database: the bundle published before is there already (409)
    assertThat(city.publish(h, TestHubCity.OFFICER_TOKEN, city.bundle(1)).statusCode()).isIn(201, 409);
    return h;
  }

  private long[] cursor(Hub h, PartyIdentity party, String logId) throws Exception {
    return cursor(city, h, party, logId);
  }

  /** Where the hub's copy of {@code logId} stands: nextSeq and covered, or -1 while unknown. */
  static long[] cursor(TestHubCity city, Hub h, PartyIdentity party, String logId) throws Exception {
    HttpResponse<String> r = city.client(party).send(HttpRequest.newBuilder(TestHubCity.url(h, "/v1/events/logs/" + logId))
        .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      return new long[] {-1, -1};
    }
    JsonNode n = JSON.readTree(r.body());
    return new long[] {n.get("nextSeq").asLong(), n.get("covered").asLong()};
  }

  private boolean caughtUp(Hub h, PartyIdentity party, String logId, long size) throws InterruptedException {
    return caughtUp(h, party, logId, () -> size);
  }

  /** True once the hub stored and verified (under a checkpoint) every record of the log, within 45 s. */
  private boolean caughtUp(Hub h, PartyIdentity party, String logId, java.util.function.LongSupplier size)
      throws InterruptedException {
    return TestWait.within(Duration.ofSeconds(45), () -> {
      try {
        long[] c = cursor(h, party, logId);
        long n = size.getAsLong();
        return c[0] == n && c[1] == n;
      } catch (Exception e) {
        return false;
      }
    });
  }

  static double kafkaEvents(Hub h, String outcome) {
    Counter c = h.registry().find("shulian.hub.kafka.events").tag("outcome", outcome).counter();
    return c == null ? 0 : c.count();
  }

  static JsonNode alerts(TestHubCity city, Hub h) throws Exception {
    return JSON.readTree(city.client(null).send(HttpRequest.newBuilder(TestHubCity.url(h, "/v1/admin/alerts"))
        .header("Authorization", "Bearer " + TestHubCity.OFFICER_TOKEN).timeout(Duration.ofSeconds(30)).build(),
        HttpResponse.BodyHandlers.ofString()).body()).get("alerts");
  }

  private KafkaShipper shipper(AuditLog log, Path logDir) throws Exception {
    return shipper(log, logDir, Map.of());
  }

  private KafkaShipper shipper(AuditLog log, Path logDir, Map<String, String> properties) throws Exception {
    Files.createDirectories(dir.resolve("housing-state"));
    KafkaShipper s = new KafkaShipper(broker.bootstrap(), topic, properties, city.housing.party(), logDir,
        dir.resolve("housing-state"), 10, Duration.ofMillis(50), Duration.ofSeconds(30), log::checkpoint);
    closeables.add(s);
    return s;
  }

  private static void append(AuditLog log, PartyIdentity housing, int from, int to) throws Exception {
    for (int i = from; i < to; i++) {
      log.append(HubEventsEndToEndTest.record(housing, i, "OK")).get(); // denials would raise denial_spike
    }
  }

  // ---------------------------------------------------------------------------------------------
  // gateways → Kafka → hub with real exchanges; the provider ships over HTTP and Kafka at once

  @Test
  void realExchanges_bothGatewaysPublishToKafka_hubStoresEveryRecordOnce_providerAlsoOverHttp() throws Exception {
    Hub h = hub("hub-e2e");
    closeables.add(h);
    int providerPort;
    try (ServerSocket s = new ServerSocket(0)) {
      providerPort = s.getLocalPort();
    }
    HttpServer backend = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    backend.createContext("/", ex -> {
      byte[] b = "{\"ok\":true}".getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("Content-Type", "application/json");
      ex.sendResponseHeaders(200, b.length);
      ex.getResponseBody().write(b);
      ex.close();
    });
    backend.start();
    closeables.add(() -> backend.stop(0));
    CityBundle.Draft d = CityBundle.draft().version(2)
        .validity(Instant.now().minusSeconds(60), Instant.now().plus(Duration.ofDays(1)))
        .member(CityBundle.Member.of(city.housing.party(), "Housing", URI.create("https://127.0.0.1:" + providerPort),
            city.housing.certificates()))
        .member(CityBundle.Member.of(city.civil.party(), "Civil affairs", null, city.civil.certificates()))
        .member(CityBundle.Member.of(city.hub.party(), "City hub", null, city.hub.certificates()));
    Files.writeString(dir.resolve("v2.jws"), d.caCertificate(city.ca.root()).crl(city.ca.crl(Duration.ofHours(24))).sign(city.ca));
    String kafka = "kafka: { bootstrap: \"" + broker.bootstrap() + "\", topic: \"" + topic + "\" }";
    String hubUrl = "https://127.0.0.1:" + h.address("hub").getPort() + "/v1/events";
    Files.writeString(dir.resolve("provider.yaml"), String.join("\n",
        "identity: { keystore: housing.p12 }",
        "trust: { root: root.pem, bundle: v2.jws }",
        "provider:",
        "  listen: 127.0.0.1:" + providerPort,
        "  backends: [ { resource: HOUSING-001, url: \"http://127.0.0.1:" + backend.getAddress().getPort() + "/api\",",
        "    endpoints: [ { method: GET, path: \"/{name}\" } ] } ]",
        "  permissions: [ { consumer: \"" + city.civil.party() + "\", resource: HOUSING-001, purposes: [p] } ]",
        "admin: { listen: 127.0.0.1:0 }",
        "runtime: { eventLoops: 1 }",
        "audit: { dir: audit-provider }",
        "collector: { hub: \"" + hubUrl + "\", " + kafka + ", batch: 7, interval: 100ms }", ""));
    Files.writeString(dir.resolve("consumer.yaml"), String.join("\n",
        "identity: { keystore: civil.p12 }",
        "trust: { root: root.pem, bundle: v2.jws }",
        "consumer:",
        "  listen: 127.0.0.1:0",
        "  apps: [ { name: portal, apiKeySha256: \"" + io.shulian.gateway.authenticate.ApiKeys.hash("k") + "\" } ]",
        "  routes: [ { resource: HOUSING-001, provider: \"" + city.housing.party() + "\" } ]",
        "admin: { listen: 127.0.0.1:0 }",
        "runtime: { eventLoops: 1 }",
        "audit: { dir: audit-consumer }",
        "collector: { " + kafka + ", batch: 5, interval: 100ms }", ""));
    AuditLog providerLog = AuditLog.builder(dir.resolve("audit-provider"), city.housing).open();
    Gateway p = ConfigLoader.apply(ConfigLoader.load(dir.resolve("provider.yaml"), TestHubCity.ENV::get),
        new AuditLogAuditor(providerLog)).build().start();
    closeables.add(p);
    AuditLog consumerLog = AuditLog.builder(dir.resolve("audit-consumer"), city.civil).open();
    Gateway c = ConfigLoader.apply(ConfigLoader.load(dir.resolve("consumer.yaml"), TestHubCity.ENV::get),
        new AuditLogAuditor(consumerLog)).build().start();
    closeables.add(c);
    for (int i = 0; i < 12; i++) {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
          + c.address("consumer").getPort() + "/exchange/HOUSING-001/x" + i)).header("X-Api-Key", "k")
          .header("X-Shulian-Purpose", "p").build(), HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }
    assertThat(caughtUp(h, city.civil, consumerLog.logId(), consumerLog::size)).as("consumer log on the hub").isTrue();
    assertThat(caughtUp(h, city.housing, providerLog.logId(), providerLog::size)).as("provider log on the hub").isTrue();
    long providerRecords = providerLog.size();
    long consumerRecords = consumerLog.size();
    assertThat(providerRecords).isGreaterThanOrEqualTo(12);
    assertThat(consumerRecords).isGreaterThanOrEqualTo(12);
    // the consumer's log came only through Kafka: each of its records stored once by the Kafka path
    assertThat(kafkaEvents(h, "stored")).isGreaterThanOrEqualTo(consumerRecords);
    assertThat(kafkaEvents(h, "stored")).isLessThanOrEqualTo(consumerRecords + providerRecords);
    assertThat(alerts(city, h)).isEmpty();
  }

  // ---------------------------------------------------------------------------------------------

  @Test
  void brokerKilledMidStream_restarted_noLoss_noDuplicateStored() throws Exception {
    Hub h = hub("hub-crash");
    closeables.add(h);
    Path logDir = dir.resolve("housing-audit");
    try (AuditLog log = AuditLog.builder(logDir, city.housing).open()) {
      // short timeouts, so that the dead broker is noticed (and the batch resent) within seconds
      KafkaShipper s = shipper(log, logDir, Map.of("delivery.timeout.ms", "6000", "request.timeout.ms", "2000",
          "max.block.ms", "3000"));
      append(log, city.housing, 0, 30);
      s.start();
      assertThat(TestWait.within(Duration.ofSeconds(30), () -> s.acknowledged() == 30)).as("30 published").isTrue();
      broker.kill();
      append(log, city.housing, 30, 70); // exchanges go on: the log is the buffer
      assertThat(TestWait.within(Duration.ofSeconds(30), () -> s.lastFailure() != null)).as("failure noticed").isTrue();
      broker.start();
      assertThat(TestWait.within(Duration.ofSeconds(60), () -> s.acknowledged() == 70)).as("caught up").isTrue();
      assertThat(caughtUp(h, city.housing, log.logId(), 70)).isTrue();
      // no record stored twice: each stored once, whatever the broker redelivered
      assertThat(kafkaEvents(h, "stored")).isEqualTo(70);
      assertThat(alerts(city, h)).isEmpty();
    }
  }

  @Test
  void hubConsumerRestarted_redeliveredBatchesDeduplicated_restStillVerified() throws Exception {
    Path logDir = dir.resolve("housing-audit");
    try (AuditLog log = AuditLog.builder(logDir, city.housing).open()) {
      KafkaShipper s = shipper(log, logDir);
      append(log, city.housing, 0, 25);
      s.start();
      Hub h = hub("hub-a");
      assertThat(caughtUp(h, city.housing, log.logId(), 25)).isTrue();
      h.close();
      append(log, city.housing, 25, 40);
      // the same hub database with a new consumer group: Kafka redelivers the topic from the start
      Hub again = hub("hub-b");
      closeables.add(again);
      assertThat(caughtUp(again, city.housing, log.logId(), 40)).isTrue();
      assertThat(kafkaEvents(again, "duplicate")).isEqualTo(25);
      assertThat(kafkaEvents(again, "stored")).isEqualTo(15);
      assertThat(alerts(city, again)).isEmpty();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // an outsider that may write to the topic

  private KafkaProducer<String, byte[]> outsider() {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap());
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    KafkaProducer<String, byte[]> k = new KafkaProducer<>(p);
    closeables.add(k);
    return k;
  }

  private void inject(KafkaProducer<String, byte[]> k, String logId, String party, byte[] value) throws Exception {
    ProducerRecord<String, byte[]> r = new ProducerRecord<>(topic, logId, value);
    r.headers().add(KafkaEvents.PARTY_HEADER, party.getBytes(StandardCharsets.UTF_8));
    k.send(r).get(30, TimeUnit.SECONDS);
  }

  @Test
  void forgedRecordsInjectedByAnOutsider_refusedAndAlerted_nothingStored_genuineStreamGoesOn() throws Exception {
    Hub h = hub("hub-forged");
    closeables.add(h);
    Path logDir = dir.resolve("housing-audit");
    try (AuditLog log = AuditLog.builder(logDir, city.housing).open()) {
      KafkaShipper s = shipper(log, logDir);
      append(log, city.housing, 0, 20);
      s.start();
      assertThat(caughtUp(h, city.housing, log.logId(), 20)).isTrue();
      s.close();

      append(log, city.housing, 20, 30);
      log.checkpoint().get();
      RecordBatch genuine = AuditLogReader.readBatch(logDir, 20, 10, null);
      KafkaProducer<String, byte[]> k = outsider();
      String party = city.housing.party().toString();
      // 1. records that continue the log without a checkpoint: unsigned, refused before the collector
      ObjectNode unsigned = (ObjectNode) JSON.readTree(EventShipper.toJson(genuine));
      unsigned.putArray("checkpoints");
      inject(k, log.logId(), party, JSON.writeValueAsBytes(unsigned));
      // 2. the genuine batch with one record changed: its signed checkpoint no longer matches
      ObjectNode forged = (ObjectNode) JSON.readTree(EventShipper.toJson(genuine));
      ArrayNode recs = (ArrayNode) forged.get("records");
      byte[] body = Base64.getDecoder().decode(recs.get(3).asText());
      body[body.length - 2] ^= 1;
      recs.set(3, Base64.getEncoder().encodeToString(body));
      inject(k, log.logId(), party, JSON.writeValueAsBytes(forged));
      // 3. garbage, and a record without a party
      inject(k, log.logId(), party, "{not json".getBytes(StandardCharsets.UTF_8));
      k.send(new ProducerRecord<>(topic, log.logId(), EventShipper.toJson(genuine))).get(30, TimeUnit.SECONDS);

      assertThat(TestWait.within(Duration.ofSeconds(30), () -> {
        Counter c = h.registry().find("shulian.hub.kafka.records").tag("outcome", "refused").counter();
        return c != null && c.count() == 4;
      })).as("four records refused").isTrue();
      assertThat(cursor(h, city.housing, log.logId())[0]).as("nothing of them stored").isEqualTo(20);
      for (String code : List.of("unsigned_batch", "chain_fork", "malformed_batch", "party_missing")) {
        Counter c = h.registry().find("shulian.hub.kafka.refused").tag("code", code).counter();
        assertThat(c).as(code).isNotNull();
        assertThat(c.count()).as(code).isEqualTo(1.0);
      }
      // one open alert per rule and log: the Kafka one (first: UNSIGNED_BATCH) and the collector's fork
      JsonNode alerts = alerts(city, h);
      assertThat(alerts).extracting(a -> a.get("rule").asText()).containsExactlyInAnyOrder(KafkaEvents.RULE, "chain_fork");
      assertThat(alerts.toString()).contains("UNSIGNED_BATCH").contains("Merkle root differs");

      // the genuine gateway resumes from its cursor: the poison records did not block the partition
      try (KafkaShipper again = shipper(log, logDir)) {
        again.start();
        assertThat(caughtUp(h, city.housing, log.logId(), 30)).isTrue();
      }
    }
  }

  @Test
  void hubConfig_kafkaSettingsTheHubSets_orABadBootstrap_refusedWithReasons() throws Exception {
    Path yaml = city.hubYaml("events: { kafka: { bootstrap: \"nohostport\", topic: \"" + topic + "\","
        + " properties: { enable.auto.commit: \"true\", group.id: other, sasl.jaas.config: \"secret-jaas\" } } }");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> Hub.load(yaml, TestHubCity.ENV::get))
        .isInstanceOf(io.shulian.gateway.config.ConfigException.class)
        .satisfies(e -> assertThat(((io.shulian.gateway.config.ConfigException) e).problems())
            .anySatisfy(p -> assertThat(p).contains("events.kafka.bootstrap: host:port"))
            .anySatisfy(p -> assertThat(p).contains("events.kafka.properties: enable.auto.commit is set by the hub"))
            .anySatisfy(p -> assertThat(p).contains("events.kafka.properties: group.id is set by the hub"))
            .noneSatisfy(p -> assertThat(p).contains("secret-jaas")));
  }
}
