package io.shulian.gateway;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.ssl.SslContext;
import io.shulian.core.catalog.Endpoint;
import io.shulian.core.envelope.EnvelopeOpener;
import io.shulian.core.envelope.EnvelopeSealer;
import io.shulian.core.keys.PartyCertificate;
import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.party.PartyId;
import io.shulian.core.trust.SenderTrust;
import io.shulian.gateway.audit.ExchangeAuditor;
import io.shulian.gateway.authenticate.ApiKeys;
import io.shulian.gateway.authenticate.GatewayTls;
import io.shulian.gateway.authenticate.PeerVerifier;
import io.shulian.gateway.authorize.CatalogPolicy;
import io.shulian.gateway.authorize.ExchangePolicy;
import io.shulian.gateway.forward.BackendPool;
import io.shulian.gateway.inbound.Limits;
import io.shulian.gateway.ops.AdminHandler;
import io.shulian.gateway.ops.GatewayMetrics;
import io.shulian.gateway.pipeline.GatewayContext;
import io.shulian.gateway.pipeline.GatewayInitializer;
import io.shulian.gateway.pipeline.Transport;
import io.shulian.gateway.seal.Route;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import javax.net.ssl.SSLException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Shulian gateway process: a consumer listener for department apps, a provider listener for
 * peer gateways (mutual TLS), and an admin listener, on one set of event loops (one per core).
 * Either role may be left out. Build with {@link #builder()}, then {@link #start()}; {@link
 * #close()} stops accepting, drains in-flight exchanges up to the drain timeout, and shuts down.
 */
public final class Gateway implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Gateway.class);
  /** Default of {@link Builder#maxDatasetBytes}: 64 GiB. */
  public static final long DEFAULT_MAX_DATASET_BYTES = 64L << 30;

  private final Builder b;
  private final GatewayContext context;
  private final PrometheusMeterRegistry registry;
  private final AutoCloseable processMeters;
  private final Transport transport;
  private final EventLoopGroup group;
  private final Map<String, Channel> listeners = new LinkedHashMap<>();
  /** Every accepted connection still open, which {@link #close()} closes before the event loops stop. */
  private final io.netty.channel.group.ChannelGroup connections =
      new io.netty.channel.group.DefaultChannelGroup("shulian-connections", io.netty.util.concurrent.GlobalEventExecutor.INSTANCE);
  private final Map<String, InetSocketAddress> bound = new LinkedHashMap<>();
  private volatile boolean closed;
  private static final java.util.concurrent.atomic.AtomicInteger STATE_WORKERS = new java.util.concurrent.atomic.AtomicInteger();
  /** Provider exchanges waiting for a remote shared state (see GatewayContext#stateCalls); null without one. */
  private final java.util.concurrent.@Nullable ExecutorService stateWorkers;
  /** Runs periodic work that may block (reading the bundle file), never on an event loop. */
  private final java.util.concurrent.ScheduledExecutorService housekeeping =
      java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "shulian-housekeeping");
        t.setDaemon(true);
        return t;
      });

  private Gateway(Builder b) throws SSLException {
    this.b = b;
    this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    // first: it configures meter filters, which apply only to meters registered after them
    this.processMeters = GatewayMetrics.bindProcess(registry, version(), b.identity.suite().name());
    this.transport = Transport.best(b.nativeTransport);
    this.group = transport.group(b.eventLoops);
    // only resources this gateway routes or serves become tag values (the context is set below)
    java.util.concurrent.atomic.AtomicReference<GatewayContext> self = new java.util.concurrent.atomic.AtomicReference<>();
    GatewayMetrics metrics = new GatewayMetrics(registry, r -> self.get() != null && self.get().knowsResource(r));
    for (java.util.function.Consumer<io.micrometer.core.instrument.MeterRegistry> m : b.meterBinders) {
      m.accept(registry);
    }
    // one body limit for both ends; payload and envelope limits follow from it (see Limits)
    EnvelopeSealer.Builder sb = EnvelopeSealer.builder(b.identity).clock(b.clock).maxPayloadBytes(b.limits.maxPayloadBytes());
    if (!b.ephemeralKeyReuse.isZero()) {
      sb.reuseEphemeralKeys(b.ephemeralKeyReuse, b.ephemeralKeyReuseMaxEnvelopes);
    }
    EnvelopeSealer sealer = sb.build();
    EnvelopeOpener opener = EnvelopeOpener.builder(b.identity, b.senderTrust).clock(b.clock)
        .maxPayloadBytes(b.limits.maxPayloadBytes()).maxStreamPayloadBytes(b.maxDatasetBytes).build();
    // request envelopes' ids go to the shared state or the state directory, so neither another
    // replica nor a restart makes them new again
    io.shulian.gateway.state.SharedState replayState = b.shared != null ? b.shared : b.state;
    EnvelopeOpener requestOpener = replayState == null ? opener
        : EnvelopeOpener.builder(b.identity, b.senderTrust).clock(b.clock).maxPayloadBytes(b.limits.maxPayloadBytes())
            .maxStreamPayloadBytes(b.maxDatasetBytes) // a pushed data set is opened with it
            .replayCache(replayState.replayCache()).build();
    SslContext clientTls = b.identity.tlsCertificate().isPresent() ? GatewayTls.client(b.identity, b.peers) : null;
    // the server must be the route's provider itself, not just any party of the city
    BackendPool peerPool = new BackendPool(transport.channel(), clientTls, Duration.ofSeconds(50),
        b.limits.requestTimeout(), (int) Math.min(Integer.MAX_VALUE, opener.maxEnvelopeBytes()), b.peers,
        metrics::outboundHandshake);
    BackendPool backendPool = new BackendPool(transport.channel(), null, b.backendIdleTimeout,
        b.limits.backendTimeout(), b.limits.maxBodyBytes(), null);
    GatewayContext.Directory dir = b.directory != null ? b.directory.get()
        : new GatewayContext.Directory(b.routes, b.encryptionCertificates);
    Map<String, List<Endpoint>> configured = Map.copyOf(b.backendEndpoints);
    java.util.function.Function<String, List<Endpoint>> endpoints = b.policy instanceof CatalogPolicy
        ? ((CatalogPolicy) b.policy)::endpoints
        : resource -> configured.getOrDefault(resource, List.of());
    Map<String, io.shulian.core.catalog.DatasetFormat> datasetFormats = Map.copyOf(b.backendDatasets);
    java.util.function.Function<String, java.util.Optional<io.shulian.core.catalog.DatasetFormat>> datasets =
        b.policy instanceof CatalogPolicy
            ? ((CatalogPolicy) b.policy)::dataset
            : resource -> java.util.Optional.ofNullable(datasetFormats.get(resource));
    this.context = new GatewayContext(b.identity, sealer, opener, requestOpener, b.state, b.apiKeys, dir, b.backends,
        b.policy, b.auditor, metrics, backendPool, peerPool, b.peers, b.limits, b.clock, b.batchSignatures, endpoints,
        datasets);
    context.tracing(b.tracing);
    context.push(b.pushReceivers, b.pushDeliveries);
    if (b.shared != null) {
      // a remote state call blocks its thread up to the state timeout: never an event loop's
      int workers = Math.max(8, 4 * b.eventLoops);
      java.util.concurrent.ThreadPoolExecutor pool = new java.util.concurrent.ThreadPoolExecutor(workers, workers,
          30, java.util.concurrent.TimeUnit.SECONDS, new java.util.concurrent.ArrayBlockingQueue<>(
              Math.max(64, b.limits.maxConnections())), r -> {
                Thread t = new Thread(r, "shulian-state-" + STATE_WORKERS.incrementAndGet());
                t.setDaemon(true);
                return t;
              });
      pool.allowCoreThreadTimeOut(true);
      stateWorkers = pool;
      context.stateCalls(pool);
    } else {
      stateWorkers = null;
    }
    self.set(context);
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Binds the configured listeners. If one cannot be bound, everything this gateway holds is
   * released (as by {@link #close}) before the exception is thrown.
   *
   * @throws InterruptedException if interrupted while binding
   * @throws SSLException if the TLS context cannot be built from the identity
   * @throws java.net.BindException if a listener cannot be bound; the message names the address,
   *     e.g. {@code cannot listen on 127.0.0.1:8443: address already in use}
   */
  public Gateway start() throws InterruptedException, java.io.IOException {
    try {
      bindAll();
    } catch (InterruptedException | java.io.IOException | RuntimeException e) {
      close();
      throw e;
    }
    // INTL: compile the JDK's AES-GCM before the first data sets arrive (background, bounded)
    context.opener().warmUpInBackground();
    return this;
  }

  private void bindAll() throws InterruptedException, java.io.IOException {
    if (b.consumerAddress != null) {
      bind("consumer", b.consumerAddress, new GatewayInitializer(GatewayInitializer.Role.CONSUMER, context, null));
    }
    if (b.providerAddress != null) {
      SslContext serverTls = GatewayTls.server(b.identity, b.peers);
      bind("provider", b.providerAddress, new GatewayInitializer(GatewayInitializer.Role.PROVIDER, context, serverTls));
    }
    if (b.passthroughAddress != null) {
      bind("passthrough", b.passthroughAddress, GatewayInitializer.passthrough(context,
          Objects.requireNonNull(b.passthroughUpstream)));
    }
    if (b.adminAddress != null) {
      AdminHandler admin = new AdminHandler(registry, this::readinessProblems, this::readinessWarnings,
          () -> closed || context.draining());
      bind("admin", b.adminAddress, new ChannelInitializer<SocketChannel>() {
        @Override
        protected void initChannel(SocketChannel ch) {
          ch.pipeline().addLast(new HttpServerCodec(4096, 8192, 8192), new HttpObjectAggregator(4096), admin);
        }
      });
    }
    for (Map.Entry<Duration, java.util.function.Consumer<GatewayContext>> t : b.periodic) {
      housekeeping.scheduleWithFixedDelay(() -> {
        // a task that throws is never run again by the executor: nothing may escape, not even an
        // Error, or hot reload would stop for good without a word
        try {
          t.getValue().accept(context);
        } catch (RuntimeException e) {
          log.warn("periodic task failed: {}", e.toString());
        } catch (Throwable e) {
          log.error("periodic task failed; it stays scheduled", e);
        }
      }, t.getKey().toMillis(), t.getKey().toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    }
    org.slf4j.spi.LoggingEventBuilder started = log.atInfo().addKeyValue("event", "gateway_started")
        .addKeyValue("party", b.identity.party()).addKeyValue("suite", b.identity.suite())
        .addKeyValue("version", version()).addKeyValue("transport", transport.name())
        .addKeyValue("tls", GatewayTls.provider());
    for (Map.Entry<String, InetSocketAddress> l : bound.entrySet()) {
      started = started.addKeyValue(l.getKey(), hostPort(l.getValue()));
    }
    started.log("gateway {} {} started ({} transport, TLS {}): {}", b.identity.party(), version(), transport.name(),
        GatewayTls.provider(), bound);
  }

  /**
   * Returns the project version this gateway was built as (from the build's filtered {@code
   * version.properties}, else the jar manifest's {@code Implementation-Version}), or {@code unknown}.
   */
  public static String version() {
    try (java.io.InputStream in = Gateway.class.getResourceAsStream("cli/version.properties")) {
      if (in != null) {
        java.util.Properties p = new java.util.Properties();
        p.load(in);
        String v = p.getProperty("version", "");
        if (!v.isEmpty() && !v.startsWith("${")) {
          return v;
        }
      }
    } catch (java.io.IOException e) {
      // fall through: report what is known
    }
    String v = Gateway.class.getPackage().getImplementationVersion();
    return v == null || v.isBlank() ? "unknown" : v;
  }

  private void bind(String name, InetSocketAddress address, ChannelInitializer<SocketChannel> init)
      throws InterruptedException, java.net.BindException {
    io.netty.channel.ChannelFuture f = new ServerBootstrap()
        .group(group)
        .channel(transport.serverChannel())
        .option(ChannelOption.SO_BACKLOG, 1024)
        .option(ChannelOption.SO_REUSEADDR, true)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childOption(ChannelOption.SO_KEEPALIVE, true)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            connections.add(ch); // leaves the group when it closes
            ch.pipeline().addLast(init);
          }
        })
        .bind(address).await();
    if (!f.isSuccess()) {
      throw new java.net.BindException("cannot listen on " + hostPort(address) + ": " + bindFailure(f.cause()));
    }
    Channel ch = f.channel();
    listeners.put(name, ch);
    bound.put(name, (InetSocketAddress) ch.localAddress());
  }

  private static String hostPort(InetSocketAddress a) {
    String host = a.getAddress() != null ? a.getAddress().getHostAddress() : a.getHostString();
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
  }

  /** Says why a bind failed in the operator's terms, whichever transport failed (NIO or epoll). */
  private static String bindFailure(Throwable t) {
    String m = String.valueOf(t == null ? null : t.getMessage()).toLowerCase(java.util.Locale.ROOT);
    if (m.contains("in use")) {
      return "address already in use";
    }
    if (m.contains("assign requested address") || m.contains("not available")) {
      return "address not available on this host";
    }
    if (m.contains("permission denied") || m.contains("access denied")) {
      return "permission denied (ports below 1024 need a capability)";
    }
    return m.replaceFirst("^bind\\(\\.\\.\\) failed: ", "");
  }

  /** Returns the bound address of a listener: "consumer", "provider" or "admin". */
  public InetSocketAddress address(String listener) {
    InetSocketAddress a = bound.get(listener);
    if (a == null) {
      throw new IllegalArgumentException("no listener named " + listener);
    }
    return a;
  }

  /** Returns the bound address of a listener, if it is configured. */
  public java.util.Optional<InetSocketAddress> boundAddress(String listener) {
    return java.util.Optional.ofNullable(bound.get(listener));
  }

  /** Returns what keeps the gateway from being ready; empty when ready. */
  public Map<String, String> readinessProblems() {
    Map<String, String> p = new LinkedHashMap<>();
    if (closed || context.draining()) {
      p.put("shutdown", "the gateway is draining");
    }
    if (!context.auditor().writable()) {
      p.put("audit", "the audit log cannot be written");
    }
    context.stateFailure().ifPresent(f -> p.put("state", f));
    if (b.shared != null) {
      b.shared.unavailable().ifPresent(f -> p.put("sharedState", f));
    }
    var now = b.clock.instant();
    if (now.isAfter(b.identity.signingCertificate().notAfter())) {
      p.put("keys", "the signing certificate expired");
    }
    for (Map.Entry<String, Supplier<String>> c : b.readinessChecks.entrySet()) {
      String problem = c.getValue().get();
      if (problem != null) {
        p.put(c.getKey(), problem);
      }
    }
    return p;
  }

  /**
   * Returns what an operator should know although the gateway can serve (e.g. the last bundle
   * reload failed while the bundle held is still valid); empty when there is nothing.
   */
  public Map<String, String> readinessWarnings() {
    Map<String, String> w = new LinkedHashMap<>();
    for (Map.Entry<String, Supplier<String>> c : b.readinessWarnings.entrySet()) {
      String warning = c.getValue().get();
      if (warning != null) {
        w.put(c.getKey(), warning);
      }
    }
    return w;
  }

  /** Returns "epoll" or "nio". */
  public String transportName() {
    return transport.name();
  }

  public GatewayContext context() {
    return context;
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /**
   * Stops accepting, waits for in-flight exchanges up to the drain timeout, then closes connections
   * (accepted ones, then those to backends and provider gateways, in use or not) and event loops.
   * Every exchange that was accepted before the close gets its response.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    long drainStart = System.nanoTime();
    log.atInfo().addKeyValue("event", "drain_started").addKeyValue("in_flight", context.inFlight())
        .addKeyValue("drain_timeout_ms", b.drainTimeout.toMillis())
        .log("gateway {} draining: {} exchanges in flight, waiting up to {}", b.identity.party(), context.inFlight(),
            b.drainTimeout);
    context.startDraining();
    // the admin listener stays up while draining, so that probes see /readyz 503 DRAINING and /livez 200
    Channel admin = null;
    for (Map.Entry<String, Channel> l : listeners.entrySet()) {
      if (l.getKey().equals("admin")) {
        admin = l.getValue();
      } else {
        l.getValue().close().syncUninterruptibly();
      }
    }
    long deadline = drainStart + b.drainTimeout.toNanos();
    while (context.inFlight() > 0 && System.nanoTime() < deadline) {
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    long left = context.inFlight();
    (left > 0 ? log.atWarn() : log.atInfo()).addKeyValue("event", "drain_ended").addKeyValue("in_flight", left)
        .addKeyValue("duration_ms", Duration.ofNanos(System.nanoTime() - drainStart).toMillis())
        .log(left > 0 ? "gateway closed with {} exchanges still in flight after the drain timeout"
            : "gateway drained ({} exchanges left in flight)", left);
    if (admin != null) {
      admin.close().syncUninterruptibly();
    }
    housekeeping.shutdownNow();
    try {
      // a reload running now (it may write the bundle floor into the state directory) ends before
      // the state and the audit log close
      if (!housekeeping.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS)) {
        log.atWarn().addKeyValue("event", "housekeeping_not_stopped").log("a housekeeping task did not stop within 5 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (AutoCloseable c : b.closeWith) {
      try {
        c.close();
      } catch (Exception e) {
        log.warn("closing {} failed: {}", c, e.toString());
      }
    }
    // the connections are closed here, not left to the event loops' shutdown: a loop that is running
    // a task when its shutdown begins ends without closing its channels (Netty 4.2, quiet period 0),
    // and a peer (or a balancer passing its connection on) would send its next request into a
    // connection that nobody reads and that never closes
    if (!connections.close().awaitUninterruptibly(10, java.util.concurrent.TimeUnit.SECONDS)) {
      log.atWarn().addKeyValue("event", "connections_not_closed").addKeyValue("open", connections.size())
          .log("{} connections did not close within 10 s", connections.size());
    }
    // so are the connections to backends and provider gateways, idle or still in use after the drain
    // (a backend that never answers, a data set stream): the loops' shutdown would leave them open too
    io.netty.channel.group.ChannelGroupFuture peers = context.peerPool().closeAll();
    io.netty.channel.group.ChannelGroupFuture backends = context.backendPool().closeAll();
    boolean peersClosed = peers.awaitUninterruptibly(10, java.util.concurrent.TimeUnit.SECONDS);
    boolean backendsClosed = backends.awaitUninterruptibly(10, java.util.concurrent.TimeUnit.SECONDS);
    if (!peersClosed || !backendsClosed) {
      log.atWarn().addKeyValue("event", "upstream_connections_not_closed")
          .log("connections to backends or provider gateways did not close within 10 s");
    }
    group.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    if (stateWorkers != null) {
      stateWorkers.shutdownNow();
    }
    if (b.state != null) {
      b.state.close();
    }
    if (b.shared != null) {
      b.shared.close();
    }
    context.auditor().close();
    try {
      processMeters.close();
    } catch (Exception e) {
      log.warn("JVM meters not closed: {}", e.toString());
    }
    registry.close();
    log.atInfo().addKeyValue("event", "gateway_stopped").log("gateway {} stopped", b.identity.party());
  }

  /** Configures a {@link Gateway}; identity, trust, peers and auditor are required. */
  public static final class Builder {
    private PartyIdentity identity;
    private SenderTrust senderTrust;
    private PeerVerifier peers;
    private ExchangeAuditor auditor;
    private ApiKeys apiKeys = ApiKeys.of(Map.of());
    private final Map<String, Route> routes = new HashMap<>();
    private final Map<PartyId, PartyCertificate> encryptionCertificates = new HashMap<>();
    private final Map<String, URI> backends = new HashMap<>();
    private final Map<String, List<Endpoint>> backendEndpoints = new HashMap<>();
    private final Map<String, io.shulian.core.catalog.DatasetFormat> backendDatasets = new HashMap<>();
    private long maxDatasetBytes = DEFAULT_MAX_DATASET_BYTES;
    private final Map<io.shulian.core.party.PartyId, URI> pushReceivers = new HashMap<>();
    private final Map<String, URI> pushDeliveries = new HashMap<>();
    private ExchangePolicy policy = ExchangePolicy.denyAll();
    private Limits limits = Limits.defaults();
    private @Nullable InetSocketAddress consumerAddress;
    private @Nullable InetSocketAddress providerAddress;
    private @Nullable InetSocketAddress adminAddress;
    private @Nullable InetSocketAddress passthroughAddress;
    private @Nullable URI passthroughUpstream;
    private int eventLoops = Runtime.getRuntime().availableProcessors();
    private boolean nativeTransport = true;
    private Clock clock = Clock.systemUTC();
    private Duration drainTimeout = Duration.ofSeconds(10);
    private Duration ephemeralKeyReuse = Duration.ofSeconds(60);
    private long ephemeralKeyReuseMaxEnvelopes = 100_000;
    private boolean batchSignatures = true;
    private Duration backendIdleTimeout = Duration.ofSeconds(30);
    private io.shulian.gateway.state.@Nullable StateStore state;
    private io.shulian.gateway.state.@Nullable SharedState shared;
    private final Map<String, Supplier<String>> readinessChecks = new LinkedHashMap<>();
    private final Map<String, Supplier<String>> readinessWarnings = new LinkedHashMap<>();
    private @Nullable Supplier<GatewayContext.Directory> directory;
    private final List<java.util.function.Consumer<io.micrometer.core.instrument.MeterRegistry>> meterBinders = new ArrayList<>();
    private io.shulian.gateway.ops.Tracing tracing = io.shulian.gateway.ops.Tracing.NOOP;
    private final List<Map.Entry<Duration, java.util.function.Consumer<GatewayContext>>> periodic = new ArrayList<>();
    private final List<AutoCloseable> closeWith = new ArrayList<>();

    // identity, senderTrust, peers and auditor stay null until set; build() refuses to start without them
    @SuppressWarnings("NullAway.Init")
    private Builder() {}

    public Builder identity(PartyIdentity identity) {
      this.identity = Objects.requireNonNull(identity);
      return this;
    }

    /** Which signing keys speak for which party (envelope signatures). */
    public Builder senderTrust(SenderTrust trust) {
      this.senderTrust = Objects.requireNonNull(trust);
      return this;
    }

    /** Which TLS certificates speak for which party (mutual TLS between gateways). */
    public Builder peers(PeerVerifier peers) {
      this.peers = Objects.requireNonNull(peers);
      return this;
    }

    public Builder auditor(ExchangeAuditor auditor) {
      this.auditor = Objects.requireNonNull(auditor);
      return this;
    }

    public Builder apiKeys(ApiKeys apiKeys) {
      this.apiKeys = Objects.requireNonNull(apiKeys);
      return this;
    }

    /** Consumer role: where requests for a resource go. */
    public Builder route(Route route) {
      routes.put(route.resource(), route);
      encryptionCertificates.put(route.provider(), route.encryptionCertificate());
      return this;
    }

    /** Provider role: the encryption certificate responses to this consumer are sealed for. */
    public Builder consumerCertificate(PartyCertificate encryptionCertificate) {
      encryptionCertificates.put(encryptionCertificate.party(), encryptionCertificate);
      return this;
    }

    /**
     * Provider role: the backend base URL that serves a resource. What of it is served is what the
     * catalog of a {@link CatalogPolicy} declares; with another policy, use {@link #backend(String,
     * URI, List)}, or nothing of the resource is served.
     */
    public Builder backend(String resource, URI url) {
      if (!"http".equals(url.getScheme())) {
        throw new IllegalArgumentException("backend " + resource + ": only http:// backends on a private network are supported");
      }
      backends.put(resource, url);
      return this;
    }

    /**
     * Provider role: a backend and the endpoints of it that are served, for a policy without a
     * catalog (with a {@link CatalogPolicy}, the catalog declares them and this is refused).
     */
    public Builder backend(String resource, URI url, List<Endpoint> endpoints) {
      backend(resource, url);
      backendEndpoints.put(resource, List.copyOf(endpoints));
      return this;
    }

    /**
     * Provider role, for a policy without a catalog: declares a configured backend's resource a
     * data set in this record format, streamed through the gateways (docs/return-flow.md). With a
     * {@link CatalogPolicy} the catalog's {@code delivery} decides and this is refused.
     */
    public Builder dataset(String resource, io.shulian.core.catalog.DatasetFormat format) {
      backendDatasets.put(Objects.requireNonNull(resource), Objects.requireNonNull(format));
      return this;
    }

    /**
     * Sender role of a data set push (docs/return-flow.md "Push"): the gateway of a lower-level
     * party this gateway may push data sets to. The party's encryption certificate must be known
     * too ({@link #consumerCertificate}); a receiver without both is refused before anything is
     * sent. Which data set may go to it is decided per push by the policy.
     */
    public Builder pushReceiver(io.shulian.core.party.PartyId party, URI gateway) {
      pushReceivers.put(Objects.requireNonNull(party), Objects.requireNonNull(gateway));
      return this;
    }

    /**
     * Receiver role of a data set push: the backend URL a pushed data set of this resource is
     * POSTed to once its envelope verified. A push of a resource without one is refused.
     */
    public Builder pushDelivery(String resource, URI backend) {
      pushDeliveries.put(Objects.requireNonNull(resource), Objects.requireNonNull(backend));
      return this;
    }

    /**
     * The largest data set payload a stream may carry, both as provider (released records) and as
     * consumer (opened envelope), default {@value #DEFAULT_MAX_DATASET_BYTES} bytes (64 GiB); a
     * larger one is cut off and audited as interrupted.
     */
    public Builder maxDatasetBytes(long bytes) {
      if (bytes < 1) {
        throw new IllegalArgumentException("maxDatasetBytes must be >= 1, got " + bytes);
      }
      this.maxDatasetBytes = bytes;
      return this;
    }

    public Builder policy(ExchangePolicy policy) {
      this.policy = Objects.requireNonNull(policy);
      return this;
    }

    public Builder limits(Limits limits) {
      this.limits = Objects.requireNonNull(limits);
      return this;
    }

    public Builder consumerListener(InetSocketAddress address) {
      this.consumerAddress = address;
      return this;
    }

    public Builder providerListener(InetSocketAddress address) {
      this.providerAddress = address;
      return this;
    }

    /** Pass-through listener: a plain reverse proxy to one http:// upstream, without envelopes. */
    public Builder passthrough(InetSocketAddress address, URI upstream) {
      this.passthroughAddress = Objects.requireNonNull(address);
      this.passthroughUpstream = Objects.requireNonNull(upstream);
      return this;
    }

    public Builder adminListener(InetSocketAddress address) {
      this.adminAddress = address;
      return this;
    }

    /** Event loop threads (default: one per core). */
    public Builder eventLoops(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("eventLoops must be at least 1");
      }
      this.eventLoops = n;
      return this;
    }

    /** Disables the native epoll transport (NIO is used instead). */
    public Builder disableNativeTransport() {
      this.nativeTransport = false;
      return this;
    }

    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock);
      return this;
    }

    /**
     * Reuses one ECDH-ES ephemeral key per peer for up to {@code maxAge} and {@code maxEnvelopes}
     * (default 60 s, 100,000); {@link Duration#ZERO} generates one per envelope. Every envelope
     * keeps its own content key. See {@code EnvelopeSealer.Builder.reuseEphemeralKeys}.
     */
    public Builder ephemeralKeyReuse(Duration maxAge, long maxEnvelopes) {
      if (maxAge.isNegative() || maxAge.compareTo(Duration.ofHours(1)) > 0 || maxEnvelopes < 1) {
        throw new IllegalArgumentException("ephemeral key reuse must be 0 to 1 h and at least 1 envelope");
      }
      this.ephemeralKeyReuse = maxAge;
      this.ephemeralKeyReuseMaxEnvelopes = maxEnvelopes;
      return this;
    }

    /**
     * Shares one signature among the envelopes that an event loop seals in one round of I/O
     * (default on; see {@code EnvelopeSealer.sealBatch}). Off, every envelope is signed on its own.
     */
    public Builder batchSignatures(boolean on) {
      this.batchSignatures = on;
      return this;
    }

    public Builder drainTimeout(Duration d) {
      this.drainTimeout = Objects.requireNonNull(d);
      return this;
    }

    /** Idle backend connections close after this; keep it below the backend's own idle timeout. */
    public Builder backendIdleTimeout(Duration d) {
      this.backendIdleTimeout = Objects.requireNonNull(d);
      return this;
    }

    /**
     * Keeps replay ids and grant uses in {@code state} (opened on the gateway's state directory), so
     * a restart changes no decision; the gateway closes it. Without it they are in memory only:
     * after a restart an envelope served before could be served again.
     */
    public Builder state(io.shulian.gateway.state.StateStore state) {
      this.state = Objects.requireNonNull(state);
      return this;
    }

    /**
     * Keeps the replay ids of request envelopes in {@code shared} (e.g. {@link
     * io.shulian.gateway.state.RedisState}), shared by the replicas of one department, instead of
     * {@link #state}; give the policy engine its grant counter and rate limiter too. Reported on
     * {@code /readyz} while it cannot be used; the gateway closes it.
     */
    public Builder sharedState(io.shulian.gateway.state.SharedState shared) {
      this.shared = Objects.requireNonNull(shared);
      return this;
    }

    /** Routes and recipients' certificates from a directory source (the city bundle) instead of {@link #route}. */
    public Builder directory(Supplier<GatewayContext.Directory> source) {
      this.directory = Objects.requireNonNull(source);
      return this;
    }

    /** Runs a task every {@code interval} on the gateway's housekeeping thread (e.g. reloading the city bundle). */
    /**
     * Runs {@code c}'s close when the gateway closes, after its periodic tasks stopped (a
     * background task that is not periodic, such as the city hub's bundle long-poll).
     */
    public Builder closeWith(AutoCloseable c) {
      closeWith.add(Objects.requireNonNull(c));
      return this;
    }

    public Builder periodic(Duration interval, java.util.function.Consumer<GatewayContext> task) {
      periodic.add(Map.entry(interval, task));
      return this;
    }

    /**
     * Records the gateway's spans with {@code otel} (an OpenTelemetry SDK, e.g. with an OTLP
     * exporter); without it spans are no-ops and traceparents are still propagated (docs/tracing.md).
     */
    public Builder openTelemetry(io.opentelemetry.api.OpenTelemetry otel) {
      this.tracing = io.shulian.gateway.ops.Tracing.of(otel);
      return this;
    }

    /** Registers extra meters (e.g. trust material age) on the gateway's registry. */
    public Builder meters(java.util.function.Consumer<io.micrometer.core.instrument.MeterRegistry> binder) {
      meterBinders.add(Objects.requireNonNull(binder));
      return this;
    }

    /** Adds a readiness check: the supplier returns null when fine, else what is wrong. */
    public Builder readinessCheck(String name, Supplier<String> check) {
      readinessChecks.put(name, check);
      return this;
    }

    /**
     * Adds a warning to {@code /readyz} that does not make the gateway unready: the supplier
     * returns null when fine, else what an operator should know.
     */
    public Builder readinessWarning(String name, Supplier<String> warning) {
      readinessWarnings.put(name, Objects.requireNonNull(warning));
      return this;
    }

    /**
     * @throws IllegalStateException naming a missing required part
     * @throws SSLException if the TLS client context cannot be built
     */
    public Gateway build() throws SSLException {
      try {
        if (identity == null || senderTrust == null || peers == null || auditor == null) {
          throw new IllegalStateException("identity, senderTrust, peers and auditor are required");
        }
        if (policy instanceof CatalogPolicy && !backendDatasets.isEmpty()) {
          throw new IllegalStateException("with a catalog policy the catalog declares data sets (delivery: dataset)");
        }
        if (policy instanceof CatalogPolicy && !backendEndpoints.isEmpty()) {
          throw new IllegalStateException("with a catalog policy the catalog declares the endpoints; configure backends without them");
        }
        if (providerAddress != null && identity.tlsCertificate().isEmpty()) {
          throw new IllegalStateException("the provider role needs a TLS key in the identity (entry 'tls')");
        }
        if ((!routes.isEmpty() || directory != null) && consumerAddress != null && identity.tlsCertificate().isEmpty()) {
          throw new IllegalStateException("the consumer role needs a TLS key in the identity (entry 'tls')");
        }
        return new Gateway(this);
      } catch (RuntimeException | SSLException e) {
        if (state != null) {
          state.close(); // no gateway will own it: release the directory
        }
        if (shared != null) {
          shared.close();
        }
        throw e;
      }
    }
  }
}
