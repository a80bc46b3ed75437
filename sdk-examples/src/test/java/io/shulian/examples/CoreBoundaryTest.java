package io.shulian.examples;

import io.shulian.core.testing.CoreBoundary;
import org.junit.jupiter.api.Test;

/**
 * The examples use sdk-core through its exported API only: nothing in them or their tests depends on
 * {@code io.shulian.core.internal}, which the core module does not export: a recipe shows what a
 * department application can write.
 */
class CoreBoundaryTest {
  @Test
  void examplesAndTheirTests_neverDependOnCoreInternals() {
    CoreBoundary.assertNoCoreInternals();
  }
}
