package io.shulian.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.shulian.core.envelope.EnvelopeSealer;
import io.shulian.core.envelope.SealRequest;
import io.shulian.core.envelope.SealedEnvelope;
import io.shulian.core.keys.PartyCertificate;
import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.keys.Suite;
import io.shulian.core.policy.Grant;
import io.shulian.core.policy.GrantIssuer;
import io.shulian.core.trust.CityAuthority;
import io.shulian.core.trust.CityBundle;
import io.shulian.core.trust.PinnedSenderTrust;
import io.shulian.gateway.audit.ExchangeEvent;
import io.shulian.gateway.authenticate.ApiKeys;
import io.shulian.gateway.authenticate.GatewayTls;
import io.shulian.gateway.authenticate.PinnedPeerVerifier;
import io.shulian.gateway.config.ConfigLoader;
import io.shulian.gateway.seal.Route;
import io.shulian.gateway.state.RedisServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17: three provider gateway replicas of one department (in-process, each from its own YAML
 * with {@code state.redis}, each on its own port) share a real Redis, behind a real nginx as the
 * load balancer. The same envelope is served once whichever replicas it reaches, a grant's uses
 * are exact across replicas, a replica that stops under load loses no acknowledged exchange and
 * nginx shifts its traffic, and with Redis down nothing is served until Redis returns.
 *
 * <p>nginx runs the production topology, the shipped {@code deploy/nginx/shulian-provider-replicas.conf}:
 * a TCP ({@code stream}) balancer passing TLS through, so the consumer's mutual TLS ends on each
 * replica, which checks the client certificate against the envelope's sender, and the client
 * accepts only the provider department's own certificate from whichever replica it reaches. L4
 * balances connections, not requests: round robin spreads each new connection.
 */
public class ScaleOutEndToEndTest {
  static final String FUND = GatewayStateTest.FUND;
  static final String PURPOSE = GatewayStateTest.PURPOSE;

  @TempDir Path dir;
  final List<AutoCloseable> closeables = new ArrayList<>();
  final AtomicInteger backendCalls = new AtomicInteger();
  final Map<String, String> env = Map.of("SHULIAN_KEY_PASSWORD", "test-only", "SHULIAN_MASK_KEY", "0123456789abcdef-test");
  HttpClient http;
  CityAuthority ca;
  PartyIdentity housing;
  PartyIdentity civil;
  RedisServer redis;
  final List<Gateway> replicas = new ArrayList<>();
  final List<MemoryAuditor> audits = new ArrayList<>();
  int nginxPort;

  @BeforeEach
  void department() throws Exception {
    Path nginx = NginxFrontEndToEndTest.nginx();
    if (nginx == null && "true".equals(System.getenv("CI"))) {
      throw new AssertionError("CI=true but nginx is not installed");
    }
    Assumptions.assumeTrue(nginx != null, "nginx is not installed: the scale-out test is skipped");
    redis = RedisServer.start(dir);
    closeables.add(redis);
    Department d = Department.write(dir);
    ca = d.ca();
    housing = d.housing();
    civil = d.civil();
    HttpServer backend = GatewayStateTest.fundBackend(backendCalls);
    closeables.add(() -> backend.stop(0));
    for (int i = 1; i <= 3; i++) {
      Files.writeString(dir.resolve("replica-" + i + ".yaml"), String.join("\n",
          "identity: { keystore: housing.p12 }",
          "trust: { root: root.pem, bundle: bundle.jws }",
          "provider:",
          "  listen: 127.0.0.1:0",
          "  backends: [ { resource: " + FUND + ", url: \"http://127.0.0.1:" + backend.getAddress().getPort() + "\" } ]",
          "  policy: { dir: policy }",
          "audit: { dir: audit-" + i + " }",
          "state: { redis: \"" + redis.uri() + "\", redisTimeout: 2s }", ""));
      MemoryAuditor audit = new MemoryAuditor();
      Gateway g = ConfigLoader.apply(ConfigLoader.load(dir.resolve("replica-" + i + ".yaml"), env::get), audit, env::get)
          .build().start();
      closeables.add(g);
      replicas.add(g);
      audits.add(audit);
    }
    List<Integer> ports = new ArrayList<>();
    replicas.forEach(g -> ports.add(g.address("provider").getPort()));
    nginxPort = startStreamBalancer(nginx, dir, ports, closeables);
    http = peerClient(civil, housing);
  }

  /**
   * The provider department's identities, city trust and example policy written in {@code dir}:
   * housing.p12 and civil.p12 (password test-only), root.pem, bundle.jws, policy/.
   */
  record Department(CityAuthority ca, PartyIdentity housing, PartyIdentity civil) {
    static Department write(Path dir) throws Exception {
      char[] pw = "test-only".toCharArray();
      CityAuthority ca = CityAuthority.init(Suite.INTL, "Test City Data Bureau", dir.resolve("ca"), pw,
          Duration.ofDays(3650), Clock.systemUTC());
      PartyIdentity housing = ca.issue(GatewayEndToEndTest.HOUSING, true, Duration.ofDays(30));
      PartyIdentity civil = ca.issue(GatewayEndToEndTest.CIVIL, true, Duration.ofDays(30));
      housing.store(dir.resolve("housing.p12"), pw);
      civil.store(dir.resolve("civil.p12"), pw);
      Files.writeString(dir.resolve("root.pem"), ca.rootPem());
      Files.writeString(dir.resolve("bundle.jws"), CityBundle.draft().version(1)
          .validity(Instant.now().minusSeconds(60), Instant.now().plus(Duration.ofDays(1)))
          .member(CityBundle.Member.of(housing.party(), "Housing bureau", URI.create("https://127.0.0.1:8443"),
              housing.certificates()))
          .member(CityBundle.Member.of(civil.party(), "Civil affairs bureau", null, civil.certificates()))
          .caCertificate(ca.root()).crl(ca.crl(Duration.ofHours(24))).sign(ca));
      GatewayStateTest.copyExamplePolicy(dir);
      return new Department(ca, housing, civil);
    }
  }

  /** The balancer configuration shipped for a department's provider replicas, which the tests run. */
  static final Path SHIPPED_BALANCER =
      Path.of(System.getProperty("user.dir")).getParent().resolve("deploy/nginx/shulian-provider-replicas.conf");
  static final Path STREAM_MODULE = Path.of("/usr/lib/nginx/modules/ngx_stream_module.so");

  /**
   * Starts nginx as the TCP balancer of {@link #SHIPPED_BALANCER} (TLS passes through) in front of
   * the replicas on {@code ports}: the shipped file unchanged but for the replicas' addresses
   * (each keeps the shipped {@code server} parameters) and its listen address; returns its port.
   */
  public static int startStreamBalancer(Path nginx, Path dir, List<Integer> ports, List<AutoCloseable> closeables)
      throws Exception {
    if (!Files.exists(STREAM_MODULE) && !builtWithStream(nginx)) {
      if ("true".equals(System.getenv("CI"))) {
        throw new AssertionError("CI=true but nginx has no stream module (.ci/run installs libnginx-mod-stream)");
      }
      Assumptions.abort("nginx has no stream module (apt-get install libnginx-mod-stream): the balancer test is skipped");
    }
    String shipped = Files.readString(SHIPPED_BALANCER);
    java.util.regex.Matcher servers = java.util.regex.Pattern.compile(
        "(?m)^( *)server 10\\.0\\.1\\.\\d+:8443( [^;\n]*)?;\n").matcher(shipped);
    List<String[]> found = new ArrayList<>();
    while (servers.find()) {
      found.add(new String[] {servers.group(1), servers.group(2) == null ? "" : servers.group(2)});
    }
    assertThat(found).as("the shipped balancer lists its replicas as 'server 10.0.1.x:8443 ...;'").hasSize(3);
    StringBuilder upstream = new StringBuilder();
    for (int p : ports) {
      upstream.append(found.get(0)[0]).append("server 127.0.0.1:").append(p).append(found.get(0)[1]).append(";\n");
    }
    String conf = servers.replaceFirst(java.util.regex.Matcher.quoteReplacement(upstream.toString()))
        .replaceAll("(?m)^ *server 10\\.0\\.1\\.\\d+:8443( [^;\n]*)?;\n", "");
    int port = NginxFrontEndToEndTest.freePort();
    String listen = "listen 8443;";
    assertThat(conf).as("the shipped balancer listens with '" + listen + "'").containsOnlyOnce(listen);
    conf = conf.replace(listen, "listen 127.0.0.1:" + port + ";");
    Files.writeString(dir.resolve("balancer.conf"), String.join("\n",
        Files.exists(STREAM_MODULE) ? "load_module " + STREAM_MODULE + ";" : "# stream built in",
        "worker_processes 1;",
        "pid " + dir.resolve("balancer.pid") + ";",
        "events { worker_connections 1024; }",
        conf));
    NginxFrontEndToEndTest.runNginx(nginx, dir, "balancer", closeables, port);
    return port;
  }

  /** Whether {@code nginx -V} says the stream module is compiled in (not a loadable module). */
  static boolean builtWithStream(Path nginx) throws Exception {
    Process p = new ProcessBuilder(nginx.toString(), "-V").redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor(10, TimeUnit.SECONDS);
    return out.contains("--with-stream ") || out.endsWith("--with-stream\n");
  }

  /**
   * An HTTP client doing what the consumer department's gateway does towards the provider: mutual
   * TLS with the consumer's TLS key, accepting only a server that presents the provider
   * department's own certificate (so every replica behind the balancer must present it).
   */
  public static HttpClient peerClient(PartyIdentity consumer, PartyIdentity provider) {
    return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10))
        .sslContext(GatewayTls.jdkClient(consumer, new PinnedPeerVerifier(provider.certificates(), Clock.systemUTC())))
        .build();
  }

  @AfterEach
  void stop() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      try {
        closeables.get(i).close();
      } catch (Exception e) {
        // the others are still closed
      }
    }
  }

  String grant(String id, long maxUses) {
    return grant(housing, civil, id, maxUses);
  }

  /** A grant of the fund balance to {@code consumer}, issued by {@code provider}, valid for 30 days. */
  public static String grant(PartyIdentity provider, PartyIdentity consumer, String id, long maxUses) {
    return GrantIssuer.of(provider).issue(Grant.builder().id(id).issuer(provider.party()).consumer(consumer.party())
        .resource(FUND).fields(List.of("applicant.name", "balance")).purpose(PURPOSE)
        .validity(Instant.now().minusSeconds(60), Instant.now().plus(Duration.ofDays(30))).maxUses(maxUses).build());
  }

  byte[] envelope(String grant) throws Exception {
    return envelope(civil, housing, grant);
  }

  public static byte[] envelope(PartyIdentity consumer, PartyIdentity provider, String grant) throws Exception {
    return sealed(consumer, provider, grant).toByteArray();
  }

  /** The request for the fund balance under {@code grant}, sealed by {@code consumer} to {@code provider}. */
  public static SealedEnvelope sealed(PartyIdentity consumer, PartyIdentity provider, String grant) throws Exception {
    String req = "GET " + GatewayStateTest.FUND_TARGET + " HTTP/1.1\r\nx-shulian-grant: " + grant + "\r\n\r\n";
    return EnvelopeSealer.builder(consumer).build().seal(SealRequest.builder()
            .recipient(provider.encryptionCertificate()).resource(FUND).purpose(PURPOSE).contentType("message/http").build(),
        req.getBytes(StandardCharsets.US_ASCII));
  }

  public record Answer(int status, String body) {}

  CompletableFuture<Answer> postAsync(byte[] envelope) {
    return postAsync(http, envelope);
  }

  CompletableFuture<Answer> postAsync(HttpClient http, byte[] envelope) {
    return postAsync(http, nginxPort, envelope);
  }

  /** Posts {@code envelope} to the provider's exchange endpoint behind the balancer on {@code port}. */
  public static CompletableFuture<Answer> postAsync(HttpClient http, int port, byte[] envelope) {
    HttpRequest r = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/shulian/v1/exchange"))
        .timeout(Duration.ofSeconds(60)).header("Content-Type", "application/jose")
        .POST(HttpRequest.BodyPublishers.ofByteArray(envelope)).build();
    // -1: no HTTP answer at all (the connection was cut: with TLS passed through, the balancer
    // cannot answer in the replica's place)
    return http.sendAsync(r, HttpResponse.BodyHandlers.ofString()).thenApply(x -> new Answer(x.statusCode(), x.body()))
        .exceptionally(e -> new Answer(-1, String.valueOf(e)));
  }

  Answer post(byte[] envelope) throws Exception {
    return postAsync(envelope).get(90, TimeUnit.SECONDS);
  }

  /** Posts on a new connection, which the balancer gives to the next replica in turn. */
  Answer postOnNewConnection(byte[] envelope) throws Exception {
    return postAsync(peerClient(civil, housing), envelope).get(90, TimeUnit.SECONDS);
  }

  List<ExchangeEvent> events() {
    List<ExchangeEvent> all = new ArrayList<>();
    audits.forEach(a -> all.addAll(a.events));
    return all;
  }

  long served() {
    return events().stream().filter(e -> e.status == 200).count();
  }

  @Test
  void sameEnvelope_toEveryReplica_servedOnce() throws Exception {
    byte[] env = envelope(grant("g-replay", 100));

    List<Answer> answers = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      answers.add(postOnNewConnection(env)); // round robin over connections: each replica gets it once
    }

    assertThat(answers).extracting(Answer::status).containsExactly(200, 409, 409);
    assertThat(answers.get(1).body()).contains("REPLAYED");
    assertThat(backendCalls.get()).isEqualTo(1);
    assertThat(audits).as("every replica saw the envelope").allSatisfy(a -> assertThat(a.events).hasSize(1));
    assertThat(events()).filteredOn(e -> e.reasons.contains("REPLAYED")).hasSize(2);
  }

  @Test
  void consumerGateway_throughStreamBalancer_everyReplicaPassesItsProviderCheck_servedAndShiftedAfterAStop()
      throws Exception {
    List<PartyCertificate> all = new ArrayList<>(housing.certificates());
    all.addAll(civil.certificates());
    MemoryAuditor consumerAudit = new MemoryAuditor();
    // the consumer department's gateway routes to the balancer: its TLS ends on whichever replica,
    // and it sends the envelope only once that server's certificate speaks for the housing bureau
    Gateway consumer = Gateway.builder().identity(civil)
        .senderTrust(PinnedSenderTrust.of(housing.certificates()))
        .peers(new PinnedPeerVerifier(all, Clock.systemUTC()))
        .auditor(consumerAudit)
        .apiKeys(ApiKeys.of(Map.of("portal", ApiKeys.hash("portal-key-0123456789"))))
        .route(new Route(FUND, housing.party(), URI.create("https://127.0.0.1:" + nginxPort), housing.encryptionCertificate()))
        .consumerListener(new InetSocketAddress("127.0.0.1", 0)).eventLoops(1).build().start();
    closeables.add(consumer);
    String g = grant("g-consumer", 100);
    HttpClient app = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    HttpRequest r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + consumer.address("consumer").getPort()
            + "/exchange/" + FUND + GatewayStateTest.FUND_TARGET)).timeout(Duration.ofSeconds(60))
        .header("X-Api-Key", "portal-key-0123456789").header("X-Shulian-Purpose", PURPOSE).header("X-Shulian-Grant", g)
        .build();

    List<CompletableFuture<HttpResponse<String>>> fs = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      fs.add(app.sendAsync(r, HttpResponse.BodyHandlers.ofString())); // concurrent: several connections
    }
    for (CompletableFuture<HttpResponse<String>> f : fs) {
      HttpResponse<String> x = f.get(120, TimeUnit.SECONDS);
      assertThat(x.statusCode()).as(x.body()).isEqualTo(200);
    }
    replicas.get(0).close();
    for (int i = 0; i < 6; i++) {
      HttpResponse<String> x = app.send(r, HttpResponse.BodyHandlers.ofString());
      assertThat(x.statusCode()).as("after replica 1 stopped: " + x.body()).isEqualTo(200);
    }

    assertThat(served()).isEqualTo(18);
    assertThat(backendCalls.get()).isEqualTo(18);
    assertThat(audits).as("the connections were spread over the replicas").filteredOn(a -> !a.events.isEmpty())
        .hasSizeGreaterThan(1);
    assertThat(consumerAudit.events).hasSize(18).allSatisfy(e -> assertThat(e.status).isEqualTo(200));
  }

  @Test
  void grantMaxTwenty_sixtyConcurrentAcrossReplicas_servedExactlyTwenty() throws Exception {
    String g = grant("g-twenty", 20);
    List<byte[]> envs = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      envs.add(envelope(g));
    }

    List<CompletableFuture<Answer>> fs = new ArrayList<>();
    envs.forEach(e -> fs.add(postAsync(e)));
    List<Answer> answers = new ArrayList<>();
    for (CompletableFuture<Answer> f : fs) {
      answers.add(f.get(120, TimeUnit.SECONDS));
    }

    String seen = answers.stream().map(a -> a.status() + " " + a.body().replaceAll(".*\"code\":\"([A-Z_]+)\".*", "$1"))
        .collect(java.util.stream.Collectors.groupingBy(x -> x, java.util.stream.Collectors.counting())).toString();
    // exactly 20 served across the replicas (audited 200, answered 200 and backend calls)
    assertThat(served()).as(seen).isEqualTo(20);
    assertThat(backendCalls.get()).isEqualTo(20);
    assertThat(answers).as(seen).allSatisfy(a -> assertThat(a.status()).isIn(200, 403));
    assertThat(answers).as(seen).filteredOn(a -> a.status() == 200).hasSize(20);
    assertThat(answers).as(seen).filteredOn(a -> a.status() == 403)
        .allSatisfy(a -> assertThat(a.body()).contains("GRANT_USED_UP"));
    assertThat(audits).as("the uses were spread over the replicas").filteredOn(a -> !a.events.isEmpty()).hasSizeGreaterThan(1);
    // what an exchange with a grant costs in Redis: one SET NX (replay) and one script (grant use)
    assertThat(redisCommands("replay")).isEqualTo(events().size());
    assertThat(redisCommands("grants")).isEqualTo(events().size());
  }

  /** Commands the replicas sent to Redis for one concern. */
  double redisCommands(String concern) {
    return replicas.stream().mapToDouble(g -> g.registry().get("shulian_state_redis_commands").tag("concern", concern)
        .functionCounter().count()).sum();
  }

  @Test
  void replicaStopsUnderLoad_nginxShiftsTraffic_noAcknowledgedExchangeUnaudited() throws Exception {
    String g = grant("g-load", 1000);
    List<CompletableFuture<Answer>> fs = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      fs.add(postAsync(envelope(g)));
      if (i == 15) {
        replicas.get(1).close(); // abruptly, while requests are in flight
      }
    }
    List<Answer> answers = new ArrayList<>();
    for (CompletableFuture<Answer> f : fs) {
      answers.add(f.get(120, TimeUnit.SECONDS));
    }
    List<Answer> after = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      after.add(post(envelope(g)));
    }

    long ok = answers.stream().filter(a -> a.status() == 200).count() + after.stream().filter(a -> a.status() == 200).count();
    assertThat(after).as("nginx sends everything to the two replicas left").allSatisfy(a -> assertThat(a.status()).isEqualTo(200));
    // -1: the stopped replica closed a connection with a request on it; nothing was served for it
    assertThat(answers).allSatisfy(a -> assertThat(a.status()).isIn(200, -1, 503));
    assertThat(served()).as("every exchange acknowledged to the client has its audit record").isEqualTo(ok);
    assertThat(backendCalls.get()).isGreaterThanOrEqualTo((int) ok);
    assertThat(audits.get(1).events.size()).as("the stopped replica took no exchange after it stopped")
        .isLessThanOrEqualTo(16);
  }

  @Test
  void redisDown_refusedWithStateUnavailable_nothingReleased_resumesWhenRedisReturns() throws Exception {
    byte[] before = envelope(grant("g-outage", 100));
    assertThat(post(before).status()).isEqualTo(200);

    redis.kill();
    List<Answer> down = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      down.add(post(envelope(grant("g-outage", 100))));
    }

    assertThat(down).allSatisfy(a -> {
      assertThat(a.status()).isEqualTo(503);
      assertThat(a.body()).contains("STATE_UNAVAILABLE").doesNotContain("balance");
    });
    assertThat(backendCalls.get()).isEqualTo(1);
    assertThat(events()).filteredOn(e -> e.status == 503).hasSize(3)
        .allSatisfy(e -> assertThat(e.outcome).isEqualTo("STATE_UNAVAILABLE"));

    redis.startAgain();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    Answer back;
    do {
      back = post(envelope(grant("g-outage", 100)));
    } while (back.status() == 503 && System.nanoTime() < deadline);
    assertThat(back.status()).as(back.body()).isEqualTo(200);
    // Redis kept (AOF) what it acknowledged before the outage: the old envelope is still a replay
    // on every replica, also those that never saw it themselves; a replica still reconnecting to
    // Redis refuses with 503 meanwhile (fail closed), never serves it
    for (int i = 0; i < 3; i++) {
      Answer replay;
      do {
        replay = post(before);
        assertThat(replay.status()).as(replay.body()).isIn(409, 503);
      } while (replay.status() == 503 && System.nanoTime() < deadline);
      assertThat(replay.status()).as(replay.body()).isEqualTo(409);
    }
  }
}
