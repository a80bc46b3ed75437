package io.shulian.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** What {@code --help} and {@code --version} show for every command. */
class CliHelpTest {
  private static List<CommandLine> all(CommandLine c) {
    List<CommandLine> out = new ArrayList<>(List.of(c));
    for (CommandLine sub : c.getSubcommands().values()) {
      if (!sub.getCommandName().equals("help")) {
        out.addAll(all(sub));
      }
    }
    return out;
  }

  @Test
  void help_everyCommandSummary_isOneCompleteSentence() {
    CommandLine root = ShulianCli.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()));
    List<CommandLine> commands = all(root);
    assertThat(commands).hasSizeGreaterThan(25);
    for (CommandLine c : commands) {
      String[] d = c.getCommandSpec().usageMessage().description();
      String name = c.getCommandSpec().qualifiedName();
      assertThat(d).as(name).isNotEmpty();
      String summary = d[0];
      // the parent's command list shows this line alone: it must not stop mid-sentence
      assertThat(summary).as(name).endsWith(".").doesNotEndWith(" e.g.");
      assertThat(summary.chars().filter(ch -> ch == '(').count())
          .as(name + " parentheses").isEqualTo(summary.chars().filter(ch -> ch == ')').count());
      assertThat(summary.length()).as(name + " summary length").isLessThanOrEqualTo(100);
    }
  }

  @Test
  void help_descriptions_areParagraphsThatPicocliWraps() {
    // picocli prints each description element on its own line(s): an element that stops
    // mid-sentence shows as a ragged, cut line at any terminal width
    CommandLine root = ShulianCli.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()));
    for (CommandLine c : all(root)) {
      String name = c.getCommandSpec().qualifiedName();
      String[] d = c.getCommandSpec().usageMessage().description();
      for (int i = 1; i < d.length; i++) {
        assertThat(d[i]).as(name + " description element " + i).matches("(?s)|.*[.:)]");
      }
      for (CommandLine.Model.OptionSpec o : c.getCommandSpec().options()) {
        assertThat(o.description()).as(name + " " + o.longestName()).hasSizeLessThanOrEqualTo(1);
      }
    }
  }

  @Test
  void help_everyCommand_printsUsageAndExitsZero() {
    CommandLine root = ShulianCli.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()));
    for (CommandLine c : all(root)) {
      String name = c.getCommandSpec().qualifiedName();
      List<String> args = new ArrayList<>(List.of(name.split(" ")).subList(1, name.split(" ").length));
      args.add("--help");
      CliRun.Run r = CliRun.run(args.toArray(new String[0]));
      assertThat(r.code()).as(name).isZero();
      assertThat(r.out()).as(name).startsWith("Usage: " + name);
    }
  }

  @Test
  void version_isTheProjectVersion() throws Exception {
    CliRun.Run r = CliRun.ok("--version");
    String expected = ShulianCli.Version.projectVersion();
    assertThat(expected).matches("\\d+\\.\\d+\\.\\d+(-SNAPSHOT)?");
    assertThat(r.out().strip()).isEqualTo("shulian " + expected);
    // the same version as the Maven project this test is built from
    String pom = java.nio.file.Files.readString(java.nio.file.Path.of("pom.xml"));
    Matcher m = Pattern.compile("<parent>.*?<version>([^<]+)</version>", Pattern.DOTALL).matcher(pom);
    assertThat(m.find()).isTrue();
    assertThat(expected).isEqualTo(m.group(1));
  }
}
