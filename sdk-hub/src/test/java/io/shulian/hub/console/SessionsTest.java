package io.shulian.hub.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.shulian.hub.access.Operators;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class SessionsTest {
  final AtomicLong now = new AtomicLong(1_000);
  final Sessions sessions = new Sessions(Duration.ofMinutes(30), Duration.ofHours(8), now::get);
  final Operators.Operator bob = new Operators.Operator("bob", Operators.Role.REVIEWER);

  @Test
  void idleTimeout_endsAnUnusedSession() {
    Sessions.Session s = sessions.create(bob).orElseThrow();
    now.addAndGet(Duration.ofMinutes(29).toNanos());
    assertThat(sessions.find(s.id())).isPresent();
    now.addAndGet(Duration.ofMinutes(30).toNanos());
    assertThat(sessions.find(s.id())).isEmpty();
  }

  @Test
  void absoluteTimeout_endsABusySession() {
    Sessions.Session s = sessions.create(bob).orElseThrow();
    for (int i = 0; i < 8 * 4 - 1; i++) {
      now.addAndGet(Duration.ofMinutes(15).toNanos());
      assertThat(sessions.find(s.id())).as("after %d quarter hours", i + 1).isPresent();
    }
    now.addAndGet(Duration.ofMinutes(15).toNanos());
    assertThat(sessions.find(s.id())).isEmpty();
  }

  @Test
  void ids_and_csrfTokens_are256BitRandom_andDistinct() {
    Sessions.Session a = sessions.create(bob).orElseThrow();
    Sessions.Session b = sessions.create(bob).orElseThrow();
    assertThat(a.id()).matches("[A-Za-z0-9_-]{43}").isNotEqualTo(b.id()).isNotEqualTo(a.csrf());
    assertThat(a.csrf()).matches("[A-Za-z0-9_-]{43}").isNotEqualTo(b.csrf());
    assertThat(a.csrfMatches(a.csrf())).isTrue();
    assertThat(a.csrfMatches(b.csrf())).isFalse();
    assertThat(a.csrfMatches("")).isFalse();
  }

  @Test
  void end_logsOut_andAWrongLengthIdIsNotLookedUp() {
    Sessions.Session a = sessions.create(bob).orElseThrow();
    assertThat(sessions.end(a.id())).isTrue();
    assertThat(sessions.find(a.id())).isEmpty();
    assertThat(sessions.find(a.id() + "x")).isEmpty();
  }

  @Test
  void full_refusesNewSessions_untilSomeExpire() {
    for (int i = 0; i < Sessions.MAX_SESSIONS; i++) {
      assertThat(sessions.create(bob)).isPresent();
    }
    assertThat(sessions.create(bob)).isEmpty();
    now.addAndGet(Duration.ofHours(1).toNanos());
    assertThat(sessions.create(bob)).isPresent();
    assertThat(sessions.size()).isEqualTo(1);
  }
}
