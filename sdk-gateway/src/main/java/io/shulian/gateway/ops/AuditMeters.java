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

/**
 * Publishes what is appended to an audit log as Micrometer meters, tagged like the statistics
 * report: {@code provider}, {@code consumer}, {@code resource}, {@code direction}, {@code outcome}
 * (PERMIT or DENY) and {@code reason} (first reason code, or {@code none}). Pass it to {@link
 * AuditLog.Builder#listener}; sdk-core itself does not depend on Micrometer.
 *
 * <ul>
 *   <li>{@code shulian.audit.records} counter: records appended;
 *   <li>{@code shulian.audit.payload.bytes} counter: payload bytes recorded;
 *   <li>{@code shulian.exchange.latency} timer: latency of each recorded step;
 *   <li>{@code shulian.audit.commit} timer: time to write and force one group of records;
 *   <li>{@code shulian.audit.failures} counter: appends refused because the log failed.
 * </ul>
 *
 * Meters are cached per tag set, so the cost per record is one map lookup. Thread-safe.
 */
public final class AuditMeters implements AuditLog.Listener {
  private final MeterRegistry registry;
  private final Map<List<String>, Meters> meters = new ConcurrentHashMap<>();
  private final Counter failures;
  private final Timer commits;

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
    this.registry = Objects.requireNonNull(registry, "registry");
    this.failures = Counter.builder("shulian.audit.failures")
        .description("audit appends refused because the log could not be written")
        .register(registry);
    this.commits = Timer.builder("shulian.audit.commit")
        .description("time to write and force one group of audit records")
        .register(registry);
  }

  @Override
  public void onAppend(AuditRecord r) {
    String reason = r.decision().reasonCodes().isEmpty() ? "none" : r.decision().reasonCodes().get(0);
    List<String> key = List.of(r.provider(), r.consumer(), r.resource(),
        r.direction().name(), r.decision().effect().name(), reason);
    Meters m = meters.computeIfAbsent(key, this::create);
    m.records.increment();
    m.bytes.increment(r.payloadBytes());
    m.latency.record(r.latency().toNanos(), TimeUnit.NANOSECONDS);
  }

  @Override
  public void onCommit(int records, long durationNanos) {
    commits.record(durationNanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void onFailure() {
    failures.increment();
  }

  private Meters create(List<String> k) {
    String[] tags = {"provider", k.get(0), "consumer", k.get(1), "resource", k.get(2), "direction", k.get(3),
        "outcome", k.get(4), "reason", k.get(5)};
    return new Meters(
        Counter.builder("shulian.audit.records").description("audit records appended").tags(tags).register(registry),
        Counter.builder("shulian.audit.payload.bytes").description("payload bytes recorded").baseUnit("bytes")
            .tags(tags).register(registry),
        Timer.builder("shulian.exchange.latency").description("latency of recorded exchange steps")
            .publishPercentiles(0.5, 0.95).tags(tags).register(registry));
  }
}
