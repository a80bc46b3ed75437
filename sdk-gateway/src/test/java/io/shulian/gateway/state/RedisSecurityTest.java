package io.shulian.gateway.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import io.shulian.core.envelope.ReplayStateUnavailableException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shared state on a Redis run as production should: TLS ({@code rediss://}, the server's
 * certificate from a test CA the gateway is told to trust), an ACL user with only what the gateway
 * needs (the exact {@code ACL SETUSER} line of docs/scale-out.md), and Sentinel ({@code
 * redis-sentinel://}: the gateway finds the master through the sentinel).
 */
class RedisSecurityTest {
  static final String PREFIX = "shulian:440600/11440600MB2C1234HN/housing:";
  static final String PASSWORD = "gw-test-password-1234";

  @TempDir Path dir;
  final List<AutoCloseable> closeables = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
  }

  <T extends AutoCloseable> T closing(T c) {
    closeables.add(c);
    return c;
  }

  /** A test CA and a server certificate for 127.0.0.1 signed by it (openssl); returns the CA's PEM. */
  Path testCa(String name) throws Exception {
    Path d = Files.createDirectories(dir.resolve(name));
    Files.writeString(d.resolve("ext.cnf"), "subjectAltName=IP:127.0.0.1\n");
    run(d, "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=" + name);
    run(d, "openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1");
    run(d, "openssl", "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
        "-out", "server.pem", "-days", "2", "-extfile", "ext.cnf");
    return d.resolve("ca.pem");
  }

  static void run(Path cwd, String... command) throws Exception {
    Process p = new ProcessBuilder(command).directory(cwd.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(String.join(" ", command) + ": " + out).isZero();
  }

  /** Runs one command as the default (admin) user of {@code redis}, its words separated by spaces. */
  static String admin(RedisServer redis, List<String> words) {
    RedisClient c = RedisClient.create(redis.uri());
    try (StatefulRedisConnection<String, String> conn = c.connect()) {
      CommandArgs<String, String> args = new CommandArgs<>(StringCodec.UTF8).addValues(words.subList(1, words.size()));
      return conn.sync().dispatch(CommandType.valueOf(words.get(0).toUpperCase(java.util.Locale.ROOT)),
          new StatusOutput<>(StringCodec.UTF8), args);
    } finally {
      c.shutdown(0, 1, TimeUnit.SECONDS);
    }
  }

  static List<java.util.Map<String, Object>> aclLog(RedisServer redis) {
    RedisClient c = RedisClient.create(redis.uri());
    try (StatefulRedisConnection<String, String> conn = c.connect()) {
      return conn.sync().aclLog();
    } finally {
      c.shutdown(0, 1, TimeUnit.SECONDS);
    }
  }

  /** The {@code ACL SETUSER} line of docs/scale-out.md for user {@code gw} on {@link #PREFIX}, as words. */
  static List<String> documentedAclLine() throws Exception {
    Path doc = Path.of(System.getProperty("user.dir")).getParent().resolve("docs/scale-out.md");
    String line = Files.readAllLines(doc).stream().map(String::strip).filter(l -> l.startsWith("ACL SETUSER "))
        .findFirst().orElseThrow(() -> new AssertionError("docs/scale-out.md has no ACL SETUSER line"));
    return Arrays.asList(line.replace("<user>", "gw").replace("<password>", PASSWORD).replace("<prefix>", PREFIX)
        .split(" +"));
  }

  RedisState.Builder asGw(RedisServer redis) {
    return RedisState.builder(redis.uri()).keyPrefix(PREFIX).user("gw").password(PASSWORD.toCharArray())
        .timeout(Duration.ofSeconds(2));
  }

  static void servesEveryConcern(RedisState s) throws Exception {
    UUID id = UUID.randomUUID();
    assertThat(s.replayCache().firstSeen(id, Instant.now().plusSeconds(300))).isTrue();
    assertThat(s.grantUses().tryUse("issuer|g1", 1, Instant.now().plusSeconds(300))).isTrue();
    assertThat(s.grantUses().tryUse("issuer|g1", 1, Instant.now().plusSeconds(300))).isFalse();
    assertThat(s.grantUses().used("issuer|g1")).isEqualTo(1);
    assertThat(s.rateLimiter().tryAcquire("rule|c", 1, Duration.ofMinutes(1), Instant.now())).isTrue();
    assertThat(s.rateLimiter().tryAcquire("rule|c", 1, Duration.ofMinutes(1), Instant.now())).isFalse();
  }

  @Test
  void tls_redissWithTheTrustedTestCa_sharesStateOverTls() throws Exception {
    Path ca = testCa("redis-ca");
    Path d = ca.getParent();
    RedisServer redis = closing(RedisServer.startTls(dir, d.resolve("server.pem"), d.resolve("server.key"), ca));
    assertThat(redis.uri()).startsWith("rediss://");

    RedisState one = closing(RedisState.builder(redis.uri()).keyPrefix(PREFIX).caFile(ca).open());
    RedisState two = closing(RedisState.builder(redis.uri()).keyPrefix(PREFIX).caFile(ca).open());
    UUID id = UUID.randomUUID();

    assertThat(one.replayCache().firstSeen(id, Instant.now().plusSeconds(300))).isTrue();
    assertThat(two.replayCache().firstSeen(id, Instant.now().plusSeconds(300))).as("seen through the TLS Redis").isFalse();
    servesEveryConcern(two);
  }

  @Test
  void tls_serverCertificateOfAnotherCa_refusedAtOpen() throws Exception {
    Path ca = testCa("redis-ca");
    Path other = testCa("other-ca");
    Path d = ca.getParent();
    RedisServer redis = closing(RedisServer.startTls(dir, d.resolve("server.pem"), d.resolve("server.key"), ca));

    Throwable untrusted = catchThrowable(() -> RedisState.builder(redis.uri()).caFile(other).timeout(Duration.ofSeconds(1)).open());
    Throwable plain = catchThrowable(() -> RedisState.builder(redis.uri().replace("rediss://", "redis://"))
        .timeout(Duration.ofSeconds(1)).open());

    assertThat(untrusted).isInstanceOf(StateException.class)
        .satisfies(e -> assertThat(((StateException) e).reason()).isEqualTo(StateException.Reason.UNAVAILABLE));
    assertThat(plain).as("no plain-text fallback to a TLS-only Redis").isInstanceOf(StateException.class);
  }

  @Test
  void acl_documentedUser_servesEveryConcern() throws Exception {
    RedisServer redis = closing(RedisServer.start(dir));
    assertThat(admin(redis, documentedAclLine())).isEqualTo("OK");

    RedisState s = closing(asGw(redis).open());

    servesEveryConcern(s);
    assertThat(aclLog(redis)).as("nothing the gateway sent was denied (ACL LOG)").isEmpty();
  }

  @Test
  void acl_userWithoutTheScripts_refusedAtOpenWithStateNotPermitted() throws Exception {
    RedisServer redis = closing(RedisServer.start(dir));
    List<String> line = new ArrayList<>(documentedAclLine());
    line.removeAll(List.of("+evalsha", "+eval"));
    admin(redis, line);

    Throwable t = catchThrowable(() -> asGw(redis).open());

    assertThat(t).isInstanceOf(StateException.class).hasMessageContaining("STATE_NOT_PERMITTED")
        .hasMessageNotContaining(PASSWORD);
    assertThat(((StateException) t).reason()).isEqualTo(StateException.Reason.NOT_PERMITTED);
    assertThat(((StateException) t).errorCode().wireName()).isEqualTo("STATE_NOT_PERMITTED");
  }

  @Test
  void acl_userOutsideItsKeyPattern_refusedAtOpenWithStateNotPermitted() throws Exception {
    RedisServer redis = closing(RedisServer.start(dir));
    admin(redis, documentedAclLine());

    Throwable t = catchThrowable(() -> asGw(redis).keyPrefix("shulian:another-department:").open());

    assertThat(t).isInstanceOf(StateException.class);
    assertThat(((StateException) t).reason()).isEqualTo(StateException.Reason.NOT_PERMITTED);
  }

  @Test
  void acl_rightRevokedWhileRunning_replayRefusedNotServed() throws Exception {
    RedisServer redis = closing(RedisServer.start(dir));
    admin(redis, documentedAclLine());
    RedisState s = closing(asGw(redis).open());

    admin(redis, List.of("ACL", "SETUSER", "gw", "-set"));
    Throwable t = catchThrowable(() -> s.replayCache().firstSeen(UUID.randomUUID(), Instant.now().plusSeconds(300)));

    assertThat(t).isInstanceOf(ReplayStateUnavailableException.class).hasMessageContaining("refused");
  }

  @Test
  void sentinel_gatewayFindsTheMasterThroughTheSentinel() throws Exception {
    RedisServer master = closing(RedisServer.start(dir));
    RedisServer sentinel = closing(RedisServer.startSentinel(dir, master, "department"));

    RedisState s = closing(RedisState.builder("redis-sentinel://127.0.0.1:" + sentinel.port + "#department")
        .keyPrefix(PREFIX).open());
    UUID id = UUID.randomUUID();
    assertThat(s.replayCache().firstSeen(id, Instant.now().plusSeconds(300))).isTrue();

    RedisClient c = RedisClient.create(master.uri());
    try (StatefulRedisConnection<String, String> conn = c.connect()) {
      assertThat(conn.sync().exists(PREFIX + "replay:" + id)).as("written on the master").isEqualTo(1L);
    } finally {
      c.shutdown(0, 1, TimeUnit.SECONDS);
    }
  }
}
