package io.shulian.benchmarks;

import io.shulian.core.testing.CoreBoundary;
import org.junit.jupiter.api.Test;

/**
 * The benchmarks use sdk-core through its exported API, and the white-box ones through {@code
 * io.shulian.core.testing.Primitives} (sdk-core's test jar): none depends on {@code
 * io.shulian.core.internal}.
 */
class CoreBoundaryTest {
  @Test
  void benchmarks_neverDependOnCoreInternals() {
    CoreBoundary.assertNoCoreInternals();
  }
}
