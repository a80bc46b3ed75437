package io.shulian.hub.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.shulian.core.audit.AuditLog;
import io.shulian.core.audit.AuditLogReader;
import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.trust.BundleHolder;
import io.shulian.core.trust.CityTrust;
import io.shulian.gateway.ship.EventShipper;
import io.shulian.hub.HubEventsEndToEndTest;
import io.shulian.hub.TestHubCity;
import io.shulian.hub.alert.Alerts;
import io.shulian.hub.store.HubStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Kafka consumer of the collector does not die on an unexpected error: one record whose
 * handling throws is read again, and skipped with an alert when it keeps failing; a failing poll
 * is retried. Other records and partitions go on being stored.
 */
class KafkaEventsResilienceTest {
  private static final String TOPIC = "shulian-events";
  @TempDir Path dir;

  /** Ten records of the party's own log under a checkpoint, as the Kafka shipper publishes them. */
  private static ConsumerRecord<String, byte[]> batch(Path log, PartyIdentity party, int partition, long offset)
      throws Exception {
    try (AuditLog a = AuditLog.builder(log, party).checkpointEveryRecords(10).open()) {
      for (int i = 0; i < 10; i++) {
        a.append(HubEventsEndToEndTest.record(party, i, "OK")).get();
      }
    }
    var b = AuditLogReader.readBatch(log, 0, 10, null);
    ConsumerRecord<String, byte[]> r = new ConsumerRecord<>(TOPIC, partition, offset, b.logId(), EventShipper.toJson(b));
    r.headers().add(KafkaEvents.PARTY_HEADER, party.party().toString().getBytes(StandardCharsets.UTF_8));
    return r;
  }

  private static long count(HubStore db, String sql) throws Exception {
    try (Connection c = db.connection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      long n = rs.getLong(1);
      c.commit();
      return n;
    }
  }

  private static void await(java.util.concurrent.Callable<Boolean> done) throws Exception {
    long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!done.call()) {
      if (System.nanoTime() > until) {
        throw new AssertionError("not reached in 60 s");
      }
      Thread.sleep(20);
    }
  }

  private record Setup(HubStore db, KafkaEvents events, MockConsumer<String, byte[]> consumer) {}

  /** A mock consumer that, like a broker, delivers the records from a partition's offset again after a seek. */
  private static final class Log extends MockConsumer<String, byte[]> {
    private final List<ConsumerRecord<String, byte[]>> all = new java.util.ArrayList<>();

    Log() {
      super("earliest");
    }

    @Override
    public synchronized void addRecord(ConsumerRecord<String, byte[]> r) {
      all.add(r);
      super.addRecord(r);
    }

    @Override
    public synchronized void seek(TopicPartition tp, long offset) {
      super.seek(tp, offset);
      for (ConsumerRecord<String, byte[]> r : all) {
        if (r.partition() == tp.partition() && r.offset() >= offset) {
          super.addRecord(r);
        }
      }
    }
  }

  /** A collector whose city trust throws an unexpected runtime error on its first {@code failures} calls. */
  private Setup setup(TestHubCity city, int failures) throws Exception {
    HubStore db = HubStore.open(HubStore.h2Url(dir.resolve("hub")), null, null, 4);
    BundleHolder trust = BundleHolder.of(List.of(city.ca.root()));
    trust.update(city.bundle(1).getBytes(StandardCharsets.US_ASCII));
    AtomicInteger calls = new AtomicInteger();
    Collector.CityTrustSource flaky = () -> {
      if (calls.incrementAndGet() <= failures) {
        throw new IllegalStateException("unexpected failure " + calls.get());
      }
      CityTrust t = trust.trust();
      return t;
    };
    Alerts alerts = new Alerts(db, Clock.systemUTC(), null, null);
    Collector c = new Collector(db, flaky, alerts, Clock.systemUTC());
    MockConsumer<String, byte[]> consumer = new Log();
    KafkaEvents events = new KafkaEvents(TOPIC, c, alerts, consumer, Duration.ofMillis(10));
    TopicPartition p0 = new TopicPartition(TOPIC, 0);
    TopicPartition p1 = new TopicPartition(TOPIC, 1);
    consumer.schedulePollTask(() -> {
      consumer.rebalance(List.of(p0, p1));
      consumer.updateBeginningOffsets(Map.of(p0, 0L, p1, 0L));
    });
    return new Setup(db, events, consumer);
  }

  @Test
  void handlingThrowsAnUnexpectedErrorTwice_recordReadAgainAndStored_consumerKeepsRunning() throws Exception {
    TestHubCity city = new TestHubCity(dir.resolve("city"));
    Setup s = setup(city, 2);
    ConsumerRecord<String, byte[]> r = batch(dir.resolve("housing"), city.housing, 0, 0);
    s.consumer().schedulePollTask(() -> s.consumer().addRecord(r));
    try (HubStore db = s.db(); KafkaEvents events = s.events()) {
      events.start();
      await(() -> count(db, "SELECT COUNT(*) FROM hub_events") == 10);
      assertThat(count(db, "SELECT COUNT(*) FROM hub_alerts")).isZero();
    }
  }

  @Test
  void handlingKeepsThrowing_recordSkippedWithAnAlert_theOtherPartitionStillStored() throws Exception {
    TestHubCity city = new TestHubCity(dir.resolve("city"));
    Setup s = setup(city, KafkaEvents.MAX_ATTEMPTS);
    ConsumerRecord<String, byte[]> poison = batch(dir.resolve("housing"), city.housing, 0, 0);
    ConsumerRecord<String, byte[]> good = batch(dir.resolve("civil"), city.civil, 1, 0);
    s.consumer().schedulePollTask(() -> s.consumer().addRecord(poison));
    try (HubStore db = s.db(); KafkaEvents events = s.events()) {
      events.start();
      await(() -> count(db, "SELECT COUNT(*) FROM hub_alerts WHERE rule = '" + KafkaEvents.RULE + "'") == 1);
      s.consumer().schedulePollTask(() -> s.consumer().addRecord(good));
      await(() -> count(db, "SELECT COUNT(*) FROM hub_events") == 10);
      assertThat(count(db, "SELECT COUNT(*) FROM hub_alerts WHERE summary LIKE '%INTERNAL_ERROR%'")).isEqualTo(1);
      assertThat(count(db, "SELECT COUNT(*) FROM hub_alerts WHERE summary LIKE '%unexpected failure%'"))
          .as("the exception's message is not copied into the alert").isZero();
    }
  }

  @Test
  void pollFails_consumerRetries_thenStores() throws Exception {
    TestHubCity city = new TestHubCity(dir.resolve("city"));
    Setup s = setup(city, 0);
    s.consumer().setPollException(new KafkaException("broker trouble"));
    ConsumerRecord<String, byte[]> r = batch(dir.resolve("housing"), city.housing, 0, 0);
    s.consumer().schedulePollTask(() -> s.consumer().addRecord(r));
    try (HubStore db = s.db(); KafkaEvents events = s.events()) {
      events.start();
      await(() -> count(db, "SELECT COUNT(*) FROM hub_events") == 10);
    }
  }
}
