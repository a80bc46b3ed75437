package io.shulian.core.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Dependencies of sdk-core point one way: the gateway builds on the core, never the reverse. */
class DependencyRulesTest {
  static JavaClasses core;

  @BeforeAll
  static void importCore() {
    core = new ClassFileImporter().importPath(ApiSurface.CLASSES);
  }

  @Test
  void core_neverDependsOnGateway() {
    noClasses().that().resideInAPackage("io.shulian.core..")
        .should().dependOnClassesThat().resideInAPackage("io.shulian.gateway..")
        .check(core);
  }

  @Test
  void core_neverDependsOnNettyOrMicrometer() {
    noClasses().that().resideInAPackage("io.shulian.core..")
        .should().dependOnClassesThat().resideInAnyPackage("io.netty..", "io.micrometer..")
        .because("sdk-core is embedded by department applications that bring neither")
        .check(core);
  }
}
