package io.shulian.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How shulian.jar logs: JSON at INFO for {@code gateway}, text at WARN for every other command,
 * overridden by the environment or {@code -D}; invalid settings refused before anything runs.
 */
class LogSettingsTest {
  @TempDir Path tmp;

  static Properties apply(Map<String, String> env, String... args) {
    Properties sys = new Properties();
    assertThat(LogSettings.apply(args, env, sys)).isNull();
    return sys;
  }

  @Test
  void gateway_logsJsonAtInfoWithAccessLog() {
    Properties p = apply(Map.of(), "gateway", "--config", "gw.yaml");

    assertThat(p).containsEntry(LogSettings.FORMAT, "json").containsEntry(LogSettings.LEVEL, "INFO")
        .containsEntry(LogSettings.ACCESS, "INFO");
  }

  @Test
  void otherCommandsAndGatewayCheck_logTextAtWarn() {
    for (String[] args : List.of(new String[] {"seal", "--in", "x"}, new String[] {"gateway", "--check", "--config", "g"},
        new String[] {})) {
      assertThat(apply(Map.of(), args)).as(String.join(" ", args))
          .containsEntry(LogSettings.FORMAT, "text").containsEntry(LogSettings.LEVEL, "WARN");
    }
  }

  @Test
  void environment_overridesDefaults_andSystemPropertyOverridesEnvironment() {
    Map<String, String> env = Map.of("SHULIAN_LOG_FORMAT", "TEXT", "SHULIAN_LOG_LEVEL", "debug", "SHULIAN_ACCESS_LOG", "off");
    assertThat(apply(env, "gateway")).containsEntry(LogSettings.FORMAT, "text").containsEntry(LogSettings.LEVEL, "DEBUG")
        .containsEntry(LogSettings.ACCESS, "OFF");

    Properties sys = new Properties();
    sys.setProperty(LogSettings.LEVEL, "ERROR");
    assertThat(LogSettings.apply(new String[] {"gateway"}, env, sys)).isNull();
    assertThat(sys).containsEntry(LogSettings.LEVEL, "ERROR");
  }

  @Test
  void invalidSetting_isRefusedNamingTheVariable_andNothingIsSet() {
    Properties sys = new Properties();

    String bad = LogSettings.apply(new String[] {"gateway"}, Map.of("SHULIAN_LOG_LEVEL", "loud"), sys);

    assertThat(bad).contains("SHULIAN_LOG_LEVEL").contains("loud").contains("warn");
    assertThat(sys).isEmpty();
    assertThat(LogSettings.apply(new String[] {"gateway"}, Map.of("SHULIAN_ACCESS_LOG", "yes"), sys))
        .contains("SHULIAN_ACCESS_LOG");
    assertThat(LogSettings.apply(new String[] {"gateway"}, Map.of("SHULIAN_LOG_FORMAT", "xml"), sys))
        .contains("SHULIAN_LOG_FORMAT");
  }

  /** Runs the CLI in a child JVM with the logging configuration shaded into shulian.jar. */
  CliRun.Run shipped(Map<String, String> env, String... args) throws Exception {
    List<String> cmd = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        CliProcess.HEAP, "-XX:TieredStopAtLevel=1",
        "-Dlogback.configurationFile=" + Path.of("src/shade/logback.xml").toAbsolutePath(),
        "-cp", System.getProperty("java.class.path"), ShulianCli.class.getName()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().keySet().removeIf(k -> k.startsWith("SHULIAN_"));
    pb.environment().putAll(env);
    File out = tmp.resolve("out.txt").toFile();
    File err = tmp.resolve("err.txt").toFile();
    pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).redirectOutput(out).redirectError(err);
    Process p = pb.start();
    assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
    return new CliRun.Run(p.exitValue(), Files.readString(out.toPath(), StandardCharsets.UTF_8),
        Files.readString(err.toPath(), StandardCharsets.UTF_8));
  }

  @Test
  void shippedConfiguration_cliCommandPrintsOnlyItsOutput() throws Exception {
    CliRun.Run r = shipped(Map.of(), "--version");

    assertThat(r.code()).isEqualTo(0);
    assertThat(r.out()).startsWith("shulian ").doesNotContain("{");
    assertThat(r.err()).isEmpty();
  }

  @Test
  void shippedConfiguration_invalidLogLevel_exitsWithUsageError() throws Exception {
    CliRun.Run r = shipped(Map.of("SHULIAN_LOG_LEVEL", "loud"), "gateway", "--config", "missing.yaml");

    assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).contains("invalid SHULIAN_LOG_LEVEL 'loud'");
  }
}
