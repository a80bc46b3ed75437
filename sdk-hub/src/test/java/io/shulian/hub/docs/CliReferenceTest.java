package io.shulian.hub.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * docs/cli.md, the reference of the {@code shulian} command line, is the {@code --help} of every
 * command and subcommand of the shaded jar's CLI (with the commands sdk-hub adds), so every command
 * and option the CLI has is documented, with its default, and nothing it does not have. After
 * changing a command, regenerate it with
 * {@code mvn -B -o -pl sdk-hub -am test -Dtest=CliReferenceTest -Dsurefire.failIfNoSpecifiedTests=false -Dshulian.docs.update=true}
 * and commit the diff.
 */
class CliReferenceTest {
  static final Path REFERENCE = DocumentedCommandsTest.ROOT.resolve("docs/cli.md");
  private static final int WIDTH = 100;

  /** The reference as the CLI's model describes it now: each command's help, depth first in declaration order. */
  static String reference(CommandLine root) {
    StringBuilder md = new StringBuilder();
    md.append("# The `shulian` command line\n\n")
        .append("Every command and subcommand of `java -jar sdk-gateway/target/shulian.jar` with its `--help`, ")
        .append("generated from the CLI itself\n(`CliReferenceTest` fails when this file and the CLI differ). ")
        .append("How the commands fit together: the\n[README](../README.md), [trust.md](trust.md), ")
        .append("[catalog-and-policy.md](catalog-and-policy.md), [audit.md](audit.md), [hub.md](hub.md).\n");
    Deque<CommandLine> todo = new ArrayDeque<>(List.of(root));
    while (!todo.isEmpty()) {
      CommandLine c = todo.pop();
      c.setUsageHelpWidth(WIDTH);
      c.setUsageHelpLongOptionsMaxWidth(30);
      String help = c.getUsageMessage(CommandLine.Help.Ansi.OFF).stripTrailing();
      md.append("\n## ").append(c.getCommandSpec().qualifiedName()).append("\n\n```text\n")
          .append(help.lines().map(String::stripTrailing).reduce((a, b) -> a + "\n" + b).orElse(""))
          .append("\n```\n");
      List<CommandLine> subs = c.getSubcommands().values().stream()
          .filter(s -> !s.getCommandName().equals("help")).distinct().toList();
      for (int i = subs.size() - 1; i >= 0; i--) {
        todo.push(subs.get(i));
      }
    }
    return md.toString();
  }

  @Test
  void cliMd_isTheHelpOfEveryCommand() throws Exception {
    String now = reference(DocumentedCommandsTest.cli());
    if (Boolean.getBoolean("shulian.docs.update")) {
      Files.writeString(REFERENCE, now, StandardCharsets.UTF_8);
    }
    assertThat(now).as("the generated reference").contains("## shulian seal", "--ttl", "## shulian hub publish")
        .doesNotContain(System.getProperty("user.dir"));
    assertThat(Files.exists(REFERENCE)).as("docs/cli.md exists (generate it with -Dshulian.docs.update=true)").isTrue();
    assertThat(Files.readString(REFERENCE, StandardCharsets.UTF_8))
        .as("docs/cli.md is the CLI's help; regenerate it with -Dshulian.docs.update=true (see CliReferenceTest)")
        .isEqualTo(now);
  }
}
