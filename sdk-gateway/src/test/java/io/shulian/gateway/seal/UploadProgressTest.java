package io.shulian.gateway.seal;

import static org.assertj.core.api.Assertions.assertThat;

import io.shulian.gateway.inbound.Limits;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The minimum-progress rule of push uploads (docs/return-flow.md "Slow uploads"), on explicit times. */
class UploadProgressTest {
  static final long S = 1_000_000_000L;

  static UploadProgress rule() {
    return new UploadProgress(Limits.defaults().withPushProgress(Duration.ofSeconds(30), 32 * 1024));
  }

  @Test
  void trickle_aByteASecond_brokenWhenAWindowOfWaitingEnds() {
    UploadProgress p = rule();
    long t = 0;
    boolean ok = true;
    int bytes = 0;
    while (ok) {
      p.waiting(t);
      t += S;
      ok = p.arrived(t, 1);
      bytes++;
    }
    assertThat(bytes).isEqualTo(30);
  }

  @Test
  void stall_brokenAtTheWindowByTheTimerCheck_notBefore() {
    UploadProgress p = rule();
    p.waiting(0);
    assertThat(p.check(29 * S)).isTrue();
    assertThat(p.remaining()).isEqualTo(S);
    assertThat(p.check(30 * S)).isFalse();
  }

  @Test
  void heldBackByBackpressure_doesNotCount_onlyWaiting() {
    UploadProgress p = rule();
    p.waiting(0);
    assertThat(p.arrived(20 * S, 1024)).isTrue(); // 20 s of waiting, little data
    // the gateway does not read for 10 minutes (a slow backend): not waiting, nothing counted
    p.waiting(620 * S);
    assertThat(p.check(629 * S)).isTrue(); // 29 s of waiting in all
    assertThat(p.arrived(629 * S, 40 * 1024)).isTrue();
  }

  @Test
  void enoughBytesPerWindow_goesOnForEver_andEachWindowStartsAnew() {
    UploadProgress p = rule();
    long t = 0;
    for (int i = 0; i < 1000; i++) {
      p.waiting(t);
      t += 10 * S;
      assertThat(p.arrived(t, 16 * 1024)).as("window %d", i).isTrue(); // 48 KiB per 30 s
    }
    // a long good history does not pay for a slow end: only the current window counts
    p.waiting(t);
    assertThat(p.check(t + 31 * S)).isFalse();
  }
}
