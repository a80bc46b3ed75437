package io.shulian.gateway.pipeline;

import io.shulian.core.catalog.Endpoint;
import io.shulian.core.envelope.EnvelopeOpener;
import io.shulian.core.envelope.EnvelopeSealer;
import io.shulian.core.keys.PartyCertificate;
import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.party.PartyId;
import io.shulian.gateway.audit.ExchangeAuditor;
import io.shulian.gateway.authenticate.ApiKeys;
import io.shulian.gateway.authenticate.PeerVerifier;
import io.shulian.gateway.authorize.ExchangePolicy;
import io.shulian.gateway.forward.BackendPool;
import io.shulian.gateway.inbound.Limits;
import io.shulian.gateway.ops.GatewayMetrics;
import io.shulian.gateway.seal.Route;
import java.net.URI;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Everything the handlers of one gateway share: identity, envelope sealer and opener, routes and
 * backends, policy, auditor, pools, metrics. Immutable references, except the swappable routing
 * state (hot reload of the city bundle replaces it atomically) and the in-flight counter used to
 * drain on shutdown.
 */
public final class GatewayContext {
  /** The routing state that a new city bundle replaces as a whole. */
  public static final class Directory {
    final Map<String, Route> routes;
    final Map<PartyId, PartyCertificate> encryptionCertificates;

    final io.shulian.core.trust.Incidents incidents;

    public Directory(Map<String, Route> routes, Map<PartyId, PartyCertificate> encryptionCertificates) {
      this(routes, encryptionCertificates, io.shulian.core.trust.Incidents.none());
    }

    /** With the incident actions of the bundle the routes come from (suspended parties, frozen resources). */
    public Directory(Map<String, Route> routes, Map<PartyId, PartyCertificate> encryptionCertificates,
        io.shulian.core.trust.Incidents incidents) {
      this.routes = Map.copyOf(routes);
      this.encryptionCertificates = Map.copyOf(encryptionCertificates);
      this.incidents = incidents;
    }
  }

  private final PartyIdentity identity;
  private final EnvelopeSealer sealer;
  private final io.shulian.gateway.seal.SealBatcher sealBatcher;
  private final EnvelopeOpener opener;
  private final EnvelopeOpener requestOpener;
  private final io.shulian.gateway.state.@org.jspecify.annotations.Nullable StateStore state;
  private final ApiKeys apiKeys;
  private final Map<String, URI> backends;
  private final ExchangePolicy policy;
  private final ExchangeAuditor auditor;
  private final GatewayMetrics metrics;
  private final BackendPool backendPool;
  private final BackendPool peerPool;
  private final PeerVerifier peers;
  private final Limits limits;
  private final Clock clock;
  private final Function<String, List<Endpoint>> endpoints;
  private final Function<String, Optional<io.shulian.core.catalog.DatasetFormat>> datasets;
  private volatile Directory directory;
  /** Set once by the gateway before it starts (docs/tracing.md). */
  private volatile io.shulian.gateway.ops.Tracing tracing = io.shulian.gateway.ops.Tracing.NOOP;
  private final AtomicInteger inFlight = new AtomicInteger();
  /** Set once by the gateway before it starts when its shared state is remote; see {@link #stateCalls()}. */
  private volatile java.util.concurrent.@org.jspecify.annotations.Nullable Executor stateCalls;
  private volatile boolean draining;
  /** Data set push (docs/return-flow.md "Push"): set once by the gateway before it starts. */
  private volatile Map<PartyId, URI> pushReceivers = Map.of();
  private volatile Map<String, URI> pushDeliveries = Map.of();
  /** Inbound mutual-TLS connections with the verified client chain, for {@link #closeUntrustedPeers()}. */
  private final java.util.Set<io.netty.channel.Channel> peerConnections = java.util.concurrent.ConcurrentHashMap.newKeySet();
  static final io.netty.util.AttributeKey<java.security.cert.X509Certificate[]> PEER_CHAIN =
      io.netty.util.AttributeKey.valueOf("shulian.peer.chain");

  /**
   * @param opener opens response envelopes (consumer role); its replay cache may be in memory, as a
   *     response is accepted only for a request in flight, which no restart keeps
   * @param requestOpener opens request envelopes (provider role), with the durable replay cache of
   *     {@code state} when there is one
   * @param state what survives restarts (replay ids, grant uses); null keeps them in memory only
   */
  public GatewayContext(PartyIdentity identity, EnvelopeSealer sealer, EnvelopeOpener opener, EnvelopeOpener requestOpener,
      io.shulian.gateway.state.@org.jspecify.annotations.Nullable StateStore state, ApiKeys apiKeys,
      Directory directory, Map<String, URI> backends, ExchangePolicy policy, ExchangeAuditor auditor,
      GatewayMetrics metrics, BackendPool backendPool, BackendPool peerPool, PeerVerifier peers, Limits limits,
      Clock clock, boolean batchSignatures, Function<String, List<Endpoint>> endpoints) {
    this(identity, sealer, opener, requestOpener, state, apiKeys, directory, backends, policy, auditor, metrics,
        backendPool, peerPool, peers, limits, clock, batchSignatures, endpoints, resource -> Optional.empty());
  }

  /**
   * As the constructor above, with the provider's data sets: the record format of each resource the
   * catalog (or the configuration, without one) declares {@code delivery: dataset}.
   */
  public GatewayContext(PartyIdentity identity, EnvelopeSealer sealer, EnvelopeOpener opener, EnvelopeOpener requestOpener,
      io.shulian.gateway.state.@org.jspecify.annotations.Nullable StateStore state, ApiKeys apiKeys,
      Directory directory, Map<String, URI> backends, ExchangePolicy policy, ExchangeAuditor auditor,
      GatewayMetrics metrics, BackendPool backendPool, BackendPool peerPool, PeerVerifier peers, Limits limits,
      Clock clock, boolean batchSignatures, Function<String, List<Endpoint>> endpoints,
      Function<String, Optional<io.shulian.core.catalog.DatasetFormat>> datasets) {
    this.datasets = datasets;
    this.identity = identity;
    this.sealer = sealer;
    this.sealBatcher = new io.shulian.gateway.seal.SealBatcher(sealer, batchSignatures, metrics::signatureBatch);
    this.opener = opener;
    this.requestOpener = requestOpener;
    this.state = state;
    this.apiKeys = apiKeys;
    this.directory = directory;
    this.backends = Map.copyOf(backends);
    this.policy = policy;
    this.auditor = auditor;
    this.metrics = metrics;
    this.backendPool = backendPool;
    this.peerPool = peerPool;
    this.peers = peers;
    this.limits = limits;
    this.clock = clock;
    this.endpoints = endpoints;
  }

  public PartyIdentity identity() {
    return identity;
  }

  /** The gateway's spans; no-op unless the builder was given an OpenTelemetry SDK. */
  public io.shulian.gateway.ops.Tracing tracing() {
    return tracing;
  }

  /**
   * Where provider exchanges open their envelope and are decided when the shared state is remote
   * (Redis): those steps wait for it, so they run on these bounded workers, never on an event
   * loop; null when the state is in this process (they run on the event loop).
   */
  public java.util.concurrent.@org.jspecify.annotations.Nullable Executor stateCalls() {
    return stateCalls;
  }

  /** Sets the workers of {@link #stateCalls()}, before the gateway starts. */
  public void stateCalls(java.util.concurrent.Executor e) {
    this.stateCalls = java.util.Objects.requireNonNull(e);
  }

  /** Sets the tracing, before the gateway starts. */
  public void tracing(io.shulian.gateway.ops.Tracing t) {
    this.tracing = java.util.Objects.requireNonNull(t);
  }

  public EnvelopeSealer sealer() {
    return sealer;
  }

  /** Seals on an event loop, sharing signatures among the envelopes of one I/O round. */
  public io.shulian.gateway.seal.SealBatcher sealBatcher() {
    return sealBatcher;
  }

  /** Opens response envelopes (consumer role). */
  public EnvelopeOpener opener() {
    return opener;
  }

  /** Opens request envelopes from peer gateways (provider role); its replay cache survives restarts. */
  public EnvelopeOpener requestOpener() {
    return requestOpener;
  }

  /**
   * Returns a future that completes once every state change made so far (replay slots, grant uses)
   * is durable; a response that depends on them is released only after it. Completed at once
   * without a state directory.
   */
  public java.util.concurrent.CompletableFuture<Void> stateDurable() {
    return state == null ? java.util.concurrent.CompletableFuture.completedFuture(null) : state.durable();
  }

  /** Why the state cannot be written, if it failed. */
  public java.util.Optional<String> stateFailure() {
    return state == null ? java.util.Optional.empty() : state.failure();
  }

  public ApiKeys apiKeys() {
    return apiKeys;
  }

  public Optional<Route> route(String resource) {
    return Optional.ofNullable(directory.routes.get(resource));
  }

  public Optional<PartyCertificate> encryptionCertificate(PartyId party) {
    return Optional.ofNullable(directory.encryptionCertificates.get(party));
  }

  /**
   * The incident actions of the city bundle held (suspended parties, frozen resources), swapped
   * with the routes; none without a city bundle.
   */
  public io.shulian.core.trust.Incidents incidents() {
    return directory.incidents;
  }

  /** Replaces routes and party certificates at once (hot reload). */
  public void replaceDirectory(Directory d) {
    directory = d;
  }

  /** Sets the push receivers' gateways (sender role) and the push delivery backends (receiver role). */
  public void push(Map<PartyId, URI> receivers, Map<String, URI> deliveries) {
    this.pushReceivers = Map.copyOf(receivers);
    this.pushDeliveries = Map.copyOf(deliveries);
  }

  /** Sender role: the gateway of a party data sets may be pushed to. */
  public Optional<URI> pushReceiver(PartyId party) {
    return Optional.ofNullable(pushReceivers.get(party));
  }

  /** Receiver role: where a pushed data set of the resource is delivered. */
  public Optional<URI> pushDelivery(String resource) {
    return Optional.ofNullable(pushDeliveries.get(resource));
  }

  public Optional<URI> backend(String resource) {
    return Optional.ofNullable(backends.get(resource));
  }

  /**
   * Provider role: the endpoints declared for a resource — by the catalog the policy decides with,
   * or, without one, as configured with the backend. Empty: nothing of the resource is served.
   */
  public List<Endpoint> endpoints(String resource) {
    return endpoints.apply(resource);
  }

  /**
   * Provider role: the record format of a resource delivered as a data set (streamed, see
   * docs/return-flow.md), or empty for an ordinary resource.
   */
  public Optional<io.shulian.core.catalog.DatasetFormat> dataset(String resource) {
    return datasets.apply(resource);
  }

  /** Whether this gateway routes (consumer) or serves (provider) the resource. */
  public boolean knowsResource(String resource) {
    return backends.containsKey(resource) || directory.routes.containsKey(resource);
  }

  /**
   * The largest envelope the opener parses, for a payload of {@link Limits#maxPayloadBytes()}: the
   * provider's request body limit and the consumer's response limit.
   */
  public int maxEnvelopeBytes() {
    return (int) Math.min(Integer.MAX_VALUE, opener.maxEnvelopeBytes());
  }

  /**
   * Whether the inbound connection's TLS peer still verifies, under the trust held now, as the
   * party it was accepted as at the handshake. The provider asks before each request: a bundle or
   * CRL swapped in since the handshake may have revoked the peer, and {@link #closeUntrustedPeers}
   * runs only after the swap. Chain validation is cached by the city trust.
   */
  public boolean peerStillTrusted(io.netty.channel.Channel ch) {
    PartyId was = ch.attr(io.shulian.gateway.seal.ProviderExchangeHandler.PEER).get();
    java.security.cert.X509Certificate[] chain = ch.attr(PEER_CHAIN).get();
    if (was == null || chain == null) {
      return false;
    }
    try {
      return was.equals(peers.verify(chain));
    } catch (java.security.cert.CertificateException | RuntimeException e) {
      return false;
    }
  }

  /** Remembers an inbound mutual-TLS connection and its verified client chain until it closes. */
  void peerConnected(io.netty.channel.Channel ch, java.security.cert.X509Certificate[] chain) {
    ch.attr(PEER_CHAIN).set(chain);
    peerConnections.add(ch);
    ch.closeFuture().addListener(f -> peerConnections.remove(ch));
  }

  /**
   * Closes every open gateway-to-gateway connection, inbound or pooled outbound, whose peer
   * certificate no longer verifies for the party it was accepted as (revoked, expired, or trust
   * gone stale); call after the trust material changed. Safe from any thread.
   *
   * @return how many connections were closed
   */
  public int closeUntrustedPeers() {
    int closed = peerPool.closeUntrusted();
    for (io.netty.channel.Channel ch : peerConnections) {
      if (!peerStillTrusted(ch)) {
        org.slf4j.LoggerFactory.getLogger(GatewayContext.class).warn(
            "closing the connection from {} ({}): its TLS certificate is no longer trusted", ch.remoteAddress(),
            ch.attr(io.shulian.gateway.seal.ProviderExchangeHandler.PEER).get());
        ch.close();
        closed++;
      } else if (directory.incidents.isSuspended(
          java.util.Objects.requireNonNull(ch.attr(io.shulian.gateway.seal.ProviderExchangeHandler.PEER).get()))) {
        PartyId was = java.util.Objects.requireNonNull(ch.attr(io.shulian.gateway.seal.ProviderExchangeHandler.PEER).get());
        org.slf4j.LoggerFactory.getLogger(GatewayContext.class).atWarn().addKeyValue("event", "peer_closed_suspended")
            .addKeyValue("party", was.toString()).log("closing the connection from {}: the city bureau suspended its party", was);
        ch.close();
        closed++;
      }
    }
    return closed;
  }

  public ExchangePolicy policy() {
    return policy;
  }

  public ExchangeAuditor auditor() {
    return auditor;
  }

  public GatewayMetrics metrics() {
    return metrics;
  }

  public BackendPool backendPool() {
    return backendPool;
  }

  public BackendPool peerPool() {
    return peerPool;
  }

  public PeerVerifier peers() {
    return peers;
  }

  public Limits limits() {
    return limits;
  }

  public Clock clock() {
    return clock;
  }

  /** Counts a request that has started; a response for it is owed. */
  public void inFlightStarted() {
    inFlight.incrementAndGet();
  }

  public void inFlightDone() {
    inFlight.decrementAndGet();
  }

  public int inFlight() {
    return inFlight.get();
  }

  public boolean draining() {
    return draining;
  }

  public void startDraining() {
    draining = true;
  }
}
