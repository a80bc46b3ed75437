package io.shulian.gateway.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.shulian.core.envelope.ReplayCache;
import io.shulian.core.policy.GrantUseCounter;
import io.shulian.core.policy.RateLimiter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract of a {@link SharedState}, run against every store (in-process and Redis): replay
 * detection is atomic, grant uses are exact under concurrency, a rate limit allows at most its
 * maximum in one window. Each store's test class opens it in {@link #open}.
 */
abstract class SharedStateContract {
  static final int THREADS = 12;
  SharedState state;
  ExecutorService pool;

  abstract SharedState open() throws Exception;

  @BeforeEach
  void openState() throws Exception {
    state = open();
    pool = Executors.newFixedThreadPool(THREADS);
  }

  @AfterEach
  void closeState() throws Exception {
    pool.shutdownNow();
    pool.awaitTermination(10, TimeUnit.SECONDS);
    if (state != null) {
      state.close();
    }
  }

  /** Runs {@code n} calls started together on the pool and counts those that returned true. */
  int concurrently(int n, Callable<Boolean> call) throws Exception {
    CountDownLatch go = new CountDownLatch(1);
    List<Future<Boolean>> fs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      fs.add(pool.submit(() -> {
        go.await();
        return call.call();
      }));
    }
    go.countDown();
    int yes = 0;
    for (Future<Boolean> f : fs) {
      if (f.get(30, TimeUnit.SECONDS)) {
        yes++;
      }
    }
    return yes;
  }

  static Instant inAnHour() {
    return Instant.now().plus(Duration.ofHours(1));
  }

  @Test
  void replay_sameIdTwice_secondIsReplay() throws Exception {
    ReplayCache r = state.replayCache();
    UUID id = UUID.randomUUID();

    assertThat(r.firstSeen(id, inAnHour())).isTrue();
    assertThat(r.firstSeen(id, inAnHour())).isFalse();
    assertThat(r.firstSeen(UUID.randomUUID(), inAnHour())).as("another envelope").isTrue();
  }

  @Test
  void replay_sameIdConcurrently_exactlyOneFirst() throws Exception {
    UUID id = UUID.randomUUID();

    int first = concurrently(40, () -> state.replayCache().firstSeen(id, inAnHour()));

    assertThat(first).isEqualTo(1);
  }

  @Test
  void grants_sixtyConcurrentUsesOfMaxTwenty_exactlyTwentyGranted() throws Exception {
    GrantUseCounter g = state.grantUses();

    int granted = concurrently(60, () -> g.tryUse("issuer|grant-20", 20, inAnHour()));

    assertThat(granted).isEqualTo(20);
    assertThat(g.used("issuer|grant-20")).isEqualTo(20);
    assertThat(g.tryUse("issuer|grant-20", 20, inAnHour())).isFalse();
  }

  @Test
  void grants_twoGrants_countedApart() throws Exception {
    GrantUseCounter g = state.grantUses();

    assertThat(g.tryUse("issuer|a", 1, inAnHour())).isTrue();
    assertThat(g.tryUse("issuer|a", 1, inAnHour())).isFalse();
    assertThat(g.tryUse("issuer|b", 1, inAnHour())).isTrue();
    assertThat(g.used("issuer|never")).isZero();
  }

  @Test
  void rates_oneWindow_allowsMaxThenRefuses() throws Exception {
    RateLimiter r = state.rateLimiter();
    Instant now = Instant.parse("2026-01-07T10:00:00Z");

    for (int i = 0; i < 3; i++) {
      assertThat(r.tryAcquire("rule|civil", 3, Duration.ofHours(1), now)).as("request %d", i).isTrue();
    }
    assertThat(r.tryAcquire("rule|civil", 3, Duration.ofHours(1), now)).isFalse();
    assertThat(r.tryAcquire("rule|market", 3, Duration.ofHours(1), now)).as("another consumer").isTrue();
    assertThat(r.tryAcquire("rule|civil", 3, Duration.ofHours(1), now.plus(Duration.ofHours(2))))
        .as("two windows later").isTrue();
  }

  @Test
  void rates_concurrentRequests_exactlyMaxAllowed() throws Exception {
    Instant now = Instant.parse("2026-01-07T10:00:00Z");

    int allowed = concurrently(50, () -> state.rateLimiter().tryAcquire("rule|burst", 15, Duration.ofMinutes(1), now));

    assertThat(allowed).isEqualTo(15);
  }
}
