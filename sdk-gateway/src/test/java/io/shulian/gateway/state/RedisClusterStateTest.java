package io.shulian.gateway.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code state.redis} on a real Redis Cluster: three masters on loopback joined by {@code redis-cli
 * --cluster create}. Every command and script of the shared state touches one key, so each goes
 * to the node holding that key's slot; the keys spread over all the nodes, and the guarantees are
 * those of one Redis: an envelope id is new once, a grant is used exactly its maximum.
 */
class RedisClusterStateTest {
  static final String PREFIX = "shulian:housing:";

  @TempDir Path dir;
  final Resources resources = new Resources();
  final List<RedisServer> nodes = new ArrayList<>();

  @BeforeEach
  void cluster() throws Exception {
    for (int i = 1; i <= 3; i++) {
      nodes.add(closing(RedisServer.startClusterNode(dir, "node-" + i)));
    }
    RedisServer.createCluster(dir, nodes);
  }

  @AfterEach
  void stop() {
    resources.close();
  }

  <T extends AutoCloseable> T closing(T c) {
    return resources.add(c);
  }

  RedisState open(String address) throws StateException {
    return closing(RedisState.builder(address).keyPrefix(PREFIX).timeout(Duration.ofSeconds(2)).open());
  }

  String seeds() {
    return String.join(",", nodes.stream().map(RedisServer::uri).toList());
  }

  long keysOn(RedisServer node) throws Exception {
    return Long.parseLong(node.cli("DBSIZE").trim());
  }

  @Test
  void clusterSeeds_replayIdsSpreadOverEveryNode_eachNewOnceAcrossReplicas() throws Exception {
    RedisState one = open(seeds());
    RedisState two = open(seeds());
    List<UUID> ids = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      ids.add(UUID.randomUUID());
    }

    for (UUID id : ids) {
      assertThat(one.replayCache().firstSeen(id, Instant.now().plusSeconds(300))).isTrue();
    }
    // the second replica never saw them: only the cluster can tell
    for (UUID id : ids) {
      assertThat(two.replayCache().firstSeen(id, Instant.now().plusSeconds(300))).isFalse();
    }
    for (RedisServer n : nodes) {
      assertThat(keysOn(n)).as("node " + n.port + " holds some of the ids").isPositive();
    }
  }

  @Test
  void clusterSeeds_grantMaxTwenty_sixtyConcurrentUsesFromTwoReplicas_exactlyTwenty() throws Exception {
    List<RedisState> replicas = List.of(open(seeds()), open(seeds()));
    Instant until = Instant.now().plusSeconds(600);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    resources.add(pool::shutdownNow);
    List<Future<Boolean>> uses = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      RedisState r = replicas.get(i % 2);
      uses.add(pool.submit((Callable<Boolean>) () -> r.grantUses().tryUse("housing|g-twenty", 20, until)));
    }

    long granted = 0;
    for (Future<Boolean> f : uses) {
      granted += f.get() ? 1 : 0;
    }

    assertThat(granted).isEqualTo(20);
    assertThat(replicas.get(0).grantUses().used("housing|g-twenty")).isEqualTo(20);
  }

  @Test
  void clusterSeeds_rateLimitCountedOnceAcrossReplicas() throws Exception {
    RedisState one = open(seeds());
    RedisState two = open(seeds());
    Instant now = Instant.now();

    int allowed = 0;
    for (int i = 0; i < 10; i++) {
      allowed += (i % 2 == 0 ? one : two).rateLimiter().tryAcquire("civil|rule", 5, Duration.ofMinutes(1), now) ? 1 : 0;
    }

    assertThat(allowed).isEqualTo(5);
  }

  @Test
  void clusterSeeds_outsiderValuesWithHashTagBraces_eachKeyItsOwnCounter_noCrossSlotNoCollision() throws Exception {
    RedisState one = open(seeds());
    RedisState two = open(seeds());
    Instant until = Instant.now().plusSeconds(600);
    // grant ids are chosen by the issuer, rate keys hold party ids and rule ids: braces make a Redis
    // Cluster hash only what is between them; every command is on one key, so this can only move a key
    List<String> grants = List.of("housing#{g}", "housing#{g}x", "housing#}{g", "housing#{}", "housing#g{",
        "{housing#g}", "civil#{g}");
    for (String g : grants) {
      assertThat(one.grantUses().tryUse(g, 1, until)).as(g).isTrue();
    }
    for (String g : grants) {
      assertThat(two.grantUses().tryUse(g, 1, until)).as(g + " used up, from the other replica").isFalse();
      assertThat(two.grantUses().used(g)).as(g).isEqualTo(1);
    }
    Instant now = Instant.now();
    for (String k : List.of("rule|{440600}", "rule|{440600}x", "{rule}|440600", "rule|}{")) {
      assertThat(one.rateLimiter().tryAcquire(k, 1, Duration.ofMinutes(1), now)).as(k).isTrue();
      assertThat(two.rateLimiter().tryAcquire(k, 1, Duration.ofMinutes(1), now)).as(k).isFalse();
    }
  }

  @Test
  void singleNodeAddressOfCluster_usedAsSeed_everyKeyServed() throws Exception {
    RedisState one = open(nodes.get(0).uri());

    // 60 random ids land in every node's slots; a plain connection to one node would get MOVED for most
    for (int i = 0; i < 60; i++) {
      assertThat(one.replayCache().firstSeen(UUID.randomUUID(), Instant.now().plusSeconds(300))).isTrue();
    }
    assertThat(one.grantUses().tryUse("housing|g-one", 1, Instant.now().plusSeconds(600))).isTrue();
    for (RedisServer n : nodes) {
      assertThat(keysOn(n)).as("node " + n.port + " holds some of the ids").isPositive();
    }
  }
}
