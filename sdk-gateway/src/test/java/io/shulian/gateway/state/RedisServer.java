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
  /** The arguments after the binary, for the port. */
  private final java.util.function.IntFunction<List<String>> args;
  private final String scheme;
  private Process process;

  private RedisServer(Path binary, Path dir, int port, java.util.function.IntFunction<List<String>> args, String scheme) {
    this.binary = binary;
    this.dir = dir;
    this.port = port;
    this.args = args;
    this.scheme = scheme;
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
    return start(tempDir, "redis", List.of(), "redis");
  }

  /**
   * Starts a server that listens with TLS only ({@code rediss://}): {@code cert} and {@code key}
   * (PEM) are its certificate, {@code ca} the CA of the clients it would ask for (it asks none).
   */
  public static RedisServer startTls(Path tempDir, Path cert, Path key, Path ca) throws Exception {
    return start(tempDir, "redis-tls", List.of("--tls-cert-file", cert.toString(), "--tls-key-file", key.toString(),
        "--tls-ca-cert-file", ca.toString(), "--tls-auth-clients", "no"), "rediss");
  }

  /**
   * Starts a replica of {@code master} ({@code --replicaof}), persisted as {@link #start}; its files
   * in {@code tempDir}/{@code name}.
   */
  public static RedisServer startReplica(Path tempDir, String name, RedisServer master) throws Exception {
    return start(tempDir, name, List.of("--replicaof", "127.0.0.1", Integer.toString(master.port)), "redis");
  }

  /**
   * Starts a node of a Redis Cluster ({@code --cluster-enabled yes}, its node file in its
   * directory); {@link #createCluster} joins the nodes.
   */
  public static RedisServer startClusterNode(Path tempDir, String name) throws Exception {
    return startClusterNode(tempDir, name, 2000);
  }

  /** As {@link #startClusterNode(Path, String)}, counting a node down after {@code nodeTimeoutMillis} without an answer. */
  public static RedisServer startClusterNode(Path tempDir, String name, int nodeTimeoutMillis) throws Exception {
    return start(tempDir, name, List.of("--cluster-enabled", "yes", "--cluster-config-file",
        tempDir.resolve(name).resolve("nodes.conf").toString(), "--cluster-node-timeout",
        Integer.toString(nodeTimeoutMillis)), "redis");
  }

  /**
   * Makes {@code masters} one cluster, each master of a third of the slots ({@code redis-cli
   * --cluster create ... --cluster-yes}), and waits until every node reports {@code
   * cluster_state:ok}.
   */
  public static void createCluster(Path tempDir, List<RedisServer> masters) throws Exception {
    createCluster(tempDir, masters, 0);
  }

  /**
   * As {@link #createCluster(Path, List)} with {@code replicas} replicas per master ({@code
   * --cluster-replicas}): {@code nodes} then holds masters and replicas, and redis-cli chooses.
   */
  public static void createCluster(Path tempDir, List<RedisServer> nodes, int replicas) throws Exception {
    List<RedisServer> masters = nodes;
    Path cli = masters.get(0).binary.resolveSibling("redis-cli");
    List<String> command = new java.util.ArrayList<>(List.of(cli.toString(), "--cluster", "create"));
    masters.forEach(m -> command.add("127.0.0.1:" + m.port));
    if (replicas > 0) {
      command.addAll(List.of("--cluster-replicas", Integer.toString(replicas)));
    }
    command.add("--cluster-yes");
    Path out = tempDir.resolve("cluster-create.log");
    Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IllegalStateException("redis-cli --cluster create failed: " + Files.readString(out));
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    for (RedisServer m : masters) {
      while (!m.cli("CLUSTER", "INFO").contains("cluster_state:ok")) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("the cluster did not become ok: " + m.cli("CLUSTER", "INFO"));
        }
        Thread.sleep(100);
      }
    }
  }

  /** Runs {@code redis-cli -p <port> <args>} against this server and returns what it printed. */
  public String cli(String... args) throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of(binary.resolveSibling("redis-cli").toString(), "-p",
        Integer.toString(port)));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    if (!p.waitFor(20, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException("redis-cli " + String.join(" ", args) + " did not end");
    }
    return out;
  }

  /** Starts a Sentinel (the same binary, {@code --sentinel}) monitoring {@code master} as {@code masterName}. */
  public static RedisServer startSentinel(Path tempDir, RedisServer master, String masterName) throws Exception {
    return startSentinel(tempDir, master, masterName, 5000);
  }

  /**
   * Starts a Sentinel monitoring {@code master} as {@code masterName} (quorum 1), which counts the
   * master down after {@code downAfterMillis} without an answer and then fails over to a replica.
   */
  public static RedisServer startSentinel(Path tempDir, RedisServer master, String masterName, int downAfterMillis)
      throws Exception {
    Path dir = tempDir.resolve("sentinel");
    Files.createDirectories(dir);
    // Sentinel rewrites its configuration file: it lives in the test's directory
    Files.writeString(dir.resolve("sentinel.conf"), String.join("\n",
        "bind 127.0.0.1",
        "dir " + dir,
        "sentinel monitor " + masterName + " 127.0.0.1 " + master.port + " 1",
        "sentinel down-after-milliseconds " + masterName + " " + downAfterMillis,
        "sentinel failover-timeout " + masterName + " 10000", ""));
    return startWith(tempDir, "sentinel", p -> List.of(dir.resolve("sentinel.conf").toString(), "--sentinel",
        "--port", Integer.toString(p), "--daemonize", "no", "--loglevel", "warning"), "redis");
  }

  private static RedisServer start(Path tempDir, String name, List<String> extra, String scheme) throws Exception {
    Path dir = tempDir.resolve(name);
    boolean tls = scheme.equals("rediss");
    return startWith(tempDir, name, p -> {
      List<String> a = new java.util.ArrayList<>(List.of(tls ? "--tls-port" : "--port", Integer.toString(p)));
      if (tls) {
        a.addAll(List.of("--port", "0"));
      }
      a.addAll(List.of("--bind", "127.0.0.1", "--dir", dir.toString(), "--save", "", "--appendonly", "yes",
          "--appendfsync", "always", "--daemonize", "no", "--loglevel", "warning"));
      a.addAll(extra);
      return a;
    }, scheme);
  }

  private static RedisServer startWith(Path tempDir, String name, java.util.function.IntFunction<List<String>> args,
      String scheme) throws Exception {
    Optional<Path> bin = binary();
    if (bin.isEmpty()) {
      if ("true".equals(System.getenv("CI"))) {
        throw new AssertionError("CI=true but redis-server is not installed (.ci/run installs the Debian package)");
      }
      Assumptions.abort("redis-server is not installed (apt-get install redis-server): the Redis tests are skipped");
    }
    Path dir = tempDir.resolve(name);
    Files.createDirectories(dir);
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    RedisServer r = new RedisServer(bin.get(), dir, port, args, scheme);
    r.startAgain();
    return r;
  }

  public String uri() {
    return scheme + "://127.0.0.1:" + port;
  }

  /** Starts the server (again) on its port. */
  public void startAgain() throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of(binary.toString()));
    command.addAll(args.apply(port));
    process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("redis.log").toFile()))
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
