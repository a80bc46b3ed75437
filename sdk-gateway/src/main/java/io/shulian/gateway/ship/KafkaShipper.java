package io.shulian.gateway.ship;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.shulian.core.audit.AuditException;
import io.shulian.core.audit.Checkpoint;
import io.shulian.core.audit.RecordBatch;
import io.shulian.core.party.PartyId;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes the gateway's audit log to a Kafka topic from its own thread, for the hub's collector
 * to consume (docs/scale-out.md "Event stream on Kafka"). Like {@link EventShipper} it has no queue
 * of its own — the log files are the buffer, exchanges never wait for it — and it sends exactly
 * what the HTTP shipper sends: one Kafka record per batch, the collector's JSON batch form as the
 * value, the log id as the key (one log stays in one partition, in order), the party in the header
 * {@value #PARTY_HEADER}.
 *
 * <p>Kafka is a transport the hub does not trust: anyone allowed to write to the topic could
 * publish records. So every batch ends at a checkpoint the gateway signed — its records are then
 * covered by the signed Merkle root and chain head, and the collector refuses a batch whose last
 * record is not (see io.shulian.hub.events.KafkaEvents). When the newest records are not covered
 * yet, the shipper asks the audit log for a checkpoint (at most once per {@code interval}).
 *
 * <p>The producer is idempotent with {@code acks=all}; the shipper waits for the broker's
 * acknowledgment of each batch and then moves its cursor, kept in {@code <state dir>/}{@value
 * #CURSOR_FILE} ({@code <log id> <next seq>}), so a restarted gateway resumes where the broker
 * acknowledged. Delivery is at least once: a batch resent after a failure is deduplicated by the
 * collector on (log id, seq).
 */
public final class KafkaShipper extends ShipperThread {
  private static final Logger LOG = LoggerFactory.getLogger(KafkaShipper.class);
  /** The cursor file in the state directory: {@code <log id> <next seq>} acknowledged by the broker. */
  public static final String CURSOR_FILE = "kafka-cursor";
  /** The Kafka header naming the party whose log the batch is (the collector checks it against the signatures). */
  public static final String PARTY_HEADER = "shulian-party";
  /** Most records in one Kafka record when no checkpoint falls inside {@code batch} records. */
  static final int MAX_RECORDS = 10_000;
  /** The producer's largest request (a batch of up to {@value #MAX_RECORDS} records); the topic's max.message.bytes must allow it. */
  public static final int MAX_REQUEST_BYTES = 16 << 20;
  /** Producer settings the shipper decides; {@code properties:} cannot override them. */
  private static final Set<String> FIXED = Set.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
      ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, ProducerConfig.ACKS_CONFIG, ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
      ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION,
      ProducerConfig.TRANSACTIONAL_ID_CONFIG);

  private final String topic;
  private final PartyId party;
  private final Path cursorFile;
  private final int batch;
  private final Duration heartbeat;
  private final @Nullable Supplier<CompletableFuture<Checkpoint>> checkpointer;
  private final Producer<String, byte[]> producer;
  private @Nullable Counter shipped;
  /** The shipping thread's state: the log being published, when a checkpoint was last asked for and a batch last sent. */
  private @Nullable String logId;
  private long lastCheckpointAsked;
  private long lastSent;

  /**
   * @param bootstrap the brokers, {@code host:port[,host:port…]}
   * @param properties further producer settings (TLS, SASL, timeouts); the shipper's own cannot be overridden
   * @param checkpointer asks the audit log for a checkpoint over the records written so far; null:
   *     wait for the log's own periodic checkpoints
   */
  public KafkaShipper(String bootstrap, String topic, Map<String, String> properties, PartyId party, Path logDir,
      Path stateDir, int batch, Duration interval, Duration heartbeat,
      @Nullable Supplier<CompletableFuture<Checkpoint>> checkpointer) {
    this(topic, party, logDir, stateDir, batch, interval, heartbeat, checkpointer,
        new KafkaProducer<>(producerProperties(bootstrap, properties)));
  }

  KafkaShipper(String topic, PartyId party, Path logDir, Path stateDir, int batch, Duration interval, Duration heartbeat,
      @Nullable Supplier<CompletableFuture<Checkpoint>> checkpointer, Producer<String, byte[]> producer) {
    super(LOG, "shulian-kafka-shipper", "event_kafka_failed", "topic", topic,
        "audit events not published to Kafka (the log keeps them; publishing resumes): {}", logDir, interval);
    if (batch < 1 || batch > MAX_RECORDS) {
      throw new IllegalArgumentException("collector.batch: 1 to " + MAX_RECORDS + ", got " + batch);
    }
    this.topic = topic;
    this.party = party;
    this.cursorFile = stateDir.resolve(CURSOR_FILE);
    this.batch = batch;
    this.heartbeat = heartbeat;
    this.checkpointer = checkpointer;
    this.producer = producer;
  }

  /** The producer settings: the operator's {@code properties}, then the shipper's fixed ones. */
  static Properties producerProperties(String bootstrap, Map<String, String> properties) {
    Properties p = new Properties();
    p.put(ProducerConfig.CLIENT_ID_CONFIG, "shulian-gateway");
    p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(MAX_REQUEST_BYTES));
    p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, Integer.toString(2 * MAX_REQUEST_BYTES));
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "60000");
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "30000");
    for (Map.Entry<String, String> e : properties.entrySet()) {
      if (FIXED.contains(e.getKey())) {
        throw new IllegalArgumentException("collector.kafka.properties: " + e.getKey() + " is set by the gateway");
      }
      p.put(e.getKey(), e.getValue());
    }
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "5");
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    return p;
  }

  /** The names of producer settings the operator may not set in {@code properties:}. */
  public static Set<String> fixedProperties() {
    return FIXED;
  }

  /** Registers the shipping metrics (label {@code path="kafka"}). */
  public void bindTo(MeterRegistry r) {
    shipped = Counter.builder("shulian.ship.kafka.records").description("audit records the Kafka brokers acknowledged")
        .register(r);
    failures = Counter.builder("shulian.ship.kafka.failures")
        .description("event batches not published to Kafka (brokers unreachable, timeouts)").register(r);
    Gauge.builder("shulian.ship.kafka.lag", this, ShipperThread::lag)
        .baseUnit("records").description("audit records not yet acknowledged by the Kafka brokers").register(r);
  }

  @Override
  boolean shipBatch() throws IOException, AuditException, ExecutionException, TimeoutException, InterruptedException {
    if (logId == null) {
      String id = reader.logId();
      acknowledged.set(readCursor(id));
      logId = id;
    }
    long from = acknowledged.get();
    RecordBatch b = reader.read(from, batch);
    logSize.set(b.logSize());
    Checkpoint cut = lastCheckpointAfter(b, from);
    if (cut == null && records(b) == batch) {
      // more than `batch` records up to the next checkpoint: take a larger run
      b = reader.read(from, MAX_RECORDS);
      cut = lastCheckpointAfter(b, from);
    }
    if (cut == null) {
      long now = System.nanoTime();
      if (records(b) > 0 && checkpointer != null && now - lastCheckpointAsked >= interval.toNanos()) {
        lastCheckpointAsked = now;
        checkpointer.get().get(30, TimeUnit.SECONDS);
        return true; // read again: the checkpoint now covers the records
      }
      if (records(b) >= MAX_RECORDS) {
        throw new IOException("no checkpoint within " + MAX_RECORDS + " records after seq " + from);
      }
      // nothing new for `heartbeat`: the checkpoint at the cursor again, so the hub can tell a
      // quiet gateway from a dead one (the cursor always stands at a checkpoint)
      if (records(b) == 0 && (lastSent == 0 || now - lastSent >= heartbeat.toNanos())) {
        cut = checkpointAt(b, from);
      }
      if (cut == null) {
        return false;
      }
    }
    long end = cut.treeSize();
    byte[] value = json.write(b, end, cut.chainHead());
    ProducerRecord<String, byte[]> rec = new ProducerRecord<>(topic, b.logId(), value);
    rec.headers().add(PARTY_HEADER, party.toString().getBytes(StandardCharsets.UTF_8));
    producer.send(rec).get(90, TimeUnit.SECONDS);
    lastSent = System.nanoTime();
    if (shipped != null) {
      shipped.increment(end - from);
    }
    acknowledged.set(end);
    saveCursor(cursorFile, b.logId(), end);
    if (succeeded() != null) {
      LOG.atInfo().addKeyValue("event", "event_kafka_resumed").addKeyValue("topic", topic)
          .log("audit events published to Kafka again (next seq {})", end);
    }
    return end < b.logSize();
  }

  /** The checkpoint at tree size {@code seq} in the batch, or null. */
  private static @Nullable Checkpoint checkpointAt(RecordBatch b, long seq) {
    for (Checkpoint c : b.checkpoints()) {
      if (c.treeSize() == seq) {
        return c;
      }
    }
    return null;
  }

  /** The checkpoint with the largest tree size past {@code from} in the batch, or null. */
  private static @Nullable Checkpoint lastCheckpointAfter(RecordBatch b, long from) {
    Checkpoint last = null;
    for (Checkpoint c : b.checkpoints()) {
      if (c.treeSize() > from && c.treeSize() <= b.nextSeq() && (last == null || c.treeSize() > last.treeSize())) {
        last = c;
      }
    }
    return last;
  }

  /** The acknowledged position of {@code logId} from the cursor file; 0 if absent or of another log. */
  private long readCursor(String logId) throws IOException {
    String s;
    try {
      s = Files.readString(cursorFile, StandardCharsets.US_ASCII).trim();
    } catch (NoSuchFileException e) {
      return 0;
    }
    String[] f = s.split(" ");
    if (f.length == 2 && f[0].equals(logId)) {
      try {
        return Math.max(0, Long.parseLong(f[1]));
      } catch (NumberFormatException e) {
        // a damaged cursor: start again from 0 (the collector deduplicates)
      }
    }
    return 0;
  }

  @Override
  public void close() {
    super.close();
    producer.close(Duration.ofSeconds(5));
  }

  @Override
  public String toString() {
    return "KafkaShipper{" + topic + "}";
  }
}
