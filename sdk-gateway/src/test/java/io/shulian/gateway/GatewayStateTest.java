package io.shulian.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.sun.net.httpserver.HttpServer;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.shulian.core.envelope.EnvelopeSealer;
import io.shulian.core.envelope.SealRequest;
import io.shulian.core.envelope.SealedEnvelope;
import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.keys.Suite;
import io.shulian.core.party.CreditCode;
import io.shulian.core.party.PartyId;
import io.shulian.core.policy.Grant;
import io.shulian.core.policy.GrantIssuer;
import io.shulian.core.trust.CityAuthority;
import io.shulian.core.trust.CityBundle;
import io.shulian.core.trust.RevocationReason;
import io.shulian.gateway.authenticate.GatewayTls;
import io.shulian.gateway.authenticate.PinnedPeerVerifier;
import io.shulian.gateway.config.ConfigException;
import io.shulian.gateway.config.ConfigLoader;
import io.shulian.gateway.forward.BackendPool;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a provider gateway decides must not change when it restarts: replayed envelopes stay
 * replayed, used-up grants stay used up, an older bundle is not trusted again. Grants revoked in a
 * new city bundle are refused after hot reload. Real gateways from YAML, a city CA, real mutual TLS,
 * on loopback; a restart is a new gateway on the same configuration and directories.
 */
public class GatewayStateTest {
  static final PartyId DISTRICT = PartyId.of("440604", CreditCode.withCheckCharacter("11440604MB2C9012D"), null);
  public static final String FUND = "housing.provident-fund.balance";
  public static final String PURPOSE = "social-assistance-review";
  public static final String FUND_TARGET = "/440604199001011234"; // the catalog declares GET /{idNumber}

  @TempDir Path dir;
  final List<AutoCloseable> closeables = new ArrayList<>();
  final AtomicInteger backendCalls = new AtomicInteger();
  final Map<String, String> env = Map.of("SHULIAN_KEY_PASSWORD", "test-only", "SHULIAN_MASK_KEY", "0123456789abcdef-test");
  CityAuthority ca;
  PartyIdentity housing;
  PartyIdentity civil;
  PartyIdentity district;
  MemoryAuditor audit;
  EventLoopGroup clientLoops;

  @BeforeEach
  void city() throws Exception {
    char[] pw = "test-only".toCharArray();
    ca = CityAuthority.init(Suite.INTL, "Test City Data Bureau", dir.resolve("ca"), pw, Duration.ofDays(3650),
        Clock.systemUTC());
    housing = ca.issue(GatewayEndToEndTest.HOUSING, true, Duration.ofDays(30));
    civil = ca.issue(GatewayEndToEndTest.CIVIL, true, Duration.ofDays(30));
    district = ca.issue(DISTRICT, true, Duration.ofDays(30));
    housing.store(dir.resolve("housing.p12"), pw);
    Files.writeString(dir.resolve("root.pem"), ca.rootPem());
    writeBundle(1, null);
    copyExamplePolicy(dir);
    HttpServer backend = fundBackend(backendCalls);
    closeables.add(() -> backend.stop(0));
    Files.writeString(dir.resolve("provider.yaml"), String.join("\n",
        "identity: { keystore: housing.p12 }",
        "trust: { root: root.pem, bundle: bundle.jws, bundleReload: 100ms }",
        "provider:",
        "  listen: 127.0.0.1:0",
        "  backends: [ { resource: " + FUND + ", url: \"http://127.0.0.1:" + backend.getAddress().getPort() + "\" } ]",
        "  policy: { dir: policy }",
        "audit: { dir: audit-provider }", ""));
    clientLoops = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    closeables.add(() -> clientLoops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly());
  }

  /** Copies the example catalog and policies of docs/examples into {@code dir}/policy. */
  public static void copyExamplePolicy(Path dir) throws java.io.IOException {
    Files.createDirectories(dir.resolve("policy"));
    Path examples = Path.of(System.getProperty("user.dir")).getParent().resolve("docs/examples");
    Files.copy(examples.resolve("catalog.yaml"), dir.resolve("policy/catalog.yaml"));
    Files.copy(examples.resolve("policies.yaml"), dir.resolve("policy/policies.yaml"));
  }

  /** A started backend on loopback answering every request with the fund balance, counting the calls. */
  public static HttpServer fundBackend(AtomicInteger calls) throws java.io.IOException {
    HttpServer backend = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    backend.createContext("/", ex -> {
      calls.incrementAndGet();
      byte[] b = GatewayPolicyConfigTest.FUND.getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("Content-Type", "application/json");
      ex.sendResponseHeaders(200, b.length);
      ex.getResponseBody().write(b);
      ex.close();
    });
    backend.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(4));
    backend.start();
    return backend;
  }

  @AfterEach
  void stop() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
  }

  void writeBundle(long version, String grantRevocationsJson) throws Exception {
    CityBundle.Draft d = CityBundle.draft()
        .version(version)
        .validity(Instant.now().minusSeconds(60), Instant.now().plus(Duration.ofDays(1)))
        .member(CityBundle.Member.of(housing.party(), "Housing bureau", URI.create("https://127.0.0.1:8443"),
            housing.certificates()))
        .member(CityBundle.Member.of(civil.party(), "Civil affairs bureau", null, civil.certificates()))
        .member(CityBundle.Member.of(district.party(), "District data bureau", null, district.certificates()))
        .caCertificate(ca.root())
        .crl(ca.crl(Duration.ofHours(24)));
    if (grantRevocationsJson != null) {
      d.extension("grantRevocations", grantRevocationsJson);
    }
    Files.writeString(dir.resolve("bundle.jws"), d.sign(ca));
  }

  /** Starts (or restarts) the provider gateway from provider.yaml. */
  Gateway startProvider() throws Exception {
    audit = new MemoryAuditor();
    Gateway g = ConfigLoader.apply(ConfigLoader.load(dir.resolve("provider.yaml"), env::get), audit, env::get).build().start();
    closeables.add(g);
    return g;
  }

  String grant(String id, long maxUses) {
    return GrantIssuer.of(housing).issue(Grant.builder()
        .id(id)
        .issuer(housing.party())
        .consumer(civil.party())
        .resource(FUND)
        .fields(List.of("applicant.name", "balance"))
        .purpose(PURPOSE)
        .validity(Instant.now().minusSeconds(60), Instant.now().plus(Duration.ofDays(30)))
        .maxUses(maxUses)
        .build());
  }

  /** A request envelope from the civil affairs bureau to housing, with a grant. */
  byte[] envelope(String grant) throws Exception {
    String http = "GET " + FUND_TARGET + " HTTP/1.1\r\n" + (grant == null ? "" : "x-shulian-grant: " + grant + "\r\n") + "\r\n";
    SealedEnvelope env = EnvelopeSealer.builder(civil).build().seal(SealRequest.builder()
            .recipient(housing.encryptionCertificate()).resource(FUND).purpose(PURPOSE).contentType("message/http").build(),
        http.getBytes(StandardCharsets.US_ASCII));
    return env.toByteArray();
  }

  record Answer(int status, String body) {}

  /** Posts an envelope to the provider listener over mutual TLS as {@code client}. */
  Answer post(Gateway provider, PartyIdentity client, byte[] envelope) throws Exception {
    BackendPool pool = new BackendPool(NioSocketChannel.class,
        GatewayTls.client(client, new PinnedPeerVerifier(housing.certificates(), Clock.systemUTC())),
        Duration.ofSeconds(5), Duration.ofSeconds(10), 1 << 20, null);
    URI target = URI.create("https://127.0.0.1:" + provider.address("provider").getPort() + "/shulian/v1/exchange");
    FullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/shulian/v1/exchange",
        Unpooled.wrappedBuffer(envelope));
    req.headers().set("Content-Type", "application/jose").setInt("Content-Length", envelope.length);
    EventLoop loop = clientLoops.next();
    FullHttpResponse resp = loop.submit(() -> pool.send(loop, target, req, false)).get().get(15, TimeUnit.SECONDS);
    try {
      return new Answer(resp.status().code(), resp.content().toString(StandardCharsets.UTF_8));
    } finally {
      resp.release();
      loop.submit(pool::closeIdle).get();
    }
  }

  Path stateDir() {
    return dir.resolve("audit-provider-state");
  }

  @Test
  void replay_servedEnvelope_staysReplayedAfterRestart() throws Exception {
    byte[] env = envelope(grant("g-replay", 100));
    Gateway first = startProvider();
    assertThat(post(first, civil, env).status()).isEqualTo(200);
    assertThat(post(first, civil, env).status()).isEqualTo(409);
    first.close();

    Gateway second = startProvider();
    Answer again = post(second, civil, env);

    assertThat(again.status()).as(again.body()).isEqualTo(409);
    assertThat(again.body()).contains("REPLAYED");
    assertThat(backendCalls.get()).isEqualTo(1);
    assertThat(audit.events).singleElement().satisfies(e -> assertThat(e.reasons).containsExactly("REPLAYED"));
    // a fresh envelope is still served
    assertThat(post(second, civil, envelope(grant("g-replay", 100))).status()).isEqualTo(200);
  }

  @Test
  void grant_maxUsesOne_staysUsedUpAfterRestart() throws Exception {
    String once = grant("g-once", 1);
    Gateway first = startProvider();
    assertThat(post(first, civil, envelope(once)).status()).isEqualTo(200);
    Answer second = post(first, civil, envelope(once));
    assertThat(second.status()).isEqualTo(403);
    assertThat(second.body()).contains("GRANT_USED_UP");
    first.close();

    Gateway restarted = startProvider();
    Answer afterRestart = post(restarted, civil, envelope(once));

    assertThat(afterRestart.status()).as(afterRestart.body()).isEqualTo(403);
    assertThat(afterRestart.body()).contains("GRANT_USED_UP");
    assertThat(backendCalls.get()).isEqualTo(1);
  }

  @Test
  void bundle_restartWithOlderBundleFile_refusesToStartAndNeverTrustsTheRevokedParty() throws Exception {
    String g = grant("g-bundle", 100);
    byte[] v1Bundle = Files.readAllBytes(dir.resolve("bundle.jws"));
    Gateway first = startProvider();
    assertThat(post(first, civil, envelope(g)).status()).isEqualTo(200);
    // the bureau revokes the civil affairs signing key and publishes v2; the gateway reloads it
    ca.revoke(civil.signingCertificate().certificate().getSerialNumber(), RevocationReason.KEY_COMPROMISE);
    writeBundle(2, null);
    Answer refused = awaitStatus(first, 400, g);
    assertThat(refused.body()).contains("ENVELOPE_REJECTED");
    first.close();

    // someone puts the old bundle file back and restarts the gateway
    Files.write(dir.resolve("bundle.jws"), v1Bundle);
    Throwable t = catchThrowable(this::startProvider);

    assertThat(t).isInstanceOf(ConfigException.class);
    assertThat(t.getMessage()).contains("rollback").contains("v1").contains("v2");
  }

  @Test
  void configCheck_readsStateWithoutWritingOrLockingIt() throws Exception {
    Gateway running = startProvider();
    Path floor = stateDir().resolve("bundle-version");
    String v1 = Files.readString(floor);
    assertThat(v1).contains("version 1\n");

    // while the gateway holds the state directory, --check still validates
    ConfigLoader.Loaded checked = ConfigLoader.check(dir.resolve("provider.yaml"), env::get);
    assertThat(checked.state).isNull();
    assertThat(checked.stateDir).isEqualTo(stateDir());
    running.close();

    // a newer bundle passes --check, which records nothing
    writeBundle(2, null);
    ConfigLoader.check(dir.resolve("provider.yaml"), env::get);
    assertThat(Files.readString(floor)).isEqualTo(v1);
    // once a gateway accepted v2, an older bundle is reported by --check too
    startProvider().close();
    writeBundle(1, null);
    Throwable t = catchThrowable(() -> ConfigLoader.check(dir.resolve("provider.yaml"), env::get));
    assertThat(t).isInstanceOf(ConfigException.class).hasMessageContaining("rollback");
  }

  @Test
  void grantRevocation_inNewBundle_refusedAfterHotReload() throws Exception {
    String g = grant("g-revoked", 100);
    Gateway provider = startProvider();
    assertThat(post(provider, civil, envelope(g)).status()).isEqualTo(200);

    writeBundle(2, "[{\"issuer\":\"" + housing.party() + "\",\"grant\":\"g-revoked\",\"reason\":\"application withdrawn\"}]");
    Answer refused = awaitStatus(provider, 403, g);

    assertThat(refused.body()).contains("GRANT_REVOKED");
    assertThat(audit.events.get(audit.events.size() - 1).reasons).containsExactly("GRANT_REVOKED");
    // another grant of the same issuer is unaffected
    assertThat(post(provider, civil, envelope(grant("g-other", 100))).status()).isEqualTo(200);
  }

  @Test
  void peerCheck_envelopePostedByAnotherCityParty_refusedAndGenuineSenderStillServed() throws Exception {
    byte[] env = envelope(grant("g-peer", 100));
    Gateway provider = startProvider();

    Answer stolen = post(provider, district, env);
    Answer genuine = post(provider, civil, env);

    assertThat(stolen.status()).isEqualTo(403);
    assertThat(stolen.body()).contains("PEER_MISMATCH");
    assertThat(genuine.status()).as(genuine.body()).isEqualTo(200);
    assertThat(backendCalls.get()).isEqualTo(1);
    assertThat(audit.events.get(0).reasons).containsExactly("PEER_MISMATCH");
    assertThat(audit.events.get(0).sender).isEqualTo(civil.party().toString());
  }

  @Test
  void journal_tornLastLine_isCutOffAndEarlierStateKept() throws Exception {
    byte[] env = envelope(grant("g-torn", 100));
    Gateway first = startProvider();
    assertThat(post(first, civil, env).status()).isEqualTo(200);
    first.close();
    Path last = lastJournal();
    // a crash in the middle of an append leaves half a line behind
    Files.write(last, "R 3f1c2a4e-0000-4000-8000-00000000".getBytes(StandardCharsets.US_ASCII), StandardOpenOption.APPEND);

    Gateway second = startProvider();

    assertThat(post(second, civil, env).status()).isEqualTo(409);
    assertThat(post(second, civil, envelope(grant("g-torn", 100))).status()).isEqualTo(200);
    second.close();
    // the cut-off tail does not come back as corruption on the next start
    Gateway third = startProvider();
    assertThat(post(third, civil, env).status()).isEqualTo(409);
  }

  @Test
  void journal_corruptLineBeforeTheEnd_refusesToStartWithClearMessage() throws Exception {
    Gateway first = startProvider();
    assertThat(post(first, civil, envelope(grant("g-corrupt", 100))).status()).isEqualTo(200);
    assertThat(post(first, civil, envelope(grant("g-corrupt", 100))).status()).isEqualTo(200);
    first.close();
    Path journal = journalWith("R ");
    String text = Files.readString(journal, StandardCharsets.US_ASCII);
    int at = text.indexOf("\nR ") + 3;
    char c = text.charAt(at);
    Files.writeString(journal, text.substring(0, at) + (c == 'a' ? 'b' : 'a') + text.substring(at + 1),
        StandardCharsets.US_ASCII);

    Throwable t = catchThrowable(this::startProvider);

    assertThat(t).isInstanceOf(ConfigException.class);
    assertThat(t.getMessage()).contains(journal.getFileName().toString()).contains("corrupt")
        .doesNotContain("\tat ");
  }

  Path lastJournal() throws Exception {
    try (Stream<Path> s = Files.list(stateDir())) {
      return s.filter(p -> p.getFileName().toString().startsWith("journal-")).sorted().reduce((a, b) -> b).orElseThrow();
    }
  }

  Path journalWith(String linePrefix) throws Exception {
    try (Stream<Path> s = Files.list(stateDir())) {
      for (Path p : s.filter(p -> p.getFileName().toString().startsWith("journal-")).sorted().toList()) {
        if (Files.readString(p, StandardCharsets.US_ASCII).contains("\n" + linePrefix)) {
          return p;
        }
      }
    }
    throw new AssertionError("no journal holds a line starting with " + linePrefix);
  }

  /** Posts fresh envelopes with {@code grant} until one gets {@code status} (a bundle reload takes effect). */
  Answer awaitStatus(Gateway provider, int status, String grant) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    Answer a = post(provider, civil, envelope(grant));
    while (a.status() != status && System.nanoTime() < deadline) {
      Thread.sleep(100);
      a = post(provider, civil, envelope(grant));
    }
    assertThat(a.status()).as(a.body()).isEqualTo(status);
    return a;
  }
}
