package io.shulian.hub.arch;

import io.shulian.core.testing.CoreBoundary;
import org.junit.jupiter.api.Test;

/**
 * The hub uses sdk-core through its exported API only: nothing in the hub, production code or tests,
 * depends on {@code io.shulian.core.internal}, which the core module does not export.
 */
class CoreBoundaryTest {
  @Test
  void hubAndItsTests_neverDependOnCoreInternals() {
    CoreBoundary.assertNoCoreInternals();
  }
}
