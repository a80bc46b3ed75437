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
 * Where the README and docs/ name a member of one of the project's classes
 * ({@code `CityBundle.MAX_BUNDLE_BYTES`}, {@code `BundleHolder.update`}, {@code `HubClient.exitCode`}),
 * that class declares a member of that name, so a reader looking it up finds it. docs/benchmarks.md
 * is left out: it records what the code was when each run was made.
 */
class DocumentedMembersTest {
  private static final Pattern MEMBER = Pattern.compile("`([A-Z][A-Za-z0-9]+)\\.([A-Za-z_][A-Za-z0-9_]*)[^`]*`");

  @Test
  void classMembersNamedInTheDocs_exist() throws IOException {
    Map<String, StringBuilder> sources = new HashMap<>();
    try (Stream<Path> files = Files.walk(DocumentedCommandsTest.ROOT)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java") && p.toString().contains("/src/")
          && !p.toString().contains("/target/")).toList()) {
        sources.computeIfAbsent(f.getFileName().toString().replaceFirst("\\.java$", ""), k -> new StringBuilder())
            .append(Files.readString(f, StandardCharsets.UTF_8)).append('\n');
      }
    }
    List<String> missing = new ArrayList<>();
    int checked = 0;
    for (Path doc : DocumentedCommandsTest.documents()) {
      if (doc.getFileName().toString().equals("benchmarks.md")) {
        continue;
      }
      Matcher m = MEMBER.matcher(Files.readString(doc, StandardCharsets.UTF_8));
      while (m.find()) {
        StringBuilder source = sources.get(m.group(1));
        if (source == null || sources.containsKey(m.group(2)) || m.group(1).endsWith("Test")) {
          continue; // not the project's class (Netty's, Nimbus's), a nested class with a file of its own, or a test (DocumentedTestsTest)
        }
        checked++;
        if (!Pattern.compile("\\b" + Pattern.quote(m.group(2)) + "\\b").matcher(source).find()) {
          missing.add(DocumentedCommandsTest.ROOT.relativize(doc) + ": " + m.group());
        }
      }
    }
    assertThat(checked).as("class members named in the docs").isGreaterThan(100);
    assertThat(missing).isEmpty();
  }
}
