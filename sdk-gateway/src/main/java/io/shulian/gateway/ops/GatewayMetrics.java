package io.shulian.gateway.ops;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.shulian.gateway.audit.ExchangeEvent;

/**
 * The gateway's meters. Exchanges are tagged by direction, peer parties, resource and outcome, so
 * that a dashboard shows sharing per department and resource and refusals by reason.
 */
public final class GatewayMetrics {
  private final MeterRegistry registry;
  private final Counter auditFailures;
  private final Counter tlsHandshakes;
  private final Counter tlsHandshakeFailures;

  public GatewayMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.auditFailures = Counter.builder("shulian.audit.failures").description("exchanges refused because the audit record could not be written").register(registry);
    this.tlsHandshakes = Counter.builder("shulian.tls.handshakes").tag("result", "ok").register(registry);
    this.tlsHandshakeFailures = Counter.builder("shulian.tls.handshakes").tag("result", "failed").register(registry);
  }

  public MeterRegistry registry() {
    return registry;
  }

  public void exchange(ExchangeEvent e) {
    String outcome = e.outcome;
    Timer.builder("shulian.exchange.latency")
        .description("time from request received to response released")
        .tag("direction", e.direction.name())
        .tag("resource", e.resource)
        .tag("outcome", outcome)
        .publishPercentileHistogram()
        .register(registry)
        .record(e.latency);
    Counter.builder("shulian.exchanges")
        .tag("direction", e.direction.name())
        .tag("sender", e.sender)
        .tag("receiver", e.receiver)
        .tag("resource", e.resource)
        .tag("outcome", outcome)
        .register(registry)
        .increment();
    DistributionSummary.builder("shulian.exchange.payload.bytes")
        .baseUnit("bytes")
        .tag("direction", e.direction.name())
        .tag("resource", e.resource)
        .register(registry)
        .record(e.payloadBytes);
  }

  public void auditFailure() {
    auditFailures.increment();
  }

  public void handshake(boolean ok) {
    (ok ? tlsHandshakes : tlsHandshakeFailures).increment();
  }
}
