package io.shulian.hub.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import io.shulian.core.party.PartyId;
import io.shulian.hub.alert.Alert;
import io.shulian.hub.alert.Alerts;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds the {@link Collector} from the Kafka topic the gateways publish their audit logs to
 * (docs/scale-out.md "Event stream on Kafka"). Each Kafka record is one batch in the collector's
 * JSON form, keyed by log id, with the party in the header {@value #PARTY_HEADER}; it goes through
 * {@link Collector#ingest} like a batch posted over HTTP, so a redelivered or overlapping batch
 * stores nothing twice (deduplicated on log id and seq, the rest still chain-verified) and a gap, a
 * fork or a bad signature is refused and alerted exactly as on the HTTP path.
 *
 * <p>Kafka does not authenticate the gateway the way the hub's TLS does: anyone allowed to write
 * to the topic can publish. So a batch is only taken when its last record is covered by a
 * checkpoint in the batch — the signed Merkle root and chain head then vouch for every record of
 * it, and the collector checks that the signer is a city-certified signing key of the party named
 * (and the log's owner). A batch that does not end at a checkpoint is refused ({@code
 * UNSIGNED_BATCH}).
 *
 * <p>Offsets are committed only after the batch was stored (or refused for good). A refused record
 * is a poison record: it is logged (event {@code event_kafka_refused}: topic, partition, offset,
 * code), counted, alerted (rule {@code event_stream_refused}, one open alert per log) and skipped,
 * so one bad record never holds up the partition; the log it claims to continue stays where it was
 * and its next genuine batch is checked against that. Only a hub that cannot store (database or
 * city trust unavailable, 503) stops the partition: the record is read again after a pause. An
 * unexpected error while handling a record is retried the same way, at most {@value #MAX_ATTEMPTS}
 * times in a row, then that record is skipped as a poison record ({@code INTERNAL_ERROR}, alerted);
 * a failing poll is logged and retried after the pause: the consumer thread never stops on its own.
 */
public final class KafkaEvents implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(KafkaEvents.class);
  /** The header naming the party whose log the batch is (set by the gateway's KafkaShipper). */
  public static final String PARTY_HEADER = "shulian-party";
  /** The alert rule of refused Kafka records not alerted by the collector itself. */
  public static final String RULE = "event_stream_refused";
  /** Largest Kafka record taken (the gateway's producer sends at most this much). */
  public static final int MAX_RECORD_BYTES = 16 << 20;
  /** How often a record whose handling failed unexpectedly is read again before it is skipped with an alert. */
  static final int MAX_ATTEMPTS = 5;
  private static final ObjectMapper JSON = new ObjectMapper();
  /** The collector's refusals that raise their own alert already. */
  private static final Set<String> ALERTED = Set.of("SEQUENCE_GAP", "CHAIN_FORK", "CHECKPOINT_SIGNATURE_INVALID",
      "NOT_OWN_LOG");
  private static final Set<String> FIXED = Set.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, ConsumerConfig.GROUP_ID_CONFIG,
      ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
      ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG);

  private final String topic;
  private final Collector collector;
  private final Alerts alerts;
  private final Consumer<String, byte[]> consumer;
  private final Duration pause;
  private final AtomicReference<@Nullable Thread> thread = new AtomicReference<>();
  private final AtomicReference<@Nullable String> lastFailure = new AtomicReference<>();
  /** Per partition, the offset whose handling failed unexpectedly and how often in a row (consumer thread only). */
  private final Map<TopicPartition, long[]> failing = new HashMap<>();
  private @Nullable MeterRegistry registry;
  private volatile boolean closed;

  public KafkaEvents(String bootstrap, String topic, String group, Map<String, String> properties, Collector collector,
      Alerts alerts) {
    this(topic, collector, alerts, new KafkaConsumer<>(consumerProperties(bootstrap, group, properties)),
        Duration.ofSeconds(2));
  }

  KafkaEvents(String topic, Collector collector, Alerts alerts, Consumer<String, byte[]> consumer, Duration pause) {
    this.topic = topic;
    this.collector = collector;
    this.alerts = alerts;
    this.consumer = consumer;
    this.pause = pause;
  }

  /** The consumer settings: the operator's {@code properties}, then the hub's fixed ones. */
  static Properties consumerProperties(String bootstrap, String group, Map<String, String> properties) {
    Properties p = new Properties();
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, "shulian-hub");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "20");
    p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Integer.toString(MAX_RECORD_BYTES + (1 << 20)));
    p.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, Integer.toString(2 * MAX_RECORD_BYTES));
    for (Map.Entry<String, String> e : properties.entrySet()) {
      if (FIXED.contains(e.getKey())) {
        throw new IllegalArgumentException("events.kafka.properties: " + e.getKey() + " is set by the hub");
      }
      p.put(e.getKey(), e.getValue());
    }
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    return p;
  }

  /** The names of consumer settings the operator may not set in {@code properties:}. */
  public static Set<String> fixedProperties() {
    return FIXED;
  }

  /**
   * Counts Kafka records by outcome on {@code shulian_hub_kafka_records_total{outcome=stored|refused|retried}}
   * and audit records on {@code shulian_hub_kafka_events_total{outcome=stored|duplicate}}; refused
   * Kafka records by the collector's code on {@code shulian_hub_kafka_refused_total{code}} (lower case), and
   * failed polls of the topic on {@code shulian_hub_kafka_poll_failures_total}.
   */
  public void bindTo(MeterRegistry r) {
    registry = r;
  }

  /** Starts the consumer thread once. */
  public void start() {
    if (thread.get() != null || closed) {
      return;
    }
    Thread t = new Thread(this::loop, "shulian-hub-kafka");
    t.setDaemon(true);
    if (thread.compareAndSet(null, t)) {
      t.start();
    }
  }

  /** The last failure to read the topic or store a batch, null after a success. */
  public @Nullable String lastFailure() {
    return lastFailure.get();
  }

  private enum Outcome { STORED, REFUSED, RETRY }

  private void loop() {
    try {
      consumer.subscribe(List.of(topic));
      while (!closed) {
        try {
          pollOnce();
        } catch (WakeupException e) {
          throw e;
        } catch (RuntimeException e) {
          // the broker, the group or the client in trouble: report it and poll again after a pause
          lastFailure.set(e.getClass().getSimpleName());
          MeterRegistry m = registry;
          if (m != null) {
            m.counter("shulian.hub.kafka.poll.failures").increment();
          }
          LOG.atError().addKeyValue("event", "event_kafka_poll_failed").addKeyValue("topic", topic)
              .addKeyValue("error", e.getClass().getName()).log("reading the Kafka event topic failed, retried in {}: {}",
                  pause, e.toString());
          Thread.sleep(pause.toMillis());
        }
      }
    } catch (WakeupException | InterruptedException e) {
      // closing
    } finally {
      consumer.close(Duration.ofSeconds(5));
    }
  }

  private void pollOnce() throws InterruptedException {
    ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(500));
    Map<TopicPartition, OffsetAndMetadata> done = new HashMap<>();
    Set<TopicPartition> stalled = new HashSet<>();
    for (ConsumerRecord<String, byte[]> r : records) {
      TopicPartition tp = new TopicPartition(r.topic(), r.partition());
      if (stalled.contains(tp)) {
        continue;
      }
      if (handleSafely(tp, r) == Outcome.RETRY) {
        consumer.seek(tp, r.offset());
        stalled.add(tp);
      } else {
        done.put(tp, new OffsetAndMetadata(r.offset() + 1));
      }
    }
    if (!done.isEmpty()) {
      consumer.commitSync(done);
    }
    if (!stalled.isEmpty()) {
      Thread.sleep(pause.toMillis());
    }
  }

  /**
   * {@link #handle}, where an unexpected error (a bug, a failing dependency) neither stops the
   * consumer nor holds up the partition for ever: the record is read again after a pause, and after
   * {@value #MAX_ATTEMPTS} failures in a row it is skipped as a poison record with an alert ({@code
   * INTERNAL_ERROR}; the error's class is named, its message is not copied).
   */
  private Outcome handleSafely(TopicPartition tp, ConsumerRecord<String, byte[]> r) {
    try {
      Outcome o = handle(r);
      failing.remove(tp);
      return o;
    } catch (RuntimeException e) {
      long[] f = failing.compute(tp, (k, v) -> v == null || v[0] != r.offset() ? new long[] {r.offset(), 1}
          : new long[] {v[0], v[1] + 1});
      String logId = r.key() == null ? "" : printable(r.key());
      LOG.atError().addKeyValue("event", "event_kafka_record_failed").addKeyValue("topic", r.topic())
          .addKeyValue("partition", r.partition()).addKeyValue("offset", r.offset()).addKeyValue("attempt", f[1])
          .addKeyValue("error", e.getClass().getName()).log("handling a batch from Kafka failed unexpectedly", e);
      if (f[1] < MAX_ATTEMPTS) {
        lastFailure.set("INTERNAL_ERROR: " + e.getClass().getSimpleName());
        count("retried");
        return Outcome.RETRY;
      }
      failing.remove(tp);
      return refuse(r, logId, "INTERNAL_ERROR", "handling it failed " + MAX_ATTEMPTS + " times in a row ("
          + e.getClass().getSimpleName() + ")");
    }
  }

  private Outcome handle(ConsumerRecord<String, byte[]> r) {
    byte[] value = r.value();
    String logId = r.key() == null ? "" : printable(r.key());
    if (value == null || value.length > MAX_RECORD_BYTES) {
      return refuse(r, logId, "MALFORMED_BATCH", "no value, or more than " + MAX_RECORD_BYTES + " bytes");
    }
    Header h = r.headers().lastHeader(PARTY_HEADER);
    PartyId party;
    try {
      party = PartyId.parse(new String(h == null ? new byte[0] : h.value(), StandardCharsets.UTF_8));
    } catch (RuntimeException e) {
      return refuse(r, logId, "PARTY_MISSING", "no valid " + PARTY_HEADER + " header");
    }
    Collector.Result res = collector.ingestCheckpointed(party, value);
    if (res.accepted()) {
      lastFailure.set(null);
      count("stored");
      try {
        JsonNode ack = JSON.readTree(res.body());
        MeterRegistry m = registry;
        if (m != null) {
          m.counter("shulian.hub.kafka.events", "outcome", "stored").increment(ack.path("stored").asLong());
          m.counter("shulian.hub.kafka.events", "outcome", "duplicate").increment(ack.path("duplicates").asLong());
        }
      } catch (java.io.IOException e) {
        // the collector's own answer: always JSON
      }
      return Outcome.STORED;
    }
    if (res.status() == 503) {
      lastFailure.set(res.code() + ": " + res.detail());
      count("retried");
      LOG.atWarn().addKeyValue("event", "event_kafka_retry").addKeyValue("topic", r.topic())
          .addKeyValue("partition", r.partition()).addKeyValue("offset", r.offset()).addKeyValue("code", res.code())
          .log("a batch from Kafka could not be stored, read again in {}: {}", pause, res.detail());
      return Outcome.RETRY;
    }
    String code = String.valueOf(res.code());
    return ALERTED.contains(code) ? refused(r, logId, code, res.detail()) : refuse(r, logId, code, res.detail());
  }

  /** A refusal the collector has alerted already: logged and counted. */
  private Outcome refused(ConsumerRecord<String, byte[]> r, String logId, String code, String detail) {
    count("refused");
    MeterRegistry m = registry;
    if (m != null) {
      m.counter("shulian.hub.kafka.refused", "code", code.toLowerCase(java.util.Locale.ROOT)).increment();
    }
    LOG.atWarn().addKeyValue("event", "event_kafka_refused").addKeyValue("topic", r.topic())
        .addKeyValue("partition", r.partition()).addKeyValue("offset", r.offset()).addKeyValue("log_id", logId)
        .addKeyValue("code", code).log("a batch from Kafka was refused and skipped: {}", detail);
    return Outcome.REFUSED;
  }

  /** A poison record: logged, counted, alerted and skipped. */
  private Outcome refuse(ConsumerRecord<String, byte[]> r, String logId, String code, String detail) {
    refused(r, logId, code, detail);
    try {
      alerts.raise(RULE, Alert.Severity.CRITICAL, "kafka " + r.topic() + " log " + (logId.isEmpty() ? "?" : logId),
          "a record on Kafka topic " + r.topic() + " was refused (" + code + "): " + detail,
          List.of(r.topic() + "/" + r.partition() + "@" + r.offset()));
    } catch (SQLException e) {
      // the refusal stands; the alert is lost with the database, which /readyz reports
    }
    return Outcome.REFUSED;
  }

  private void count(String outcome) {
    MeterRegistry m = registry;
    if (m != null) {
      m.counter("shulian.hub.kafka.records", "outcome", outcome).increment();
    }
  }

  private static String printable(String s) {
    String t = s.length() > 64 ? s.substring(0, 64) : s;
    return t.replaceAll("[^\\x20-\\x7e]", "?");
  }

  @Override
  public void close() {
    closed = true;
    Thread t = thread.getAndSet(null);
    if (t != null) {
      consumer.wakeup();
      try {
        t.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    } else {
      consumer.close(Duration.ofSeconds(1));
    }
  }
}
