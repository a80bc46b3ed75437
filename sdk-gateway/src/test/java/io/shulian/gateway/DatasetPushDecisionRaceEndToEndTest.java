package io.shulian.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.shulian.core.envelope.EnvelopeHeader;
import io.shulian.core.keys.Suite;
import io.shulian.core.party.PartyId;
import io.shulian.gateway.audit.ExchangeEvent;
import io.shulian.gateway.authorize.ExchangePolicy;
import io.shulian.gateway.authorize.Verdict;
import io.shulian.gateway.state.RedisServer;
import io.shulian.gateway.state.RedisState;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A streamed push whose app disconnects while the sender gateway's policy decisions still run on
 * the shared-state workers (a real Redis as the shared state, so decisions leave the event loop):
 * the app's close cuts every receiver off (audited once each, APP_CLOSED); a decision that comes
 * back afterwards must neither audit the receiver a second time nor open anything to it.
 */
class DatasetPushDecisionRaceEndToEndTest {
  @TempDir Path dir;
  final DatasetPushEndToEndTest city = new DatasetPushEndToEndTest() {
    @Override
    Gateway.Builder province(Gateway.Builder b) throws Exception {
      RedisState shared = RedisState.builder(redis.uri()).keyPrefix("race:").open();
      closeables.add(shared);
      return b.sharedState(shared);
    }
  };
  RedisServer redis;
  final CountDownLatch enteredA = new CountDownLatch(1);
  final CountDownLatch releaseA = new CountDownLatch(1);
  final CountDownLatch enteredB = new CountDownLatch(1);
  final CountDownLatch releaseB = new CountDownLatch(1);

  @AfterEach
  void tearDown() throws Exception {
    releaseA.countDown();
    releaseB.countDown();
    city.tearDown();
  }

  @Test
  void appClosesWhileDecisionsRunOnStateWorkers_eachReceiverAuditedOnce_nothingOpenedOrDelivered() throws Exception {
    redis = RedisServer.start(dir);
    city.closeables.add(redis);
    city.policy = new ExchangePolicy() {
      @Override
      public Verdict decide(EnvelopeHeader request, String action, @Nullable String grantToken) {
        return Verdict.deny("NO_PULL", "this test only pushes", "v1");
      }

      @Override
      public Verdict decidePush(PartyId receiver, String resource, String purpose) {
        boolean a = receiver.equals(DatasetPushEndToEndTest.DISTRICT_A);
        (a ? enteredA : enteredB).countDown();
        try {
          (a ? releaseA : releaseB).await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return a ? Verdict.deny("RATE_LIMITED", "over the rate", "v1")
            : DatasetPushEndToEndTest.POLICY.decidePush(receiver, resource, purpose);
      }
    };
    city.startCity(Suite.INTL);
    String head = "POST /dataset-push/" + DatasetPushEndToEndTest.RESOURCE + "?to=" + enc(DatasetPushEndToEndTest.DISTRICT_A)
        + "&to=" + enc(DatasetPushEndToEndTest.DISTRICT_B) + " HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Api-Key: "
        + DatasetPushEndToEndTest.API_KEY + "\r\nX-Shulian-Purpose: " + DatasetPushEndToEndTest.PURPOSE
        + "\r\nContent-Type: application/jsonl\r\nContent-Length: 100000\r\n\r\n";
    try (Socket app = new Socket("127.0.0.1", city.province.address("consumer").getPort())) {
      OutputStream o = app.getOutputStream();
      o.write(head.getBytes(StandardCharsets.UTF_8));
      o.write(DatasetPushEndToEndTest.dataset(10));
      o.flush();
      assertThat(enteredA.await(60, TimeUnit.SECONDS)).isTrue();
    } // the app goes away while receiver A's decision is still running

    DatasetResumeEndToEndTest.awaitEvents(city.provinceAudit, 2);
    assertThat(city.provinceAudit.events).extracting(e -> e.outcome).containsExactly("APP_CLOSED", "APP_CLOSED");

    releaseA.countDown(); // A's decision (a refusal) comes back after the app left
    assertThat(enteredB.await(60, TimeUnit.SECONDS)).isTrue(); // A's decision has been handled on the worker
    assertThat(eventsFor(DatasetPushEndToEndTest.DISTRICT_A)).hasSize(1);
    releaseB.countDown(); // B's (a permit) too

    awaitDecisionsApplied();
    // a second record, or anything opened to B, would follow within moments of the permit being applied
    awaitEvents(city.provinceAudit, 3, java.time.Duration.ofSeconds(5));
    assertThat(eventsFor(DatasetPushEndToEndTest.DISTRICT_A)).hasSize(1);
    assertThat(eventsFor(DatasetPushEndToEndTest.DISTRICT_B)).hasSize(1);
    assertThat(city.delivered).isEmpty();
    for (PartyId d : List.of(DatasetPushEndToEndTest.DISTRICT_A, DatasetPushEndToEndTest.DISTRICT_B)) {
      assertThat(city.districtAudit.get(d).events).as("nothing reached " + d).isEmpty();
    }
  }

  /**
   * Returns once both decisions came back and what they posted to the app's event loop ran: the
   * state workers are idle, then a task queued behind that loop's work has run.
   */
  void awaitDecisionsApplied() throws Exception {
    java.util.concurrent.ThreadPoolExecutor workers = (java.util.concurrent.ThreadPoolExecutor)
        java.util.Objects.requireNonNull(city.province.context().stateCalls(), "state workers");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (workers.getActiveCount() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(workers.getActiveCount()).as("state workers idle").isZero();
    // the APP_CLOSED records were written on the app's loop, where the decisions are applied too
    java.util.Objects.requireNonNull(city.provinceAudit.firstLoop.get()).submit(() -> { }).get(60, TimeUnit.SECONDS);
  }

  /** Waits until {@code a} holds {@code n} records or {@code cap} passed (to see that no more come). */
  static void awaitEvents(MemoryAuditor a, int n, java.time.Duration cap) throws InterruptedException {
    long deadline = System.nanoTime() + cap.toNanos();
    while (a.events.size() < n && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
  }

  static String enc(PartyId p) {
    return java.net.URLEncoder.encode(p.toString(), StandardCharsets.UTF_8);
  }

  List<ExchangeEvent> eventsFor(PartyId receiver) {
    return city.provinceAudit.events.stream().filter(e -> e.receiver.equals(receiver.toString())).toList();
  }
}
