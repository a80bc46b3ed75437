package io.shulian.hub;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.ssl.SslContext;
import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.keys.Suite;
import io.shulian.core.trust.BundleHolder;
import io.shulian.core.trust.CityTrust;
import io.shulian.gateway.authenticate.CityPeerVerifier;
import io.shulian.gateway.authenticate.GatewayTls;
import io.shulian.gateway.config.ConfigException;
import io.shulian.gateway.config.ConfigLoader;
import io.shulian.gateway.ops.AdminHandler;
import io.shulian.hub.access.Operators;
import io.shulian.hub.audit.HubAudit;
import io.shulian.hub.bundle.BundleBoard;
import io.shulian.hub.http.HubHandler;
import io.shulian.hub.action.IncidentActions;
import io.shulian.hub.bundle.BundleAuthor;
import io.shulian.hub.bundle.Publisher;
import io.shulian.hub.store.HubStore;
import io.shulian.hub.store.PublishedBundle;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The city hub: serves the newest signed city bundle of each suite over HTTPS, with long-polls that
 * answer as soon as a newer one is published, and takes publishes from bureau operators. Its state
 * lives in a database ({@link HubStore}); every publish and refusal also goes to its own
 * tamper-evident audit log.
 *
 * <p>Built from a {@link HubConfig} with {@link #load} and {@link #start}; {@link #close} stops the
 * listeners, then the database and the audit log.
 */
public final class Hub implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Hub.class);
  private static final int MAX_CONFIG_BYTES = 1 << 20;
  /** The longest long-poll wait a client may ask for. */
  public static final Duration MAX_WAIT = Duration.ofSeconds(60);

  private final HubConfig config;
  private final PartyIdentity identity;
  private final Map<Suite, List<X509Certificate>> roots;
  private final Duration grace;
  private final HubStore store;
  private final HubAudit audit;
  private final Operators operators;
  private final BundleBoard board;
  private final BundleHolder clientTrust;
  private final Map<Suite, io.shulian.core.trust.CityAuthority> signers;
  private final PrometheusMeterRegistry registry;
  private final ExecutorService blocking = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "shulian-hub-publish");
    t.setDaemon(true);
    return t;
  });
  /** Database work of applications and objections, off the event loops. */
  private final ExecutorService caseWork = Executors.newFixedThreadPool(2, r -> {
    Thread t = new Thread(r, "shulian-hub-cases");
    t.setDaemon(true);
    return t;
  });
  /** Event ingest, alert changes and the retention purge, off the event loops (one thread: ingest is serial anyway). */
  private final java.util.concurrent.ScheduledExecutorService eventWork = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "shulian-hub-events");
    t.setDaemon(true);
    return t;
  });
  private final List<Channel> listeners = new ArrayList<>();
  /** Every accepted connection still open, which {@link #close()} closes before the event loops stop. */
  private final io.netty.channel.group.ChannelGroup connections = new io.netty.channel.group.DefaultChannelGroup(
      "shulian-hub-connections", io.netty.util.concurrent.GlobalEventExecutor.INSTANCE);
  /** The consumer of the gateways' event stream on Kafka (events.kafka), null when off. */
  private io.shulian.hub.events.@org.jspecify.annotations.Nullable KafkaEvents kafka;
  private io.shulian.hub.console.@Nullable ConsoleRoutes consoleRoutes;
  private final Map<String, InetSocketAddress> bound = new LinkedHashMap<>();
  private @org.jspecify.annotations.Nullable EventLoopGroup group;

  private Hub(HubConfig config, PartyIdentity identity, Map<Suite, List<X509Certificate>> roots, Duration grace,
      HubStore store, HubAudit audit, Operators operators, Map<Suite, io.shulian.core.trust.CityAuthority> signers,
      PrometheusMeterRegistry registry) throws java.sql.SQLException {
    this.config = config;
    this.registry = registry;
    this.signers = signers;
    this.identity = identity;
    this.roots = roots;
    this.grace = grace;
    this.store = store;
    this.audit = audit;
    this.operators = operators;
    this.board = new BundleBoard(config.limits.maxWaiters);
    // clients' TLS certificates are checked against the newest bundle of the hub's own suite (its
    // CRL), so a department revoked by a publish is refused by the hub as well
    List<X509Certificate> own = java.util.Objects.requireNonNull(roots.get(identity.suite()),
        "the hub's own suite has a city root (checked by load)");
    this.clientTrust = BundleHolder.of(own, Clock.systemUTC(), grace, grace);
    for (Suite s : roots.keySet()) {
      java.util.Optional<PublishedBundle> b = store.newest(s);
      if (b.isPresent()) {
        board.offer(b.get());
        if (s == identity.suite()) {
          try {
            clientTrust.update(b.get().bytes());
          } catch (io.shulian.core.trust.BundleException e) {
            // past its validity and grace: no client certificate is accepted until the next publish
            LOG.atWarn().addKeyValue("event", "hub_bundle_stale").addKeyValue("version", b.get().version())
                .log("the newest published bundle no longer authenticates clients: {}", e.getMessage());
          }
        }
      }
    }
    io.micrometer.core.instrument.Gauge.builder("shulian.hub.longpolls", board, BundleBoard::parked)
        .description("bundle long-polls parked now").register(registry);
    for (Suite s : roots.keySet()) {
      io.micrometer.core.instrument.Gauge.builder("shulian.hub.bundle.version", board,
              x -> x.newest(s).map(b -> (double) b.version()).orElse(Double.NaN))
          .tag("suite", HubStore.suiteName(s)).description("newest published bundle").register(registry);
    }
  }

  /**
   * Reads and validates {@code file}, opens (and migrates) the database and the audit log.
   *
   * @throws ConfigException listing what is wrong; nothing is left open then
   */
  public static Hub load(Path file, Function<String, String> env) throws ConfigException {
    HubConfig c = read(file);
    Path base = java.util.Objects.requireNonNull(file.toAbsolutePath().getParent());
    List<String> problems = new ArrayList<>();
    if (c.identity == null || c.identity.keystore == null) {
      problems.add("identity.keystore: required (the hub's TLS certificate from the city CA)");
    }
    if (c.listen == null || addressOrNull(c.listen) == null) {
      problems.add("listen: required (host:port)");
    }
    if (c.admin != null && (c.admin.listen == null || addressOrNull(c.admin.listen) == null)) {
      problems.add("admin.listen: host:port");
    }
    if (c.dataDir == null) {
      problems.add("dataDir: required (embedded database and audit log)");
    }
    Duration grace = ConfigLoader.duration(c.city.grace);
    if (grace == null || grace.compareTo(Duration.ofDays(7)) > 0) {
      problems.add("city.grace: a duration up to 7d, got '" + c.city.grace + "'");
    }
    Duration maxWait = ConfigLoader.duration(c.limits.maxWait);
    if (maxWait == null || maxWait.isZero() || maxWait.compareTo(MAX_WAIT) > 0) {
      problems.add("limits.maxWait: a duration from 1ms to 60s, got '" + c.limits.maxWait + "'");
    }
    Duration idle = ConfigLoader.duration(c.limits.idleTimeout);
    if (idle == null || maxWait != null && idle.compareTo(maxWait) <= 0) {
      problems.add("limits.idleTimeout: a duration longer than limits.maxWait, got '" + c.limits.idleTimeout + "'");
    }
    if (c.limits.eventLoops < 0 || c.limits.eventLoops > 1024) {
      problems.add("limits.eventLoops: 0 (Netty's default) to 1024, got " + c.limits.eventLoops);
    }
    if (!(c.limits.ratePerSecond > 0) || c.limits.ratePerSecond > 1_000_000 || c.limits.rateBurst < 1
        || c.limits.rateBurst > 1_000_000) {
      problems.add("limits.ratePerSecond / rateBurst: more than 0 / 1 to 1000000, got " + c.limits.ratePerSecond + " / "
          + c.limits.rateBurst);
    }
    Duration deadline = ConfigLoader.duration(c.applications.responseDeadline);
    if (deadline == null || deadline.isZero() || deadline.compareTo(Duration.ofDays(366)) > 0) {
      problems.add("applications.responseDeadline: a duration from 1ms to 366d, got '"
          + c.applications.responseDeadline + "'");
    }
    Duration retention = c.events == null ? null : ConfigLoader.duration(c.events.retention);
    if (retention == null || retention.compareTo(Duration.ofHours(1)) < 0 || retention.compareTo(Duration.ofDays(3660)) > 0) {
      problems.add("events.retention: a duration from 1h to 3660d, got '" + (c.events == null ? null : c.events.retention) + "'");
    }
    if (c.events != null && c.events.kafka != null) {
      HubConfig.Kafka k = c.events.kafka;
      if (k.bootstrap == null || !k.bootstrap.matches("[A-Za-z0-9._\\[\\]:-]+:[0-9]{1,5}(,[A-Za-z0-9._\\[\\]:-]+:[0-9]{1,5})*")) {
        problems.add("events.kafka.bootstrap: host:port[,host:port…], got '" + k.bootstrap + "'");
      }
      if (k.topic == null || !k.topic.matches("[A-Za-z0-9._-]{1,249}")) {
        problems.add("events.kafka.topic: 1 to 249 of A-Z a-z 0-9 . _ -, got '" + k.topic + "'");
      }
      if (k.group == null || k.group.isBlank()) {
        problems.add("events.kafka.group: a consumer group name");
      }
      if (k.properties == null) {
        problems.add("events.kafka.properties: a mapping of consumer settings (or left out)");
      } else {
        for (String key : k.properties.keySet()) {
          if (io.shulian.hub.events.KafkaEvents.fixedProperties().contains(key)) {
            problems.add("events.kafka.properties: " + key + " is set by the hub");
          }
        }
      }
    }
    if (c.alerts != null) {
      try {
        thresholds(c.alerts);
      } catch (RuntimeException e) {
        problems.add("alerts: " + e.getMessage());
      }
    }
    if (c.console != null) {
      Duration sessionIdle = ConfigLoader.duration(c.console.idleTimeout);
      Duration absolute = ConfigLoader.duration(c.console.absoluteTimeout);
      if (sessionIdle == null || absolute == null || sessionIdle.isZero() || absolute.compareTo(sessionIdle) < 0
          || absolute.compareTo(Duration.ofDays(7)) > 0) {
        problems.add("console: idleTimeout and absoluteTimeout are durations, 0 < idleTimeout <= absoluteTimeout <= 7d");
      }
      if (c.console.loginBurstPerName < 1 || c.console.loginBurstPerAddress < 1) {
        problems.add("console: loginBurstPerName and loginBurstPerAddress are at least 1");
      }
    }
    if (c.alerts != null && c.alerts.webhook != null && !c.alerts.webhook.matches("https?://[^\\s]+")) {
      problems.add("alerts.webhook: an http:// or https:// URL, got '" + c.alerts.webhook + "'");
    }
    if (c.limits.maxWaiters < 1 || c.limits.maxWaiters > 1_000_000) {
      problems.add("limits.maxWaiters: 1 to 1000000, got " + c.limits.maxWaiters);
    }
    Map<Suite, List<X509Certificate>> roots = new EnumMap<>(Suite.class);
    root(base, c.city.intl, Suite.INTL, "city.intl", roots, problems);
    root(base, c.city.gm, Suite.GM, "city.gm", roots, problems);
    if (c.city.intl == null && c.city.gm == null) {
      problems.add("city: give the root of at least one suite (intl, gm)");
    }
    Operators.Builder ops = Operators.builder();
    for (int i = 0; i < c.operators.size(); i++) {
      HubConfig.OperatorEntry o = c.operators.get(i);
      try {
        ops.operator(o.name, Operators.Role.parse(String.valueOf(o.role)), o.tokenSha256, o.passwordHash);
      } catch (IllegalArgumentException e) {
        problems.add("operators[" + i + "]: " + e.getMessage());
      }
    }
    PartyIdentity identity = null;
    if (c.identity != null && c.identity.keystore != null) {
      String pw = env.apply(c.identity.passwordEnv);
      if (pw == null) {
        problems.add("identity: environment variable " + c.identity.passwordEnv + " with the keystore password is not set");
      } else {
        try {
          identity = PartyIdentity.load(base.resolve(c.identity.keystore), pw.toCharArray());
          if (identity.tlsCertificate().isEmpty()) {
            problems.add("identity.keystore: has no 'tls' key (clients authenticate the hub by it)");
          } else if (!roots.containsKey(identity.suite())) {
            problems.add("city." + HubStore.suiteName(identity.suite()) + ": required (the hub's own suite; "
                + "client certificates are checked against its bundle)");
          }
        } catch (io.shulian.core.keys.KeyMaterialException e) {
          problems.add("identity.keystore: " + e.getMessage());
        }
      }
    }
    String dbPassword = null;
    if (c.database != null) {
      if (c.database.url == null || !c.database.url.startsWith("jdbc:postgresql:") && !c.database.url.startsWith("jdbc:h2:")) {
        problems.add("database.url: a jdbc:postgresql: (or jdbc:h2:) URL");
      }
      if (c.database.passwordEnv != null) {
        dbPassword = env.apply(c.database.passwordEnv);
        if (dbPassword == null) {
          problems.add("database.passwordEnv: environment variable " + c.database.passwordEnv + " is not set");
        }
      }
      if (c.database.maxConnections < 1 || c.database.maxConnections > 100) {
        problems.add("database.maxConnections: 1 to 100, got " + c.database.maxConnections);
      }
    }
    Map<Suite, io.shulian.core.trust.CityAuthority> signers = new EnumMap<>(Suite.class);
    if (c.signing != null) {
      signer(base, c.signing.intl, Suite.INTL, "signing.intl", roots, env, signers, problems);
      signer(base, c.signing.gm, Suite.GM, "signing.gm", roots, env, signers, problems);
    }
    if (!problems.isEmpty() || identity == null || grace == null) {
      throw new ConfigException(problems);
    }
    Path dataDir = base.resolve(c.dataDir);
    HubStore store = null;
    HubAudit audit = null;
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    try {
      Files.createDirectories(dataDir);
      store = c.database == null
          ? HubStore.open(HubStore.h2Url(dataDir), null, null, 4)
          : HubStore.open(c.database.url, c.database.user, dbPassword, c.database.maxConnections);
      Files.createDirectories(dataDir.resolve("audit"));
      audit = HubAudit.open(dataDir.resolve("audit"), identity, registry);
      return new Hub(c, identity, roots, grace, store, audit, ops.build(), signers, registry);
    } catch (IOException | java.sql.SQLException | io.shulian.core.audit.AuditException | RuntimeException e) {
      if (audit != null) {
        audit.close();
      }
      if (store != null) {
        store.close();
      }
      throw new ConfigException(List.of((e instanceof java.sql.SQLException ? "database: " : "dataDir: ") + e.getMessage()));
    }
  }

  private static void root(Path base, String file, Suite suite, String where, Map<Suite, List<X509Certificate>> roots,
      List<String> problems) {
    if (file == null) {
      return;
    }
    try {
      Path p = base.resolve(file);
      if (Files.size(p) > MAX_CONFIG_BYTES) {
        problems.add(where + ": larger than " + MAX_CONFIG_BYTES + " bytes");
        return;
      }
      List<X509Certificate> certs = CityTrust.readCertificates(Files.readString(p, StandardCharsets.US_ASCII));
      if (certs.isEmpty()) {
        problems.add(where + ": no certificate in " + file);
      } else {
        roots.put(suite, certs);
      }
    } catch (IOException | io.shulian.core.trust.TrustException | RuntimeException e) {
      problems.add(where + ": " + e.getMessage());
    }
  }

  /** Opens a suite's bundle-signing CA: its suite and root must be the configured city root's. */
  private static void signer(Path base, HubConfig.@Nullable SigningKey k, Suite suite, String where,
      Map<Suite, List<X509Certificate>> roots, Function<String, String> env,
      Map<Suite, io.shulian.core.trust.CityAuthority> signers, List<String> problems) {
    if (k == null) {
      return;
    }
    if (k.ca == null || k.passwordEnv == null) {
      problems.add(where + ".ca: required (the city CA directory that 'shulian bundle sign --ca' uses)");
      return;
    }
    String pw = env.apply(k.passwordEnv);
    if (pw == null) {
      problems.add(where + ": environment variable " + k.passwordEnv + " with the CA key password is not set");
      return;
    }
    try {
      io.shulian.core.trust.CityAuthority ca = io.shulian.core.trust.CityAuthority.open(base.resolve(k.ca), pw.toCharArray(),
          Clock.systemUTC());
      List<X509Certificate> root = roots.get(suite);
      if (ca.suite() != suite) {
        problems.add(where + ": the CA in " + k.ca + " is of suite " + ca.suite());
      } else if (root == null || !root.contains(ca.root())) {
        problems.add(where + ": the CA's root is not the configured city." + HubStore.suiteName(suite) + " root");
      } else {
        signers.put(suite, ca);
      }
    } catch (io.shulian.core.keys.KeyMaterialException | RuntimeException e) {
      // never the password: the message names the file and what failed
      problems.add(where + ": cannot open the CA in " + k.ca + ": " + e.getMessage());
    }
  }

  /**
   * Reads {@code file} as a hub configuration (unknown and duplicate keys refused) without checking
   * or opening anything; {@code shulian evaluate} uses it to find the database.
   *
   * @throws ConfigException naming the problem and its location
   */
  public static HubConfig read(Path file) throws ConfigException {
    ObjectMapper m = new ObjectMapper(YAMLFactory.builder()
        .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION).build());
    m.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    m.enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
    try {
      if (Files.size(file) > MAX_CONFIG_BYTES) {
        throw new ConfigException(List.of(file + ": larger than " + MAX_CONFIG_BYTES + " bytes"));
      }
      HubConfig c = m.readValue(file.toFile(), HubConfig.class);
      if (c == null) {
        throw new ConfigException(List.of(file + ": empty configuration"));
      }
      if (c.city == null || c.limits == null || c.operators == null || c.applications == null || c.events == null
          || c.alerts == null || c.console == null) {
        throw new ConfigException(List.of(file
            + ": city, limits, operators, applications, events, alerts and console must not be null"));
      }
      return c;
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      com.fasterxml.jackson.core.JsonLocation l = e.getLocation();
      throw new ConfigException(List.of(file + (l == null ? "" : ":" + l.getLineNr() + ":" + l.getColumnNr())
          + ": " + e.getOriginalMessage()));
    } catch (IOException e) {
      throw new ConfigException(List.of(file + ": cannot read: " + e.getMessage()));
    }
  }

  /** A duration that {@link #load} has already checked. */
  private static Duration checked(String value) {
    return java.util.Objects.requireNonNull(ConfigLoader.duration(value), "checked by load");
  }

  private static @org.jspecify.annotations.Nullable InetSocketAddress addressOrNull(String s) {
    try {
      return ConfigLoader.address(s);
    } catch (RuntimeException e) {
      return null;
    }
  }

  /**
   * Binds the HTTPS listener (and the admin listener if configured).
   *
   * @throws IOException if the TLS context cannot be built
   * @throws InterruptedException if interrupted while binding
   */
  public Hub start() throws IOException, InterruptedException {
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(config.limits.eventLoops, NioIoHandler.newFactory());
    this.group = group;
    SslContext tls = GatewayTls.serverClientCertOptional(identity, new CityPeerVerifier(clientTrust, Clock.systemUTC()));
    Publisher publisher = new Publisher(roots, store, board, clientTrust, audit, identity, blocking);
    BundleAuthor author = new BundleAuthor(publisher, store, signers);
    IncidentActions actions = new IncidentActions(author, store, audit, identity.party().toString());
    HubHandler.Settings settings = new HubHandler.Settings(
        checked(config.limits.maxWait), new CityPeerVerifier(clientTrust, Clock.systemUTC()),
        new io.shulian.hub.access.RateLimiter(config.limits.ratePerSecond, config.limits.rateBurst, System::nanoTime));
    io.shulian.hub.apply.Desk desk = new io.shulian.hub.apply.Desk(new io.shulian.hub.apply.CaseStore(store), clientTrust,
        audit, identity, checked(config.applications.responseDeadline),
        Clock.systemUTC());
    for (io.shulian.hub.apply.CaseState.Kind k : io.shulian.hub.apply.CaseState.Kind.values()) {
      io.micrometer.core.instrument.Gauge.builder("shulian.hub.cases.overdue", desk, d -> d.overdue(k))
          .tag("kind", k.name().toLowerCase(java.util.Locale.ROOT))
          .description("applications / objections unanswered past applications.responseDeadline").register(registry);
    }
    io.shulian.hub.apply.CaseRoutes cases = new io.shulian.hub.apply.CaseRoutes(desk, caseWork);
    io.shulian.hub.review.ReviewRoutes reviews = new io.shulian.hub.review.ReviewRoutes(new io.shulian.hub.review.Registry(
        new io.shulian.hub.review.SubmissionStore(store), author, publisher, clientTrust, audit, identity, Clock.systemUTC()),
        caseWork);
    io.shulian.hub.events.EventRoutes events = events();
    io.shulian.hub.console.ConsoleRoutes console = console();
    io.shulian.hub.console.SecurityHeaders headers = new io.shulian.hub.console.SecurityHeaders();
    Duration idle = checked(config.limits.idleTimeout);
    bind("hub", ConfigLoader.address(config.listen), new ChannelInitializer<SocketChannel>() {
      @Override
      protected void initChannel(SocketChannel ch) {
        ch.pipeline().addLast(tls.newHandler(ch.alloc()));
        ch.pipeline().addLast(new io.netty.handler.timeout.IdleStateHandler(0, 0, idle.toMillis(),
            java.util.concurrent.TimeUnit.MILLISECONDS));
        ch.pipeline().addLast(new HttpServerCodec(HubHandler.MAX_INITIAL_LINE, HubHandler.MAX_HEADER_BYTES, 8192));
        ch.pipeline().addLast(headers);
        ch.pipeline().addLast(new HubHandler.BodyLimit());
        ch.pipeline().addLast(new HttpObjectAggregator(HubHandler.MAX_BODY_BYTES));
        ch.pipeline().addLast(new HubHandler(settings, board, operators, publisher, registry, cases, actions, identity.suite(),
            reviews, events, console));
      }
    });
    if (config.admin != null) {
      AdminHandler admin = new AdminHandler(registry, this::readinessProblems);
      bind("admin", ConfigLoader.address(config.admin.listen), new ChannelInitializer<SocketChannel>() {
        @Override
        protected void initChannel(SocketChannel ch) {
          ch.pipeline().addLast(new HttpServerCodec(4096, 8192, 8192), new HttpObjectAggregator(4096), admin);
        }
      });
    }
    LOG.atInfo().addKeyValue("event", "hub_started").log("hub {} started: {}", identity.party(), bound);
    return this;
  }

  /** The rule thresholds of {@code alerts:}. */
  static io.shulian.hub.alert.Rules.Thresholds thresholds(HubConfig.AlertSettings a) {
    java.util.function.BiFunction<String, String, Duration> d = (name, v) -> {
      Duration x = ConfigLoader.duration(v);
      if (x == null || x.isZero()) {
        throw new IllegalArgumentException(name + ": a duration, got '" + v + "'");
      }
      return x;
    };
    if (a.denialSpikeCount < 1 || a.bulkExportPerHour < 1) {
      throw new IllegalArgumentException("denialSpikeCount and bulkExportPerHour: at least 1");
    }
    if (!(a.volumeFactor > 1) || a.volumeMinCount < 1 || a.volumeBaselineHours < 1 || a.volumeBaselineHours > 672) {
      throw new IllegalArgumentException("volumeFactor: above 1; volumeMinCount: at least 1; volumeBaselineHours: 1 to 672");
    }
    if (!(a.grantNearLimit > 0) || a.grantNearLimit > 1) {
      throw new IllegalArgumentException("grantNearLimit: a fraction above 0 and at most 1, got " + a.grantNearLimit);
    }
    String[] hours = String.valueOf(a.workingHours).split("-", 2);
    java.time.LocalTime from;
    java.time.LocalTime to;
    try {
      from = java.time.LocalTime.parse(hours[0].trim());
      to = java.time.LocalTime.parse(hours.length == 2 ? hours[1].trim() : "");
    } catch (java.time.format.DateTimeParseException e) {
      throw new IllegalArgumentException("workingHours: HH:MM-HH:MM, got '" + a.workingHours + "'");
    }
    java.time.ZoneId zone;
    try {
      zone = java.time.ZoneId.of(String.valueOf(a.workingZone));
    } catch (java.time.DateTimeException e) {
      throw new IllegalArgumentException("workingZone: a time zone id, got '" + a.workingZone + "'");
    }
    return new io.shulian.hub.alert.Rules.Thresholds(a.denialSpikeCount, d.apply("denialSpikeWindow", a.denialSpikeWindow),
        a.bulkExportPerHour, new java.util.HashSet<>(a.offHoursResources == null ? List.of() : a.offHoursResources), zone,
        from, to, a.newConsumer, d.apply("gatewaySilence", a.gatewaySilence),
        d.apply("certificateExpiry", a.certificateExpiry), d.apply("bundleStaleness", a.bundleStaleness), a.volumeFactor,
        a.volumeMinCount, a.volumeBaselineHours, a.grantNearLimit, d.apply("crlStaleness", a.crlStaleness));
  }

  /**
   * grant_near_limit's source of a grant's use limit: the sharing application whose approval issued
   * it; the grant's own maxUses when its token still verifies, else the limit applied for (the desk
   * refuses a grant allowing more than that).
   */
  private io.shulian.hub.alert.Rules.GrantLimits grantLimits(io.shulian.hub.apply.CaseStore cases) {
    return id -> {
      java.util.Optional<io.shulian.hub.apply.CaseStore.Application> a = cases.applicationByGrant(id);
      if (a.isEmpty()) {
        return java.util.OptionalLong.empty();
      }
      String token = a.get().grantToken();
      if (token != null) {
        try {
          return java.util.OptionalLong.of(io.shulian.core.policy.GrantVerifier.of(clientTrust.trust(), Clock.systemUTC())
              .verify(token).grant().maxUses());
        } catch (io.shulian.core.policy.GrantException | io.shulian.core.trust.TrustException e) {
          // expired or no trust now: the limit applied for
        }
      }
      return java.util.OptionalLong.of(a.get().maxUses());
    };
  }

  /** The collector and the alerts, with the retention purge (hourly). */
  private io.shulian.hub.console.@Nullable ConsoleRoutes console() {
    HubConfig.Console c = config.console;
    if (!c.enabled) {
      return null;
    }
    io.shulian.hub.console.ConsoleRoutes r = new io.shulian.hub.console.ConsoleRoutes(operators,
        new io.shulian.hub.console.Sessions(checked(c.idleTimeout), checked(c.absoluteTimeout), System::nanoTime), audit,
        identity.party().toString(), new io.shulian.hub.console.Overview(store, Clock.systemUTC()),
        new io.shulian.hub.console.Scorecards(store, identity.suite(),
            java.util.Objects.requireNonNull(roots.get(identity.suite()), "the hub's own suite has a city root")),
        c.loginBurstPerName, c.loginBurstPerAddress);
    consoleRoutes = r;
    return r;
  }

  private io.shulian.hub.events.EventRoutes events() {
    java.net.URI hook = config.alerts.webhook == null ? null : java.net.URI.create(config.alerts.webhook);
    io.shulian.hub.alert.Alerts alerts = new io.shulian.hub.alert.Alerts(store, Clock.systemUTC(), hook, registry);
    io.shulian.hub.events.Collector collector = new io.shulian.hub.events.Collector(store, clientTrust::trust, alerts,
        Clock.systemUTC());
    io.shulian.hub.alert.Rules rules;
    try {
      rules = new io.shulian.hub.alert.Rules(alerts, thresholds(config.alerts), collector.knownPairs(),
          collector.grantUses(), grantLimits(new io.shulian.hub.apply.CaseStore(store)));
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException("cannot read the collected events: " + e.getMessage(), e);
    }
    collector.addListener(rules::stored);
    io.shulian.hub.alert.Rules.Inputs inputs = new io.shulian.hub.alert.Rules.Inputs() {
      @Override
      public List<io.shulian.hub.alert.Rules.LogContact> logs() throws java.sql.SQLException {
        return collector.contacts();
      }

      @Override
      public io.shulian.core.trust.@Nullable CityBundle bundle() {
        return clientTrust.current().orElse(null);
      }
    };
    HubConfig.Kafka k = config.events.kafka;
    if (k != null) {
      io.shulian.hub.events.KafkaEvents consumer = new io.shulian.hub.events.KafkaEvents(k.bootstrap, k.topic, k.group,
          k.properties, collector, alerts);
      consumer.bindTo(registry);
      consumer.start();
      kafka = consumer;
    }
    eventWork.scheduleWithFixedDelay(() -> rules.checkNow(java.time.Instant::now, inputs), 30, 30,
        java.util.concurrent.TimeUnit.SECONDS);
    Duration retention = checked(config.events.retention);
    eventWork.scheduleWithFixedDelay(() -> {
      try {
        int n = collector.purge(java.time.Instant.now().minus(retention));
        if (n > 0) {
          LOG.atInfo().addKeyValue("event", "hub_events_purged").addKeyValue("count", n)
              .log("deleted {} events older than the retention of {}", n, retention);
        }
      } catch (java.sql.SQLException | RuntimeException e) {
        LOG.atWarn().addKeyValue("event", "hub_events_purge_failed").log("event retention purge failed: {}", e.getMessage());
      }
    }, 1, 60, java.util.concurrent.TimeUnit.MINUTES);
    return new io.shulian.hub.events.EventRoutes(collector, alerts, audit, identity.party().toString(), eventWork, registry);
  }

  private void bind(String name, InetSocketAddress address, ChannelInitializer<SocketChannel> init) throws InterruptedException {
    Channel ch = new ServerBootstrap().group(java.util.Objects.requireNonNull(group, "start() creates the group")).channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel c) {
            connections.add(c); // leaves the group when it closes
            c.pipeline().addLast(init);
          }
        }).bind(address).sync().channel();
    listeners.add(ch);
    bound.put(name, (InetSocketAddress) ch.localAddress());
  }

  /** Returns the bound address of {@code hub} or {@code admin}. */
  public InetSocketAddress address(String listener) {
    InetSocketAddress a = bound.get(listener);
    if (a == null) {
      throw new IllegalArgumentException("no listener " + listener);
    }
    return a;
  }

  /** Returns, per failed check, what stops the hub from serving; empty when ready. */
  public Map<String, String> readinessProblems() {
    Map<String, String> p = new LinkedHashMap<>();
    String db = store.check();
    if (db != null) {
      p.put("database", db);
    }
    // a failed log is reopened here (at most once a second) once its directory is writable again
    audit.problem().ifPresent(e -> p.put("audit", e));
    return p;
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  @Override
  public void close() {
    io.shulian.hub.events.KafkaEvents k = kafka;
    if (k != null) {
      k.close();
    }
    for (Channel ch : listeners) {
      ch.close().awaitUninterruptibly();
    }
    // closed here, not left to the event loops' shutdown: a loop running a task when its shutdown
    // begins ends without closing its channels (Netty 4.2, quiet period 0), and a gateway's shipper
    // would send its next batch into a connection nobody reads (as Gateway.close())
    connections.close().awaitUninterruptibly(10, java.util.concurrent.TimeUnit.SECONDS);
    if (group != null) {
      group.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).awaitUninterruptibly();
    }
    io.shulian.hub.console.ConsoleRoutes cr = consoleRoutes;
    if (cr != null) {
      cr.close();
    }
    blocking.shutdown();
    caseWork.shutdown();
    eventWork.shutdown();
    try {
      caseWork.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS);
      eventWork.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS);
      blocking.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    store.close();
    audit.close();
  }
}
