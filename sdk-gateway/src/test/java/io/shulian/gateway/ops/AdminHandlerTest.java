package io.shulian.gateway.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The admin listener answers every probe, even when building the answer fails. */
class AdminHandlerTest {
  static FullHttpResponse get(AdminHandler h, String path) {
    EmbeddedChannel ch = new EmbeddedChannel(h);
    ch.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, path));
    FullHttpResponse r = ch.readOutbound();
    ch.finishAndReleaseAll();
    return r;
  }

  @Test
  void metrics_scrapeThatThrows_answered500NotLeftHanging() {
    PrometheusMeterRegistry reg = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    // one family as a histogram and as a summary: the Prometheus client cannot write it
    Timer.builder("x.latency").tag("a", "1").publishPercentileHistogram().serviceLevelObjectives(Duration.ofMillis(1))
        .register(reg).record(Duration.ofMillis(2));
    Timer.builder("x.latency").tag("b", "1").publishPercentiles(0.5).register(reg).record(Duration.ofMillis(2));
    FullHttpResponse r = get(new AdminHandler(reg, Map::of), "/metrics");
    assertThat(r).as("a response, not a connection left open").isNotNull();
    assertThat(r.status().code()).isEqualTo(500);
    assertThat(r.content().toString(StandardCharsets.UTF_8)).doesNotContain("Exception");
    r.release();
  }

  @Test
  void readyz_readinessCheckThatThrows_answered503() {
    PrometheusMeterRegistry reg = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    FullHttpResponse r = get(new AdminHandler(reg, () -> {
      throw new IllegalStateException("boom");
    }), "/readyz");
    assertThat(r).isNotNull();
    assertThat(r.status().code()).isEqualTo(503);
    r.release();
  }

  @Test
  void livez_answers200() {
    FullHttpResponse r = get(new AdminHandler(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), Map::of), "/livez");
    assertThat(r.status().code()).isEqualTo(200);
    r.release();
  }
}
