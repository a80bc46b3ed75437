package io.shulian.gateway.ops;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmInfoMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.shulian.gateway.audit.ExchangeEvent;
import java.time.Duration;
import java.util.Locale;

/**
 * The gateway's meters. Exchanges are tagged by direction, peer parties, resource and outcome, so
 * that a dashboard shows sharing per department and resource and refusals by reason.
 *
 * <p>Tag values are bounded whatever a client sends: a resource is tagged by name only if this
 * gateway serves or routes it ({@code unknown} otherwise; the audit record keeps the name asked
 * for), an outcome only if it is a well-formed code among the first {@value #MAX_OUTCOMES} seen
 * ({@code other} after that), and parties are authenticated ones. Values from a fixed vocabulary
 * (direction, outcome, code, result) are lower-case, as Prometheus labels usually are; identifiers
 * (parties, resources) are tagged as the audit log and the catalog spell them, so that they can be
 * matched with both.
 *
 * <p>Every meter has a description (the {@code HELP} line), latencies and sizes are histograms
 * with a few fixed buckets ({@link #LATENCY_SLO}, {@link #PAYLOAD_SLO_BYTES}), and every family is
 * listed in the metrics table of docs/gateway.md (a test keeps the two equal).
 */
public final class GatewayMetrics {
  /** Tag value for a resource this gateway does not know. */
  public static final String UNKNOWN = "unknown";
  /** Tag value for outcomes beyond the bounded set. */
  public static final String OTHER = "other";
  static final int MAX_OUTCOMES = 256;
  /** Latency histogram buckets: the service-level boundaries an operator alerts on (5 ms to 10 s). */
  public static final java.util.List<Duration> LATENCY_SLO = java.util.stream.Stream.of(5, 10, 25, 50, 100, 250, 500,
      1000, 2500, 5000, 10000).map(Duration::ofMillis).toList();
  /** Payload size histogram buckets, 256 B to 16 MiB by factors of 4. */
  static final double[] PAYLOAD_SLO_BYTES = {256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216};
  /** Envelopes per signature: powers of two up to 128. */
  static final double[] BATCH_SLO = {1, 2, 4, 8, 16, 32, 64, 128};
  private static final java.util.regex.Pattern CODE = java.util.regex.Pattern.compile("[A-Z][A-Z0-9_,]{0,127}");

  private final MeterRegistry registry;
  private final java.util.function.Predicate<String> knownResource;
  private final java.util.Set<String> outcomes = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private final java.util.concurrent.ConcurrentMap<java.util.List<String>, Counter> edgeRefusals =
      new java.util.concurrent.ConcurrentHashMap<>();
  private final Counter auditFailures;
  private final Counter inboundHandshakes;
  private final Counter inboundHandshakeFailures;
  private final Counter outboundHandshakes;
  private final Counter outboundHandshakeFailures;

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
    this.inboundHandshakes = handshakes(registry, "inbound", "ok");
    this.inboundHandshakeFailures = handshakes(registry, "inbound", "failed");
    this.outboundHandshakes = handshakes(registry, "outbound", "ok");
    this.outboundHandshakeFailures = handshakes(registry, "outbound", "failed");
    this.signatureBatches = DistributionSummary.builder("shulian.envelope.signature.batch")
        .description("envelopes sealed under one signature (batch signatures)")
        .serviceLevelObjectives(BATCH_SLO).register(registry);
  }

  private static Counter handshakes(MeterRegistry registry, String direction, String result) {
    return Counter.builder("shulian.tls.handshakes")
        .description("TLS handshakes with peer gateways: inbound on the provider listener, outbound to providers")
        .tag("direction", direction).tag("result", result).register(registry);
  }

  /**
   * Binds the JVM and process meters (memory, GC, threads, classes, CPU, uptime, file descriptors)
   * and {@code shulian_build_info{version,suite} 1} to {@code registry}.
   *
   * @return what must be closed with the registry (the GC meters listen to JVM notifications)
   */
  public static AutoCloseable bindProcess(MeterRegistry registry, String version, String suite) {
    // two binder names break Prometheus conventions (promtool lint): CPU time in nanoseconds
    // (replaced by process_cpu_seconds_total below) and a gauge ending in _count
    registry.config().meterFilter(MeterFilter.deny(id -> id.getName().equals("process.cpu.time")));
    registry.config().meterFilter(new MeterFilter() {
      @Override
      public Meter.Id map(Meter.Id id) {
        return id.getName().equals("system.cpu.count") ? id.withName("system.cpus") : id;
      }
    });
    if (java.lang.management.ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean) {
      FunctionCounter.builder("process.cpu",
              (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean(),
              os -> Math.max(0, os.getProcessCpuTime()) / 1e9) // -1 where unsupported
          .baseUnit("seconds").description("CPU time used by the gateway process").register(registry);
    }
    JvmGcMetrics gc = new JvmGcMetrics();
    for (MeterBinder b : java.util.List.of(new JvmMemoryMetrics(), gc, new JvmThreadMetrics(), new ClassLoaderMetrics(),
        new JvmInfoMetrics(), new ProcessorMetrics(), new UptimeMetrics(), new FileDescriptorMetrics())) {
      b.bindTo(registry);
    }
    Gauge.builder("shulian.build.info", () -> 1)
        .description("the gateway's build: version, and the cryptographic suite of its identity")
        .tag("version", version).tag("suite", suite.toLowerCase(Locale.ROOT)).register(registry);
    return gc;
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
    String direction = e.direction.name().toLowerCase(Locale.ROOT);
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
                .serviceLevelObjectives(LATENCY_SLO.toArray(Duration[]::new))
                .register(registry),
            Counter.builder("shulian.exchanges")
                .description("exchanges by direction, sending and receiving party, resource and outcome (ok or the problem code)")
                .tag("direction", direction)
                .tag("sender", e.sender)
                .tag("receiver", e.receiver)
                .tag("resource", resource)
                .tag("outcome", outcome)
                .register(registry),
            DistributionSummary.builder("shulian.exchange.payload.bytes")
                .baseUnit("bytes")
                .description("payload bytes per exchange (plain text, before sealing or after opening)")
                .serviceLevelObjectives(PAYLOAD_SLO_BYTES)
                .tag("direction", direction)
                .tag("resource", resource)
                .register(registry)));
    m.latency.record(e.latency);
    m.count.increment();
    m.bytes.record(e.payloadBytes);
  }

  /** The tag value of an outcome or problem code: lower-case, or {@code other} beyond the bounded set. */
  private String outcome(String o) {
    if (outcomes.contains(o)) {
      return o.toLowerCase(Locale.ROOT);
    }
    if (!CODE.matcher(o).matches()) {
      return OTHER;
    }
    // racing threads may admit a few more than the bound; the set stays bounded all the same
    if (outcomes.size() >= MAX_OUTCOMES) {
      return OTHER;
    }
    outcomes.add(o);
    return o.toLowerCase(Locale.ROOT);
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

  /** A TLS handshake from a peer gateway on the provider listener ended. */
  public void inboundHandshake(boolean ok) {
    (ok ? inboundHandshakes : inboundHandshakeFailures).increment();
  }

  /** A TLS handshake with a provider gateway (this gateway the client) ended. */
  public void outboundHandshake(boolean ok) {
    (ok ? outboundHandshakes : outboundHandshakeFailures).increment();
  }
}
