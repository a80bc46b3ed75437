package io.shulian.gateway.arch;

import io.shulian.core.testing.CoreBoundary;
import org.junit.jupiter.api.Test;

/**
 * The gateway uses sdk-core through its exported API only: nothing in the gateway, production code
 * or tests, depends on {@code io.shulian.core.internal}, which the core module does not export.
 * Test fixtures that forge certificates and audit segments use {@code io.shulian.core.testing}.
 */
class CoreBoundaryTest {
  @Test
  void gatewayAndItsTests_neverDependOnCoreInternals() {
    CoreBoundary.assertNoCoreInternals();
  }
}
