package io.shulian.core.arch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.module.ModuleDescriptor;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The exported surface of sdk-core is checked, not assumed: the module exports only API packages,
 * no exposed signature names a third-party type, and every change to a public signature shows as
 * a diff of {@code sdk-core/api/sdk-core.api}.
 */
class ApiSurfaceTest {
  static final Path LISTING = Path.of("api", "sdk-core.api");
  /** Types of these libraries stay behind the internal adapters. */
  static final List<String> THIRD_PARTY = List.of(
      "org.bouncycastle.", "com.fasterxml.", "com.nimbusds.", "io.netty.", "io.micrometer.",
      "com.github.benmanes.", "org.yaml.", "org.slf4j.");

  @Test
  void module_exportsOnlyApiPackages_unqualified() {
    ModuleDescriptor d = ApiSurface.descriptor();
    Set<String> apiPackages = new TreeSet<>();
    for (String p : d.packages()) {
      if (!p.contains(".internal")) {
        apiPackages.add(p);
      }
    }
    assertThat(d.isAutomatic()).isFalse();
    assertThat(d.exports()).allSatisfy(e -> {
      assertThat(e.source()).doesNotContain(".internal");
      assertThat(e.isQualified()).as("qualified export of " + e.source()).isFalse();
    });
    assertThat(ApiSurface.exportedPackages()).isEqualTo(apiPackages);
    assertThat(d.opens()).isEmpty();
  }

  @Test
  void exportedSignatures_nameNoThirdPartyType() {
    List<String> offending = new ArrayList<>();
    for (Class<?> c : ApiSurface.publicTypes()) {
      for (String s : ApiSurface.mentions(c)) {
        for (String prefix : THIRD_PARTY) {
          if (s.contains(prefix)) {
            offending.add(s);
            break;
          }
        }
      }
    }
    assertThat(offending).as("public or protected signatures of exported packages naming a third-party type").isEmpty();
  }

  @Test
  void exportedSignatures_nameNoInternalType() {
    List<String> offending = new ArrayList<>();
    for (Class<?> c : ApiSurface.publicTypes()) {
      for (String s : ApiSurface.mentions(c)) {
        if (s.contains("io.shulian.core.internal.")) {
          offending.add(s);
        }
      }
    }
    assertThat(offending).as("public or protected signatures of exported packages naming an internal type").isEmpty();
  }

  @Test
  void exportedMembers_includeNoInternalEscapeHatch() {
    assertThat(ApiSurface.listing()).noneMatch(l -> l.matches(".*\\.internal[A-Z]\\w*\\(.*"));
  }

  /**
   * Compares the API listing with the checked-in one. After an intended API change regenerate it
   * with {@code mvn -pl sdk-core -am test -Dtest=ApiSurfaceTest -Dsurefire.failIfNoSpecifiedTests=false
   * -Dshulian.api.update=true} and commit the diff.
   */
  @Test
  void apiListing_matchesCheckedInFile() throws IOException {
    String actual = String.join("\n", ApiSurface.listing()) + "\n";
    if (Boolean.getBoolean("shulian.api.update")) {
      Files.createDirectories(LISTING.getParent());
      Files.writeString(LISTING, actual, StandardCharsets.UTF_8);
    }
    String expected = Files.exists(LISTING) ? Files.readString(LISTING, StandardCharsets.UTF_8) : "";
    if (!actual.equals(expected)) {
      throw new AssertionError("the public API of sdk-core differs from " + LISTING.toAbsolutePath()
          + ":\n" + diff(expected, actual)
          + "\nIf the change is intended, regenerate the listing with\n  mvn -B -pl sdk-core -am test"
          + " -Dtest=ApiSurfaceTest -Dsurefire.failIfNoSpecifiedTests=false -Dshulian.api.update=true\n"
          + "and commit sdk-core/api/sdk-core.api with the change.");
    }
  }

  private static String diff(String expected, String actual) {
    Set<String> e = new TreeSet<>(List.of(expected.split("\n")));
    Set<String> a = new TreeSet<>(List.of(actual.split("\n")));
    StringBuilder b = new StringBuilder();
    for (String l : e) {
      if (!a.contains(l) && !l.isEmpty()) {
        b.append("- ").append(l).append('\n');
      }
    }
    for (String l : a) {
      if (!e.contains(l)) {
        b.append("+ ").append(l).append('\n');
      }
    }
    return b.toString();
  }
}
