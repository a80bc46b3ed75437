package io.shulian.gateway.config;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * Failures of one periodic reload (the city bundle, the policy set from it): a counter for the
 * metrics, and the last failure for the {@code /readyz} warnings until the next success.
 * Thread-safe.
 */
final class ReloadStatus {
  private final AtomicLong failures = new AtomicLong();
  private volatile @Nullable String lastFailure;
  /** The reason of the failure that ended the previous attempt; null after a success. */
  private volatile @Nullable String lastReason;

  /**
   * Records a failure. Returns true if it is news to the operator: the previous attempt succeeded
   * or failed for another reason. A file left broken fails every poll for the same reason, which
   * is then logged once, not once per poll. Attempts of one reload run one at a time.
   */
  boolean failed(String reason) {
    lastFailure = Instant.now() + ": " + reason;
    failures.incrementAndGet();
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
    return failures.get();
  }

  /** The last failure (time and reason) since the last success; null if none. */
  @Nullable String lastFailure() {
    return lastFailure;
  }

  /** Registers {@code name} (e.g. {@code shulian.bundle.reload.failures}) counting the failures. */
  void bindTo(MeterRegistry registry, String name, String description) {
    FunctionCounter.builder(name, failures, AtomicLong::get).description(description).register(registry);
  }

  /** A one-line reason for an operator; never a stack trace. */
  static String describe(Throwable e) {
    return e instanceof java.io.IOException || e instanceof io.shulian.core.ShulianException
        ? String.valueOf(e.getMessage()) : e.getClass().getSimpleName() + ": " + e.getMessage();
  }
}
