package io.shulian.gateway.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.shulian.gateway.audit.ExchangeEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class GatewayMetricsTest {
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  final GatewayMetrics metrics = new GatewayMetrics(registry, Set.of("HOUSING-001")::contains);

  static ExchangeEvent event(String resource, String outcome) {
    return new ExchangeEvent(Instant.now(), "-", ExchangeEvent.Direction.REQUEST_OUT, "a", "b", resource, "p", "", false,
        List.of(), List.of(), List.of(), "", new byte[32], 0, 404, outcome, Duration.ofMillis(1));
  }

  @Test
  void exchange_unknownResource_taggedUnknown() {
    metrics.exchange(event("HOUSING-001", "OK"));
    metrics.exchange(event("R-random-1", "UNKNOWN_RESOURCE"));
    metrics.exchange(event("R-random-2", "UNKNOWN_RESOURCE"));

    assertThat(registry.find("shulian.exchanges").tag("resource", "HOUSING-001").counter().count()).isEqualTo(1.0);
    assertThat(registry.find("shulian.exchanges").tag("resource", "unknown").counter().count()).isEqualTo(2.0);
    assertThat(registry.find("shulian.exchanges").tag("resource", "R-random-1").counter()).isNull();
  }

  @Test
  void exchange_manyDistinctOutcomes_boundedThenOther() {
    for (int i = 0; i < GatewayMetrics.MAX_OUTCOMES + 100; i++) {
      metrics.exchange(event("HOUSING-001", "CODE_" + i));
    }

    assertThat(registry.find("shulian.exchanges").counters()).hasSize(GatewayMetrics.MAX_OUTCOMES + 1);
    assertThat(registry.find("shulian.exchanges").tag("outcome", "other").counter().count()).isEqualTo(100.0);
  }

  @Test
  void exchange_malformedOutcome_taggedOther() {
    metrics.exchange(event("HOUSING-001", "<script>"));

    assertThat(registry.find("shulian.exchanges").tag("outcome", "other").counter().count()).isEqualTo(1.0);
  }

  @Test
  void edgeRefusal_countedByListenerAndCode() {
    metrics.edgeRefusal("consumer", "BODY_TOO_LARGE");
    metrics.edgeRefusal("consumer", "BODY_TOO_LARGE");

    assertThat(registry.find("shulian.edge.refusals").tag("listener", "consumer").tag("code", "BODY_TOO_LARGE")
        .counter().count()).isEqualTo(2.0);
  }
}
