package io.shulian.gateway.ship;

import io.micrometer.core.instrument.Counter;
import io.shulian.core.audit.AuditLogReader;
import io.shulian.core.audit.RecordBatch;
import io.shulian.core.keys.PartyIdentity;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;

/**
 * What the two shippers share: one daemon thread started once running the batch loop (a batch at
 * once while more is waiting, else one {@code interval} of sleep; after a failure a backoff from the
 * interval doubling up to {@link #MAX_BACKOFF}), the log's cursor, the acknowledged position, the
 * last failure (logged once per distinct reason), interruptible sleeps and a bounded join on close.
 */
abstract class ShipperThread implements AutoCloseable {
  /** Failures back off from the interval doubling up to this. */
  static final Duration MAX_BACKOFF = Duration.ofSeconds(60);

  private final Logger log;
  private final String threadName;
  private final String failEvent;
  private final String targetKey;
  private final Object target;
  private final String failMessage;
  /** The pause between batches when nothing more is waiting, and the first backoff. */
  final Duration interval;
  /** Reads the log batch after batch, keeping what it read (the log files are the buffer). */
  final AuditLogReader.Cursor reader;
  /** The next seq the receiver acknowledged (-1 until known). */
  final AtomicLong acknowledged = new AtomicLong(-1);
  /** How many records the log held at the last read. */
  final AtomicLong logSize = new AtomicLong();
  /** Writes the batches' JSON form. */
  final BatchJson json = new BatchJson();
  private final AtomicReference<@Nullable String> lastFailure = new AtomicReference<>();
  private final AtomicReference<@Nullable Thread> thread = new AtomicReference<>();
  @Nullable Counter failures;
  volatile boolean closed;

  /**
   * @param failEvent the {@code event} of the failure log line; {@code targetKey}/{@code target} name the receiver in it
   * @param failMessage the failure line's message, with one {} for the reason
   */
  ShipperThread(Logger log, String threadName, String failEvent, String targetKey, Object target, String failMessage,
      Path logDir, Duration interval) {
    this.log = log;
    this.interval = interval;
    this.reader = AuditLogReader.cursor(logDir);
    this.threadName = threadName;
    this.failEvent = failEvent;
    this.targetKey = targetKey;
    this.target = target;
    this.failMessage = failMessage;
  }

  /**
   * Ships one batch (or decides there is nothing to send yet).
   *
   * @return true if more is waiting: the next batch is read at once, without sleeping
   * @throws Exception a failed batch: counted and logged, then retried after the backoff
   */
  abstract boolean shipBatch() throws Exception;

  /** Called after a failed batch, before the backoff. */
  void failed(Exception e) {}

  /** The shipping loop; returns when {@link #closed} or interrupted. */
  final void loop() {
    Duration backoff = interval;
    while (!closed) {
      boolean more;
      try {
        more = shipBatch();
        backoff = interval;
      } catch (InterruptedException e) {
        return;
      } catch (Exception e) {
        if (closed) {
          return; // interrupted by close (a read cut short, a client closing)
        }
        fail(describe(e));
        failed(e);
        if (!sleep(backoff)) {
          return;
        }
        backoff = doubled(backoff);
        continue;
      }
      if (!more && !sleep(interval)) {
        return;
      }
    }
  }

  /** The reason of a failed batch for the log line: never a stack trace. */
  static String describe(Exception e) {
    Throwable c = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
    if (c != e) {
      return c.getClass().getSimpleName() + ": " + c.getMessage();
    }
    return e instanceof RuntimeException ? e.toString() : String.valueOf(e.getMessage());
  }

  /** Starts the shipping thread once; later calls do nothing. */
  public void start() {
    if (thread.get() != null || closed) {
      return;
    }
    Thread t = new Thread(this::loop, threadName);
    t.setDaemon(true);
    if (thread.compareAndSet(null, t)) {
      t.start();
    }
  }

  /** The last shipping failure, null after a success. */
  public @Nullable String lastFailure() {
    return lastFailure.get();
  }

  /** The next seq the receiver acknowledged (-1 until known). */
  public long acknowledged() {
    return acknowledged.get();
  }

  /** The records in the log not yet acknowledged. */
  double lag() {
    return Math.max(0, logSize.get() - Math.max(0, acknowledged.get()));
  }

  /** Clears the failure after a success; returns the one cleared, if any. */
  @Nullable String succeeded() {
    return lastFailure.getAndSet(null);
  }

  /** Records a failure: counted, and logged at WARN once per distinct reason (DEBUG when repeated). */
  void fail(@Nullable String why) {
    String w = String.valueOf(why);
    String before = lastFailure.getAndSet(w);
    Counter f = failures;
    if (f != null) {
      f.increment();
    }
    // a receiver that stays away fails every batch: logged once per distinct reason
    (w.equals(before) ? log.atDebug() : log.atWarn()).addKeyValue("event", failEvent).addKeyValue(targetKey, target)
        .log(failMessage, w);
  }

  /** The next backoff: doubled, at most {@link #MAX_BACKOFF}. */
  static Duration doubled(Duration backoff) {
    return backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
  }

  /** Sleeps; false if interrupted or closed meanwhile. */
  boolean sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
      return !closed;
    } catch (InterruptedException e) {
      return false;
    }
  }

  /** The number of records in {@code b} (without copying its bodies, as {@link RecordBatch#bodies} does). */
  static long records(RecordBatch b) {
    return b.nextSeq() - b.firstSeq();
  }

  /** Writes {@code <log id> <next seq>} to the cursor file, atomically. */
  static void saveCursor(Path file, String logId, long next) throws IOException {
    PartyIdentity.writeAtomically(file, (logId + " " + next + "\n").getBytes(StandardCharsets.US_ASCII));
  }

  /** Stops the thread: interrupted, then waited for (at most 5 s). */
  @Override
  public void close() {
    closed = true;
    Thread t = thread.getAndSet(null);
    if (t != null) {
      t.interrupt();
      try {
        t.join(5000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
