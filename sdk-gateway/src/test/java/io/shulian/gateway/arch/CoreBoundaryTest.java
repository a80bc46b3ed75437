package io.shulian.gateway.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The gateway uses sdk-core through its exported API only: nothing in the gateway's production code
 * depends on {@code io.shulian.core.internal}, which the core module does not export. (Test
 * fixtures that forge certificates and audit segments use internals on the class path.)
 */
class CoreBoundaryTest {
  @Test
  void gateway_neverDependsOnCoreInternals() {
    JavaClasses gateway = new ClassFileImporter().importPath(Path.of("target", "classes"));
    noClasses().that().resideInAPackage("io.shulian.gateway..")
        .should().dependOnClassesThat().resideInAPackage("io.shulian.core.internal..")
        .check(gateway);
  }
}
