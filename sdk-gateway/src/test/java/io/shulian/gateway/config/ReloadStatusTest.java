package io.shulian.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.shulian.core.trust.BundleException;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Reload failures are counted by a bounded reason class; a reload that keeps failing for one
 * reason is news (a log line) once, and every failure is still counted.
 */
class ReloadStatusTest {
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  @Test
  void failed_bundleRefusalsAndFileErrors_countedByReasonClass() {
    ReloadStatus s = new ReloadStatus(BundleReloader.REASONS, BundleReloader::reason);
    s.bindTo(registry, "shulian.bundle.reload.failures", "d");

    s.failed(new BundleException(BundleException.Reason.ROLLBACK, "v1 is older than v2"));
    s.failed(new BundleException(BundleException.Reason.BAD_SIGNATURE, "x"));
    s.failed(new IOException("no such file"));
    s.failed(new StackOverflowError());
    s.failed(new IllegalStateException("surprise"));

    assertThat(s.failures()).isEqualTo(5);
    assertThat(count("rollback")).isEqualTo(1.0);
    assertThat(count("bad_signature")).isEqualTo(1.0);
    assertThat(count("unreadable")).isEqualTo(1.0);
    assertThat(count("malformed")).isEqualTo(1.0);
    assertThat(count("other")).isEqualTo(1.0);
    assertThat(count("expired")).isZero();
    assertThat(s.lastFailure()).contains("surprise");
  }

  @Test
  void failed_reasonOutsideTheNamedSet_countedAsOther() {
    ReloadStatus s = new ReloadStatus(List.of("invalid"), e -> e.getMessage());
    s.bindTo(registry, "shulian.bundle.reload.failures", "d");

    for (int i = 0; i < 100; i++) {
      s.failed(new IOException("reason-" + i));
    }

    assertThat(registry.find("shulian.bundle.reload.failures").functionCounters()).hasSize(2);
    assertThat(count("other")).isEqualTo(100.0);
  }

  @Test
  void failed_sameReasonAgain_isNotNews_butCounted() {
    ReloadStatus s = new ReloadStatus(List.of(), e -> "other");

    assertThat(s.failed(new IOException("bundle is not a compact JWS"))).isTrue();
    assertThat(s.failed(new IOException("bundle is not a compact JWS"))).isFalse();
    assertThat(s.failed(new IOException("bundle is not a compact JWS"))).isFalse();

    assertThat(s.failures()).isEqualTo(3);
    assertThat(s.lastFailure()).endsWith("bundle is not a compact JWS");
  }

  @Test
  void failed_otherReason_isNews() {
    ReloadStatus s = new ReloadStatus(List.of(), e -> "other");
    s.failed(new IOException("a"));

    assertThat(s.failed(new IOException("b"))).isTrue();
    assertThat(s.failed(new IOException("a"))).isTrue();
  }

  @Test
  void succeeded_endsTheRun_soTheSameReasonIsNewsAgain() {
    ReloadStatus s = new ReloadStatus(List.of(), e -> "other");
    assertThat(s.succeeded()).as("no failure before: no recovery").isFalse();
    s.failed(new IOException("a"));

    assertThat(s.succeeded()).as("recovered").isTrue();
    assertThat(s.succeeded()).isFalse();
    assertThat(s.lastFailure()).isNull();
    assertThat(s.failed(new IOException("a"))).isTrue();
  }

  double count(String reason) {
    return registry.find("shulian.bundle.reload.failures").tag("reason", reason).functionCounter().count();
  }
}
