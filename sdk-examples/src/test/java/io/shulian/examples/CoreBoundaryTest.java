package io.shulian.examples;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The examples use sdk-core through its exported API only: nothing in them
 * depends on {@code io.shulian.core.internal}, which the core module does not export: a recipe
 * shows what a department application can write.
 */
class CoreBoundaryTest {
  @Test
  void examples_neverDependOnCoreInternals() {
    JavaClasses examples = new ClassFileImporter().importPath(Path.of("target", "classes"));
    noClasses().that().resideInAPackage("io.shulian.examples..")
        .should().dependOnClassesThat().resideInAPackage("io.shulian.core.internal..")
        .check(examples);
  }
}
