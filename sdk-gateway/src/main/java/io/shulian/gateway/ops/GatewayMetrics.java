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

  private final DistributionSummary signatureBatches;

  public GatewayMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.auditFailures = Counter.builder("shulian.audit.failures").description("exchanges refused because the audit record could not be written").register(registry);
    this.tlsHandshakes = Counter.builder("shulian.tls.handshakes").tag("result", "ok").register(registry);
    this.tlsHandshakeFailures = Counter.builder("shulian.tls.handshakes").tag("result", "failed").register(registry);
    this.signatureBatches = DistributionSummary.builder("shulian.envelope.signature.batch")
        .description("envelopes sealed under one signature (batch signatures)").register(registry);
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** The meters of one (direction, sender, receiver, resource, outcome); built once, then reused. */
  private static final class ExchangeMeters {
    final Timer latency;
    final Counter count;
    final DistributionSummary bytes;

    ExchangeMeters(Timer latency, Counter count, DistributionSummary bytes) {
      this.latency = latency;
      this.count = count;
      this.bytes = bytes;
    }
  }

  private final java.util.concurrent.ConcurrentMap<java.util.List<String>, ExchangeMeters> meters =
      new java.util.concurrent.ConcurrentHashMap<>();

  public void exchange(ExchangeEvent e) {
    String direction = e.direction.name();
    ExchangeMeters m = meters.computeIfAbsent(
        java.util.List.of(direction, e.sender, e.receiver, e.resource, e.outcome),
        k -> new ExchangeMeters(
            Timer.builder("shulian.exchange.latency")
                .description("time from request received to response released")
                .tag("direction", direction)
                .tag("resource", e.resource)
                .tag("outcome", e.outcome)
                .publishPercentileHistogram()
                .register(registry),
            Counter.builder("shulian.exchanges")
                .tag("direction", direction)
                .tag("sender", e.sender)
                .tag("receiver", e.receiver)
                .tag("resource", e.resource)
                .tag("outcome", e.outcome)
                .register(registry),
            DistributionSummary.builder("shulian.exchange.payload.bytes")
                .baseUnit("bytes")
                .tag("direction", direction)
                .tag("resource", e.resource)
                .register(registry)));
    m.latency.record(e.latency);
    m.count.increment();
    m.bytes.record(e.payloadBytes);
  }

  /** One signature was made for {@code envelopes} envelopes. */
  public void signatureBatch(int envelopes) {
    signatureBatches.record(envelopes);
  }

  public void auditFailure() {
    auditFailures.increment();
  }

  public void handshake(boolean ok) {
    (ok ? tlsHandshakes : tlsHandshakeFailures).increment();
  }
}
