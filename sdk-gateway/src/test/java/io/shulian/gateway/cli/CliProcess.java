package io.shulian.gateway.cli;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the {@code shulian} command line in a child JVM with a small heap, as an operator would:
 * what a test must see there is an exit code and a message, never an {@link OutOfMemoryError} or a
 * stack trace, and the test JVM is not put at risk by an unbounded read.
 */
final class CliProcess {
  /** Heap of the child: far below what an unbounded read of an endless input would need. */
  static final String HEAP = "-Xmx96m";

  private CliProcess() {}

  /**
   * Runs the CLI with {@code stdin} (a file, or null for none) as standard input; its output is
   * captured in files under {@code dir} (a test's temporary directory).
   *
   * @throws AssertionError if it has not finished within two minutes
   */
  static CliRun.Run run(Path dir, File stdin, String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add(HEAP);
    cmd.add("-XX:TieredStopAtLevel=1");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(ShulianCli.class.getName());
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.redirectInput(stdin == null ? ProcessBuilder.Redirect.from(new File("/dev/null")) : ProcessBuilder.Redirect.from(stdin));
    File out = java.nio.file.Files.createTempFile(dir, "cli-out", ".txt").toFile();
    File err = java.nio.file.Files.createTempFile(dir, "cli-err", ".txt").toFile();
    try {
      pb.redirectOutput(out);
      pb.redirectError(err);
      Process p = pb.start();
      if (!p.waitFor(2, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new AssertionError("shulian " + String.join(" ", args) + " did not finish within two minutes");
      }
      return new CliRun.Run(p.exitValue(),
          java.nio.file.Files.readString(out.toPath(), StandardCharsets.UTF_8),
          java.nio.file.Files.readString(err.toPath(), StandardCharsets.UTF_8));
    } finally {
      out.delete();
      err.delete();
    }
  }
}
