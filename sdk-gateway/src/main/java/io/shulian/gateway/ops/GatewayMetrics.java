package io.shulian.gateway.ops;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.shulian.gateway.audit.ExchangeEvent;

/**
 * The gateway's meters. Exchanges are tagged by direction, peer parties, resource and outcome, so
 * that a dashboard shows sharing per department and resource and refusals by reason.
 *
 * <p>Tag values are bounded whatever a client sends: a resource is tagged by name only if this
 * gateway serves or routes it ({@code unknown} otherwise; the audit record keeps the name asked
 * for), an outcome only if it is a well-formed code among the first {@value #MAX_OUTCOMES} seen
 * ({@code other} after that), and parties are authenticated ones.
 */
public final class GatewayMetrics {
  /** Tag value for a resource this gateway does not know. */
  public static final String UNKNOWN = "unknown";
  /** Tag value for outcomes beyond the bounded set. */
  public static final String OTHER = "other";
  static final int MAX_OUTCOMES = 256;
  private static final java.util.regex.Pattern CODE = java.util.regex.Pattern.compile("[A-Z][A-Z0-9_,]{0,127}");

  private final MeterRegistry registry;
  private final java.util.function.Predicate<String> knownResource;
  private final java.util.Set<String> outcomes = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private final java.util.concurrent.ConcurrentMap<java.util.List<String>, Counter> edgeRefusals =
      new java.util.concurrent.ConcurrentHashMap<>();
  private final Counter auditFailures;
  private final Counter tlsHandshakes;
  private final Counter tlsHandshakeFailures;

  private final DistributionSummary signatureBatches;

  /** Meters that tag every resource name as it comes (for tests and tools that see only known names). */
  public GatewayMetrics(MeterRegistry registry) {
    this(registry, r -> true);
  }

  /**
   * @param knownResource whether a resource name may become a tag value (the gateway routes or
   *     serves it); called on every exchange, so it must be cheap
   */
  public GatewayMetrics(MeterRegistry registry, java.util.function.Predicate<String> knownResource) {
    this.registry = registry;
    this.knownResource = knownResource;
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
    String resource = "-".equals(e.resource) || knownResource.test(e.resource) ? e.resource : UNKNOWN;
    String outcome = outcome(e.outcome);
    ExchangeMeters m = meters.computeIfAbsent(
        java.util.List.of(direction, e.sender, e.receiver, resource, outcome),
        k -> new ExchangeMeters(
            Timer.builder("shulian.exchange.latency")
                .description("time from request received to response released")
                .tag("direction", direction)
                .tag("resource", resource)
                .tag("outcome", outcome)
                .publishPercentileHistogram()
                .register(registry),
            Counter.builder("shulian.exchanges")
                .tag("direction", direction)
                .tag("sender", e.sender)
                .tag("receiver", e.receiver)
                .tag("resource", resource)
                .tag("outcome", outcome)
                .register(registry),
            DistributionSummary.builder("shulian.exchange.payload.bytes")
                .baseUnit("bytes")
                .tag("direction", direction)
                .tag("resource", resource)
                .register(registry)));
    m.latency.record(e.latency);
    m.count.increment();
    m.bytes.record(e.payloadBytes);
  }

  private String outcome(String o) {
    if (outcomes.contains(o)) {
      return o;
    }
    if (!CODE.matcher(o).matches()) {
      return OTHER;
    }
    // racing threads may admit a few more than the bound; the set stays bounded all the same
    if (outcomes.size() >= MAX_OUTCOMES) {
      return OTHER;
    }
    outcomes.add(o);
    return o;
  }

  /** A request was refused at the HTTP edge of {@code listener} (consumer, provider, passthrough) with {@code code}. */
  public void edgeRefusal(String listener, String code) {
    String c = outcome(code);
    edgeRefusals.computeIfAbsent(java.util.List.of(listener, c), k -> Counter.builder("shulian.edge.refusals")
        .description("requests refused at the HTTP edge (framing, size, time), by listener and code")
        .tag("listener", listener).tag("code", c).register(registry)).increment();
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
