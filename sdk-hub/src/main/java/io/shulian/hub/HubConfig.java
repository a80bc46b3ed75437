package io.shulian.hub;

import java.util.ArrayList;
import java.util.List;

/**
 * The YAML configuration of the city hub ({@code shulian hub --config hub.yaml}), field for field
 * (see docs/hub.md). Paths are relative to the configuration file. Plain data; {@link Hub#load}
 * validates it.
 */
// Jackson's binding target: any field may be absent; Hub checks each one before use
@org.jspecify.annotations.NullUnmarked
public final class HubConfig {
  /** The hub's keys: its TLS certificate (issued by the city CA) and the audit checkpoint signer. */
  public Identity identity;
  /** The HTTPS listener for departments, gateways and operators (host:port). */
  public String listen;
  /** The plain-HTTP listener for /healthz, /readyz and /metrics; bind it to a private interface. */
  public Admin admin;
  /** The city roots per suite; a bundle is published only if it verifies against its suite's root. */
  public City city = new City();
  /** Where the embedded database (H2) and the audit log live. */
  public String dataDir;
  /** A PostgreSQL database instead of the embedded H2 one. */
  public Database database;
  /** Bureau operators with a bearer token. */
  public List<OperatorEntry> operators = new ArrayList<>();
  public Limits limits = new Limits();
  /** Sharing applications and data objections. */
  public Applications applications = new Applications();

  /** The bureau's bundle-signing keys (the city CA directories), per suite; without them the hub signs nothing. */
  public Signing signing;
  /** City-wide event collection and alerts (issue 16). */
  public Events events = new Events();

  public static final class Events {
    /** How long collected events are kept (by the time they were received); logs, checkpoints and alerts stay. */
    public String retention = "90d";
    /** Consume the gateways' audit event stream from Kafka too (docs/scale-out.md); off when absent. */
    public Kafka kafka;
  }

  /** The bureau's web console under /console/ on the HTTPS listener (docs/console.md). */
  public Console console = new Console();

  public static final class Console {
    /** Serve the console (true) or answer 404 under /console/ (false). */
    public boolean enabled = true;
    /** A session unused for this long ends. */
    public String idleTimeout = "30m";
    /** A session ends this long after its log-in, used or not. */
    public String absoluteTimeout = "8h";
    /** Log-in attempts one operator name may make at once; the allowance refills in 5 minutes. */
    public int loginBurstPerName = 5;
    /** Log-in attempts one client address may make at once; the allowance refills in 5 minutes. */
    public int loginBurstPerAddress = 20;
  }

  /** Alerts (监测预警): where they are delivered. */
  /** The Kafka topic the collector consumes (gateways publish with collector.kafka). */
  public static final class Kafka {
    /** The brokers, host:port[,host:port…]. */
    public String bootstrap;
    public String topic = "shulian.audit";
    /** The consumer group: hubs of one city share it (each batch is stored once anyway). */
    public String group = "shulian-hub";
    /** Further consumer settings passed to kafka-clients as they are (TLS, SASL); never logged by the hub. */
    public java.util.Map<String, String> properties = new java.util.LinkedHashMap<>();
  }

  public AlertSettings alerts = new AlertSettings();

  public static final class AlertSettings {
    /** An Alertmanager-compatible webhook (http or https URL) that receives every alert raised and closed; none if unset. */
    public String webhook;
    /** denial_spike: this many refusals of one consumer ... */
    public int denialSpikeCount = 20;
    /** ... within this window. */
    public String denialSpikeWindow = "5m";
    /** bulk_export: more responses of one resource to one consumer within an hour than this. */
    public long bulkExportPerHour = 10_000;
    /** off_hours_access: the resources holding core or important data (catalog codes). */
    public List<String> offHoursResources = new ArrayList<>();
    /** Working hours (in workingZone, Monday to Friday), e.g. "08:00-18:00". */
    public String workingHours = "08:00-18:00";
    public String workingZone = "Asia/Shanghai";
    /** new_consumer: on (true) or off. */
    public boolean newConsumer = true;
    /** gateway_silent: a gateway not heard of (not even a heartbeat) for this long. */
    public String gatewaySilence = "3m";
    /** certificate_expiring: a member certificate expiring within this. */
    public String certificateExpiry = "30d";
    /** bundle_stale: the newest bundle within this of its end. */
    public String bundleStaleness = "6h";
    /** crl_stale: the CRL of the newest bundle within this of its nextUpdate. */
    public String crlStaleness = "6h";
    /** volume_baseline: requests of a consumer for a resource in one hour above this many times its baseline ... */
    public double volumeFactor = 5.0;
    /** ... and at least this many ... */
    public long volumeMinCount = 100;
    /** ... the baseline being the mean of this many previous hours (no alert until they are learned). */
    public int volumeBaselineHours = 24;
    /** grant_near_limit: a grant used at least this fraction of its maxUses. */
    public double grantNearLimit = 0.8;
  }

  public static final class Signing {
    public SigningKey intl;
    public SigningKey gm;
  }

  /** A city CA directory ({@code shulian ca init}) and where its key password comes from. */
  public static final class SigningKey {
    public String ca;
    /** Environment variable holding the CA key password (the one {@code shulian bundle sign} reads). */
    public String passwordEnv = "SHULIAN_CA_PASSWORD";
  }

  public static final class Identity {
    public String keystore;
    public String passwordEnv = "SHULIAN_KEY_PASSWORD";
  }

  public static final class Admin {
    public String listen;
  }

  public static final class City {
    /** PEM file of the INTL city root. */
    public String intl;
    /** PEM file of the GM city root. */
    public String gm;
    /** How long a bundle past valid-until, or its CRL past next-update, still authenticates clients. */
    public String grace = "1h";
  }

  public static final class Database {
    /** jdbc:postgresql://host:port/db (or jdbc:h2:… for tests). */
    public String url;
    public String user;
    /** Environment variable holding the database password. */
    public String passwordEnv;
    public int maxConnections = 4;
  }

  public static final class OperatorEntry {
    public String name;
    /** viewer, reviewer or security-officer. */
    public String role;
    /** Hex SHA-256 of the operator's bearer token ({@code printf %s "$TOKEN" | sha256sum}); optional if passwordHash is set. */
    public String tokenSha256;
    /** The console password as an Argon2id PHC string ({@code shulian hub passwd}); none: no console log-in. */
    public String passwordHash;
  }

  public static final class Limits {
    /** Long-polls parked at once; more are answered at once with 503 and Retry-After. */
    public int maxWaiters = 10_000;
    /** Longest {@code wait} a long-poll may ask for (at most 60s). */
    public String maxWait = "60s";
    /** A connection that sends nothing for this long is closed. */
    public String idleTimeout = "90s";
    public int eventLoops = 0;
    /** Requests per second each client (party, operator, or address) may make on average. */
    public double ratePerSecond = 20;
    /** Requests a client may make at once before the average applies. */
    public int rateBurst = 100;
  }

  public static final class Applications {
    /** An application or objection unanswered for longer than this is overdue. */
    public String responseDeadline = "5d";
  }
}
