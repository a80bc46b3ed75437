package io.shulian.spring.boot;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import io.shulian.core.testing.CoreBoundary;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The starter uses sdk-core through its exported API only, as a department's own code would; and
 * its production classes use neither the gateway (a test-only dependency here) nor any test helper.
 */
class CoreBoundaryTest {
  @Test
  void starterAndItsTests_neverDependOnCoreInternals() {
    CoreBoundary.assertNoCoreInternals();
  }

  @Test
  void starterClasses_neverDependOnTheGatewayOrTestHelpers() {
    noClasses().should().dependOnClassesThat()
        .resideInAnyPackage("io.shulian.gateway..", "io.shulian.hub..", "io.shulian.core.testing..")
        .because("the starter's only Shulian dependency is sdk-core's API")
        .check(new ClassFileImporter().importPath(Path.of("target", "classes")));
  }
}
