package io.shulian.gateway.config;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Failures of one periodic reload (the city bundle, the policy set from it): a counter per reason
 * class for the metrics, and the last failure for the {@code /readyz} warnings until the next
 * success. The reasons are a fixed lower-case set named up front, plus {@value #OTHER}, so the
 * metric's label values stay bounded whatever fails. Thread-safe.
 */
final class ReloadStatus {
  /** The reason of a failure that the classifier does not name. */
  static final String OTHER = "other";

  private final Map<String, AtomicLong> failures = new LinkedHashMap<>();
  private final AtomicLong total = new AtomicLong();
  private final Function<Throwable, String> reasonOf;
  private volatile @Nullable String lastFailure;
  /** The reason of the failure that ended the previous attempt; null after a success. */
  private volatile @Nullable String lastReason;

  /**
   * @param reasons the reason classes (lower-case snake case), each counted from zero
   * @param reasonOf the reason class of a failure; a value outside {@code reasons} counts as {@value #OTHER}
   */
  ReloadStatus(List<String> reasons, Function<Throwable, String> reasonOf) {
    reasons.forEach(r -> failures.put(r, new AtomicLong()));
    failures.putIfAbsent(OTHER, new AtomicLong());
    this.reasonOf = reasonOf;
  }

  /**
   * Records a failure. Returns true if it is news to the operator: the previous attempt succeeded
   * or failed for another reason. A file left broken fails every poll for the same reason, which
   * is then logged once, not once per poll. Attempts of one reload run one at a time.
   */
  boolean failed(Throwable e) {
    String reason = describe(e);
    lastFailure = Instant.now() + ": " + reason;
    AtomicLong n = failures.get(reasonOf.apply(e));
    (n != null ? n : java.util.Objects.requireNonNull(failures.get(OTHER))).incrementAndGet();
    total.incrementAndGet();
    boolean news = !reason.equals(lastReason);
    lastReason = reason;
    return news;
  }

  /** Records a success; returns true if it ends a run of failures (a recovery worth a log line). */
  boolean succeeded() {
    lastFailure = null;
    boolean recovered = lastReason != null;
    lastReason = null;
    return recovered;
  }

  /** How many attempts failed so far. */
  long failures() {
    return total.get();
  }

  /** The last failure (time and reason) since the last success; null if none. */
  @Nullable String lastFailure() {
    return lastFailure;
  }

  /** Registers {@code name} (e.g. {@code shulian.bundle.reload.failures}) counting the failures, tagged {@code reason}. */
  void bindTo(MeterRegistry registry, String name, String description) {
    failures.forEach((reason, n) -> FunctionCounter.builder(name, n, AtomicLong::get).description(description)
        .tag("reason", reason).register(registry));
  }

  /** A one-line reason for an operator; never a stack trace. */
  static String describe(Throwable e) {
    return e instanceof java.io.IOException || e instanceof io.shulian.core.ShulianException
        ? String.valueOf(e.getMessage()) : e.getClass().getSimpleName() + ": " + e.getMessage();
  }
}
