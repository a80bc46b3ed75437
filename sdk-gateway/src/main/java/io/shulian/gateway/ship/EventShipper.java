package io.shulian.gateway.ship;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.shulian.core.audit.AuditException;
import io.shulian.core.audit.AuditLogReader;
import io.shulian.core.audit.RecordBatch;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ships the gateway's audit log to the city collector ({@code POST /v1/events}) from its own
 * thread: never on the exchange path, and with no queue of its own — the log files are the buffer.
 * It reads a batch of records as stored (with the checkpoints among them and the signing
 * certificates) through an {@link AuditLogReader.Cursor} (which keeps what it read between batches),
 * sends it over TLS with the gateway's city-CA identity, and moves its cursor to the {@code nextSeq} the hub acknowledged, kept in
 * {@code <state dir>/ship-cursor}. On start, and after any refusal, it asks the hub where the log
 * stands ({@code GET /v1/events/logs/<logId>}): the hub's word wins, so a restarted gateway or a
 * restored hub database resumes without loss or duplicates (duplicates would be harmless anyway).
 * A hub that is away only delays shipping: failures back off from the interval doubling to 60 s,
 * and the backlog is sent batch after batch when the hub is back. With nothing new, an empty batch
 * every {@code heartbeat} tells the hub the gateway is alive.
 *
 * <p>Metrics: {@code shulian_ship_records_total} (records the hub stored), {@code
 * shulian_ship_failures_total} (batches not accepted), {@code shulian_ship_lag_records} (records in
 * the log the hub has not acknowledged).
 */
public final class EventShipper extends ShipperThread {
  private static final Logger LOG = LoggerFactory.getLogger(EventShipper.class);
  /** The cursor file in the state directory: {@code <log id> <next seq>}. */
  public static final String CURSOR_FILE = "ship-cursor";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final URI hub;
  private final Path cursorFile;
  private final int batch;
  private final Duration heartbeat;
  private final HttpClient http;
  private @Nullable Counter shipped;
  /** The shipping thread's state: the log being shipped, when the last batch went out, whether to ask the hub first. */
  private @Nullable String logId;
  private long lastSent;
  private boolean askHub = true;

  /**
   * @param hub the collector URL, {@code https://…/v1/events}
   * @param tls the gateway's client TLS context (its city-CA identity; the hub checked against the city trust)
   */
  public EventShipper(URI hub, Path logDir, Path stateDir, int batch, Duration interval, Duration heartbeat, SSLContext tls) {
    super(LOG, "shulian-event-shipper", "event_ship_failed", "hub", hub,
        "audit events not shipped to the collector (the log keeps them; shipping resumes): {}", logDir, interval);
    if (!"https".equals(hub.getScheme())) {
      throw new IllegalArgumentException("collector.hub must be an https:// URL");
    }
    if (batch < 1 || batch > 10_000) {
      throw new IllegalArgumentException("collector.batch: 1 to 10000, got " + batch);
    }
    this.hub = hub;
    this.cursorFile = stateDir.resolve(CURSOR_FILE);
    this.batch = batch;
    this.heartbeat = heartbeat;
    this.http = HttpClient.newBuilder().sslContext(tls).connectTimeout(Duration.ofSeconds(10))
        .followRedirects(HttpClient.Redirect.NEVER).build();
  }

  /** Registers the shipping metrics. */
  public void bindTo(MeterRegistry r) {
    shipped = Counter.builder("shulian.ship.records").description("audit records the city collector stored").register(r);
    failures = Counter.builder("shulian.ship.failures")
        .description("event batches the city collector did not accept (unreachable, refused)").register(r);
    Gauge.builder("shulian.ship.lag", this, ShipperThread::lag)
        .baseUnit("records").description("audit records not yet acknowledged by the city collector").register(r);
  }

  @Override
  boolean shipBatch() throws IOException, AuditException, InterruptedException {
    String id = logId;
    if (askHub || id == null) {
      id = reader.logId();
      acknowledged.set(cursorAtHub(id));
      saveCursor(id, acknowledged.get());
      logId = id;
      askHub = false;
    }
    RecordBatch b = reader.read(acknowledged.get(), batch);
    logSize.set(b.logSize());
    long now = System.nanoTime();
    long records = records(b);
    if (records == 0 && lastSent != 0 && now - lastSent < heartbeat.toNanos()) {
      return false;
    }
    JsonNode ack = post(b, json.write(b, b.nextSeq(), b.chainHead()));
    lastSent = now;
    long next = ack.path("nextSeq").asLong(-1);
    if (next < 0) {
      throw new IOException("the hub's answer has no nextSeq");
    }
    if (shipped != null) {
      shipped.increment(ack.path("stored").asLong(0));
    }
    acknowledged.set(next);
    saveCursor(b.logId(), next);
    succeeded();
    return records == batch;
  }

  @Override
  void failed(Exception e) {
    if (e instanceof Refused) {
      askHub = true;
    }
  }

  /** A refusal by the hub (4xx): the cursor is asked again before the next batch. */
  private static final class Refused extends IOException {
    private static final long serialVersionUID = 1L;

    Refused(String message) {
      super(message);
    }
  }

  private long cursorAtHub(String logId) throws IOException, InterruptedException {
    URI u = URI.create(hub + "/logs/" + logId);
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(u).timeout(Duration.ofSeconds(30)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() == 404) {
      return 0; // the hub has never seen this log: ship it from the start
    }
    if (r.statusCode() != 200) {
      throw new IOException("the hub answered " + r.statusCode() + " when asked for the log cursor");
    }
    long n = JSON.readTree(r.body()).path("nextSeq").asLong(-1);
    if (n < 0) {
      throw new IOException("the hub's log cursor has no nextSeq");
    }
    return n;
  }

  /** Returns the collector's JSON form of a batch (the body of {@code POST /v1/events}). */
  public static byte[] toJson(RecordBatch b) {
    return new BatchJson().write(b, b.nextSeq(), b.chainHead());
  }

  private JsonNode post(RecordBatch b, byte[] body) throws IOException, InterruptedException {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(hub).timeout(Duration.ofSeconds(60))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
        HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() == 200) {
      return JSON.readTree(r.body());
    }
    String code = "";
    try {
      code = JSON.readTree(r.body()).path("code").asText("");
    } catch (IOException e) {
      // not a problem document
    }
    String msg = "the hub answered " + r.statusCode() + (code.isEmpty() ? "" : " " + code) + " for seq " + b.firstSeq()
        + ".." + (b.nextSeq() - 1);
    if (r.statusCode() >= 400 && r.statusCode() < 500 && r.statusCode() != 429) {
      throw new Refused(msg);
    }
    throw new IOException(msg);
  }

  private void saveCursor(String logId, long next) throws IOException {
    saveCursor(cursorFile, logId, next);
  }

  @Override
  public String toString() {
    return "EventShipper{" + hub + "}";
  }
}
