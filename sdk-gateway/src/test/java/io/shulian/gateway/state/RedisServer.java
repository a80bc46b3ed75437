package io.shulian.gateway.state;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A throw-away Redis server for tests: the Debian package's {@code redis-server} started on a free
 * loopback port with its files in a temporary directory, persisted as production should be (AOF,
 * fsync on every write: a kill loses nothing acknowledged), stopped on close. It
 * can be stopped and started again on the same port (Redis down, Redis back). When the binary is
 * missing the test is skipped, except under CI ({@code CI=true}), where .ci/run installs it.
 */
public final class RedisServer implements AutoCloseable {
  private final Path binary;
  private final Path dir;
  public final int port;
  private Process process;

  private RedisServer(Path binary, Path dir, int port) {
    this.binary = binary;
    this.dir = dir;
    this.port = port;
  }

  /** The installed redis-server, if any. */
  static Optional<Path> binary() {
    for (String p : List.of("/usr/bin/redis-server", "/usr/local/bin/redis-server", "/usr/sbin/redis-server")) {
      if (Files.isExecutable(Path.of(p))) {
        return Optional.of(Path.of(p));
      }
    }
    return Optional.empty();
  }

  /** Starts a server with its files in {@code tempDir}; skips the test (fails under CI) without redis-server. */
  public static RedisServer start(Path tempDir) throws Exception {
    Optional<Path> bin = binary();
    if (bin.isEmpty()) {
      if ("true".equals(System.getenv("CI"))) {
        throw new AssertionError("CI=true but redis-server is not installed (.ci/run installs the Debian package)");
      }
      Assumptions.abort("redis-server is not installed (apt-get install redis-server): the Redis tests are skipped");
    }
    Path dir = tempDir.resolve("redis");
    Files.createDirectories(dir);
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    RedisServer r = new RedisServer(bin.get(), dir, port);
    r.startAgain();
    return r;
  }

  public String uri() {
    return "redis://127.0.0.1:" + port;
  }

  /** Starts the server (again) on its port. */
  public void startAgain() throws Exception {
    process = new ProcessBuilder(binary.toString(), "--port", Integer.toString(port), "--bind", "127.0.0.1",
        "--dir", dir.toString(), "--save", "", "--appendonly", "yes", "--appendfsync", "always", "--daemonize", "no", "--loglevel", "warning")
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("redis.log").toFile()))
        .start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("redis-server exited with " + process.exitValue() + ": "
            + Files.readString(dir.resolve("redis.log")));
      }
      try (Socket s = new Socket("127.0.0.1", port)) {
        return;
      } catch (IOException e) {
        Thread.sleep(20);
      }
    }
    throw new IllegalStateException("redis-server did not listen on " + port);
  }

  /** Freezes the server (SIGSTOP): connections stay open, nothing is answered, as a stalled Redis looks. */
  public void pause() throws Exception {
    signal("-STOP");
  }

  /** Lets a paused server run again (SIGCONT). */
  public void resume() throws Exception {
    signal("-CONT");
  }

  private void signal(String sig) throws Exception {
    Process k = new ProcessBuilder("kill", sig, Long.toString(process.pid())).inheritIO().start();
    if (!k.waitFor(10, TimeUnit.SECONDS) || k.exitValue() != 0) {
      throw new IllegalStateException("kill " + sig + " " + process.pid() + " failed");
    }
  }

  /** Kills the server at once (SIGKILL), as a crash or a cut network would look to the gateways. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws InterruptedException {
    if (process != null && process.isAlive()) {
      kill();
    }
  }
}
