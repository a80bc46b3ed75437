package io.shulian.gateway.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.NullUnmarked;

/**
 * The YAML configuration of one gateway, field for field (see docs/operations.md). Paths are
 * relative to the configuration file. Plain data; {@link ConfigLoader} validates it.
 */
// Jackson binding target: any field may be absent from the YAML; ConfigLoader checks each before use.
@NullUnmarked
public final class GatewayConfig {
  /** The gateway's own keys. */
  public Identity identity;
  /** Whom to trust: peer gateways' certificates (pinned), or the city CA and bundle. */
  public Trust trust = new Trust();
  /** Consumer role: department apps call this listener. */
  public Consumer consumer;
  /** Provider role: peer gateways call this listener over mutual TLS. */
  public Provider provider;
  /** Pass-through role: plain reverse proxy without envelopes (for measurement and migration). */
  public Passthrough passthrough;
  public Limits limits = new Limits();
  public Audit audit;
  /** What the gateway remembers across restarts (replayed envelopes, grant uses, newest bundle). */
  public State state = new State();
  public Admin admin;
  public Runtime runtime = new Runtime();
  public Envelope envelope = new Envelope();
  /** Ships this gateway's audit log to the city hub's collector; off when absent. */
  public Collector collector;
  /** Exports the gateway's spans (docs/tracing.md); without it spans are no-ops and traceparents are still passed on. */
  public Tracing tracing;

  /** Tracing: where the gateway's spans go. */
  public static final class Tracing {
    /** An OTLP/HTTP receiver (an OpenTelemetry Collector, Jaeger, Tempo, ...). */
    public Otlp otlp;
  }

  /** OTLP/HTTP (protobuf) span export through a batch span processor. */
  public static final class Otlp {
    /** http(s)://host:4318 (spans go to /v1/traces) or the full URL of the traces endpoint. */
    public String endpoint;
    /** Environment variable holding headers for the receiver, name=value,name=value (e.g. a token); optional. */
    public String headersEnv;
    /** How long one export may take. */
    public String timeout = "10s";
    /** The resource's service.name. */
    public String serviceName = "shulian-gateway";
    /** Share of new traces recorded, 0.0 to 1.0; a trace the app or the consumer sampled is always recorded. */
    public double samplingRatio = 1.0;
    /** How long finished spans wait to be exported in a batch. */
    public String batchDelay = "5s";
  }

  /** Event shipping to the city collector (docs/gateway.md "Event shipping"). */
  public static final class Collector {
    /**
     * The collector's URL: https://hub…/v1/events (the gateway's city-CA TLS identity authenticates
     * it); may be left out when {@link #kafka} is set.
     */
    public String hub;
    /** Publish the audit log to a Kafka topic too (or instead of {@link #hub}); off when absent. */
    public Kafka kafka;
    /**
     * Records per batch, 1 to 10000: the most one POST carries. The shipper sends what is waiting
     * (up to this) every {@link #interval}, so a larger batch means fewer, larger requests, not a
     * later delivery; the hub's cost per batch (a transaction, a TLS request) is then shared by more
     * records (docs/benchmarks.md "Shipping overhead on the gateway").
     */
    public int batch = 2000;
    /** How often new records are shipped when there is no backlog. */
    public String interval = "1s";
    /** How often an empty batch is sent when there is nothing new, so the hub can tell a quiet gateway from a dead one. */
    public String heartbeat = "30s";
  }

  /** The audit event stream on Kafka (docs/scale-out.md "Event stream on Kafka"). */
  public static final class Kafka {
    /** The brokers, host:port[,host:port…]. */
    public String bootstrap;
    /** The topic (keyed by log id; the hub's collector consumes it). */
    public String topic = "shulian.audit";
    /**
     * Further producer settings passed to kafka-clients as they are (TLS, SASL, timeouts), e.g.
     * security.protocol: SASL_SSL. Never logged by the gateway; the idempotence, acks and serializer
     * settings are the gateway's and cannot be set here.
     */
    public Map<String, String> properties = new LinkedHashMap<>();
  }

  public static final class Identity {
    /** PKCS#12 file with entries sign, encrypt and tls. */
    public String keystore;
    /** Environment variable holding the keystore password (default SHULIAN_KEY_PASSWORD). */
    public String passwordEnv = "SHULIAN_KEY_PASSWORD";
  }

  public static final class Trust {
    /** PEM files of peer parties' certificates (signing, encryption, TLS), trusted as pinned. */
    public List<String> certificates = new ArrayList<>();
    /** City root certificate(s) (PEM); with {@link #bundle}, chain validation replaces pinning. */
    public String root;
    /**
     * The signed city bundle (members, endpoints, certificates, CRL, catalog, policies): a file, or
     * the city hub's URL {@code https://hub/v1/bundle/intl} (long-polled; see docs/hub.md).
     */
    public String bundle;
    /**
     * With a hub URL as {@link #bundle}: a signed bundle file for the very first start, before any
     * bundle was accepted from the hub (later starts use the last one accepted, in the state dir).
     */
    public String initialBundle;
    /** How often the bundle file is checked for a new version (hot reload). */
    public String bundleReload = "30s";
    /** How long a bundle past valid-until, or a CRL past next-update, is still used. */
    public String grace = "1h";
  }

  public static final class Consumer {
    public String listen;
    public List<App> apps = new ArrayList<>();
    public List<RouteConfig> routes = new ArrayList<>();
  }

  public static final class App {
    public String name;
    /** Hex SHA-256 of the app's API key ({@code shulian gateway hash-key} prints it). */
    @JsonProperty("apiKeySha256")
    public String apiKeySha256;
  }

  public static final class RouteConfig {
    public String resource;
    /** PartyId of the provider. */
    public String provider;
    /** https:// URL of the provider gateway; with a city bundle, the member's endpoint is the default. */
    public String endpoint;
    /**
     * The endpoints of the resource, checked here before sealing; default: those of the bundle's
     * catalog, or none checked here (the provider gateway always checks).
     */
    public List<EndpointConfig> endpoints;
  }

  /** A declared endpoint: method, path template relative to the resource, optional action (docs/catalog-and-policy.md). */
  public static final class EndpointConfig {
    public String method;
    public String path;
    public String action;
  }

  public static final class Provider {
    public String listen;
    public List<Backend> backends = new ArrayList<>();
    /** Access policy with the catalog and policy engine (sharing types, purposes, grants, masking). */
    public Policy policy;
    /** Or a static allow-list of permissions, for simple setups without a catalog. */
    public List<Permission> permissions = new ArrayList<>();
    /** Parties this gateway may push data sets to, and where their gateways are (docs/return-flow.md "Push"). */
    public List<PushReceiver> pushReceivers = new ArrayList<>();
    /** Pushed data sets this gateway takes, and the backend each is delivered to (docs/return-flow.md "Push"). */
    public List<PushDelivery> pushDeliveries = new ArrayList<>();
  }

  /** A party data sets may be pushed to. */
  public static final class PushReceiver {
    /** PartyId of the receiver (its encryption certificate must be known: trust.certificates or the city bundle). */
    public String party;
    /** https:// URL of the receiver's gateway (its provider listener); with a city bundle, the member's endpoint is the default. */
    public String gateway;
  }

  /** Where a pushed data set of a resource is delivered. */
  public static final class PushDelivery {
    public String resource;
    /** http:// URL on the private network the plaintext is POSTed to. */
    public String url;
  }

  /** Where the catalog and policy set come from. */
  public static final class Policy {
    /** Directory with catalog.yaml and policies.yaml. */
    public String dir;
    /** Take the catalog and policies from the city bundle's extensions ("catalog", "policies"). */
    public boolean fromBundle;
    /** Environment variable with the secret for keyed-hash masks (at least 16 characters). */
    public String hashKeyEnv = "SHULIAN_MASK_KEY";
  }

  public static final class Backend {
    public String resource;
    /** http:// base URL of the provider system on the private network. */
    public String url;
    /** With permissions (no catalog): the endpoints of the resource that are served; nothing else is. */
    public List<EndpointConfig> endpoints;
    /**
     * With permissions (no catalog): {@code response} (default) or {@code dataset}, streamed
     * through the gateways (docs/return-flow.md); the catalog's {@code delivery} decides otherwise.
     */
    public String delivery;
    /** With {@code delivery: dataset} (required there, refused otherwise): {@code jsonl} or {@code csv}. */
    public String format;
  }

  /** Permits a consumer the listed actions (default query) on a resource for the listed purposes. */
  public static final class Permission {
    public String consumer;
    public String resource;
    public List<String> purposes = new ArrayList<>();
    /** query (default), subscribe, export, return-flow, write. */
    public List<String> actions = new ArrayList<>(List.of("query"));
  }

  public static final class Passthrough {
    public String listen;
    public String upstream;
  }

  public static final class Limits {
    public int maxBodyBytes = 16 * 1024 * 1024;
    public int maxHeaderBytes = 8192;
    public String headerTimeout = "10s";
    public String requestTimeout = "30s";
    public String backendTimeout = "10s";
    public int maxConnections = 10_000;
    /** Slow-upload defence of a streamed push: at least {@code pushMinBytes} per this much waiting. */
    public String pushProgressWindow = "30s";
    public int pushMinBytes = 32 * 1024;
  }

  public static final class Audit {
    /** Directory of the audit log (created if missing). */
    public String dir;
    /**
     * How long the audit writer lingers for more records before forcing a group to disk, under
     * concurrent load only (a lone record is forced at once). "0ms" forces whatever arrived while
     * the previous group was being forced. Under load, 5ms means far fewer fsyncs for the same
     * records, for at most 5 ms more latency; at most 1s.
     */
    public String commitDelay = "5ms";
  }

  /** The state directory (see docs/gateway.md, "State across restarts"). */
  public static final class State {
    /**
     * Directory of the state journal, its lock and the newest accepted bundle version; default: next
     * to the audit directory, named after it with "-state" appended ({@code audit} → {@code
     * audit-state}). One gateway per directory; back it up with the audit log.
     */
    public String dir;
    /**
     * Most envelope ids kept at once (each until its envelope expires); when that many have not
     * expired, new envelopes are refused (503) rather than an old id forgotten.
     */
    public long maxReplayEntries = 2_000_000;
    /**
     * Replay ids, grant uses and rate limits shared by the replicas of one department, in Redis:
     * {@code redis://host:6379[/db]}, {@code rediss://…} (TLS), {@code
     * redis-sentinel://host:26379[,host:26379]/db#master}, or several {@code redis://} addresses
     * separated by commas (Cluster). Unset: kept by this process (the state directory). Never a user
     * or password in the address.
     */
    public String redis;
    /** The Redis ACL user (default: none, or {@code default} with a password). */
    public String redisUser;
    /** Environment variable holding the Redis password (or {@link #redisPasswordFile}). */
    public String redisPasswordEnv;
    /** File holding the Redis password (its first line). */
    public String redisPasswordFile;
    /** PEM file of the CA of the Redis server's certificate ({@code rediss://}); default: the JVM's trust store. */
    public String redisCaFile;
    /** How long one Redis command may take before Redis counts as unavailable. */
    public String redisTimeout = "500ms";
    /**
     * How many Redis replicas must acknowledge each replay id and grant use ({@code WAIT}) before
     * the exchange is served; 0 (default): the master's answer suffices (asynchronous replication).
     */
    public int redisReplicas;
    /** How long that {@code WAIT} may take; default half of {@link #redisTimeout}, and shorter than it. */
    public String redisWaitTimeout;
    /** Prefix of the keys; default {@code shulian:<party id>:}. All replicas of a department share it. */
    public String redisKeyPrefix;
    /** What each concern does while Redis does not answer: {@code refuse} or {@code allow-local}. */
    public OnUnavailable onUnavailable = new OnUnavailable();
  }

  /** What each kind of shared state does while Redis does not answer. */
  public static final class OnUnavailable {
    /** Replay ids: refuse (503 STATE_UNAVAILABLE) or allow-local (this replica's memory only). */
    public String replay = "refuse";
    /** Grant uses: refuse (503 STATE_UNAVAILABLE) or allow-local (each replica counts alone). */
    public String grants = "refuse";
    /** Rate limits: allow-local (each replica counts alone) or refuse (503 STATE_UNAVAILABLE). */
    public String rates = "allow-local";
  }

  public static final class Admin {
    public String listen;
  }

  /** How envelopes are sealed (see docs/security-model.md, "Ephemeral key reuse"). */
  public static final class Envelope {
    /**
     * How long one ECDH-ES ephemeral key (INTL) or SM2-encrypted seed (GM, alg SM2-PKE-KDF) is
     * reused per peer; "0s" makes a fresh one per envelope. Each envelope still gets its own
     * content key.
     */
    public String ephemeralKeyReuse = "60s";
    /** At most this many envelopes per reused ephemeral key. */
    public long ephemeralKeyReuseMaxEnvelopes = 100_000;
    /**
     * One signature for the envelopes an event loop seals in one round of I/O (a Merkle root with a
     * proof per envelope, as X-Road signs); false signs each envelope on its own.
     */
    public boolean batchSignatures = true;
  }

  public static final class Runtime {
    /** Event loop threads; 0 means one per core. */
    public int eventLoops = 0;
    public boolean nativeTransport = true;
    public String drainTimeout = "10s";
  }
}
