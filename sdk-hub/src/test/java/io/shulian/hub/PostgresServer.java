package io.shulian.hub;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A throw-away PostgreSQL server for tests: initdb in a temporary directory, started on a free
 * loopback port with trust authentication for its own superuser, stopped (immediate) on close.
 * Uses the Debian package's binaries ({@code /usr/lib/postgresql/<major>/bin}); as root it runs them
 * as the {@code postgres} user, since PostgreSQL refuses to run as root.
 */
final class PostgresServer implements AutoCloseable {
  static final String USER = "shulian";
  private final Path bin;
  private final Path data;
  private final boolean asPostgres;
  final int port;

  private PostgresServer(Path bin, Path data, boolean asPostgres, int port) {
    this.bin = bin;
    this.data = data;
    this.asPostgres = asPostgres;
    this.port = port;
  }

  /** The newest installed server's bin directory, if any. */
  static Optional<Path> binaries() {
    Path root = Path.of("/usr/lib/postgresql");
    if (!Files.isDirectory(root)) {
      return Optional.empty();
    }
    try (Stream<Path> s = Files.list(root)) {
      return s.map(p -> p.resolve("bin"))
          .filter(p -> Files.isExecutable(p.resolve("initdb")) && Files.isExecutable(p.resolve("pg_ctl")))
          .max(Comparator.comparingInt(p -> major(p.getParent().getFileName().toString())));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private static int major(String s) {
    try {
      return Integer.parseInt(s);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  static PostgresServer start(Path bin, Path tempDir) throws Exception {
    boolean root = "root".equals(System.getProperty("user.name"));
    Path base = tempDir.resolve("pg");
    Files.createDirectories(base);
    if (root) {
      // the postgres user must reach its directory inside the root-owned temporary one
      Files.setPosixFilePermissions(tempDir, PosixFilePermissions.fromString("rwx--x--x"));
      run(List.of("chown", "postgres:postgres", base.toString()), false);
    }
    Path data = base.resolve("data");
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    run(List.of(bin.resolve("initdb").toString(), "-D", data.toString(), "-U", USER, "--auth=trust", "-E", "UTF8",
        "--no-sync"), root);
    PostgresServer pg = new PostgresServer(bin, data, root, port);
    pg.pgCtl("start");
    return pg;
  }

  String jdbcUrl() {
    return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
  }

  /** Stops the server at once (as a crash would). */
  void stopImmediately() throws Exception {
    run(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "immediate", "-w", "stop"), asPostgres);
  }

  void pgCtl(String action) throws Exception {
    run(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-w", "-t", "60", "-l",
        data.getParent().resolve("server.log").toString(), "-o",
        "-p " + port + " -c listen_addresses=127.0.0.1 -k " + data.getParent() + " -c fsync=off", action), asPostgres);
  }

  private static void run(List<String> cmd, boolean asPostgres) throws Exception {
    List<String> full = new ArrayList<>();
    if (asPostgres) {
      full.addAll(List.of("runuser", "-u", "postgres", "--"));
    }
    full.addAll(cmd);
    Process p = new ProcessBuilder(full).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException(String.join(" ", full) + " failed: " + out);
    }
  }

  @Override
  public void close() throws Exception {
    try {
      stopImmediately();
    } catch (IOException e) {
      // already stopped by the test
    }
  }
}
