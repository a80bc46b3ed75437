package io.shulian.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13: every configuration problem is reported at once, each as {@code file:line:column:
 * path: message}, in the operator's terms (no Jackson or Java names), with the nearest known key
 * suggested for an unknown one.
 */
class ConfigErrorsTest {
  @TempDir Path dir;

  /** The 1-based column of {@code token} in {@code line}. */
  static int col(String line, String token) {
    return line.indexOf(token) + 1;
  }

  static void assertClean(List<String> problems) {
    for (String p : problems) {
      assertThat(p).doesNotContain("java.").doesNotContain("com.fasterxml").doesNotContain("io.shulian")
          .doesNotContain("Cannot deserialize").doesNotContain("`int`").doesNotContain("Integer")
          .doesNotContain("Boolean").doesNotContain("(class ").doesNotContain("MismatchedInput")
          .doesNotContain("through reference chain");
    }
  }

  @Test
  void load_fourDifferentErrors_allReportedWithLineAndColumn() throws Exception {
    String l3 = "limits: { requestTimeout: 5x }";
    String l4 = "admin: { lisen: \"127.0.0.1:9\" }";
    String l5 = "runtime: { eventLoops: many }";
    String l6 = "audit: { dir: audit, commitDelay: 2s }";

    ConfigException e = ConfigProblems.load(dir, l3, l4, l5, l6);

    List<String> p = e.problems();
    assertThat(p).hasSize(4);
    assertThat(p.get(0)).endsWith("gw.yaml:3:" + col(l3, "5x")
        + ": limits.requestTimeout: \"5x\" is not a duration (e.g. 500ms, 5s, 2m)");
    assertThat(p.get(1)).endsWith("gw.yaml:4:" + col(l4, "lisen") + ": admin.lisen: unknown key; did you mean `listen`?");
    assertThat(p.get(2)).contains("gw.yaml:5:" + col(l5, "many") + ": runtime.eventLoops: ").contains("whole number");
    assertThat(p.get(3)).contains("gw.yaml:6:" + col(l6, "2s") + ": audit.commitDelay: ");
    assertThat(e.getMessage()).contains("4 problems");
    assertClean(p);
  }

  @Test
  void load_everyBadDuration_reportedUnderItsOwnPathAndPlace() throws Exception {
    String l3 = "limits: { headerTimeout: 1x, backendTimeout: 0s }";
    String l4 = "runtime: { drainTimeout: soon }";
    String l5 = "trust: { grace: 30d }";
    String l6 = "audit: { dir: audit }";

    List<String> p = ConfigProblems.load(dir, l3, l4, l5, l6).problems();

    assertThat(p).hasSize(4);
    assertThat(p).anySatisfy(x -> assertThat(x).contains("gw.yaml:3:" + col(l3, "1x") + ": limits.headerTimeout: \"1x\" is not"));
    assertThat(p).anySatisfy(x -> assertThat(x).contains("gw.yaml:3:" + col(l3, "0s") + ": limits.backendTimeout: at least 1ms"));
    assertThat(p).anySatisfy(x -> assertThat(x).contains("gw.yaml:4:" + col(l4, "soon") + ": runtime.drainTimeout: \"soon\""));
    assertThat(p).anySatisfy(x -> assertThat(x).contains("gw.yaml:5:" + col(l5, "30d") + ": trust.grace: at most 7d"));
  }

  @Test
  void load_pushProgressOutOfRange_reportedUnderItsPath() throws Exception {
    List<String> window = ConfigProblems.load(dir, "limits: { pushProgressWindow: 0s }", "audit: { dir: audit }")
        .problems();
    List<String> none = ConfigProblems.load(dir, "limits: { pushMinBytes: 0 }", "audit: { dir: audit }").problems();
    List<String> huge = ConfigProblems.load(dir, "limits: { pushMinBytes: 16777217 }", "audit: { dir: audit }")
        .problems();

    assertThat(window).singleElement().asString().contains("limits.pushProgressWindow: at least 1ms");
    assertThat(none).singleElement().asString().contains("limits.pushMinBytes: must be from 1 to 16777216, got 0");
    assertThat(huge).singleElement().asString().contains("limits.pushMinBytes: must be from 1 to 16777216");
  }

  @Test
  void load_unknownKeys_nearestKnownKeySuggested() throws Exception {
    String l3 = "limit: { maxBodyBytes: 1024 }";
    String l4 = "audit: { dir: audit, comitDelay: 5ms }";
    String l5 = "runtime: { frobnicate: true }";

    List<String> p = ConfigProblems.load(dir, l3, l4, l5).problems();

    assertThat(p).hasSize(3);
    assertThat(p.get(0)).endsWith("gw.yaml:3:1: limit: unknown key; did you mean `limits`?");
    assertThat(p.get(1)).endsWith("gw.yaml:4:" + col(l4, "comitDelay") + ": audit.comitDelay: unknown key; did you mean `commitDelay`?");
    assertThat(p.get(2)).contains("gw.yaml:5:" + col(l5, "frobnicate") + ": runtime.frobnicate: unknown key")
        .doesNotContain("did you mean").contains("drainTimeout").contains("eventLoops");
  }

  @Test
  void load_wrongTypes_reportedInOperatorTermsWithoutJavaNames() throws Exception {
    String l3 = "limits: { maxBodyBytes: abc, maxConnections: 99999999999 }";
    String l4 = "runtime: { nativeTransport: maybe }";
    String l5 = "trust: { certificates: { a: b } }";
    String l6 = "audit: [ x ]";

    List<String> p = ConfigProblems.load(dir, l3, l4, l5, l6).problems();

    assertThat(p).anySatisfy(x -> assertThat(x).contains("gw.yaml:3:" + col(l3, "abc") + ": limits.maxBodyBytes: "));
    assertThat(p).anySatisfy(x -> assertThat(x).contains("gw.yaml:3:" + col(l3, "999") + ": limits.maxConnections: "));
    assertThat(p).anySatisfy(x -> assertThat(x).contains("gw.yaml:4:" + col(l4, "maybe") + ": runtime.nativeTransport: ")
        .contains("true or false"));
    assertThat(p).anySatisfy(x -> assertThat(x).contains("gw.yaml:5:" + col(l5, "{ a") + ": trust.certificates: ")
        .contains("list"));
    assertThat(p).anySatisfy(x -> assertThat(x).contains("gw.yaml:6:" + col(l6, "[") + ": audit: ").contains("mapping"));
    assertClean(p);
  }

  @Test
  void load_duplicateKeyAndOtherProblems_allReported() throws Exception {
    String l3 = "limits: { maxBodyBytes: 1024, maxBodyBytes: 4096 }";
    String l4 = "runtime: { drainTimeout: 5x }";
    String l5 = "audit: { dir: audit }";

    List<String> p = ConfigProblems.load(dir, l3, l4, l5).problems();

    assertThat(p).hasSize(2);
    assertThat(p.get(0)).contains("gw.yaml:3:" + col(l3, "maxBodyBytes: 4") + ": limits.maxBodyBytes: ").contains("twice");
    assertThat(p.get(1)).contains("gw.yaml:4:");
  }

  @Test
  void load_nullForASection_refusedWithItsPlace() throws Exception {
    List<String> p = ConfigProblems.load(dir, "limits: null", "audit: { dir: audit }").problems();

    assertThat(p).singleElement().satisfies(x -> assertThat(x).contains("gw.yaml:3:9: limits: ").contains("null"));
  }

  @Test
  void load_malformedYaml_reportedWithPlaceWithoutParserNames() throws Exception {
    List<String> p = ConfigProblems.load(dir, "limits: { maxBodyBytes: 1024", "audit: { dir: audit }").problems();

    assertThat(p).singleElement().satisfies(x -> assertThat(x).contains("gw.yaml:").doesNotContain("org.yaml")
        .doesNotContain("com.fasterxml"));
  }

  @Test
  void load_misspelledSection_itsMissingKeysNotReportedAgain() throws Exception {
    List<String> p = ConfigProblems.load(dir, "audt: { dir: audit }").problems();

    assertThat(p).singleElement().satisfies(x -> assertThat(x).endsWith("gw.yaml:3:1: audt: unknown key; did you mean `audit`?"));
  }

  @Test
  void nearest_withinTwoEdits_suggested() {
    assertThat(ConfigDocument.nearest("lsiten", List.of("listen", "limits"))).isEqualTo("listen");
    assertThat(ConfigDocument.nearest("Listen", List.of("listen"))).isEqualTo("listen");
    assertThat(ConfigDocument.nearest("colour", List.of("listen", "limits"))).isNull();
    assertThat(ConfigDocument.distance("ca", "abc")).isEqualTo(3);
    assertThat(ConfigDocument.distance("abcd", "acbd")).isEqualTo(1);
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(strings = {
      "limits: &a { maxBodyBytes: 1024 }\nruntime: *a",
      "limits: !!binary aGVsbG8=",
      "runtime: { eventLoops: 1.5, drainTimeout: [1, 2] }",
      "limits: { maxBodyBytes: 99999999999999999999999999999999999999 }",
      "? [a, b]\n: c",
      "envelope: { batchSignatures: [ { x: 1 } ] }",
  })
  void load_oddYaml_refusedWithLocatedProblemsNeverAnInternalError(String yaml) throws Exception {
    ConfigException e = ConfigProblems.load(dir, yaml);

    assertThat(e).isNotNull();
    assertThat(e.problems()).isNotEmpty().allSatisfy(x -> assertThat(x).contains("gw.yaml"));
    assertClean(e.problems());
  }
}
