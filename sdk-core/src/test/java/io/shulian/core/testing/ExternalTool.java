package io.shulian.core.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Assumptions;

/**
 * Runs an external program (openssl, keytool, python3) from a test. CI ({@code CI=true}) installs
 * these in {@code .ci/run}, so there a missing tool fails the test; on a developer machine
 * without it the test is skipped with the reason.
 */
public final class ExternalTool {
  private ExternalTool() {}

  /** What a finished program printed (stdout and stderr merged) and its exit code. */
  public static final class Result {
    public final int exit;
    public final String output;

    Result(int exit, String output) {
      this.exit = exit;
      this.output = output;
    }

    @Override
    public String toString() {
      return "exit=" + exit + "\n" + output;
    }
  }

  /** Fails in CI, skips elsewhere, unless {@code probe} runs and exits 0. */
  public static void require(String why, String... probe) {
    if (!runs(probe)) {
      String message = String.join(" ", probe) + " does not run on this machine: " + why;
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        fail(message + " (CI installs it in .ci/run)");
      }
      Assumptions.abort(message);
    }
  }

  /** Returns true if the command runs and exits 0. */
  public static boolean runs(String... cmd) {
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Runs a command in {@code dir} with extra environment variables and waits for it (at most a minute). */
  public static Result run(List<String> cmd, @Nullable Path dir, Map<String, String> env) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    if (dir != null) {
      pb.directory(dir.toFile());
    }
    pb.environment().putAll(env);
    Process p = pb.start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("%s finished", cmd).isTrue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
    return new Result(p.exitValue(), out);
  }
}
