package io.shulian.gateway.ops;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.shulian.core.audit.AuditLog;
import io.shulian.core.audit.AuditRecord;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Publishes what is appended to an audit log as Micrometer meters, tagged like the statistics
 * report: {@code provider}, {@code consumer}, {@code resource}, {@code direction}, {@code outcome}
 * (PERMIT or DENY) and {@code reason} (first reason code, or {@code none}). Pass it to {@link
 * AuditLog.Builder#listener}; sdk-core itself does not depend on Micrometer.
 *
 * <ul>
 *   <li>{@code shulian.audit.records} counter: records appended;
 *   <li>{@code shulian.audit.payload.bytes} counter: payload bytes recorded;
 *   <li>{@code shulian.audit.latency} timer: latency of each recorded step (not {@code
 *       shulian.exchange.latency}, the gateway's own histogram: one name cannot be both);
 *   <li>{@code shulian.audit.commit} timer: time to write and force one group of records;
 *   <li>{@code shulian.audit.log.failures} counter: appends refused because the log failed (not
 *       {@code shulian.audit.failures}: the gateway's count of exchanges refused for it).
 * </ul>
 *
 * Meters are cached per tag set, so the cost per record is one map lookup. An instance made with
 * {@link #unbound()} counts nothing until {@link #bind} gives it the registry: the audit log is
 * opened before the gateway that owns the registry ({@code shulian gateway} binds it through {@code
 * Gateway.Builder#meters}). Thread-safe.
 */
public final class AuditMeters implements AuditLog.Listener {
  private final Map<List<String>, Meters> meters = new ConcurrentHashMap<>();
  private volatile @Nullable Bound bound;

  /** The registry and the meters without tags, once bound. */
  private static final class Bound {
    final MeterRegistry registry;
    final Counter failures;
    final Timer commits;

    Bound(MeterRegistry registry) {
      this.registry = registry;
      this.failures = Counter.builder("shulian.audit.log.failures")
          .description("audit appends refused because the log could not be written")
          .register(registry);
      this.commits = Timer.builder("shulian.audit.commit")
          .description("time to write and force one group of audit records")
          .register(registry);
    }
  }

  private static final class Meters {
    final Counter records;
    final Counter bytes;
    final Timer latency;

    Meters(Counter records, Counter bytes, Timer latency) {
      this.records = records;
      this.bytes = bytes;
      this.latency = latency;
    }
  }

  public AuditMeters(MeterRegistry registry) {
    bind(registry);
  }

  private AuditMeters() {}

  /** Meters that count nothing until {@link #bind}. */
  public static AuditMeters unbound() {
    return new AuditMeters();
  }

  /**
   * Publishes the meters on {@code registry} from now on.
   *
   * @throws IllegalStateException if already bound
   */
  public synchronized void bind(MeterRegistry registry) {
    if (bound != null) {
      throw new IllegalStateException("already bound to a registry");
    }
    bound = new Bound(Objects.requireNonNull(registry, "registry"));
  }

  @Override
  public void onAppend(AuditRecord r) {
    Bound b = bound;
    if (b == null) {
      return;
    }
    String reason = r.decision().reasonCodes().isEmpty() ? "none" : r.decision().reasonCodes().get(0);
    List<String> key = List.of(r.provider(), r.consumer(), r.resource(),
        r.direction().name(), r.decision().effect().name(), reason);
    Meters m = meters.computeIfAbsent(key, k -> create(b.registry, k));
    m.records.increment();
    m.bytes.increment(r.payloadBytes());
    m.latency.record(r.latency().toNanos(), TimeUnit.NANOSECONDS);
  }

  @Override
  public void onCommit(int records, long durationNanos) {
    Bound b = bound;
    if (b != null) {
      b.commits.record(durationNanos, TimeUnit.NANOSECONDS);
    }
  }

  @Override
  public void onFailure() {
    Bound b = bound;
    if (b != null) {
      b.failures.increment();
    }
  }

  private static Meters create(MeterRegistry registry, List<String> k) {
    String[] tags = {"provider", k.get(0), "consumer", k.get(1), "resource", k.get(2), "direction", k.get(3),
        "outcome", k.get(4), "reason", k.get(5)};
    return new Meters(
        Counter.builder("shulian.audit.records").description("audit records appended").tags(tags).register(registry),
        Counter.builder("shulian.audit.payload.bytes").description("payload bytes recorded").baseUnit("bytes")
            .tags(tags).register(registry),
        Timer.builder("shulian.audit.latency").description("latency of recorded exchange steps, as audited")
            .publishPercentiles(0.5, 0.95).tags(tags).register(registry));
  }
}
