package io.shulian.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.shulian.core.envelope.EnvelopeSealer;
import io.shulian.core.envelope.SealRequest;
import io.shulian.core.envelope.SealedEnvelope;
import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.policy.Grant;
import io.shulian.core.policy.GrantIssuer;
import io.shulian.gateway.config.ConfigLoader;
import io.shulian.gateway.state.RedisServer;
import io.shulian.gateway.state.Resources;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17, Redis Sentinel: two provider gateway replicas reach Redis through a real sentinel
 * ({@code redis-server --sentinel}) watching a master and its replica on loopback. The master is
 * killed: while the sentinel has not promoted the replica, exchanges are refused with {@code 503
 * STATE_UNAVAILABLE} and nothing is released; once it has, the gateways serve again without a
 * restart, and an envelope the master acknowledged (and had replicated) before the failover is a
 * replay on the replica that never saw it.
 */
class SentinelFailoverEndToEndTest {
  static final String MASTER = "department";

  @TempDir Path dir;
  final Resources resources = new Resources();
  final AtomicInteger backendCalls = new AtomicInteger();
  final Map<String, String> env = Map.of("SHULIAN_KEY_PASSWORD", "test-only", "SHULIAN_MASK_KEY", "0123456789abcdef-test");
  final List<Gateway> gateways = new ArrayList<>();
  final List<MemoryAuditor> audits = new ArrayList<>();
  PartyIdentity housing;
  PartyIdentity civil;
  HttpClient peer;
  RedisServer master;
  RedisServer replica;
  RedisServer sentinel;

  @AfterEach
  void stop() {
    resources.close();
  }

  <T extends AutoCloseable> T closing(T c) {
    return resources.add(c);
  }

  @Test
  void masterKilled_refusedUntilSentinelPromotesReplica_thenServedWithoutRestart_replicatedReplayStillRefused()
      throws Exception {
    String grant = start("");

    SealedEnvelope before = envelope(grant);
    assertThat(post(0, before).statusCode()).isEqualTo(200);
    // the master has handed every write so far (the envelope's id among them) to its replica
    assertThat(master.cli("WAIT", "1", "5000").trim()).isEqualTo("1");
    assertThat(replica.cli("KEYS", "*replay:" + before.header().id())).contains(before.header().id().toString());

    master.kill();
    // the sentinel counts the master down only after 1 s without an answer: meanwhile there is no master
    List<HttpResponse<String>> during = List.of(post(0, envelope(grant)), post(1, envelope(grant)));

    assertThat(during).allSatisfy(r -> {
      assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
      assertThat(r.body()).contains("STATE_UNAVAILABLE").doesNotContain("balance");
    });
    assertThat(backendCalls.get()).as("nothing released without replay protection").isEqualTo(1);

    awaitServedByBoth(grant);
    assertThat(sentinel.cli("SENTINEL", "GET-MASTER-ADDR-BY-NAME", MASTER)).contains(Integer.toString(replica.port));
    assertThat(audits.get(0).events).filteredOn(e -> e.status == 503)
        .allSatisfy(e -> assertThat(e.outcome).isEqualTo("STATE_UNAVAILABLE")).isNotEmpty();

    // replica 2 never saw the envelope: only the promoted Redis can tell it is a replay
    HttpResponse<String> replay = post(1, before);
    assertThat(replay.statusCode()).as(replay.body()).isEqualTo(409);
    assertThat(replay.body()).contains("REPLAYED");
    assertThat(backendCalls.get()).isEqualTo(3);
  }

  /**
   * Starts the master, its replica, the sentinel and two provider gateways whose {@code state:}
   * mapping ends with {@code stateExtra}; returns a grant of 1000 uses for the consumer.
   */
  String start(String stateExtra) throws Exception {
    master = closing(RedisServer.start(dir));
    replica = closing(RedisServer.startReplica(dir, "redis-replica", master));
    sentinel = closing(RedisServer.startSentinel(dir, master, MASTER, 1000));
    awaitOutput(replica, List.of("INFO", "replication"), "master_link_status:up");
    // linked is not yet acknowledging: a WAIT on the master must see the replica before a test relies on it
    awaitOutput(master, List.of("WAIT", "1", "1000"), "1");
    // the sentinel learns the replica from the master's INFO; it can fail over only to a replica it knows
    awaitOutput(sentinel, List.of("SENTINEL", "REPLICAS", MASTER), Integer.toString(replica.port));

    ScaleOutEndToEndTest.Department d = ScaleOutEndToEndTest.Department.write(dir);
    housing = d.housing();
    civil = d.civil();
    HttpServer backend = GatewayStateTest.fundBackend(backendCalls);
    resources.add(() -> backend.stop(0));
    for (int i = 1; i <= 2; i++) {
      Files.writeString(dir.resolve("replica-" + i + ".yaml"), String.join("\n",
          "identity: { keystore: housing.p12 }",
          "trust: { root: root.pem, bundle: bundle.jws }",
          "provider:",
          "  listen: 127.0.0.1:0",
          "  backends: [ { resource: " + GatewayStateTest.FUND + ", url: \"http://127.0.0.1:"
              + backend.getAddress().getPort() + "\" } ]",
          "  policy: { dir: policy }",
          "runtime: { eventLoops: 1 }",
          "audit: { dir: audit-" + i + " }",
          "state: { redis: \"redis-sentinel://127.0.0.1:" + sentinel.port + "#" + MASTER + "\", redisTimeout: 1s" + stateExtra + " }", ""));
      MemoryAuditor audit = new MemoryAuditor();
      gateways.add(closing(ConfigLoader.apply(ConfigLoader.load(dir.resolve("replica-" + i + ".yaml"), env::get), audit,
          env::get).build().start()));
      audits.add(audit);
    }
    peer = ScaleOutEndToEndTest.peerClient(civil, housing);
    return GrantIssuer.of(housing).issue(Grant.builder().id("g-failover").issuer(housing.party())
        .consumer(civil.party()).resource(GatewayStateTest.FUND).fields(List.of("applicant.name", "balance"))
        .purpose(GatewayStateTest.PURPOSE).validity(Instant.now().minusSeconds(60), Instant.now().plus(Duration.ofDays(1)))
        .maxUses(1000).build());

  }

  @Test
  void replicasOne_replicaLagging_refusedNotReplicated_envelopeServedBeforeMasterKillIsReplayAfterPromotion()
      throws Exception {
    String grant = start(", redisReplicas: 1, redisWaitTimeout: 300ms");

    // no WAIT by hand: the gateway answered only after the replica acknowledged the envelope's id
    SealedEnvelope served = envelope(grant);
    assertThat(post(0, served).statusCode()).isEqualTo(200);

    replica.pause();
    SealedEnvelope lagging = envelope(grant);
    HttpResponse<String> refused = post(0, lagging);
    assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
    assertThat(refused.body()).contains("STATE_UNAVAILABLE", "STATE_NOT_REPLICATED").doesNotContain("balance");
    assertThat(backendCalls.get()).as("nothing released without a replicated replay id").isEqualTo(1);
    assertThat(audits.get(0).events).filteredOn(e -> e.status == 503).singleElement().satisfies(e -> {
      assertThat(e.outcome).isEqualTo("STATE_UNAVAILABLE");
      assertThat(e.reasons).contains("STATE_NOT_REPLICATED");
    });
    // the master recorded the refused envelope's id: sent again, to either replica, it is a replay
    assertThat(List.of(post(0, lagging), post(1, lagging))).allSatisfy(r -> {
      assertThat(r.statusCode()).as(r.body()).isEqualTo(409);
      assertThat(r.body()).contains("REPLAYED");
    });

    // the master dies while its replica lags; the replica comes back and is promoted
    master.kill();
    replica.resume();
    awaitOutput(sentinel, List.of("SENTINEL", "GET-MASTER-ADDR-BY-NAME", MASTER), Integer.toString(replica.port));
    // the promoted master alone has no replica to acknowledge: refused until the old master is back
    // and the sentinel has made it the new master's replica
    master.startAgain();
    awaitServedByBoth(grant);

    // replica 2 never saw the envelope served before the kill: the promoted Redis holds its id
    HttpResponse<String> replay = post(1, served);
    assertThat(replay.statusCode()).as(replay.body()).isEqualTo(409);
    assertThat(backendCalls.get()).as("the refused envelope was never served").isEqualTo(3);
  }

  /**
   * Sends new envelopes to both gateways until each served one (within 60 s); every answer meanwhile
   * is 200 or 503 (fail closed until a master answers).
   */
  void awaitServedByBoth(String grant) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    int[] served = new int[2];
    while ((served[0] == 0 || served[1] == 0) && System.nanoTime() < deadline) {
      for (int g = 0; g < 2; g++) {
        if (served[g] == 0) {
          HttpResponse<String> r = post(g, envelope(grant));
          assertThat(r.statusCode()).as("fail closed until a master answers: " + r.body()).isIn(200, 503);
          served[g] = r.statusCode() == 200 ? 1 : 0;
        }
      }
      Thread.sleep(50);
    }
    assertThat(served).as("both replicas serve again, without a restart, once the sentinel promoted the replica")
        .containsExactly(1, 1);
  }

  static void awaitOutput(RedisServer server, List<String> command, String expected) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    String out = server.cli(command.toArray(String[]::new));
    while (!out.contains(expected)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(String.join(" ", command) + " never showed " + expected + ": " + out);
      }
      Thread.sleep(100);
      out = server.cli(command.toArray(String[]::new));
    }
  }

  SealedEnvelope envelope(String grant) throws Exception {
    String req = "GET " + GatewayStateTest.FUND_TARGET + " HTTP/1.1\r\nx-shulian-grant: " + grant + "\r\n\r\n";
    return EnvelopeSealer.builder(civil).build().seal(SealRequest.builder().recipient(housing.encryptionCertificate())
            .resource(GatewayStateTest.FUND).purpose(GatewayStateTest.PURPOSE).contentType("message/http").build(),
        req.getBytes(StandardCharsets.US_ASCII));
  }

  HttpResponse<String> post(int gateway, SealedEnvelope envelope) throws Exception {
    return peer.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:"
                + gateways.get(gateway).address("provider").getPort() + "/shulian/v1/exchange"))
            .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/jose")
            .POST(HttpRequest.BodyPublishers.ofByteArray(envelope.toByteArray())).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
