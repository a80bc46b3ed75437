package io.shulian.hub.docs;

import static org.assertj.core.api.Assertions.assertThat;

import io.shulian.gateway.cli.ShulianCli;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The {@code shulian} command lines written in the README and docs/ match the CLI the shaded jar
 * carries (picocli's model of {@code shulian}, with the commands sdk-hub adds): every command path
 * and every {@code --option} a reader copies from a code span or block exists on that command. The
 * other direction, every command and option documented, is docs/cli.md ({@link CliReferenceTest}).
 */
class DocumentedCommandsTest {
  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  /** {@code shulian} or {@code …/shulian.jar} as a command (not shulian-demo, shulian_metric), then its words. */
  private static final Pattern INVOCATION = Pattern.compile("(?:(?<![\\w./-])shulian|shulian\\.jar) ([^\\n]*)");
  private static final Pattern FENCE = Pattern.compile("(?ms)^```[^\\n]*\\n(.*?)^```");
  private static final Pattern INLINE = Pattern.compile("`([^`\\n]+)`");
  /** Shell syntax that ends one command on a line. */
  private static final Set<String> SHELL_END = Set.of("|", "||", "&&", ";", ">", ">>", "2>", "2>&1", "<", "&");

  /** The README, sdk-examples' README and docs/*.md written by hand (not the generated docs/cli.md). */
  static List<Path> documents() throws IOException {
    List<Path> out = new ArrayList<>(List.of(ROOT.resolve("README.md"), ROOT.resolve("sdk-examples/README.md")));
    try (Stream<Path> s = Files.list(ROOT.resolve("docs"))) {
      s.filter(p -> p.toString().endsWith(".md") && !p.equals(CliReferenceTest.REFERENCE)).sorted().forEach(out::add);
    }
    return out;
  }

  /** The code a reader copies: each line of a fenced block and each inline code span, continuations joined. */
  static List<String> codeSpans(String markdown) {
    String text = markdown.replaceAll("\\\\\\n\\s*", " ");
    List<String> spans = new ArrayList<>();
    StringBuilder prose = new StringBuilder();
    Matcher fence = FENCE.matcher(text);
    int last = 0;
    while (fence.find()) {
      prose.append(text, last, fence.start()).append('\n');
      spans.addAll(fence.group(1).lines().toList());
      last = fence.end();
    }
    prose.append(text.substring(last));
    Matcher inline = INLINE.matcher(prose);
    while (inline.find()) {
      spans.add(inline.group(1));
    }
    return spans;
  }

  static CommandLine cli() {
    return ShulianCli.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()));
  }

  /** One documented use of a command: where it is, the command it resolves to and the options it names. */
  record Use(String where, CommandLine command, String unknownCommand, List<String> options) {}

  static List<Use> documentedUses(CommandLine root) throws IOException {
    List<Use> uses = new ArrayList<>();
    for (Path doc : documents()) {
      String where = ROOT.relativize(doc).toString();
      for (String span : codeSpans(Files.readString(doc, StandardCharsets.UTF_8))) {
        Matcher m = INVOCATION.matcher(span);
        while (m.find()) {
          uses.add(parse(where + ": " + span.strip(), root, m.group(1)));
        }
      }
    }
    return uses;
  }

  private static Use parse(String where, CommandLine root, String words) {
    CommandLine command = root;
    String unknown = null;
    List<String> options = new ArrayList<>();
    boolean subcommands = true;
    for (String token : words.strip().split("\\s+")) {
      if (token.isEmpty() || SHELL_END.contains(token) || token.startsWith("#") || token.startsWith(">")) {
        break;
      }
      if (subcommands && token.matches("[a-z][a-z0-9-]*")) {
        CommandLine sub = command.getSubcommands().get(token);
        if (sub != null) {
          command = sub;
          continue;
        }
        if (command == root) {
          unknown = token;
          break;
        }
      }
      subcommands = false;
      String option = token.replaceFirst("^[\\[(]+", "");
      if (option.startsWith("--") && option.length() > 2) {
        options.add(option.replaceFirst("=.*$", "").replaceAll("[\\])|,.…:;]+$", ""));
      }
    }
    return new Use(where, command, unknown, options);
  }

  @Test
  void documentedCommandLines_nameOnlyCommandsAndOptionsTheCliHas() throws IOException {
    CommandLine root = cli();
    List<Use> uses = documentedUses(root);
    assertThat(uses).as("shulian command lines in the README and docs").hasSizeGreaterThan(100);
    List<String> wrong = new ArrayList<>();
    for (Use u : uses) {
      if (u.unknownCommand() != null) {
        wrong.add(u.where() + " -> no command 'shulian " + u.unknownCommand() + "'");
        continue;
      }
      for (String o : u.options()) {
        if (u.command().getCommandSpec().findOption(o) == null) {
          wrong.add(u.where() + " -> '" + u.command().getCommandSpec().qualifiedName() + "' has no option " + o);
        }
      }
    }
    assertThat(wrong).isEmpty();
  }

  @Test
  void everyCommand_hasHelp_asTheReadmeSays() {
    ArrayDeque<CommandLine> todo = new ArrayDeque<>(List.of(cli()));
    List<String> without = new ArrayList<>();
    int seen = 0;
    while (!todo.isEmpty()) {
      CommandLine c = todo.poll();
      seen++;
      if (c.getCommandSpec().findOption("--help") == null || !c.getCommandSpec().findOption("--help").usageHelp()) {
        without.add(c.getCommandSpec().qualifiedName());
      }
      c.getSubcommands().values().stream().filter(s -> !s.getCommandName().equals("help")).forEach(todo::add);
    }
    assertThat(seen).isGreaterThan(40);
    assertThat(without).as("commands without --help").isEmpty();
  }

  @Test
  void readmeExitCodes_areTheCliExitCodes() throws Exception {
    String readme = Files.readString(ROOT.resolve("README.md"), StandardCharsets.UTF_8);
    Matcher sentence = Pattern.compile("Exit codes: (.*?)\\.(?:\\n|$)", Pattern.DOTALL).matcher(readme);
    assertThat(sentence.find()).as("README.md states the exit codes").isTrue();
    Set<Integer> documented = new TreeSet<>();
    Matcher n = Pattern.compile("(?<![\\w(])(\\d)(?=[ /,])").matcher(sentence.group(1));
    while (n.find()) {
      documented.add(Integer.parseInt(n.group(1)));
    }
    Set<Integer> actual = new TreeSet<>();
    for (java.lang.reflect.Field f : io.shulian.gateway.cli.ExitCodes.class.getFields()) {
      actual.add(f.getInt(null));
    }
    assertThat(documented).as("exit codes in README.md: " + sentence.group(1)).isEqualTo(actual);
  }

  /** "`--ttl` (default 5m" or "`--crl-next-update`, default 24h": an option's default stated in prose. */
  private static final Pattern STATED_DEFAULT = Pattern.compile("`(--[a-z][a-z0-9-]*)`(?: \\(|, )default:? `?([^`);:]+?)(?=[`);:]|, )");

  /** A default as written in prose or code: "366 days" is 366d, "100,000" is 100000. */
  static String normalDefault(String v) {
    return v.strip().replace(",", "").replaceFirst("^(\\d+) days?$", "$1d");
  }

  @Test
  void defaultsStatedInTheDocs_areTheOptionsDefaults() throws IOException {
    CommandLine root = cli();
    List<picocli.CommandLine.Model.OptionSpec> all = new ArrayList<>();
    ArrayDeque<CommandLine> todo = new ArrayDeque<>(List.of(root));
    while (!todo.isEmpty()) {
      CommandLine c = todo.poll();
      all.addAll(c.getCommandSpec().options());
      c.getSubcommands().values().stream().filter(s -> !s.getCommandName().equals("help")).forEach(todo::add);
    }
    List<String> wrong = new ArrayList<>();
    int seen = 0;
    for (Path doc : documents()) {
      Matcher m = STATED_DEFAULT.matcher(Files.readString(doc, StandardCharsets.UTF_8).replaceAll("\\s+", " "));
      while (m.find()) {
        seen++;
        String name = m.group(1);
        String stated = normalDefault(m.group(2));
        List<String> actual = all.stream().filter(o -> List.of(o.names()).contains(name))
            .map(o -> String.valueOf(o.defaultValue() != null ? o.defaultValue() : o.initialValue())).distinct().toList();
        if (!actual.contains(stated)) {
          wrong.add(ROOT.relativize(doc) + ": " + name + " default " + m.group(2) + ", the CLI's: " + actual);
        }
      }
    }
    assertThat(seen).as("option defaults stated in the docs").isGreaterThanOrEqualTo(8);
    assertThat(wrong).isEmpty();
  }
}
