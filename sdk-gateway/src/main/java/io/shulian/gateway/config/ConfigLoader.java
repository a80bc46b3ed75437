package io.shulian.gateway.config;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.shulian.core.keys.KeyMaterialException;
import io.shulian.core.keys.KeyUse;
import io.shulian.core.keys.PartyCertificate;
import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.party.PartyId;
import io.shulian.core.trust.PinnedSenderTrust;
import io.shulian.gateway.Gateway;
import io.shulian.gateway.audit.ExchangeAuditor;
import io.shulian.gateway.authenticate.ApiKeys;
import io.shulian.gateway.authenticate.PinnedPeerVerifier;
import io.shulian.gateway.authorize.ExchangePolicy;
import io.shulian.gateway.authorize.Verdict;
import io.shulian.gateway.inbound.Limits;
import io.shulian.gateway.seal.Route;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/** Reads, validates and applies a gateway configuration file. */
public final class ConfigLoader {
  private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h|d)");
  private static final int MAX_CONFIG_BYTES = 1 << 20;

  private ConfigLoader() {}

  /** A validated configuration with everything it refers to loaded. */
  public static final class Loaded {
    public final GatewayConfig config;
    public final Path baseDir;
    public final PartyIdentity identity;
    public final List<PartyCertificate> peers;
    /** The city bundle holder, when the configuration names a bundle; else trust is pinned. */
    public final io.shulian.core.trust.@Nullable BundleHolder bundle;
    /** The state directory (state.dir, or next to the audit directory). */
    public final Path stateDir;
    /**
     * The opened state (replay ids, grant uses), held locked until the gateway built from this
     * configuration closes it; null when only checked ({@link #check}).
     */
    public final io.shulian.gateway.state.@Nullable StateStore state;
    /** The shared state in Redis (state.redis), connected; null without it or when only checked. */
    public final io.shulian.gateway.state.@Nullable RedisState shared;

    Loaded(GatewayConfig config, Path baseDir, PartyIdentity identity, List<PartyCertificate> peers,
        io.shulian.core.trust.@Nullable BundleHolder bundle, Path stateDir,
        io.shulian.gateway.state.@Nullable StateStore state, io.shulian.gateway.state.@Nullable RedisState shared) {
      this.config = config;
      this.baseDir = baseDir;
      this.identity = identity;
      this.peers = peers;
      this.bundle = bundle;
      this.stateDir = stateDir;
      this.state = state;
      this.shared = shared;
    }

    public Path resolve(String p) {
      return baseDir.resolve(p).normalize();
    }
  }

  /**
   * Parses and validates a configuration, loading the keystore and certificates it names, and opens
   * the gateway's state directory (refusing a bundle older than one accepted before). The state
   * stays locked until the gateway built with {@link #apply} closes.
   *
   * @throws ConfigException listing every problem found, each with its location
   */
  public static Loaded load(Path file, Function<String, String> env) throws ConfigException {
    return load(file, env, false);
  }

  /**
   * Validates a configuration as {@link #load} does, reading but never writing or locking the state
   * directory ({@code gateway --check}); {@link Loaded#state} is null.
   *
   * @throws ConfigException listing every problem found, each with its location
   */
  public static Loaded check(Path file, Function<String, String> env) throws ConfigException {
    return load(file, env, true);
  }

  private static Loaded load(Path file, Function<String, String> env, boolean checkOnly) throws ConfigException {
    List<String> problems = new ArrayList<>();
    byte[] yaml;
    try {
      if (Files.size(file) > MAX_CONFIG_BYTES) {
        throw new ConfigException(List.of(file + ": larger than " + MAX_CONFIG_BYTES + " bytes"));
      }
      yaml = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new ConfigException(List.of(file + ": cannot read: " + e.getMessage()));
    }
    ConfigDocument doc = ConfigDocument.read(file, yaml);
    GatewayConfig c = doc.hasProblems() ? null : doc.config(mapper());
    if (c == null) {
      // the shape is wrong: bind defaults so that the value checks below still run on what is there
      c = doc.config(lenientMapper());
    }
    if (c == null) {
      throw new ConfigException(doc.problems());
    }
    Path base = Objects.requireNonNull(file.toAbsolutePath().getParent(), "configuration file has no directory");

    if (c.identity == null || c.identity.keystore == null) {
      problems.add("identity.keystore: required");
    }
    if (c.identity != null && (c.identity.passwordEnv == null || c.identity.passwordEnv.isEmpty())) {
      problems.add("identity.passwordEnv: required (the environment variable holding the keystore password)");
    }
    if (c.consumer == null && c.provider == null && c.passthrough == null) {
      problems.add("at least one of consumer, provider or passthrough must be configured");
    }
    if (c.audit == null || c.audit.dir == null) {
      problems.add("audit.dir: required (the gateway never releases data unaudited)");
    }
    if (c.audit != null) {
      durationIn("audit.commitDelay", c.audit.commitDelay, Duration.ZERO, Duration.ofSeconds(1), problems);
    }
    listen(c.consumer == null, c.consumer == null ? null : c.consumer.listen, "consumer.listen", problems);
    listen(c.provider == null, c.provider == null ? null : c.provider.listen, "provider.listen", problems);
    listen(c.passthrough == null, c.passthrough == null ? null : c.passthrough.listen, "passthrough.listen", problems);
    listen(c.admin == null, c.admin == null ? null : c.admin.listen, "admin.listen", problems);
    durationIn("trust.bundleReload", c.trust.bundleReload, Duration.ofMillis(100), Duration.ofDays(1), problems);
    durationIn("trust.grace", c.trust.grace, Duration.ZERO, Duration.ofDays(7), problems);
    durationIn("runtime.drainTimeout", c.runtime.drainTimeout, Duration.ZERO, Duration.ofMinutes(10), problems);
    durationIn("envelope.ephemeralKeyReuse", c.envelope.ephemeralKeyReuse, Duration.ZERO, Duration.ofHours(1), problems);
    boolean timeouts = durationIn("limits.headerTimeout", c.limits.headerTimeout, Duration.ofMillis(1), Duration.ofDays(1), problems)
        & durationIn("limits.requestTimeout", c.limits.requestTimeout, Duration.ofMillis(1), Duration.ofDays(1), problems)
        & durationIn("limits.backendTimeout", c.limits.backendTimeout, Duration.ofMillis(1), Duration.ofDays(1), problems)
        & durationIn("limits.pushProgressWindow", c.limits.pushProgressWindow, Duration.ofMillis(1), Duration.ofDays(1),
            problems);
    if (timeouts) {
      try {
        limits(c);
      } catch (IllegalArgumentException e) {
        problems.add("limits." + e.getMessage());
      }
    }
    if (c.runtime.eventLoops < 0 || c.runtime.eventLoops > 1024) {
      problems.add("runtime.eventLoops: from 0 (one per core) to 1024, got " + c.runtime.eventLoops);
    }
    if (c.envelope.ephemeralKeyReuseMaxEnvelopes < 1) {
      problems.add("envelope.ephemeralKeyReuseMaxEnvelopes: must be at least 1");
    }
    if (c.collector != null) {
      if (c.collector.hub == null && c.collector.kafka == null) {
        problems.add("collector: needs hub (an https:// URL of the hub's collector) or kafka (a topic), or both");
      } else if (c.collector.hub != null && !c.collector.hub.startsWith("https://")) {
        problems.add("collector.hub: an https:// URL of the hub's collector (…/v1/events), got '" + c.collector.hub + "'");
      }
      if (c.collector.kafka != null) {
        GatewayConfig.Kafka k = c.collector.kafka;
        if (k.bootstrap == null || !k.bootstrap.matches("[A-Za-z0-9._\\[\\]:-]+:[0-9]{1,5}(,[A-Za-z0-9._\\[\\]:-]+:[0-9]{1,5})*")) {
          problems.add("collector.kafka.bootstrap: host:port[,host:port…], got '" + k.bootstrap + "'");
        }
        if (k.topic == null || !k.topic.matches("[A-Za-z0-9._-]{1,249}")) {
          problems.add("collector.kafka.topic: 1 to 249 of A-Z a-z 0-9 . _ -, got '" + k.topic + "'");
        }
        if (k.properties == null) {
          problems.add("collector.kafka.properties: a mapping of producer settings (or left out)");
        } else {
          for (String key : k.properties.keySet()) {
            if (io.shulian.gateway.ship.KafkaShipper.fixedProperties().contains(key)) {
              problems.add("collector.kafka.properties: " + key + " is set by the gateway");
            }
          }
        }
      }
      if (c.collector.batch < 1 || c.collector.batch > 10_000) {
        problems.add("collector.batch: 1 to 10000, got " + c.collector.batch);
      }
      durationIn("collector.interval", c.collector.interval, Duration.ofMillis(10), Duration.ofMinutes(10), problems);
      durationIn("collector.heartbeat", c.collector.heartbeat, Duration.ofSeconds(1), Duration.ofHours(1), problems);
      if (c.trust.root == null) {
        problems.add("collector: needs trust.root (the hub's TLS certificate is checked against the city trust)");
      }
    }
    tracingProblems(c, env, problems);
    if (c.state == null) {
      problems.add("state: must be a mapping (or left out)");
    } else if (c.state.maxReplayEntries < 1 || c.state.maxReplayEntries > 100_000_000) {
      problems.add("state.maxReplayEntries: 1 to 100000000, got " + c.state.maxReplayEntries);
    }
    Path stateDir = problems.isEmpty() && !doc.hasProblems() ? stateDir(c, base) : null;
    if (problems.isEmpty() && !doc.hasProblems() && stateDir == null) {
      problems.add("state.dir: required when audit.dir has no name to put the state next to");
    }
    if (!problems.isEmpty() || doc.hasProblems() || stateDir == null) {
      // the keys and files named are read only once the file itself is right
      throw located(doc, problems);
    }

    PartyIdentity identity = null;
    String pw = env.apply(c.identity.passwordEnv);
    if (pw == null || pw.isEmpty()) {
      problems.add("identity: environment variable " + c.identity.passwordEnv + " with the keystore password is not set");
    } else {
      try {
        identity = PartyIdentity.load(base.resolve(c.identity.keystore), pw.toCharArray());
        if (identity.tlsCertificate().isEmpty() && (c.consumer != null || c.provider != null)) {
          problems.add("identity.keystore: has no 'tls' key; gateways authenticate each other with TLS certificates");
        }
      } catch (KeyMaterialException e) {
        problems.add("identity.keystore: " + e.getMessage());
      }
    }
    List<PartyCertificate> peers = new ArrayList<>();
    for (int i = 0; i < c.trust.certificates.size(); i++) {
      try {
        peers.addAll(PartyCertificate.readPem(base.resolve(c.trust.certificates.get(i))));
      } catch (KeyMaterialException e) {
        problems.add("trust.certificates[" + i + "]: " + e.getMessage());
      }
    }
    io.shulian.core.trust.BundleHolder holder = null;
    if (c.trust.bundle != null) {
      if (c.trust.root == null) {
        problems.add("trust.root: required with trust.bundle (a bundle cannot vouch for its own signature)");
      } else {
        try {
          List<java.security.cert.X509Certificate> roots = io.shulian.core.trust.CityTrust.readCertificates(
              new String(BundleReloader.read(base.resolve(c.trust.root), MAX_CONFIG_BYTES), java.nio.charset.StandardCharsets.US_ASCII));
          Path floorFile = stateDir.resolve(io.shulian.gateway.state.StateStore.BUNDLE_VERSION_FILE);
          io.shulian.core.trust.BundleHolder.VersionFloor floor = checkOnly
              ? io.shulian.core.trust.BundleHolder.VersionFloor.readOnlyFile(floorFile)
              : io.shulian.core.trust.BundleHolder.VersionFloor.file(floorFile);
          try {
            holder = io.shulian.core.trust.BundleHolder.of(roots, Clock.systemUTC(), checkedDuration(c.trust.grace),
                checkedDuration(c.trust.grace), floor);
          } catch (IOException e) {
            problems.add("state.dir: " + e.getMessage());
          }
          if (holder != null && !fromHub(c.trust.bundle)) {
            holder.update(BundleReloader.read(base.resolve(c.trust.bundle), io.shulian.core.trust.CityBundle.MAX_BUNDLE_BYTES));
          } else if (holder != null && identity != null) {
            hubBundle(c, base, stateDir, holder, checkOnly, identity, problems);
          }
        } catch (IOException e) {
          problems.add("trust: cannot read " + e.getMessage());
        } catch (io.shulian.core.ShulianException e) {
          problems.add("trust.bundle: " + e.getMessage());
        }
      }
    } else if (c.trust.root != null) {
      problems.add("trust.root: only used together with trust.bundle");
    }
    if (c.trust.initialBundle != null && (c.trust.bundle == null || !fromHub(c.trust.bundle))) {
      problems.add("trust.initialBundle: only used when trust.bundle is the hub's https:// URL");
    }
    if (c.consumer != null) {
      Set<String> seen = new java.util.HashSet<>();
      for (int i = 0; i < c.consumer.routes.size(); i++) {
        GatewayConfig.RouteConfig r = c.consumer.routes.get(i);
        String at = "consumer.routes[" + i + "]";
        if (r.resource == null || !seen.add(r.resource)) {
          problems.add(at + ".resource: missing or duplicate");
        }
        try {
          PartyId p = PartyId.parse(String.valueOf(r.provider));
          if (holder != null) {
            var member = holder.current().flatMap(bd -> bd.member(p));
            if (member.isEmpty()) {
              problems.add(at + ".provider: " + p + " is not a member of the city bundle");
            } else if (r.endpoint == null && member.get().endpoint().isEmpty()) {
              problems.add(at + ".endpoint: the bundle lists no endpoint for " + p + "; give one here");
            }
          } else if (encryptionCertificate(peers, p).isEmpty()) {
            problems.add(at + ".provider: no encryption certificate of " + p + " in trust.certificates");
          }
        } catch (IllegalArgumentException e) {
          problems.add(at + ".provider: " + e.getMessage());
        }
        if (r.endpoints != null) {
          endpoints(r.endpoints, at + ".endpoints", problems);
        }
        if ((r.endpoint == null && holder == null) || (r.endpoint != null && !r.endpoint.startsWith("https://"))) {
          problems.add(at + ".endpoint: must be an https:// URL of the provider gateway");
        }
      }
      for (int i = 0; i < c.consumer.apps.size(); i++) {
        GatewayConfig.App a = c.consumer.apps.get(i);
        if (a.name == null || a.apiKeySha256 == null || !a.apiKeySha256.matches("[0-9a-fA-F]{64}")) {
          problems.add("consumer.apps[" + i + "]: name and apiKeySha256 (64 hex characters) are required");
        }
      }
    }
    if (c.provider != null) {
      for (int i = 0; i < c.provider.backends.size(); i++) {
        GatewayConfig.Backend b = c.provider.backends.get(i);
        if (b.resource == null || b.url == null || !b.url.startsWith("http://")) {
          problems.add("provider.backends[" + i + "]: resource and an http:// url are required");
        }
        String at = "provider.backends[" + i + "].endpoints";
        if (c.provider.policy != null && b.endpoints != null) {
          problems.add(at + ": the catalog of provider.policy declares the endpoints; remove them here");
        } else if (c.provider.policy == null && (b.endpoints == null || b.endpoints.isEmpty())) {
          problems.add(at + ": required without provider.policy (the method and path templates that are served;"
              + " nothing else of the resource is)");
        } else if (b.endpoints != null) {
          endpoints(b.endpoints, at, problems);
        }
        datasetProblems(b, "provider.backends[" + i + "]", c.provider.policy != null, problems);
      }
      pushProblems(c.provider, holder, peers, problems);
      if (c.provider.policy != null) {
        if (c.provider.policy.hashKeyEnv == null || c.provider.policy.hashKeyEnv.isEmpty()) {
          problems.add("provider.policy.hashKeyEnv: required (the environment variable with the keyed-hash mask secret)");
        }
        if (!c.provider.permissions.isEmpty()) {
          problems.add("provider: give either policy or permissions, not both");
        }
        if ((c.provider.policy.dir == null) == !c.provider.policy.fromBundle) {
          problems.add("provider.policy: give exactly one of dir or fromBundle: true");
        } else if (c.provider.policy.fromBundle && holder == null) {
          problems.add("provider.policy.fromBundle: needs trust.bundle");
        } else {
          try {
            policySource(c, base, holder).load();
          } catch (IOException e) {
            problems.add("provider.policy: cannot read " + e.getMessage());
          } catch (io.shulian.core.catalog.InvalidDocumentException e) {
            problems.add("provider.policy: " + e.getMessage());
          }
        }
      }
      for (int i = 0; i < c.provider.permissions.size(); i++) {
        GatewayConfig.Permission p = c.provider.permissions.get(i);
        try {
          PartyId.parse(String.valueOf(p.consumer));
        } catch (IllegalArgumentException e) {
          problems.add("provider.permissions[" + i + "].consumer: " + e.getMessage());
        }
        if (p.resource == null || p.purposes.isEmpty()) {
          problems.add("provider.permissions[" + i + "]: resource and at least one purpose are required");
        }
        if (p.actions == null || p.actions.isEmpty()) {
          problems.add("provider.permissions[" + i + "].actions: at least one action (default [query])");
        } else {
          for (String a : p.actions) {
            if (io.shulian.core.policy.Action.fromWireName(String.valueOf(a)) == null) {
              problems.add("provider.permissions[" + i + "].actions: '" + a
                  + "' is not one of query, subscribe, export, return-flow, write");
            }
          }
        }
      }
    }
    if (c.passthrough != null && (c.passthrough.upstream == null || !c.passthrough.upstream.startsWith("http://"))) {
      problems.add("passthrough.upstream: an http:// URL is required");
    }
    io.shulian.gateway.state.StateStore state = null;
    try {
      if (checkOnly) {
        io.shulian.gateway.state.StateStore.check(stateDir, Clock.systemUTC());
      } else if (problems.isEmpty()) {
        state = io.shulian.gateway.state.StateStore.builder(stateDir)
            .maxReplayEntries(c.state.maxReplayEntries)
            .commitDelay(checkedDuration(c.audit.commitDelay))
            .open();
      }
    } catch (io.shulian.gateway.state.StateException e) {
      problems.add("state.dir: " + e.getMessage());
    }
    io.shulian.gateway.state.RedisState shared = null;
    if (c.state.redis != null) {
      io.shulian.gateway.state.RedisState.Builder rb = redis(c, base, env, identity, problems);
      if (rb != null && !checkOnly && problems.isEmpty()) {
        try {
          shared = rb.open();
        } catch (io.shulian.gateway.state.StateException e) {
          problems.add(e.getMessage());
        }
      }
    }
    if (!problems.isEmpty() || identity == null) {
      if (state != null) {
        state.close();
      }
      if (shared != null) {
        shared.close();
      }
      throw located(doc, problems);
    }
    return new Loaded(c, base, identity, peers, holder, stateDir, state, shared);
  }

  /** The Redis connection state.redis* describes (not yet opened), or null with its problems added. */
  private static io.shulian.gateway.state.RedisState.@Nullable Builder redis(GatewayConfig c, Path base,
      Function<String, String> env, @Nullable PartyIdentity identity, List<String> problems) {
    GatewayConfig.State st = c.state;
    int before = problems.size();
    io.shulian.gateway.state.RedisState.Builder b = io.shulian.gateway.state.RedisState.builder(st.redis);
    try {
      b.checkAddress();
    } catch (io.shulian.gateway.state.StateException e) {
      problems.add(e.getMessage());
    }
    if (st.redisUser != null) {
      b.user(st.redisUser);
    }
    if (st.redisPasswordEnv != null && st.redisPasswordFile != null) {
      problems.add("state.redisPasswordEnv, state.redisPasswordFile: give one of them");
    } else if (st.redisPasswordEnv != null) {
      String pw = env.apply(st.redisPasswordEnv);
      if (pw == null || pw.isEmpty()) {
        problems.add("state.redisPasswordEnv: environment variable " + st.redisPasswordEnv + " is not set");
      } else {
        b.password(pw.toCharArray());
      }
    } else if (st.redisPasswordFile != null) {
      Path f = base.resolve(st.redisPasswordFile);
      try {
        String pw = Files.readString(f, java.nio.charset.StandardCharsets.UTF_8).lines().findFirst().orElse("").strip();
        if (pw.isEmpty()) {
          problems.add("state.redisPasswordFile: " + f + " is empty");
        } else {
          b.password(pw.toCharArray());
        }
      } catch (IOException e) {
        problems.add("state.redisPasswordFile: cannot read " + f + ": " + e.getClass().getSimpleName());
      }
    } else if (st.redisUser != null) {
      problems.add("state.redisUser: needs state.redisPasswordEnv or state.redisPasswordFile");
    }
    if (st.redisCaFile != null) {
      Path ca = base.resolve(st.redisCaFile);
      if (!Files.isReadable(ca)) {
        problems.add("state.redisCaFile: cannot read " + ca);
      } else {
        b.caFile(ca);
      }
    }
    Duration timeout = duration(st.redisTimeout);
    try {
      if (timeout == null) {
        problems.add("state.redisTimeout: a duration such as 500ms or 2s, got '" + st.redisTimeout + "'");
      } else {
        b.timeout(timeout);
      }
    } catch (IllegalArgumentException e) {
      problems.add("state.redisTimeout: " + e.getMessage());
    }
    try {
      b.replicas(st.redisReplicas);
    } catch (IllegalArgumentException e) {
      problems.add("state.redisReplicas: " + e.getMessage());
    }
    if (st.redisWaitTimeout != null) {
      Duration wait = duration(st.redisWaitTimeout);
      try {
        if (wait == null) {
          problems.add("state.redisWaitTimeout: a duration such as 250ms, got '" + st.redisWaitTimeout + "'");
        } else if (timeout != null && wait.compareTo(timeout) >= 0) {
          problems.add("state.redisWaitTimeout: must be shorter than state.redisTimeout (" + st.redisTimeout + ")");
        } else {
          b.waitTimeout(wait);
        }
      } catch (IllegalArgumentException e) {
        problems.add("state.redisWaitTimeout: " + e.getMessage());
      }
    }
    try {
      if (st.redisKeyPrefix != null) {
        b.keyPrefix(st.redisKeyPrefix);
      } else if (identity != null) {
        b.keyPrefix("shulian:" + identity.party() + ":");
      }
    } catch (IllegalArgumentException e) {
      problems.add("state.redisKeyPrefix: " + e.getMessage());
    }
    GatewayConfig.OnUnavailable on = st.onUnavailable;
    if (on == null) {
      problems.add("state.onUnavailable: must be a mapping (or left out)");
    } else {
      String[][] concerns = {{"replay", on.replay}, {"grants", on.grants}, {"rates", on.rates}};
      io.shulian.gateway.state.RedisState.Concern[] kinds = io.shulian.gateway.state.RedisState.Concern.values();
      for (int i = 0; i < concerns.length; i++) {
        try {
          b.onUnavailable(kinds[i], io.shulian.gateway.state.RedisState.OnUnavailable.parse(String.valueOf(concerns[i][1])));
        } catch (IllegalArgumentException e) {
          problems.add("state.onUnavailable." + concerns[i][0] + ": " + e.getMessage());
        }
      }
    }
    b.maxLocalReplayEntries(st.maxReplayEntries);
    return problems.size() == before ? b : null;
  }

  /** The problems of the document and of the checks, each located in the file. */
  /** Push receivers and deliveries (docs/return-flow.md "Push"): known parties, usable URLs, no duplicates. */
  private static void pushProblems(GatewayConfig.Provider p, io.shulian.core.trust.@Nullable BundleHolder holder,
      List<PartyCertificate> peers, List<String> problems) {
    Set<PartyId> parties = new java.util.HashSet<>();
    for (int i = 0; i < p.pushReceivers.size(); i++) {
      GatewayConfig.PushReceiver r = p.pushReceivers.get(i);
      String at = "provider.pushReceivers[" + i + "]";
      PartyId party;
      try {
        party = PartyId.parse(String.valueOf(r.party));
      } catch (IllegalArgumentException e) {
        problems.add(at + ".party: " + e.getMessage());
        continue;
      }
      if (!parties.add(party)) {
        problems.add(at + ".party: " + party + " is listed twice");
      }
      boolean bundleEndpoint = false;
      if (holder != null) {
        var member = holder.current().flatMap(bd -> bd.member(party));
        if (member.isEmpty()) {
          problems.add(at + ".party: " + party + " is not a member of the city bundle");
        }
        bundleEndpoint = member.flatMap(io.shulian.core.trust.CityBundle.Member::endpoint).isPresent();
      } else if (encryptionCertificate(peers, party).isEmpty()) {
        problems.add(at + ".party: no encryption certificate of " + party + " in trust.certificates");
      }
      if (r.gateway == null ? !bundleEndpoint : !isUrl(r.gateway, "https")) {
        problems.add(at + ".gateway: must be an https:// URL of the receiver's gateway"
            + (holder != null ? " (the bundle lists no endpoint for " + party + ")" : ""));
      }
    }
    Set<String> resources = new java.util.HashSet<>();
    for (int i = 0; i < p.pushDeliveries.size(); i++) {
      GatewayConfig.PushDelivery d = p.pushDeliveries.get(i);
      String at = "provider.pushDeliveries[" + i + "]";
      if (d.resource == null || d.resource.isEmpty() || !resources.add(d.resource)) {
        problems.add(at + ".resource: missing or duplicate");
      }
      if (d.url == null || !isUrl(d.url, "http")) {
        problems.add(at + ".url: must be an http:// URL of the receiving system");
      }
    }
  }

  /** Whether {@code s} is an absolute URL of that scheme with a host. */
  private static boolean isUrl(String s, String scheme) {
    try {
      URI u = new URI(s);
      return scheme.equals(u.getScheme()) && u.getHost() != null && u.getRawUserInfo() == null;
    } catch (java.net.URISyntaxException e) {
      return false;
    }
  }

  private static ConfigException located(ConfigDocument doc, List<String> problems) {
    for (String p : problems) {
      doc.add(p);
    }
    return new ConfigException(doc.problems());
  }

  /** state.dir, or the audit directory's sibling named after it with "-state" appended; null if it has no name. */
  static @Nullable Path stateDir(GatewayConfig c, Path base) {
    if (c.state.dir != null) {
      return base.resolve(c.state.dir).normalize();
    }
    Path audit = base.resolve(c.audit.dir).normalize();
    return audit.getFileName() == null ? null : audit.resolveSibling(audit.getFileName() + "-state");
  }

  /** Checks configured endpoints like the catalog does: methods, templates, actions, no two of one shape. */
  static List<io.shulian.core.catalog.Endpoint> endpoints(List<GatewayConfig.EndpointConfig> list, String at,
      List<String> problems) {
    List<io.shulian.core.catalog.Endpoint> out = new ArrayList<>();
    Set<String> seen = new java.util.HashSet<>();
    for (int i = 0; i < list.size(); i++) {
      GatewayConfig.EndpointConfig e = list.get(i);
      if (e == null || e.method == null || e.path == null) {
        problems.add(at + "[" + i + "]: method and path are required");
        continue;
      }
      try {
        io.shulian.core.catalog.Endpoint ep = new io.shulian.core.catalog.Endpoint(e.method, e.path, e.action);
        if (!seen.add(e.method + " " + e.path.replaceAll("\\{[^}]*}", "{}"))) {
          problems.add(at + "[" + i + "]: duplicate endpoint " + e.method + " " + e.path);
        }
        out.add(ep);
      } catch (IllegalArgumentException ex) {
        problems.add(at + "[" + i + "]: " + ex.getMessage());
      }
    }
    return out;
  }

  /** The endpoints of a loaded (valid) configuration. */
  static List<io.shulian.core.catalog.Endpoint> endpoints(List<GatewayConfig.EndpointConfig> list) {
    List<String> problems = new ArrayList<>();
    List<io.shulian.core.catalog.Endpoint> out = endpoints(list, "endpoints", problems);
    if (!problems.isEmpty()) {
      throw new IllegalStateException("endpoints were checked when the configuration was loaded: " + problems);
    }
    return out;
  }

  static Optional<PartyCertificate> encryptionCertificate(List<PartyCertificate> certs, PartyId party) {
    return certs.stream().filter(x -> x.party().equals(party) && x.allows(KeyUse.ENCRYPT))
        .max(Comparator.comparing(PartyCertificate::notBefore));
  }

  /** Checks {@code tracing}: the endpoint, the durations, and that the headers' variable is set and parses. */
  private static void tracingProblems(GatewayConfig c, Function<String, String> env, List<String> problems) {
    if (c.tracing == null) {
      return;
    }
    GatewayConfig.Otlp o = c.tracing.otlp;
    if (o == null) {
      problems.add("tracing.otlp: required in tracing (or leave tracing out)");
      return;
    }
    try {
      io.shulian.gateway.ops.OtlpTracing.tracesEndpoint(o.endpoint);
    } catch (IllegalArgumentException e) {
      problems.add("tracing.otlp.endpoint: " + e.getMessage());
    }
    durationIn("tracing.otlp.timeout", o.timeout, Duration.ofMillis(100), Duration.ofMinutes(1), problems);
    durationIn("tracing.otlp.batchDelay", o.batchDelay, Duration.ofMillis(10), Duration.ofMinutes(1), problems);
    if (!(o.samplingRatio >= 0 && o.samplingRatio <= 1)) {
      problems.add("tracing.otlp.samplingRatio: 0.0 to 1.0, got " + o.samplingRatio);
    }
    if (o.serviceName == null || o.serviceName.isBlank() || o.serviceName.length() > 255) {
      problems.add("tracing.otlp.serviceName: 1 to 255 characters");
    }
    if (o.headersEnv != null) {
      otlpHeaders(o, env, problems);
    }
    if (!io.shulian.gateway.ops.OtlpTracing.available()) {
      problems.add("tracing.otlp: the OpenTelemetry SDK and OTLP exporter are not on the class path (shulian.jar has them)");
    }
  }

  /** The headers of {@code tracing.otlp.headersEnv}; a problem names the variable, never a value. */
  private static Map<String, String> otlpHeaders(GatewayConfig.Otlp o, Function<String, String> env, List<String> problems) {
    if (o.headersEnv == null) {
      return Map.of();
    }
    String spec = o.headersEnv.isEmpty() ? null : env.apply(o.headersEnv);
    if (spec == null || spec.isBlank()) {
      problems.add("tracing.otlp.headersEnv: environment variable " + o.headersEnv + " is not set");
      return Map.of();
    }
    try {
      return io.shulian.gateway.ops.OtlpTracing.headers(spec);
    } catch (IllegalArgumentException e) {
      problems.add("tracing.otlp.headersEnv: " + o.headersEnv + ": " + e.getMessage());
      return Map.of();
    }
  }

  /** Applies a loaded configuration to a gateway builder. */
  /**
   * A backend's {@code delivery} and {@code format} (pinned mode only: with a catalog policy the
   * catalog's {@code delivery} decides).
   */
  static void datasetProblems(GatewayConfig.Backend b, String at, boolean catalog, List<String> problems) {
    if (b.delivery == null && b.format == null) {
      return;
    }
    if (catalog) {
      problems.add(at + ": delivery and format come from the catalog of provider.policy; remove them here");
      return;
    }
    if (b.delivery != null && !b.delivery.equals("response") && !b.delivery.equals("dataset")) {
      problems.add(at + ".delivery: '" + b.delivery + "' is not one of response, dataset");
      return;
    }
    boolean dataset = "dataset".equals(b.delivery);
    if (dataset && b.format == null) {
      problems.add(at + ".format: required with delivery: dataset (jsonl or csv)");
    } else if (!dataset && b.format != null) {
      problems.add(at + ".format: only with delivery: dataset");
    } else if (dataset && io.shulian.core.catalog.DatasetFormat.fromWireName(b.format) == null) {
      problems.add(at + ".format: '" + b.format + "' is not one of jsonl, csv");
    }
  }

  public static Gateway.Builder apply(Loaded l, ExchangeAuditor auditor) {
    return apply(l, auditor, System::getenv);
  }

  /** Applies a loaded configuration, reading secrets from {@code env}. */
  public static Gateway.Builder apply(Loaded l, ExchangeAuditor auditor, Function<String, String> env) {
    GatewayConfig c = l.config;
    Gateway.Builder b = Gateway.builder()
        .identity(l.identity)
        .auditor(auditor)
        .limits(limits(c))
        .drainTimeout(checkedDuration(c.runtime.drainTimeout))
        .ephemeralKeyReuse(checkedDuration(c.envelope.ephemeralKeyReuse), c.envelope.ephemeralKeyReuseMaxEnvelopes)
        .batchSignatures(c.envelope.batchSignatures);
    if (c.tracing != null && c.tracing.otlp != null) {
      GatewayConfig.Otlp o = c.tracing.otlp;
      List<String> problems = new ArrayList<>();
      Map<String, String> headers = otlpHeaders(o, env, problems);
      if (!problems.isEmpty()) {
        // load() checked the same variable: it changed in between
        throw new IllegalStateException(problems.get(0));
      }
      io.shulian.gateway.ops.OtlpTracing.Handle otlp = io.shulian.gateway.ops.OtlpTracing.start(
          new io.shulian.gateway.ops.OtlpTracing.Settings(io.shulian.gateway.ops.OtlpTracing.tracesEndpoint(o.endpoint),
              headers, checkedDuration(o.timeout), o.serviceName, o.samplingRatio, checkedDuration(o.batchDelay)),
          l.identity.party().toString(), Gateway.version());
      b.openTelemetry(otlp.openTelemetry());
      b.closeWith(otlp);
    }
    if (l.shared != null) {
      io.shulian.gateway.state.RedisState shared = l.shared;
      b.sharedState(shared);
      b.meters(shared::bindMetrics);
    }
    if (l.state != null) {
      b.state(l.state);
    }
    if (c.runtime.eventLoops > 0) {
      b.eventLoops(c.runtime.eventLoops);
    }
    if (!c.runtime.nativeTransport) {
      b.disableNativeTransport();
    }
    if (l.bundle != null) {
      io.shulian.core.trust.BundleHolder holder = l.bundle;
      b.senderTrust(holder).peers(new io.shulian.gateway.authenticate.CityPeerVerifier(holder, Clock.systemUTC()));
      b.directory(() -> directoryFromBundle(l));
      if (fromHub(c.trust.bundle)) {
        HubBundleSource hub = new HubBundleSource(l, URI.create(c.trust.bundle), l.identity, holder);
        b.periodic(HubBundleSource.APPLY_INTERVAL, hub::apply);
        b.periodic(checkedDuration(c.trust.bundleReload), hub::closeUntrusted);
        b.readinessWarning("bundle_hub", hub::lastFailure);
        b.meters(hub::bindTo);
        b.closeWith(hub);
      } else {
        BundleReloader reloader = new BundleReloader(l, l.resolve(c.trust.bundle));
        b.periodic(checkedDuration(c.trust.bundleReload), reloader::run);
        b.readinessWarning("bundle_reload", reloader::lastFailure);
        b.meters(reloader::bindTo);
      }
      b.readinessCheck("trust", () -> trustProblem(holder));
      if (c.collector != null && c.collector.kafka != null) {
        GatewayConfig.Kafka k = c.collector.kafka;
        java.util.function.Supplier<java.util.concurrent.CompletableFuture<io.shulian.core.audit.Checkpoint>> cp =
            auditor instanceof io.shulian.gateway.audit.AuditLogAuditor a ? a::checkpoint : null;
        io.shulian.gateway.ship.KafkaShipper kafka = new io.shulian.gateway.ship.KafkaShipper(k.bootstrap, k.topic,
            k.properties, l.identity.party(), l.resolve(c.audit.dir), l.stateDir, c.collector.batch,
            checkedDuration(c.collector.interval), checkedDuration(c.collector.heartbeat), cp);
        b.periodic(Duration.ofSeconds(1), ctx -> kafka.start());
        b.readinessWarning("event_kafka", kafka::lastFailure);
        b.meters(kafka::bindTo);
        b.closeWith(kafka);
      }
      if (c.collector != null && c.collector.hub != null) {
        io.shulian.gateway.ship.EventShipper shipper = new io.shulian.gateway.ship.EventShipper(URI.create(c.collector.hub),
            l.resolve(c.audit.dir), l.stateDir, c.collector.batch, checkedDuration(c.collector.interval),
            checkedDuration(c.collector.heartbeat),
            io.shulian.gateway.authenticate.GatewayTls.jdkClient(l.identity, new io.shulian.gateway.authenticate.CityPeerVerifier(holder, Clock.systemUTC())));
        // started by the first housekeeping run: only a started gateway ships
        b.periodic(Duration.ofSeconds(1), ctx -> shipper.start());
        b.readinessWarning("event_shipping", shipper::lastFailure);
        b.meters(shipper::bindTo);
        b.closeWith(shipper);
      }
      b.meters(r -> {
        io.micrometer.core.instrument.Gauge.builder("shulian.bundle.age", holder,
                h -> h.current().map(x -> (double) Duration.between(x.issuedAt(), java.time.Instant.now()).toSeconds()).orElse(Double.NaN))
            .baseUnit("seconds").description("age of the city bundle in use").register(r);
        io.micrometer.core.instrument.Gauge.builder("shulian.bundle.version", holder,
                h -> h.current().map(x -> (double) x.version()).orElse(Double.NaN))
            .description("version of the city bundle in use").register(r);
        io.micrometer.core.instrument.Gauge.builder("shulian.crl.age", holder, h -> {
              try {
                return h.trust().crlStatus(java.time.Instant.now()).stream()
                    .mapToDouble(x -> x.age().toSeconds()).max().orElse(Double.NaN);
              } catch (io.shulian.core.trust.TrustException e) {
                return Double.NaN;
              }
            })
            .baseUnit("seconds").description("age of the oldest revocation list in use").register(r);
      });
    } else {
      b.senderTrust(PinnedSenderTrust.of(l.peers)).peers(new PinnedPeerVerifier(l.peers, Clock.systemUTC()));
      for (PartyCertificate p : l.peers) {
        if (p.allows(KeyUse.ENCRYPT)) {
          b.consumerCertificate(p);
        }
      }
      if (c.consumer != null) {
        for (GatewayConfig.RouteConfig r : c.consumer.routes) {
          PartyId p = PartyId.parse(r.provider);
          Route route = new Route(r.resource, p, URI.create(r.endpoint), encryptionCertificate(l.peers, p).orElseThrow());
          b.route(r.endpoints == null ? route : route.withEndpoints(endpoints(r.endpoints)));
        }
      }
    }
    if (c.consumer != null) {
      b.consumerListener(address(c.consumer.listen));
      Map<String, String> apps = new LinkedHashMap<>();
      c.consumer.apps.forEach(a -> apps.put(a.name, a.apiKeySha256));
      b.apiKeys(ApiKeys.of(apps));
    }
    if (c.provider != null) {
      b.providerListener(address(c.provider.listen));
      c.provider.backends.forEach(x -> {
        if (x.endpoints == null) {
          b.backend(x.resource, URI.create(x.url));
        } else {
          b.backend(x.resource, URI.create(x.url), endpoints(x.endpoints));
        }
        if ("dataset".equals(x.delivery) && x.format != null) {
          b.dataset(x.resource, java.util.Objects.requireNonNull(
              io.shulian.core.catalog.DatasetFormat.fromWireName(x.format)));
        }
      });
      c.provider.pushDeliveries.forEach(d -> b.pushDelivery(d.resource, URI.create(d.url)));
      for (GatewayConfig.PushReceiver r : c.provider.pushReceivers) {
        PartyId party = PartyId.parse(r.party);
        URI gw = r.gateway != null ? URI.create(r.gateway) : l.bundle == null ? null
            : l.bundle.current().flatMap(bd -> bd.member(party)).flatMap(io.shulian.core.trust.CityBundle.Member::endpoint)
                .orElse(null);
        if (gw != null) {
          b.pushReceiver(party, gw);
        }
      }
      if (c.provider.policy != null) {
        // grants are issued by providers, usually this one: its own certificates count as issuers
        List<PartyCertificate> issuers = new ArrayList<>(l.peers);
        issuers.addAll(l.identity.certificates());
        io.shulian.core.trust.SenderTrust grantIssuers = l.bundle != null ? l.bundle : PinnedSenderTrust.of(issuers);
        byte[] maskKey = hashKey(c.provider.policy, env);
        io.shulian.core.policy.PolicyEngine engine;
        try {
          io.shulian.core.policy.PolicyEngine.Builder eb =
              io.shulian.core.policy.PolicyEngine.builder(policySource(c, l.baseDir, l.bundle).load())
                  .grantVerifier(io.shulian.core.policy.GrantVerifier.of(grantIssuers))
                  .maskHashKey(maskKey);
          if (l.shared != null) {
            // replicas of the department count grant uses and rates together
            eb.grantUses(l.shared.grantUses()).rateLimiter(l.shared.rateLimiter());
          } else if (l.state != null) {
            eb.grantUses(l.state.grantUses()); // used-up grants stay used up across restarts
          }
          if (l.bundle != null) {
            // grants revoked in the city bundle; hot reload swaps the bundle, so revocations follow it
            eb.revocations(io.shulian.core.policy.GrantRevocations.fromBundle(l.bundle));
          }
          engine = eb.build();
        } catch (IOException | io.shulian.core.catalog.InvalidDocumentException e) {
          throw new IllegalStateException("policy could not be loaded again: " + e.getMessage(), e);
        }
        b.policy(new io.shulian.gateway.authorize.CatalogPolicy(engine, maskKey));
        if (c.provider.policy.fromBundle) {
          ReloadStatus status = new ReloadStatus(List.of("unreadable", "invalid"), e -> e instanceof IOException ? "unreadable"
              : e instanceof io.shulian.core.catalog.InvalidDocumentException ? "invalid" : ReloadStatus.OTHER);
          // checked as often as a hub-pushed bundle is applied: the catalog and policies follow the
          // bundle in use within a fraction of a second, and are parsed again only when it changed
          java.util.concurrent.atomic.AtomicReference<io.shulian.core.trust.@Nullable CityBundle> seen =
              new java.util.concurrent.atomic.AtomicReference<>();
          io.shulian.core.trust.BundleHolder bundleHolder = Objects.requireNonNull(l.bundle, "fromBundle needs trust.bundle");
          seen.set(bundleHolder.current().orElse(null));
          b.periodic(HubBundleSource.APPLY_INTERVAL, ctx -> {
            io.shulian.core.trust.@Nullable CityBundle now = bundleHolder.current().orElse(null);
            if (now == seen.get()) {
              return; // the same bundle gives the same catalog and policies (or the same failure)
            }
            seen.set(now);
            try {
              io.shulian.core.policy.PolicySet set = policySource(c, l.baseDir, l.bundle).load();
              if (!set.versionHash().equals(engine.versionHash())) {
                engine.swap(set);
                org.slf4j.LoggerFactory.getLogger(ConfigLoader.class).atInfo().addKeyValue("event", "policy_swapped")
                    .addKeyValue("version_hash", set.versionHash()).log("policy set {} in use", set.versionHash());
              }
              status.succeeded();
            } catch (IOException | io.shulian.core.catalog.InvalidDocumentException | RuntimeException | StackOverflowError e) {
              // the policy set in use stays; the failure shows in /readyz and the metrics, and in the
              // log once per distinct reason (the same bundle fails every poll)
              String reason = ReloadStatus.describe(e);
              org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ConfigLoader.class);
              (status.failed(e) ? log.atWarn() : log.atDebug()).addKeyValue("event", "policy_reload_refused")
                  .addKeyValue("reason", reason).addKeyValue("failures", status.failures())
                  .log("policy not reloaded, the policy set in use stays: {}", reason);
            }
          });
          b.readinessWarning("policy_reload", status::lastFailure);
          b.meters(r -> status.bindTo(r, "shulian.policy.reload.failures",
              "reloads of the catalog and policies from the city bundle that failed (the set in use stays), by reason"));
        }
      } else {
        b.policy(permissions(c.provider.permissions));
      }
    }
    if (c.passthrough != null) {
      b.passthrough(address(c.passthrough.listen), URI.create(c.passthrough.upstream));
    }
    if (c.admin != null) {
      b.adminListener(address(c.admin.listen));
    }
    return b;
  }

  /**
   * Builds routes and recipients' encryption certificates from the bundle held now: each member's
   * newest valid encryption certificate, each configured route's endpoint from the member unless
   * the configuration gives one.
   */
  /** Whether {@code trust.bundle} names the city hub (an http(s) URL) rather than a file. */
  static boolean fromHub(String bundle) {
    return bundle.startsWith("https://") || bundle.startsWith("http://");
  }

  /**
   * Loads the first bundle of a gateway that follows the city hub: the last one accepted from the
   * hub (state directory), else {@code trust.initialBundle}, which is then saved as the last good one.
   * The hub itself is not asked here: a gateway starts while the hub is down.
   */
  private static void hubBundle(GatewayConfig c, Path base, Path stateDir, io.shulian.core.trust.BundleHolder holder,
      boolean checkOnly, PartyIdentity identity, List<String> problems) throws IOException, io.shulian.core.ShulianException {
    URI u;
    try {
      u = new URI(c.trust.bundle);
    } catch (java.net.URISyntaxException e) {
      problems.add("trust.bundle: not a URL: " + e.getMessage());
      return;
    }
    if (!"https".equals(u.getScheme()) || u.getHost() == null || u.getRawPath() == null || u.getRawPath().isEmpty()
        || u.getRawQuery() != null || u.getRawFragment() != null || u.getRawUserInfo() != null) {
      problems.add("trust.bundle: the hub's bundle URL must be https://host[:port]/v1/bundle/<suite> (no query, "
          + "no user info; plain http is refused)");
      return;
    }
    if (identity != null && identity.tlsCertificate().isEmpty()) {
      problems.add("identity.keystore: has no 'tls' key; the city hub authenticates gateways by their TLS certificate");
    }
    Path last = stateDir.resolve(HubBundleSource.LAST_GOOD_FILE);
    if (Files.exists(last)) {
      holder.update(BundleReloader.read(last, io.shulian.core.trust.CityBundle.MAX_BUNDLE_BYTES));
    } else if (c.trust.initialBundle != null) {
      byte[] first = BundleReloader.read(base.resolve(c.trust.initialBundle), io.shulian.core.trust.CityBundle.MAX_BUNDLE_BYTES);
      holder.update(first);
      if (!checkOnly) {
        HubBundleSource.saveLastGood(stateDir, first);
      }
    } else {
      problems.add("trust.initialBundle: required for the first start from the hub (a signed bundle file; later "
          + "starts use the last bundle accepted from the hub, kept in " + last + ")");
    }
  }

  static io.shulian.gateway.pipeline.GatewayContext.Directory directoryFromBundle(Loaded l) {
    java.time.Instant now = java.time.Instant.now();
    Map<PartyId, PartyCertificate> enc = new HashMap<>();
    Map<String, Route> routes = new HashMap<>();
    io.shulian.core.trust.CityBundle bundle = Objects.requireNonNull(l.bundle, "bundle").current().orElseThrow();
    io.shulian.core.trust.CityTrust trust;
    try {
      trust = l.bundle.trust();
    } catch (io.shulian.core.trust.TrustException e) {
      return new io.shulian.gateway.pipeline.GatewayContext.Directory(Map.of(), Map.of(), bundle.incidents());
    }
    for (io.shulian.core.trust.CityBundle.Member m : bundle.parties()) {
      try {
        enc.put(m.party(), trust.current(m.party(), KeyUse.ENCRYPT, now));
      } catch (io.shulian.core.trust.TrustException e) {
        org.slf4j.LoggerFactory.getLogger(ConfigLoader.class).warn("no valid encryption certificate for {}: {}", m.party(), e.getMessage());
      }
    }
    if (l.config.consumer != null) {
      io.shulian.core.catalog.Catalog catalog = bundleCatalog(bundle);
      for (GatewayConfig.RouteConfig r : l.config.consumer.routes) {
        PartyId p = PartyId.parse(r.provider);
        PartyCertificate cert = enc.get(p);
        var member = bundle.member(p);
        URI endpoint = r.endpoint != null ? URI.create(r.endpoint) : member.flatMap(io.shulian.core.trust.CityBundle.Member::endpoint).orElse(null);
        if (cert != null && endpoint != null) {
          Route route = new Route(r.resource, p, endpoint, cert);
          if (r.endpoints != null) {
            route = route.withEndpoints(endpoints(r.endpoints));
          } else if (catalog != null && catalog.resource(r.resource).isPresent()) {
            route = route.withEndpoints(catalog.resource(r.resource).get().endpoints());
          }
          routes.put(r.resource, route);
        }
      }
    }
    return new io.shulian.gateway.pipeline.GatewayContext.Directory(routes, enc, bundle.incidents());
  }

  /** The catalog the bundle carries, or null if it carries none or one that does not parse (the provider then decides alone). */
  static io.shulian.core.catalog.@Nullable Catalog bundleCatalog(io.shulian.core.trust.CityBundle bundle) {
    java.util.Optional<String> text = bundle.extension("catalog");
    if (text.isEmpty()) {
      return null;
    }
    try {
      return io.shulian.core.catalog.Catalog.parse("bundle:catalog", text.get().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    } catch (io.shulian.core.catalog.InvalidDocumentException e) {
      org.slf4j.LoggerFactory.getLogger(ConfigLoader.class).warn("the city bundle's catalog is not valid; endpoints are checked by providers only: {}",
          e.getMessage());
      return null;
    }
  }

  static @Nullable String trustProblem(io.shulian.core.trust.BundleHolder holder) {
    try {
      io.shulian.core.trust.CityTrust t = holder.trust();
      for (io.shulian.core.trust.CrlStatus s : t.crlStatus(java.time.Instant.now())) {
        if (s.state() == io.shulian.core.trust.CrlStatus.State.STALE) {
          return "the revocation list of " + s.issuer() + " is stale (next update was " + s.nextUpdate() + ")";
        }
      }
      return null;
    } catch (io.shulian.core.trust.TrustException e) {
      return e.getMessage();
    }
  }

  /** The catalog and policies: a directory, or the extensions of the city bundle held now. */
  static io.shulian.core.policy.PolicySource policySource(GatewayConfig c, Path base,
      io.shulian.core.trust.@Nullable BundleHolder holder) {
    if (!c.provider.policy.fromBundle) {
      return io.shulian.core.policy.PolicySource.directory(base.resolve(c.provider.policy.dir));
    }
    io.shulian.core.trust.BundleHolder h = Objects.requireNonNull(holder, "policy.fromBundle needs trust.bundle");
    return () -> {
      io.shulian.core.trust.CityBundle bundle = holder.current().orElseThrow(() -> new IOException("no city bundle held"));
      return BundlePolicies.load(bundle);
    };
  }

  /** The keyed-hash mask secret from the environment, or a random one (joins then hold only within this process). */
  static byte[] hashKey(GatewayConfig.Policy p, Function<String, String> env) {
    String v = env.apply(p.hashKeyEnv);
    if (v != null && v.length() >= 16) {
      return v.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }
    org.slf4j.LoggerFactory.getLogger(ConfigLoader.class).warn(
        "{} is not set (or shorter than 16 characters): keyed-hash masks use a random key for this process only", p.hashKeyEnv);
    byte[] key = new byte[32];
    new java.security.SecureRandom().nextBytes(key);
    return key;
  }

  /**
   * A static allow-list: default deny; a request is permitted if a permission names its consumer,
   * resource, action (query unless the permission lists others) and purpose. A write is permitted
   * only by a permission that lists {@code write}.
   */
  static ExchangePolicy permissions(List<GatewayConfig.Permission> list) {
    Map<String, Set<String>> allowed = new HashMap<>();
    for (GatewayConfig.Permission p : list) {
      for (String action : p.actions) {
        allowed.computeIfAbsent(PartyId.parse(p.consumer) + "|" + p.resource + "|" + action,
            k -> new java.util.HashSet<>()).addAll(p.purposes);
      }
    }
    String version = "static:" + Integer.toHexString(allowed.hashCode());
    return (h, action, grant) -> {
      Set<String> purposes = allowed.get(h.sender() + "|" + h.resource() + "|" + action);
      if (purposes == null) {
        return Verdict.deny("NO_PERMISSION", "no permission for this consumer, resource and action", version);
      }
      if (!purposes.contains(h.purpose())) {
        return Verdict.deny("PURPOSE_NOT_ALLOWED", "purpose not allowed", version);
      }
      return Verdict.permit(List.of("permission:" + h.resource()), version);
    };
  }

  /** The gateway limits of a configuration whose durations parse; the one place they are built. */
  static Limits limits(GatewayConfig c) {
    return new Limits(c.limits.maxBodyBytes, c.limits.maxHeaderBytes, 4096, checkedDuration(c.limits.headerTimeout),
        checkedDuration(c.limits.requestTimeout), checkedDuration(c.limits.backendTimeout), c.limits.maxConnections)
        .withPushProgress(checkedDuration(c.limits.pushProgressWindow), c.limits.pushMinBytes);
  }

  /**
   * The YAML reader: unknown keys, keys given twice and explicit nulls for sections and lists are
   * errors (a null would otherwise replace a default and fail later, far from its cause).
   */
  /** The reader that binds what is left of a document with problems, so that its values are checked too. */
  private static ObjectMapper lenientMapper() {
    ObjectMapper m = new ObjectMapper(new YAMLFactory());
    m.disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    return m;
  }

  static ObjectMapper mapper() {
    ObjectMapper m = new ObjectMapper(YAMLFactory.builder()
        .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .build());
    m.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    m.enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
    com.fasterxml.jackson.annotation.JsonSetter.Value failOnNull = com.fasterxml.jackson.annotation.JsonSetter.Value.forValueNulls(
        com.fasterxml.jackson.annotation.Nulls.FAIL, com.fasterxml.jackson.annotation.Nulls.FAIL);
    for (Class<?> section : List.of(GatewayConfig.Trust.class, GatewayConfig.Limits.class, GatewayConfig.Runtime.class,
        GatewayConfig.Envelope.class, List.class)) {
      m.configOverride(section).setSetterInfo(failOnNull);
    }
    return m;
  }

  /** Checks that {@code value} is a duration within [min, max]; returns whether it is. */
  static boolean durationIn(String name, String value, Duration min, Duration max, List<String> problems) {
    Duration d = duration(value);
    if (d == null) {
      problems.add(name + ": " + (value == null ? "null" : "\"" + value + "\"") + " is not a duration (e.g. 500ms, 5s, 2m)");
      return false;
    }
    if (d.compareTo(min) < 0) {
      problems.add(name + ": at least " + text(min) + ", got " + value);
      return false;
    }
    if (d.compareTo(max) > 0) {
      problems.add(name + ": at most " + text(max) + ", got " + value);
      return false;
    }
    return true;
  }

  private static String text(Duration d) {
    if (d.isZero()) {
      return "0s";
    }
    if (d.toMillis() < 1000) {
      return d.toMillis() + "ms";
    }
    return d.toHours() >= 24 && d.toHours() % 24 == 0 ? d.toDays() + "d" : d.toString().substring(2).toLowerCase(java.util.Locale.ROOT);
  }

  static void listen(boolean absent, @Nullable String s, String where, List<String> problems) {
    if (absent) {
      return;
    }
    if (s == null) {
      problems.add(where + ": required (host:port)");
    } else if (addressOrNull(s) == null) {
      problems.add(where + ": '" + s + "' is not host:port");
    }
  }

  public static InetSocketAddress address(String s) {
    InetSocketAddress a = addressOrNull(s);
    if (a == null) {
      throw new IllegalArgumentException("not host:port: " + s);
    }
    return a;
  }

  static @Nullable InetSocketAddress addressOrNull(String s) {
    int i = s.lastIndexOf(':');
    if (i <= 0) {
      return null;
    }
    try {
      int port = Integer.parseInt(s.substring(i + 1));
      if (port < 0 || port > 65535) {
        return null;
      }
      return new InetSocketAddress(s.substring(0, i).replace("[", "").replace("]", ""), port);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** A duration that load() has already checked with {@link #duration}. */
  static Duration checkedDuration(@Nullable String s) {
    return Objects.requireNonNull(duration(s), "unchecked duration");
  }

  /** Parses 500ms, 30s, 5m, 2h or 7d; returns null for anything else. */
  public static @Nullable Duration duration(@Nullable String s) {
    if (s == null) {
      return null;
    }
    Matcher m = DURATION.matcher(s.trim());
    if (!m.matches()) {
      return null;
    }
    long n = Long.parseLong(m.group(1));
    switch (m.group(2)) {
      case "ms":
        return Duration.ofMillis(n);
      case "s":
        return Duration.ofSeconds(n);
      case "m":
        return Duration.ofMinutes(n);
      case "h":
        return Duration.ofHours(n);
      default:
        return Duration.ofDays(n);
    }
  }
}
