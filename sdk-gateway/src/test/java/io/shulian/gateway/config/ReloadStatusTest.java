package io.shulian.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A reload that keeps failing for one reason is news once; every failure is still counted. */
class ReloadStatusTest {
  @Test
  void failed_sameReasonAgain_isNotNews_butCounted() {
    ReloadStatus s = new ReloadStatus();

    assertThat(s.failed("bundle is not a compact JWS")).isTrue();
    assertThat(s.failed("bundle is not a compact JWS")).isFalse();
    assertThat(s.failed("bundle is not a compact JWS")).isFalse();

    assertThat(s.failures()).isEqualTo(3);
    assertThat(s.lastFailure()).endsWith("bundle is not a compact JWS");
  }

  @Test
  void failed_otherReason_isNews() {
    ReloadStatus s = new ReloadStatus();
    s.failed("a");

    assertThat(s.failed("b")).isTrue();
    assertThat(s.failed("a")).isTrue();
  }

  @Test
  void succeeded_endsTheRun_soTheSameReasonIsNewsAgain() {
    ReloadStatus s = new ReloadStatus();
    assertThat(s.succeeded()).as("no failure before: no recovery").isFalse();
    s.failed("a");

    assertThat(s.succeeded()).as("recovered").isTrue();
    assertThat(s.succeeded()).isFalse();
    assertThat(s.lastFailure()).isNull();
    assertThat(s.failed("a")).isTrue();
  }
}
