package io.shulian.gateway.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import io.lettuce.core.cluster.SlotHash;
import io.shulian.core.envelope.ReplayStateUnavailableException;
import io.shulian.core.policy.StateNotReplicatedException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code state.redis} on a Redis Cluster with replicas (3 masters + 3 replicas, {@code redis-cli
 * --cluster create --cluster-replicas 1}): the master holding a replay id's slot is killed
 * (SIGKILL). Until the cluster promotes its replica, ids of its slots are refused (fail closed);
 * afterwards the same {@link RedisState} serves them again (Lettuce's topology refresh), and the
 * id written before the kill — acknowledged by the replica ({@code redisReplicas: 1}) — is still
 * a replay.
 */
class RedisClusterFailoverTest {
  static final String PREFIX = "shulian:housing:";

  @TempDir Path dir;
  final Resources resources = new Resources();
  final List<RedisServer> nodes = new ArrayList<>();

  @AfterEach
  void stop() {
    resources.close();
  }

  RedisState open(String address, int replicas) throws StateException {
    return resources.add(RedisState.builder(address).keyPrefix(PREFIX).timeout(Duration.ofSeconds(1))
        .waitTimeout(Duration.ofMillis(300)).replicas(replicas).open());
  }

  /** The {@code CLUSTER NODES} line of the master that serves {@code slot}, as one node sees it. */
  static String[] masterOf(RedisServer seen, int slot) throws Exception {
    for (String line : seen.cli("CLUSTER", "NODES").split("\n")) {
      String[] f = line.trim().split(" ");
      if (f.length > 8 && f[2].contains("master") && !f[2].contains("fail") && serves(f, slot)) {
        return f;
      }
    }
    throw new AssertionError("no master serves slot " + slot);
  }

  /** True if the slot ranges of a CLUSTER NODES line ({@code 0-5460 ...}, from its 9th field) hold {@code slot}. */
  static boolean serves(String[] nodeLine, int slot) {
    for (int i = 8; i < nodeLine.length; i++) {
      String[] r = nodeLine[i].split("-");
      int lo = Integer.parseInt(r[0]);
      int hi = r.length > 1 ? Integer.parseInt(r[1]) : lo;
      if (slot >= lo && slot <= hi) {
        return true;
      }
    }
    return false;
  }

  static int slotOf(UUID id) {
    return SlotHash.getSlot(PREFIX + "replay:" + id);
  }

  static int port(String[] nodeLine) {
    String hostPort = nodeLine[1].split("@")[0];
    return Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1));
  }

  /** A fresh id whose key lands on a slot that {@code master} (a CLUSTER NODES line) served. */
  static UUID idOn(String[] master) throws Exception {
    for (int i = 0; i < 10_000; i++) {
      UUID id = UUID.randomUUID();
      if (serves(master, slotOf(id))) {
        return id;
      }
    }
    throw new AssertionError("no id found for the slots of " + master[0]);
  }

  /** Starts 3 masters + 3 replicas, waits until every replica is linked; returns the seed addresses. */
  String startCluster() throws Exception {
    for (int i = 1; i <= 6; i++) {
      nodes.add(resources.add(RedisServer.startClusterNode(dir, "node-" + i, 1000)));
    }
    RedisServer.createCluster(dir, nodes, 1);
    for (RedisServer n : nodes) {
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      String info = n.cli("INFO", "replication");
      while (info.contains("role:slave") && !info.contains("master_link_status:up")) {
        if (System.nanoTime() > deadline) {
          fail("replica " + n.port + " never linked: " + info);
        }
        Thread.sleep(50);
        info = n.cli("INFO", "replication");
      }
    }
    return String.join(",", nodes.stream().map(RedisServer::uri).toList());
  }

  @Test
  void masterOfReplayIdsSlotKilled_refusedUntilReplicaPromoted_thenServedWithoutReopen_idStillAReplay()
      throws Exception {
    String seeds = startCluster();
    RedisState waiting = open(seeds, 1);
    RedisState plain = open(seeds, 0);
    RedisState other = open(seeds, 0);
    Instant until = Instant.now().plusSeconds(300);

    UUID before = UUID.randomUUID();
    String[] owner = masterOf(nodes.get(0), slotOf(before));
    assertThat(waiting.replayCache().firstSeen(before, until)).isTrue();
    // WAIT went to the master of the id's slot: its replica holds the id already
    RedisServer ownerNode = nodes.stream().filter(n -> n.port == port(owner)).findFirst().orElseThrow();
    RedisServer ownersReplica = nodes.stream().filter(n -> {
      try {
        return n.cli("CLUSTER", "NODES").lines().anyMatch(l -> l.contains("myself,slave " + owner[0]));
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }).findFirst().orElseThrow();
    assertThat(ownersReplica.cli("KEYS", "*replay:" + before)).contains(before.toString());
    // and only that replica counts: paused, a write to its master's slots is not acknowledged
    ownersReplica.pause();
    try {
      assertThatThrownBy(() -> waiting.replayCache().firstSeen(idOn(owner), until))
          .isInstanceOf(ReplayStateUnavailableException.class).hasCauseInstanceOf(StateNotReplicatedException.class);
    } finally {
      ownersReplica.resume();
    }

    ownerNode.kill();
    // no master for those slots until the cluster promotes the replica (node timeout 1 s + election)
    assertThatThrownBy(() -> plain.replayCache().firstSeen(idOn(owner), until))
        .isInstanceOf(ReplayStateUnavailableException.class);

    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    boolean served = false;
    int refused = 1;
    while (!served) {
      if (System.nanoTime() > deadline) {
        fail("ids of the lost master's slots were still refused after 60 s (" + refused + " refusals)");
      }
      try {
        served = plain.replayCache().firstSeen(idOn(owner), until);
        assertThat(served).as("a fresh id is new").isTrue();
      } catch (ReplayStateUnavailableException e) {
        refused++;
        Thread.sleep(100);
      }
    }
    assertThat(ownersReplica.cli("INFO", "replication")).contains("role:master");
    // the promoted replica holds the id acknowledged before the kill
    assertThat(answer(other, before, until)).isFalse();

    // the promoted master has no replica of its own until the killed node comes back as one
    ownerNode.startAgain();
    deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    boolean replicated = false;
    while (!replicated) {
      if (System.nanoTime() > deadline) {
        fail("the returning node never acknowledged a write as the new master's replica");
      }
      try {
        replicated = waiting.replayCache().firstSeen(idOn(owner), until);
      } catch (ReplayStateUnavailableException e) {
        Thread.sleep(100);
      }
    }
  }

  @Test
  void slotMovedToAnotherMaster_waitingWrite_followsTheMove_notRefusedUntilThePeriodicRefresh() throws Exception {
    String seeds = startCluster();
    RedisState waiting = open(seeds, 1);
    Instant until = Instant.now().plusSeconds(300);
    assertThat(waiting.replayCache().firstSeen(UUID.randomUUID(), until)).isTrue(); // the slot map is loaded

    // an id whose (empty) slot is moved, as resharding does, from its master to another one
    UUID id;
    String[] from;
    do {
      id = UUID.randomUUID();
      from = masterOf(nodes.get(0), slotOf(id));
    } while (!nodeOn(port(from)).cli("CLUSTER", "COUNTKEYSINSLOT", Integer.toString(slotOf(id))).trim().equals("0"));
    String slot = Integer.toString(slotOf(id));
    String fromId = from[0];
    String[] to = java.util.Arrays.stream(nodes.get(0).cli("CLUSTER", "NODES").split("\n")).map(l -> l.trim().split(" "))
        .filter(f -> f.length > 8 && f[2].contains("master") && !f[0].equals(fromId)).findFirst().orElseThrow();
    RedisServer source = nodeOn(port(from));
    RedisServer target = nodeOn(port(to));
    assertThat(target.cli("CLUSTER", "SETSLOT", slot, "IMPORTING", from[0])).contains("OK");
    assertThat(source.cli("CLUSTER", "SETSLOT", slot, "MIGRATING", to[0])).contains("OK");
    for (RedisServer n : nodes) {
      if (n.cli("ROLE").startsWith("master")) {
        assertThat(n.cli("CLUSTER", "SETSLOT", slot, "NODE", to[0])).contains("OK");
      }
    }

    // the state's map still names the old master, which answers MOVED: the write follows it (a
    // refresh of the slot map) instead of being refused until the periodic refresh 30 s later
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    int refused = 0;
    while (true) {
      try {
        assertThat(waiting.replayCache().firstSeen(id, until)).isTrue();
        break;
      } catch (ReplayStateUnavailableException e) {
        refused++;
        if (System.nanoTime() > deadline) {
          throw new AssertionError("a write to the moved slot was still refused after 10 s (" + refused + " refusals)", e);
        }
        Thread.sleep(100);
      }
    }
    // it went to the new master, and its replica acknowledged it
    assertThat(target.cli("EXISTS", PREFIX + "replay:" + id).trim()).isEqualTo("1");
    assertThat(waiting.replayCache().firstSeen(id, until)).isFalse();
  }

  RedisServer nodeOn(int port) {
    return nodes.stream().filter(n -> n.port == port).findFirst().orElseThrow();
  }

  /** Asks until the state answers (its connections may still be catching up with the new topology). */
  static boolean answer(RedisState s, UUID id, Instant until) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (true) {
      try {
        return s.replayCache().firstSeen(id, until);
      } catch (ReplayStateUnavailableException e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(100);
      }
    }
  }
}
