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

    assertThat(registry.find("shulian.edge.refusals").tag("listener", "consumer").tag("code", "body_too_large")
        .counter().count()).isEqualTo(2.0);
  }

  @Test
  void exchange_outcomeAndDirection_taggedLowerCase() {
    metrics.exchange(event("HOUSING-001", "OK"));
    metrics.exchange(event("HOUSING-001", "PURPOSE_NOT_ALLOWED"));

    assertThat(registry.find("shulian.exchanges").tag("direction", "request_out").tag("outcome", "ok").counter().count())
        .isEqualTo(1.0);
    assertThat(registry.find("shulian.exchanges").tag("outcome", "purpose_not_allowed").counter().count()).isEqualTo(1.0);
    assertThat(registry.find("shulian.exchanges").tag("outcome", "OK").counter()).isNull();
    assertThat(registry.find("shulian.exchanges").tag("resource", "HOUSING-001").counters()).hasSize(2);
  }

  @Test
  void exchange_latencyAndPayload_histogramsHaveTheSloBucketsOnly() {
    metrics.exchange(event("HOUSING-001", "OK"));

    assertThat(registry.find("shulian.exchange.latency").timer().takeSnapshot().histogramCounts())
        .extracting(c -> (long) c.bucket(java.util.concurrent.TimeUnit.MILLISECONDS))
        .containsExactly(5L, 10L, 25L, 50L, 100L, 250L, 500L, 1000L, 2500L, 5000L, 10000L);
    assertThat(registry.find("shulian.exchange.payload.bytes").summary().takeSnapshot().histogramCounts())
        .hasSize(GatewayMetrics.PAYLOAD_SLO_BYTES.length);
  }

  @Test
  void handshakes_inboundAndOutbound_countedApartByResult() {
    metrics.inboundHandshake(false);
    metrics.outboundHandshake(true);
    metrics.outboundHandshake(true);

    assertThat(registry.find("shulian.tls.handshakes").tag("direction", "inbound").tag("result", "failed").counter().count())
        .isEqualTo(1.0);
    assertThat(registry.find("shulian.tls.handshakes").tag("direction", "inbound").tag("result", "ok").counter().count())
        .isZero();
    assertThat(registry.find("shulian.tls.handshakes").tag("direction", "outbound").tag("result", "ok").counter().count())
        .isEqualTo(2.0);
  }

  @Test
  void everyMeter_hasADescription() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (AutoCloseable process = GatewayMetrics.bindProcess(registry, "1.2.3", "INTL")) {
      GatewayMetrics metrics = new GatewayMetrics(registry);
      metrics.exchange(event("HOUSING-001", "OK"));
      metrics.edgeRefusal("consumer", "BODY_TOO_LARGE");
      metrics.signatureBatch(3);

      // SimpleMeterRegistry shows histogram buckets as extra gauges "….histogram"; Prometheus does not
      assertThat(registry.getMeters()).filteredOn(m -> !m.getId().getName().endsWith(".histogram")).allSatisfy(m ->
          assertThat(m.getId().getDescription()).as(m.getId().getName()).isNotBlank());
      assertThat(registry.find("shulian.build.info").tag("version", "1.2.3").tag("suite", "intl").gauge().value())
          .isEqualTo(1.0);
      assertThat(registry.find("system.cpus").gauge()).isNotNull();
      assertThat(registry.find("process.cpu.time").meters()).isEmpty();
    }
  }
}
