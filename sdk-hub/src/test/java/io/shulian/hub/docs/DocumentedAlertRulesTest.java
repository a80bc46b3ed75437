package io.shulian.hub.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The early-warning rules of docs/security-operations.md's table are the rules the hub raises
 * ({@code alerts.raise("name", Alert.Severity.X, …)} in sdk-hub), each with its severity, and the
 * README's count of them ("eleven early-warning rules") is right.
 */
class DocumentedAlertRulesTest {
  private static final Pattern RAISE = Pattern.compile("raise\\(\"([a-z_]+)\",\\s*(?:Alert\\.Severity\\.([A-Z]+))?");
  private static final Map<Integer, String> NUMBERS = Map.of(9, "nine", 10, "ten", 11, "eleven", 12, "twelve",
      13, "thirteen", 14, "fourteen");

  @Test
  void securityOperationsMd_ruleTable_isTheRulesTheHubRaises() throws IOException {
    Map<String, String> raised = new TreeMap<>();
    try (Stream<Path> files = Files.walk(DocumentedCommandsTest.ROOT.resolve("sdk-hub/src/main/java"))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
        Matcher m = RAISE.matcher(Files.readString(f, StandardCharsets.UTF_8));
        while (m.find()) {
          raised.put(m.group(1), m.group(2) == null ? "" : m.group(2).toLowerCase(java.util.Locale.ROOT));
        }
      }
    }
    assertThat(raised).as("rules the hub raises by name").hasSizeGreaterThanOrEqualTo(9);
    String doc = Files.readString(DocumentedCommandsTest.ROOT.resolve("docs/security-operations.md"), StandardCharsets.UTF_8);
    Map<String, String> documented = new TreeMap<>();
    Matcher row = Pattern.compile("(?m)^\\| `([a-z_]+)` \\| ([a-z]+)").matcher(doc);
    while (row.find()) {
      documented.put(row.group(1), row.group(2));
    }
    raised.forEach((rule, severity) -> {
      assertThat(documented).as("docs/security-operations.md's rule table").containsKey(rule);
      if (!severity.isEmpty()) {
        assertThat(documented.get(rule)).as("severity of %s", rule).isEqualTo(severity);
      }
    });
    String readme = Files.readString(DocumentedCommandsTest.ROOT.resolve("README.md"), StandardCharsets.UTF_8)
        .replaceAll("\\s+", " ");
    assertThat(readme).contains(NUMBERS.get(raised.size()) + " early-warning rules");
  }
}
