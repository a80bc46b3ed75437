package io.shulian.hub.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * docs/hub.md's list of the hub's metric families ("Metrics (every family the hub adds …)") is the
 * families the hub's code registers (a counter {@code shulian.hub.x} is {@code shulian_hub_x_total}
 * on /metrics, a gauge {@code shulian_hub_x}), and every {@code shulian_hub_…} family the docs name
 * anywhere is one of them.
 */
class DocumentedHubMetricsTest {
  private static final Pattern METER = Pattern.compile(
      "(counter|Counter\\.builder|Gauge\\.builder)\\(\"(shulian\\.hub\\.[a-z.]+)\"");
  private static final Pattern FAMILY = Pattern.compile("shulian_hub_[a-z_]+");

  static Set<String> registered() throws IOException {
    Set<String> out = new TreeSet<>();
    try (Stream<Path> files = Files.walk(DocumentedCommandsTest.ROOT.resolve("sdk-hub/src/main/java"))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
        Matcher m = METER.matcher(Files.readString(f, StandardCharsets.UTF_8));
        while (m.find()) {
          out.add(m.group(2).replace('.', '_') + (m.group(1).startsWith("Gauge") ? "" : "_total"));
        }
      }
    }
    return out;
  }

  private static Set<String> families(String text) {
    Set<String> out = new TreeSet<>();
    Matcher m = FAMILY.matcher(text);
    while (m.find()) {
      out.add(m.group());
    }
    return out;
  }

  @Test
  void hubMdMetricsList_isTheFamiliesTheHubRegisters() throws IOException {
    Set<String> registered = registered();
    assertThat(registered).as("families the hub registers").hasSizeGreaterThan(10).contains("shulian_hub_longpolls");
    String hub = Files.readString(DocumentedCommandsTest.ROOT.resolve("docs/hub.md"), StandardCharsets.UTF_8);
    int start = hub.indexOf("Metrics (every family the hub adds");
    assertThat(start).as("docs/hub.md lists the hub's metric families").isPositive();
    assertThat(families(hub.substring(start, hub.indexOf("\n\n", start)))).isEqualTo(registered);
    for (Path doc : DocumentedCommandsTest.documents()) {
      assertThat(registered).as("hub metric families named in %s", doc.getFileName())
          .containsAll(families(Files.readString(doc, StandardCharsets.UTF_8)));
    }
  }
}
