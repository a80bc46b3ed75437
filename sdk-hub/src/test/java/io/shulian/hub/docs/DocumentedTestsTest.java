package io.shulian.hub.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The tests the README and docs/ cite as the backing of a claim exist: every test class named
 * ({@code HubEventsEndToEndTest}), and every test method named with it
 * ({@code PolicyEngineTest#decide_rateLimiterThrows_…}, where "…" or "*" stands for the rest of the
 * name). A test renamed or deleted without its doc fails here.
 */
class DocumentedTestsTest {
  /** A test class, optionally a glob's tail ("*WycheproofTest"), then a method or a method prefix. */
  private static final Pattern CITED = Pattern.compile(
      "(?<![A-Za-z0-9_@])(\\*?)([A-Z][A-Za-z0-9]*Test)(?:[#.]([a-z][A-Za-z0-9_*]*)(…)?)?(?![A-Za-z0-9_])");

  /** Test class simple name → its source text, across every module's src/test. */
  static Map<String, String> testSources() throws IOException {
    Map<String, String> out = new HashMap<>();
    try (Stream<Path> files = Files.walk(DocumentedCommandsTest.ROOT)) {
      for (Path f : files.filter(p -> p.toString().contains("/src/test/") && p.toString().endsWith(".java")
          && !p.toString().contains("/target/")).toList()) {
        String name = f.getFileName().toString().replaceFirst("\\.java$", "");
        out.merge(name, Files.readString(f, StandardCharsets.UTF_8), (a, b) -> a + "\n" + b);
      }
    }
    return out;
  }

  /** A method name where "*" stands for any part of it, as a regular expression. */
  private static String glob(String name) {
    StringBuilder re = new StringBuilder();
    for (String part : name.split("\\*", -1)) {
      re.append(re.isEmpty() ? "" : "[A-Za-z0-9_]*").append(part.isEmpty() ? "" : Pattern.quote(part));
    }
    return re.toString();
  }

  static List<String> missing(String text, Map<String, String> tests) {
    List<String> out = new ArrayList<>();
    Matcher m = CITED.matcher(text);
    while (m.find()) {
      String cls = m.group(2);
      if (!m.group(1).isEmpty()) {
        if (tests.keySet().stream().noneMatch(n -> n.endsWith(cls))) {
          out.add("no test class *" + cls);
        }
        continue;
      }
      String source = tests.get(cls);
      if (source == null) {
        out.add("no test class " + cls);
      } else if (m.group(3) != null) {
        String method = glob(m.group(3)) + (m.group(4) != null ? "[A-Za-z0-9_]*" : "");
        if (!Pattern.compile("\\b" + method + "\\s*\\(").matcher(source).find()) {
          out.add("no test method " + cls + "#" + m.group(3) + (m.group(4) != null ? "…" : ""));
        }
      }
    }
    return out;
  }

  @Test
  void testsCitedInReadmeAndDocs_exist() throws IOException {
    Map<String, String> tests = testSources();
    assertThat(tests).hasSizeGreaterThan(200);
    List<String> wrong = new ArrayList<>();
    int cited = 0;
    for (Path doc : DocumentedCommandsTest.documents()) {
      String text = Files.readString(doc, StandardCharsets.UTF_8);
      cited += (int) CITED.matcher(text).results().count();
      for (String w : missing(text, tests)) {
        wrong.add(DocumentedCommandsTest.ROOT.relativize(doc) + ": " + w);
      }
    }
    assertThat(cited).as("tests cited in the README and docs").isGreaterThan(300);
    assertThat(wrong).isEmpty();
  }

  /** The README's "a 64-row policy decision table" counts the rows DecisionTableTest runs (header and comments aside). */
  @Test
  void readmeDecisionTableRows_areTheRowsOfDecisionTableTest() throws IOException {
    List<String> rows = Files.readAllLines(DocumentedCommandsTest.ROOT.resolve(
        "sdk-core/src/test/resources/policy/decision-table.csv"), StandardCharsets.UTF_8).stream()
        .filter(l -> !l.isBlank() && !l.startsWith("#")).toList();
    assertThat(rows.get(0)).as("the header").startsWith("case|");
    String readme = Files.readString(DocumentedCommandsTest.ROOT.resolve("README.md"), StandardCharsets.UTF_8)
        .replaceAll("\\s+", " ");
    assertThat(readme).contains("a " + (rows.size() - 1) + "-row policy decision table");
  }

  @Test
  void missing_findsAbsentClassesAndMethods_andTakesPrefixes() {
    Map<String, String> tests = Map.of("FooTest", "void bar_baz() {}", "AWycheproofTest", "");
    assertThat(missing("`FooTest#bar_…`, `FooTest.bar_baz`, `FooTest.b*_baz`, `FooTest.bar_*`, `*WycheproofTest`, `@FooTest`",
        tests)).isEmpty();
    assertThat(missing("`FooTest#bar_` `FooTest#qux_…` `GoneTest` `*RfcTest`", tests)).containsExactly(
        "no test method FooTest#bar_", "no test method FooTest#qux_…", "no test class GoneTest", "no test class *RfcTest");
  }
}
