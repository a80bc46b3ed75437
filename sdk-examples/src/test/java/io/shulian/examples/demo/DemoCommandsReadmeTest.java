package io.shulian.examples.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The commands the demo prints are the ones sdk-examples/README.md lists, with real values. */
class DemoCommandsReadmeTest {
  static final String CLI = "java -jar sdk-gateway/target/shulian.jar ";

  @Test
  void printCommands_everyCommandIsInTheReadme_withoutPlaceholders() throws Exception {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    CityDemo.printCommands(Path.of("shulian-demo"), true, new PrintStream(buf, true, StandardCharsets.UTF_8));
    List<String> printed = buf.toString(StandardCharsets.UTF_8).lines().map(String::strip)
        .filter(l -> l.startsWith(CLI)).map(l -> "shulian " + l.substring(CLI.length())).toList();
    assertThat(printed).hasSizeGreaterThanOrEqualTo(7);

    // README lines joined at their backslash continuations
    String readme = Files.readString(Path.of("README.md")).replaceAll("\\\\\\n\\s*", "");
    for (String command : printed) {
      assertThat(command).as("printed by the demo").doesNotContainPattern("<[^>]*>");
      assertThat(readme).as("sdk-examples/README.md lists: %s", command).contains(command);
    }
  }
}
