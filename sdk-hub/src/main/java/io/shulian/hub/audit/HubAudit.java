package io.shulian.hub.audit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.shulian.core.audit.AuditDecision;
import io.shulian.core.audit.AuditException;
import io.shulian.core.audit.AuditLog;
import io.shulian.core.audit.AuditRecord;
import io.shulian.core.keys.PartyIdentity;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hub's one path to its audit log ({@code dataDir/audit}), shared by publishing, incident
 * actions, applications and objections (and catalog reviews).
 *
 * <p><b>Fail closed.</b> A state change calls {@link #append} inside its database transaction,
 * after its own statements and before the commit, and rolls back when it throws: so no change is
 * committed without a durable record of it. Should the commit itself then fail, {@link #voided}
 * adds a record saying the change was not made. A crash between the record and the commit leaves
 * a record of a change the database does not hold — never the reverse.
 *
 * <p><b>Recovery.</b> {@link AuditLog} stops writing at its first failure (a vanished or replaced
 * file, a full disk). This class then tries to reopen the log at most once a second — on the next
 * append or {@link #problem} (readiness) — so the hub works again as soon as the directory is
 * repaired, without a restart. A record whose append failed may still have reached the file
 * before the failure was seen; after reopening, one {@code NOT_COMMITTED} record is appended for
 * each such record (the newest {@value #MAX_PENDING_VOIDS}), since none of those changes was
 * committed.
 *
 * <p>Metrics: {@code shulian_hub_audit_failures_total} (state changes refused or records lost
 * because the log could not write) and {@code shulian_hub_audit_writable} (1 or 0). Thread-safe.
 */
public final class HubAudit implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(HubAudit.class);
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final long REOPEN_NANOS = TimeUnit.SECONDS.toNanos(1);
  /** How many failed records are remembered for their {@code NOT_COMMITTED} record. */
  static final int MAX_PENDING_VOIDS = 1000;

  private final Path dir;
  private final PartyIdentity identity;
  private final Counter failures;
  private volatile @Nullable AuditLog log;
  private volatile String lastProblem = "";
  private volatile boolean closed;
  /** Guarded by this. */
  private long lastReopenNanos;
  /** Records whose append failed, to be voided after reopening; guarded by this. */
  private final Deque<AuditRecord> pendingVoids = new ArrayDeque<>();

  private HubAudit(Path dir, PartyIdentity identity, AuditLog log, MeterRegistry registry) {
    this.dir = dir;
    this.identity = identity;
    this.log = log;
    this.failures = Counter.builder("shulian.hub.audit.failures")
        .description("state changes refused or records not written because the hub's audit log could not write")
        .register(registry);
    Gauge.builder("shulian.hub.audit.writable", this, a -> a.writableNow() ? 1 : 0)
        .description("1 while the hub's audit log is writable").register(registry);
  }

  /**
   * Opens (creating it if needed) the audit log in {@code dir}, signing checkpoints with {@code
   * identity}'s key.
   *
   * @throws AuditException if the log cannot be opened (it is damaged, locked or not writable)
   */
  public static HubAudit open(Path dir, PartyIdentity identity, MeterRegistry registry) throws AuditException {
    return new HubAudit(dir, identity, AuditLog.builder(dir, identity).open(), registry);
  }

  /**
   * Appends {@code record} and waits until it is durable. Call it inside the transaction of the
   * change it records, before the commit.
   *
   * @throws AuditUnavailableException if the record is not durable: the caller must not commit
   */
  public void append(AuditRecord record) throws AuditUnavailableException {
    AuditLog l = requireLog();
    try {
      l.append(record).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException | InterruptedException | RuntimeException e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      failures.increment();
      remember(record);
      Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
      LOG.atError().addKeyValue("event", "hub_audit_failed").addKeyValue("resource", record.resource())
          .log("audit record not written; the change is refused: {}", cause.toString());
      throw new AuditUnavailableException("the hub's audit log is not writable", cause);
    }
  }

  /** The step of a transaction that appends its record: call it after the change's statements, before the commit. */
  @FunctionalInterface
  public interface BeforeCommit {
    void append() throws AuditUnavailableException;
  }

  /** A database transaction that calls its {@link BeforeCommit} right before it commits. */
  @FunctionalInterface
  public interface Transaction<T> {
    T run(BeforeCommit beforeCommit) throws SQLException, AuditUnavailableException;
  }

  /**
   * Runs {@code tx}, whose {@link BeforeCommit} appends {@code record}; when the record was
   * appended but the transaction then failed or did not commit ({@code committed} false), adds the
   * record's {@code NOT_COMMITTED} record ({@link #voided}).
   *
   * @throws AuditUnavailableException if the record could not be appended (nothing was committed)
   * @throws SQLException if the database failed
   */
  public <T> T commitWith(AuditRecord record, Transaction<T> tx, Predicate<T> committed)
      throws SQLException, AuditUnavailableException {
    AtomicBoolean appended = new AtomicBoolean();
    T result;
    try {
      result = tx.run(() -> {
        append(record);
        appended.set(true);
      });
    } catch (SQLException | RuntimeException e) {
      if (appended.get()) {
        voided(record, "DATABASE_UNAVAILABLE");
      }
      throw e;
    }
    if (appended.get() && !committed.test(result)) {
      voided(record, "CONFLICT");
    }
    return result;
  }

  /**
   * Appends a record of something that changes no state (a refusal) or that is already committed:
   * best effort, a failure is logged and counted, never thrown.
   */
  public void note(AuditRecord record) {
    try {
      append(record);
    } catch (AuditUnavailableException e) {
      // logged and counted by append
    }
  }

  /**
   * Records that the change {@code record} described was not committed after all (the database
   * refused the commit): a record with outcome {@code NOT_COMMITTED} and {@code code}.
   */
  public void voided(AuditRecord record, String code) {
    AuditRecord v = voidOf(record, code);
    try {
      append(v);
    } catch (AuditUnavailableException e) {
      // remembered by append: written once the log is reopened
    }
  }

  /**
   * Refuses early, before any side effect, while the log is not writable (reopening it when due).
   *
   * @throws AuditUnavailableException if it is not writable
   */
  public void checkWritable() throws AuditUnavailableException {
    requireLog();
  }

  private AuditLog requireLog() throws AuditUnavailableException {
    AuditLog l = writableLog();
    if (l == null) {
      failures.increment();
      throw new AuditUnavailableException("the hub's audit log is not writable: " + lastProblem);
    }
    return l;
  }

  /** Empty while the log is writable, else what is wrong; reopens a failed log when due. */
  public Optional<String> problem() {
    return writableLog() == null ? Optional.of("audit log not writable: " + lastProblem) : Optional.empty();
  }

  /** Whether the log is writable now, without trying to reopen it. */
  private boolean writableNow() {
    AuditLog l = log;
    return l != null && l.failure().isEmpty();
  }

  /** The open log if it is writable, after reopening a failed one when due; null if not writable. */
  private @Nullable AuditLog writableLog() {
    AuditLog l = log;
    if (l != null && l.failure().isEmpty()) {
      return l;
    }
    if (closed) {
      lastProblem = "closed";
      return null;
    }
    return reopenIfDue();
  }

  private synchronized @Nullable AuditLog reopenIfDue() {
    AuditLog l = log;
    if (l != null) {
      if (l.failure().isEmpty()) {
        return l;
      }
      lastProblem = String.valueOf(l.failure().get().getMessage());
      // the failed writer still holds the directory's lock: release it before reopening
      l.close();
      log = null;
    }
    long now = System.nanoTime();
    if (lastReopenNanos != 0 && now - lastReopenNanos < REOPEN_NANOS) {
      return null;
    }
    lastReopenNanos = now;
    AuditLog fresh;
    try {
      fresh = AuditLog.builder(dir, identity).open();
    } catch (AuditException | RuntimeException e) {
      lastProblem = String.valueOf(e.getMessage());
      LOG.atWarn().addKeyValue("event", "hub_audit_reopen_failed").log("the audit log cannot be reopened yet: {}", lastProblem);
      return null;
    }
    LOG.atWarn().addKeyValue("event", "hub_audit_reopened").addKeyValue("voided", pendingVoids.size())
        .log("the audit log is writable again");
    while (!pendingVoids.isEmpty()) {
      AuditRecord v = voidOf(pendingVoids.peekFirst(), AuditUnavailableException.CODE);
      try {
        fresh.append(v).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        pendingVoids.removeFirst();
      } catch (ExecutionException | TimeoutException | InterruptedException | RuntimeException e) {
        if (e instanceof InterruptedException) {
          Thread.currentThread().interrupt();
        }
        lastProblem = e.toString();
        fresh.close();
        return null;
      }
    }
    log = fresh;
    return fresh;
  }

  private synchronized void remember(AuditRecord record) {
    if (pendingVoids.size() >= MAX_PENDING_VOIDS) {
      pendingVoids.removeFirst();
    }
    pendingVoids.addLast(record);
  }

  private static final String NOT_COMMITTED = "NOT_COMMITTED";

  /** {@code r} as not committed (same envelope id, resource and digest); a void record stays as it is. */
  private static AuditRecord voidOf(AuditRecord r, String code) {
    if (r.outcome().equals(NOT_COMMITTED)) {
      return r;
    }
    return r.toBuilder()
        .time(Instant.now())
        .decision(AuditDecision.builder(AuditDecision.Effect.DENY).reasonCodes(List.of(NOT_COMMITTED, code)).build())
        .outcome(NOT_COMMITTED)
        .status(503)
        .latency(Duration.between(r.time(), Instant.now()).abs())
        .build();
  }

  /** The SHA-256 of {@code b} (the payload digest of the hub's records and its bundle rows). */
  public static byte[] sha256(byte[] b) {
    try {
      return java.security.MessageDigest.getInstance("SHA-256").digest(b);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public synchronized void close() {
    closed = true;
    AuditLog l = log;
    log = null;
    if (l != null) {
      l.close();
    }
  }
}
