package io.shulian.gateway.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.shulian.core.envelope.ReplayStateUnavailableException;
import io.shulian.core.policy.StateNotReplicatedException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code state.redisReplicas}: each replay id and grant use is followed by {@code WAIT}, on a real
 * master and its replica on loopback. A replica that does not acknowledge (paused: SIGSTOP) makes
 * the write refused although the master applied it — the id stays recorded, the use stays counted
 * — and the replica answering again ends it.
 */
class RedisReplicationStateTest {
  static final String PREFIX = "shulian:housing:";

  @TempDir Path dir;
  final Resources resources = new Resources();
  RedisServer master;
  RedisServer replica;

  @BeforeEach
  void start() throws Exception {
    master = resources.add(RedisServer.start(dir));
    replica = resources.add(RedisServer.startReplica(dir, "redis-replica", master));
    awaitLinkUp(replica);
  }

  @AfterEach
  void stop() {
    resources.close();
  }

  static void awaitLinkUp(RedisServer replica) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!replica.cli("INFO", "replication").contains("master_link_status:up")) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the replica never linked to its master");
      }
      Thread.sleep(50);
    }
  }

  RedisState open(int replicas, RedisState.OnUnavailable action) throws StateException {
    return resources.add(RedisState.builder(master.uri()).keyPrefix(PREFIX).timeout(Duration.ofSeconds(2))
        .waitTimeout(Duration.ofMillis(300)).replicas(replicas).onUnavailable(RedisState.Concern.REPLAY, action)
        .onUnavailable(RedisState.Concern.GRANTS, action).open());
  }

  static double counter(SimpleMeterRegistry r, String name, String concern) {
    return r.get(name).tag("concern", concern).functionCounter().count();
  }

  @Test
  void replicasOne_replicaPaused_replayAndGrantRefusedButRecorded_replicaBack_servedAgain() throws Exception {
    RedisState state = open(1, RedisState.OnUnavailable.REFUSE);
    RedisState other = open(0, RedisState.OnUnavailable.REFUSE);
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    state.bindMetrics(meters);
    Instant until = Instant.now().plusSeconds(300);
    UUID served = UUID.randomUUID();
    assertThat(state.replayCache().firstSeen(served, until)).isTrue();
    assertThat(state.grantUses().tryUse("housing|g-wait", 5, until)).isTrue();
    // acknowledged by the replica before the answer: it holds the id already
    assertThat(replica.cli("EXISTS", PREFIX + "replay:" + served).trim()).isEqualTo("1");

    replica.pause();
    UUID lagging = UUID.randomUUID();
    assertThatThrownBy(() -> state.replayCache().firstSeen(lagging, until))
        .isInstanceOf(ReplayStateUnavailableException.class).hasCauseInstanceOf(StateNotReplicatedException.class)
        .hasMessageContaining("0 of 1");
    assertThatThrownBy(() -> state.grantUses().tryUse("housing|g-wait", 5, until))
        .isInstanceOf(StateNotReplicatedException.class);
    assertThat(state.unavailable()).hasValueSatisfying(m -> assertThat(m).contains("not replicated"));
    assertThat(counter(meters, "shulian_state_not_replicated", "replay")).isEqualTo(1);
    assertThat(counter(meters, "shulian_state_not_replicated", "grants")).isEqualTo(1);
    // the master applied both: the refused envelope is now a replay, the refused use is counted
    assertThat(other.replayCache().firstSeen(lagging, until)).isFalse();
    assertThat(other.grantUses().used("housing|g-wait")).isEqualTo(2);
    // a write that changed nothing needs no acknowledgement: a replay is still a plain replay
    assertThat(state.replayCache().firstSeen(lagging, until)).isFalse();
    assertThat(state.grantUses().tryUse("housing|g-used-up", 0, until)).isFalse();

    replica.resume();
    assertThat(state.replayCache().firstSeen(UUID.randomUUID(), until)).isTrue();
    assertThat(state.grantUses().tryUse("housing|g-wait", 5, until)).isTrue();
    assertThat(state.unavailable()).isEmpty();
  }

  @Test
  void replicasOne_replicaBack_withNoExchangeAfterIt_unavailableClearsByItself_notBefore() throws Exception {
    RedisState state = open(1, RedisState.OnUnavailable.REFUSE);
    replica.pause();
    assertThatThrownBy(() -> state.replayCache().firstSeen(UUID.randomUUID(), Instant.now().plusSeconds(300)))
        .isInstanceOf(ReplayStateUnavailableException.class);

    // the recheck writes and waits for the replica too: while it is paused, still not ready
    long deadline = System.nanoTime() + RedisState.RECHECK_INTERVAL.toNanos() * 3;
    while (System.nanoTime() < deadline) {
      assertThat(state.unavailable()).as("the replica is still paused").isPresent();
      Thread.sleep(200);
    }
    replica.resume();

    assertThat(RedisStateTest.until(() -> state.unavailable().isEmpty())).as("ready again without an exchange").isTrue();
  }

  @Test
  void replicasOne_allowLocal_replicaPaused_servedOnTheMastersAnswer() throws Exception {
    RedisState state = open(1, RedisState.OnUnavailable.ALLOW_LOCAL);
    Instant until = Instant.now().plusSeconds(300);
    replica.pause();

    UUID id = UUID.randomUUID();
    assertThat(state.replayCache().firstSeen(id, until)).isTrue();
    assertThat(state.replayCache().firstSeen(id, until)).isFalse();
    assertThat(state.grantUses().tryUse("housing|g-local", 1, until)).isTrue();
    assertThat(state.grantUses().tryUse("housing|g-local", 1, until)).isFalse();
    replica.resume();
  }

  @Test
  void replicasTwo_onlyOneReplica_everyNewIdRefused() throws Exception {
    RedisState state = open(2, RedisState.OnUnavailable.REFUSE);

    for (int i = 0; i < 3; i++) {
      assertThatThrownBy(() -> state.replayCache().firstSeen(UUID.randomUUID(), Instant.now().plusSeconds(60)))
          .isInstanceOf(ReplayStateUnavailableException.class).hasMessageContaining("1 of 2");
    }
  }

  @Test
  void waitTimeoutNotShorterThanTimeout_refusedAtOpen() {
    assertThatThrownBy(() -> RedisState.builder(master.uri()).timeout(Duration.ofMillis(500))
        .waitTimeout(Duration.ofMillis(500)).replicas(1).open())
        .isInstanceOf(StateException.class).hasMessageContaining("redisWaitTimeout");
    assertThat(List.of(-1, 17)).allSatisfy(n ->
        assertThatThrownBy(() -> RedisState.builder(master.uri()).replicas(n)).isInstanceOf(IllegalArgumentException.class));
  }
}
