package io.shulian.gateway.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.shulian.core.envelope.ReplayStateUnavailableException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What only the Redis store does: expiry bounded by the envelope, the local front, Redis down and back. */
class RedisStateTest {
  @TempDir Path dir;
  RedisServer redis;
  RedisState state;

  @BeforeEach
  void start() throws Exception {
    redis = RedisServer.start(dir);
  }

  @AfterEach
  void stop() throws Exception {
    if (state != null) {
      state.close();
    }
    redis.close();
  }

  RedisState open(RedisState.OnUnavailable replay, RedisState.OnUnavailable grants, RedisState.OnUnavailable rates)
      throws StateException {
    return RedisState.builder(redis.uri()).keyPrefix("t:").timeout(Duration.ofMillis(300))
        .onUnavailable(RedisState.Concern.REPLAY, replay).onUnavailable(RedisState.Concern.GRANTS, grants)
        .onUnavailable(RedisState.Concern.RATES, rates).open();
  }

  long pttl(String key) {
    RedisClient c = RedisClient.create(redis.uri());
    try (StatefulRedisConnection<String, String> conn = c.connect()) {
      return conn.sync().pttl(key);
    } finally {
      c.shutdown(0, 1, TimeUnit.SECONDS);
    }
  }

  @Test
  void replay_idKeptNoLongerThanTheEnvelopeIsValid() throws Exception {
    state = open(RedisState.OnUnavailable.REFUSE, RedisState.OnUnavailable.REFUSE, RedisState.OnUnavailable.ALLOW_LOCAL);
    UUID id = UUID.randomUUID();

    assertThat(state.replayCache().firstSeen(id, Instant.now().plus(Duration.ofMinutes(5)))).isTrue();

    assertThat(pttl("t:replay:" + id)).isPositive().isLessThanOrEqualTo(Duration.ofMinutes(5).toMillis());
  }

  @Test
  void redisDown_replayAndGrantsRefused_thenServedWhenRedisReturns() throws Exception {
    state = open(RedisState.OnUnavailable.REFUSE, RedisState.OnUnavailable.REFUSE, RedisState.OnUnavailable.ALLOW_LOCAL);
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    state.bindMetrics(meters);
    UUID seen = UUID.randomUUID();
    assertThat(state.replayCache().firstSeen(seen, Instant.now().plusSeconds(600))).isTrue();

    redis.kill();
    Throwable replay = catchThrowable(() -> state.replayCache().firstSeen(UUID.randomUUID(), Instant.now().plusSeconds(600)));
    Throwable grant = catchThrowable(() -> state.grantUses().tryUse("issuer|g", 5, Instant.now().plusSeconds(600)));

    assertThat(replay).isInstanceOf(ReplayStateUnavailableException.class).hasMessageContaining("refused");
    assertThat(grant).isInstanceOf(IllegalStateException.class);
    assertThat(state.replayCache().firstSeen(seen, Instant.now().plusSeconds(600)))
        .as("an id already seen is a replay without asking Redis").isFalse();
    assertThat(state.unavailable()).isPresent();
    assertThat(meters.get("shulian_state_unavailable").tag("concern", "replay").tag("action", "refused")
        .functionCounter().count()).isEqualTo(1);

    redis.startAgain();
    // a new id for each attempt: an attempt refused while the client reconnects may still have
    // reached Redis (its SET sent once the connection is back), and its id is then rightly a replay
    UUID[] fresh = new UUID[1];
    assertThat(eventually(() -> state.replayCache().firstSeen(fresh[0] = UUID.randomUUID(),
        Instant.now().plusSeconds(600)))).isTrue();
    assertThat(state.replayCache().firstSeen(fresh[0], Instant.now().plusSeconds(600))).isFalse();
    assertThat(state.grantUses().tryUse("issuer|g", 5, Instant.now().plusSeconds(600))).isTrue();
    assertThat(state.unavailable()).isEmpty();
  }

  @Test
  void redisBack_withNoExchangeAfterIt_unavailableClearsByItself() throws Exception {
    // a balancer that reads /readyz sends no exchange to a gateway that is not ready: readiness
    // must come back from Redis answering, not from the next exchange
    state = open(RedisState.OnUnavailable.REFUSE, RedisState.OnUnavailable.REFUSE, RedisState.OnUnavailable.ALLOW_LOCAL);
    redis.kill();
    assertThatThrownBy(() -> state.replayCache().firstSeen(UUID.randomUUID(), Instant.now().plusSeconds(600)))
        .isInstanceOf(ReplayStateUnavailableException.class);
    redis.startAgain();

    assertThat(until(() -> state.unavailable().isEmpty())).as("ready again without a command of ours").isTrue();
  }

  /** Polls {@code c} for up to 20 s. */
  static boolean until(Check c) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!c.get()) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(100);
    }
    return true;
  }

  @Test
  void redisDown_allowLocal_decidesWithThisProcess() throws Exception {
    state = open(RedisState.OnUnavailable.ALLOW_LOCAL, RedisState.OnUnavailable.ALLOW_LOCAL,
        RedisState.OnUnavailable.ALLOW_LOCAL);
    redis.kill();
    UUID id = UUID.randomUUID();
    Instant now = Instant.now();

    assertThat(state.replayCache().firstSeen(id, now.plusSeconds(600))).isTrue();
    assertThat(state.replayCache().firstSeen(id, now.plusSeconds(600))).isFalse();
    assertThat(state.grantUses().tryUse("issuer|g", 1, now.plusSeconds(600))).isTrue();
    assertThat(state.grantUses().tryUse("issuer|g", 1, now.plusSeconds(600))).isFalse();
    assertThat(state.rateLimiter().tryAcquire("r|c", 1, Duration.ofMinutes(1), now)).isTrue();
    assertThat(state.rateLimiter().tryAcquire("r|c", 1, Duration.ofMinutes(1), now)).isFalse();
    assertThat(state.unavailable()).as("nothing is refused, so the gateway stays ready").isEmpty();
  }

  @Test
  void redisDown_ratesRefuse_throws() throws Exception {
    state = open(RedisState.OnUnavailable.REFUSE, RedisState.OnUnavailable.REFUSE, RedisState.OnUnavailable.REFUSE);
    redis.kill();

    Throwable t = catchThrowable(() -> state.rateLimiter().tryAcquire("r|c", 1, Duration.ofMinutes(1), Instant.now()));

    assertThat(t).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void open_redisNotListening_failsNamingTheAddress() throws Exception {
    redis.kill();

    Throwable t = catchThrowable(() -> RedisState.builder(redis.uri()).timeout(Duration.ofMillis(200)).open());

    assertThat(t).isInstanceOf(StateException.class).hasMessageContaining(redis.uri());
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "redis://user:secret@127.0.0.1:6379",
      "redis://secret@127.0.0.1:6379",
      "http://127.0.0.1:6379",
      "127.0.0.1:6379",
      "redis://",
      "redis://127.0.0.1:6379,redis-sentinel://127.0.0.1:26379#m",
  })
  void checkAddress_badOrWithCredentials_refusedWithoutEchoingTheSecret(String address) {
    Throwable t = catchThrowable(() -> RedisState.builder(address).checkAddress());

    assertThat(t).isInstanceOf(StateException.class).hasMessageStartingWith("state.redis: ");
    assertThat(t.getMessage()).doesNotContain("secret");
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "redis://127.0.0.1:6379/2",
      "rediss://redis.city.internal:6380",
      "redis-sentinel://10.0.0.1:26379,10.0.0.2:26379/0#shulian",
      "redis://10.0.0.1:7000,redis://10.0.0.2:7000,redis://10.0.0.3:7000",
  })
  void checkAddress_standaloneTlsSentinelCluster_accepted(String address) throws Exception {
    RedisState.builder(address).checkAddress();
  }

  interface Check {
    boolean get() throws Exception;
  }

  /** Retries while Redis is still refused (the client reconnects in the background). */
  static boolean eventually(Check c) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (true) {
      try {
        return c.get();
      } catch (ReplayStateUnavailableException | IllegalStateException e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(100);
      }
    }
  }
}
