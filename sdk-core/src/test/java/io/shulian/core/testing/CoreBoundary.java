package io.shulian.core.testing;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The rule every module besides sdk-core checks on itself (issue 14): no class it compiles, production
 * or test, depends on {@code io.shulian.core.internal}. What a test or benchmark needs from inside
 * the core comes from this package (sdk-core's test jar), which may use the internals because it is
 * compiled with sdk-core.
 */
public final class CoreBoundary {
  private CoreBoundary() {}

  /**
   * Checks the classes of the module whose tests run in the working directory ({@code
   * target/classes} and {@code target/test-classes}); fails with the offending dependencies listed.
   */
  public static void assertNoCoreInternals() {
    List<Path> dirs = List.of(Path.of("target", "classes"), Path.of("target", "test-classes"));
    for (Path d : dirs) {
      if (!Files.isDirectory(d)) {
        throw new AssertionError("no compiled classes in " + d.toAbsolutePath() + ": nothing to check");
      }
    }
    JavaClasses classes = new ClassFileImporter().importPaths(dirs);
    noClasses().should().dependOnClassesThat().resideInAPackage("io.shulian.core.internal..")
        .because("sdk-core exports only its API packages; tests use io.shulian.core.testing instead")
        .check(classes);
  }
}
