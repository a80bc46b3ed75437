package io.shulian.core.envelope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ReplayCacheTest {
  private static final Instant T0 = Instant.parse("2026-06-01T08:00:00Z");

  /** A clock the test moves. */
  private static Clock clock(AtomicReference<Instant> now) {
    return new Clock() {
      @Override
      public java.time.ZoneId getZone() {
        return ZoneOffset.UTC;
      }

      @Override
      public Clock withZone(java.time.ZoneId zone) {
        return this;
      }

      @Override
      public Instant instant() {
        return now.get();
      }
    };
  }

  @Test
  void inMemory_full_refusesNewIdsRatherThanEvictingUnexpiredOnes() throws Exception {
    ReplayCache c = ReplayCache.inMemory(3, Clock.fixed(T0, ZoneOffset.UTC));
    UUID[] ids = {UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID()};
    for (UUID id : ids) {
      assertThat(c.firstSeen(id, T0.plus(Duration.ofMinutes(5)))).isTrue();
    }

    assertThatThrownBy(() -> c.firstSeen(UUID.randomUUID(), T0.plus(Duration.ofMinutes(5))))
        .isInstanceOf(ReplayStateUnavailableException.class).hasMessageContaining("3 envelope ids");
    for (UUID id : ids) {
      assertThat(c.firstSeen(id, T0.plus(Duration.ofMinutes(5)))).as("still remembered").isFalse();
    }
  }

  @Test
  void inMemory_fullOfExpiredIds_acceptsNewOnes() throws Exception {
    AtomicReference<Instant> now = new AtomicReference<>(Instant.now());
    ReplayCache c = ReplayCache.inMemory(2, clock(now));
    c.firstSeen(UUID.randomUUID(), now.get().plusMillis(50));
    c.firstSeen(UUID.randomUUID(), now.get().plusMillis(50));
    Thread.sleep(1500); // Caffeine measures expiry on its own ticker, to about a second
    now.set(now.get().plusSeconds(1));

    assertThat(c.firstSeen(UUID.randomUUID(), now.get().plusSeconds(60))).isTrue();
  }
}
