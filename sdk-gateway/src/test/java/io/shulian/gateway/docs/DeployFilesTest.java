package io.shulian.gateway.docs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/shulian-gateway.service and deploy/Dockerfile match the build: the jar the shade plugin
 * writes, the ports of docs/gateway.md's example, the admin listener's /readyz, the same JVM flags
 * in both (and flags this JVM accepts); systemd-analyze verifies the unit where it is installed.
 * Docker is not needed: the image is not built here.
 */
class DeployFilesTest {
  static final Path ROOT = DocumentedPartyIdsTest.ROOT;
  static final Path UNIT = ROOT.resolve("deploy/shulian-gateway.service");
  static final Path DOCKERFILE = ROOT.resolve("deploy/Dockerfile");

  @TempDir Path tmp;

  static String read(Path p) throws Exception {
    return Files.readString(p, StandardCharsets.UTF_8);
  }

  /** The logical lines of a Dockerfile (continuations joined), without comments. */
  static List<String> dockerLines() throws Exception {
    String joined = read(DOCKERFILE).replaceAll("\\\\\n", " ");
    return Arrays.stream(joined.split("\n")).map(String::trim).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
  }

  static String instruction(String name) throws Exception {
    List<String> l = dockerLines().stream().filter(s -> s.startsWith(name + " ")).toList();
    assertThat(l).as("one %s in the Dockerfile", name).hasSize(1);
    return l.get(0).substring(name.length() + 1).trim();
  }

  /** The elements of an exec-form (JSON array) instruction. */
  static List<String> execForm(String value) {
    assertThat(value).startsWith("[").endsWith("]");
    Matcher m = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(value);
    List<String> out = new ArrayList<>();
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }

  static List<String> execStart() throws Exception {
    List<String> l = read(UNIT).lines().filter(s -> s.startsWith("ExecStart=")).toList();
    assertThat(l).hasSize(1);
    return List.of(l.get(0).substring("ExecStart=".length()).trim().split("\\s+"));
  }

  /** The JVM flags: what comes between the java command and -jar. */
  static List<String> jvmFlags(List<String> command) {
    return command.subList(1, command.indexOf("-jar"));
  }

  /** The port of {@code role}'s listen address in docs/gateway.md's configuration example. */
  static String documentedPort(String role) throws Exception {
    Matcher m = Pattern.compile("(?m)^" + role + ":\\s*(?:#.*)?\\n(?:\\s+.*\\n)*?\\s+listen:\\s*[0-9.]+:(\\d+)")
        .matcher(read(ROOT.resolve("docs/gateway.md")));
    assertThat(m.find()).as("docs/gateway.md example has %s.listen", role).isTrue();
    return m.group(1);
  }

  @Test
  void dockerfile_copiesTheJarTheShadePluginBuilds() throws Exception {
    // shulian.jar is shaded by sdk-hub, the module that depends on all the others
    Matcher m = Pattern.compile("<artifactId>maven-shade-plugin</artifactId>.*?<outputFile>\\$\\{project.basedir}/../([^<]+)</outputFile>",
        Pattern.DOTALL).matcher(read(ROOT.resolve("sdk-hub/pom.xml")));
    assertThat(m.find()).isTrue();
    String jar = m.group(1);

    String[] copy = instruction("COPY").split("\\s+");
    assertThat(copy).containsExactly(jar, "/opt/shulian/shulian.jar");
    List<String> entry = execForm(instruction("ENTRYPOINT"));
    assertThat(entry.get(entry.indexOf("-jar") + 1)).isEqualTo(copy[1]);
    assertThat(execStart().get(execStart().indexOf("-jar") + 1)).isEqualTo(copy[1]);
  }

  @Test
  void dockerfile_baseImageUserAndVolumes() throws Exception {
    assertThat(instruction("FROM")).isEqualTo("eclipse-temurin:17-jre");
    String user = instruction("USER");
    assertThat(user.split(":")[0]).isNotIn("0", "root");
    assertThat(instruction("VOLUME")).contains("/etc/shulian").contains("/var/lib/shulian");
  }

  @Test
  void dockerfile_exposesTheDocumentedPorts_andChecksReadyzOnTheAdminPort() throws Exception {
    Set<String> documented = new TreeSet<>(List.of(documentedPort("consumer"), documentedPort("provider"),
        documentedPort("admin")));
    Set<String> exposed = new TreeSet<>(List.of(instruction("EXPOSE").split("\\s+")));

    assertThat(exposed).isEqualTo(documented);
    String health = instruction("HEALTHCHECK");
    assertThat(health).contains("/dev/tcp/127.0.0.1/" + documentedPort("admin")).contains("GET /readyz ");
    assertThat(read(ROOT.resolve("sdk-gateway/src/main/java/io/shulian/gateway/ops/AdminHandler.java")))
        .contains("case \"/readyz\":");
  }

  @Test
  void jvmFlags_sameInUnitAndImage_andAcceptedByTheJvm() throws Exception {
    List<String> unit = jvmFlags(execStart());
    List<String> image = jvmFlags(execForm(instruction("ENTRYPOINT")));
    assertThat(image).isEqualTo(unit).contains("-XX:+ExitOnOutOfMemoryError");
    assertThat(unit.stream().filter(f -> f.startsWith("-XX:MaxRAMPercentage=") || f.startsWith("-Xmx"))).hasSize(1);
    assertThat(execForm(instruction("CMD"))).isEqualTo(execStart().subList(execStart().indexOf("-jar") + 2,
        execStart().size()));

    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    cmd.addAll(unit);
    cmd.add("-version");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve("out").toFile()).start();
    assertThat(p.waitFor(1, TimeUnit.MINUTES)).isTrue();
    assertThat(p.exitValue()).as(read(tmp.resolve("out"))).isEqualTo(0);
  }

  @Test
  void unit_isHardened() throws Exception {
    Set<String> lines = read(UNIT).lines().map(String::trim).collect(Collectors.toSet());
    assertThat(lines).contains("NoNewPrivileges=yes", "ProtectSystem=strict", "ReadWritePaths=/var/lib/shulian",
        "Restart=on-failure", "User=shulian", "LimitNOFILE=65536", "CapabilityBoundingSet=");
    // the gateway has no reload signal: it polls its bundle file; a reload command would do nothing
    assertThat(lines).noneMatch(l -> l.startsWith("ExecReload="));
  }

  /** docs/operations.md: TimeoutStopSec is longer than the default drain, so systemd does not kill a draining gateway. */
  @Test
  void unit_stopTimeout_isLongerThanTheDefaultDrain() throws Exception {
    String stop = read(UNIT).lines().map(String::trim).filter(l -> l.startsWith("TimeoutStopSec="))
        .findFirst().orElseThrow(() -> new AssertionError("the unit sets TimeoutStopSec"));
    java.time.Duration timeout = io.shulian.gateway.config.ConfigLoader.duration(stop.substring("TimeoutStopSec=".length()));
    java.time.Duration drain = io.shulian.gateway.config.ConfigLoader.duration(
        new io.shulian.gateway.config.GatewayConfig.Runtime().drainTimeout);
    assertThat(timeout).as(stop).isNotNull().isGreaterThan(drain);
    assertThat(read(ROOT.resolve("docs/operations.md"))).contains("`" + stop + "`");
  }

  @Test
  void unit_passesSystemdAnalyzeVerify() throws Exception {
    File analyze = new File("/usr/bin/systemd-analyze");
    assumeTrue(analyze.canExecute(), "systemd-analyze is not installed (Debian package systemd)");
    // verify checks that the ExecStart binary exists
    assumeTrue(new File(execStart().get(0)).canExecute(), execStart().get(0) + " is not installed here");
    Path out = tmp.resolve("verify.txt");
    Process p = new ProcessBuilder(analyze.getPath(), "verify", UNIT.toString()).redirectErrorStream(true)
        .redirectOutput(out.toFile()).start();
    assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
    String said = read(out);
    // unknown keys and unparsable values are only warnings (exit 0): any output fails the test
    assertThat(p.exitValue()).as(said).isEqualTo(0);
    assertThat(said).as("systemd-analyze verify output").isBlank();
  }
}
