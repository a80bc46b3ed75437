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

  /** Records a failure and returns how many there were so far. */
  long failed(String reason) {
    lastFailure = Instant.now() + ": " + reason;
    return failures.incrementAndGet();
  }

  void succeeded() {
    lastFailure = null;
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
