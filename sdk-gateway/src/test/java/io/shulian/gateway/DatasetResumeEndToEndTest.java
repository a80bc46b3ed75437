package io.shulian.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.shulian.core.envelope.EnvelopeSealer;
import io.shulian.core.envelope.SealRequest;
import io.shulian.core.keys.PartyCertificate;
import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.keys.Suite;
import io.shulian.core.trust.PinnedSenderTrust;
import io.shulian.gateway.audit.ExchangeEvent;
import io.shulian.gateway.authenticate.ApiKeys;
import io.shulian.gateway.authenticate.PinnedPeerVerifier;
import io.shulian.gateway.authorize.ExchangePolicy;
import io.shulian.gateway.authorize.Verdict;
import io.shulian.gateway.cli.DatasetDownload;
import io.shulian.gateway.seal.HttpPayload;
import io.shulian.gateway.seal.Route;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A data set transfer cut between the gateways resumes from the last complete segment
 * (docs/return-flow.md "Resume"): a TCP proxy between the consumer and the provider gateway drops
 * the connection after a seeded random number of bytes; the consumer gateway asks the provider for
 * the continuation of the same envelope until it is complete.
 */
class DatasetResumeEndToEndTest {
  static final String PURPOSE = DatasetStreamEndToEndTest.PURPOSE;

  final List<AutoCloseable> closeables = new ArrayList<>();
  final MemoryAuditor consumerAudit = new MemoryAuditor();
  final MemoryAuditor providerAudit = new MemoryAuditor();
  /** Byte counts (provider to consumer) after which the next proxied connections are dropped. */
  final ConcurrentLinkedQueue<Long> cuts = new ConcurrentLinkedQueue<>();
  final AtomicInteger connections = new AtomicInteger();
  /** Set when the proxy cuts: the policy denies from then on (a grant revoked mid-transfer). */
  volatile boolean denyAfterCut;
  volatile boolean cutHappened;
  /** When set, what the backend answers from its second request on (its data changed meanwhile). */
  volatile byte[] changedBody;
  final AtomicInteger backendRequests = new AtomicInteger();
  final DatasetStreamEndToEndTest data = new DatasetStreamEndToEndTest();
  PartyIdentity housing;
  PartyIdentity civil;
  Gateway provider;
  Gateway consumer;

  @AfterEach
  void tearDown() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
    data.tearDown();
  }

  /** Forwards to {@code port}; drops each connection after the next cut's byte count from the provider. */
  int cuttingProxy(int port) throws IOException {
    ServerSocket server = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
    closeables.add(server);
    Thread t = new Thread(() -> {
      while (!server.isClosed()) {
        try {
          Socket in = server.accept();
          Socket out = new Socket("127.0.0.1", port);
          connections.incrementAndGet();
          Long cut = cuts.poll();
          long limit = cut == null ? Long.MAX_VALUE : cut;
          pump(in, out, Long.MAX_VALUE);
          pump(out, in, limit);
        } catch (IOException e) {
          return;
        }
      }
    }, "cutting-proxy");
    t.setDaemon(true);
    t.start();
    return server.getLocalPort();
  }

  void pump(Socket from, Socket to, long limit) {
    Thread t = new Thread(() -> {
      byte[] buf = new byte[8192];
      long sent = 0;
      try (from; to) {
        InputStream i = from.getInputStream();
        OutputStream o = to.getOutputStream();
        for (int n; (n = i.read(buf)) != -1; ) {
          int k = (int) Math.min(n, limit - sent);
          o.write(buf, 0, k);
          o.flush();
          sent += k;
          if (sent >= limit) {
            cutHappened = true;
            return; // both sockets closed: the connection is dropped mid-stream
          }
        }
      } catch (IOException e) {
        // the other direction closed
      }
    }, "cutting-proxy-pump");
    t.setDaemon(true);
    t.start();
  }

  void startCity(Suite suite) throws Exception {
    System.setProperty("sun.net.httpserver.nodelay", "true");
    com.sun.net.httpserver.HttpServer backend =
        com.sun.net.httpserver.HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    backend.createContext("/api/housing", ex -> {
      ex.getResponseHeaders().set("Content-Type", "application/x-ndjson");
      ex.sendResponseHeaders(200, 0);
      byte[] changed = changedBody;
      try (OutputStream out = ex.getResponseBody()) {
        if (backendRequests.incrementAndGet() > 1 && changed != null) {
          out.write(changed);
        } else {
          data.writeDataset(out, data.backendRecords);
        }
      } catch (IOException e) {
        // the provider gateway went away (a cut transfer)
      }
    });
    java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newFixedThreadPool(4);
    backend.setExecutor(threads);
    backend.start();
    closeables.add(threads::shutdownNow);
    closeables.add(() -> backend.stop(0));
    housing = TestIdentities.create(suite, GatewayEndToEndTest.HOUSING);
    civil = TestIdentities.create(suite, GatewayEndToEndTest.CIVIL);
    List<PartyCertificate> all = new ArrayList<>(housing.certificates());
    all.addAll(civil.certificates());
    InetSocketAddress any = new InetSocketAddress("127.0.0.1", 0);
    ExchangePolicy permit = GatewayEndToEndTest.permitPurpose(PURPOSE);
    ExchangePolicy policy = (h, a, g) -> denyAfterCut && cutHappened
        ? Verdict.deny("GRANT_REVOKED", "grant revoked", "v2") : permit.decide(h, a, g);
    provider = Gateway.builder()
        .identity(housing)
        .senderTrust(PinnedSenderTrust.of(civil.certificates()))
        .peers(new PinnedPeerVerifier(all, Clock.systemUTC()))
        .auditor(providerAudit)
        .policy(policy)
        .backend("HOUSING-001", URI.create("http://127.0.0.1:" + backend.getAddress().getPort() + "/api/housing"),
            List.of(new io.shulian.core.catalog.Endpoint("GET", "/households", "export"),
                new io.shulian.core.catalog.Endpoint("GET", "/{name}")))
        .dataset("HOUSING-001", io.shulian.core.catalog.DatasetFormat.JSONL)
        .consumerCertificate(civil.encryptionCertificate())
        .providerListener(any)
        .adminListener(any)
        .eventLoops(2)
        .build().start();
    closeables.add(provider);
    int proxy = cuttingProxy(provider.address("provider").getPort());
    consumer = Gateway.builder()
        .identity(civil)
        .senderTrust(PinnedSenderTrust.of(housing.certificates()))
        .peers(new PinnedPeerVerifier(all, Clock.systemUTC()))
        .auditor(consumerAudit)
        .apiKeys(ApiKeys.of(Map.of("civil-portal", ApiKeys.hash(GatewayEndToEndTest.API_KEY))))
        .route(new Route("HOUSING-001", GatewayEndToEndTest.HOUSING, URI.create("https://127.0.0.1:" + proxy),
            housing.encryptionCertificate()))
        .consumerListener(any)
        .adminListener(any)
        .eventLoops(2)
        .build().start();
    closeables.add(consumer);
  }

  DatasetDownload.Result fetch(OutputStream out) throws IOException {
    return DatasetDownload.get(URI.create("http://127.0.0.1:" + consumer.address("consumer").getPort()
            + "/dataset/HOUSING-001/households"),
        Map.of("X-Api-Key", GatewayEndToEndTest.API_KEY, "X-Shulian-Purpose", PURPOSE), out, n -> {},
        Duration.ofSeconds(60));
  }

  /** Waits (up to 60 s: a loaded CI machine) until {@code a} holds {@code n} events; the caller checks them. */
  static void awaitEvents(MemoryAuditor a, int n) throws InterruptedException {
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
    while (a.events.size() < n && System.nanoTime() < deadline) {
      Thread.sleep(25);
    }
  }

  @ParameterizedTest(name = "{0} seed {1}")
  @CsvSource({"INTL,11", "INTL,12", "INTL,13", "GM,14", "GM,15"})
  void cutBetweenGatewaysAtRandomPoints_resumedUntilComplete_digestEqualsSource_auditShowsTheContinuations(
      Suite suite, long seed) throws Exception {
    data.backendRecords = 20_000; // about 2 MiB: some 30 segments
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    data.writeDataset(expected, data.backendRecords);
    Random rnd = new Random(seed);
    int cutCount = 2 + rnd.nextInt(3);
    // the first cut after the response head and the first segment (before them it is an ordinary refusal)
    cuts.add(80_000L + rnd.nextInt(expected.size() / 2));
    for (int i = 1; i < cutCount; i++) {
      cuts.add(1L + rnd.nextInt(expected.size() / 2));
    }
    startCity(suite);
    ByteArrayOutputStream got = new ByteArrayOutputStream();

    DatasetDownload.Result r = fetch(got);

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.complete()).isTrue();
    assertThat(DatasetStreamEndToEndTest.sha256(got.toByteArray()))
        .isEqualTo(DatasetStreamEndToEndTest.sha256(expected.toByteArray()));
    assertThat(connections.get()).isGreaterThan(1);
    ExchangeEvent c = DatasetStreamEndToEndTest.only(consumerAudit);
    assertThat(c.outcome).isEqualTo("OK");
    assertThat(c.reasons).containsExactly("RESUMED");
    assertThat(c.transfer.complete()).isTrue();
    assertThat(c.responseBytes).isEqualTo(expected.size());
    awaitEvents(providerAudit, connections.get());
    List<ExchangeEvent> p = List.copyOf(providerAudit.events);
    // the original transfer, interrupted; continuations, each audited as one; the last complete
    assertThat(p.get(0).outcome).isEqualTo("STREAM_INTERRUPTED");
    assertThat(p.get(0).reasons).contains("STREAM_INTERRUPTED").doesNotContain("CONTINUATION");
    assertThat(p.subList(1, p.size())).allSatisfy(e -> assertThat(e.reasons).contains("CONTINUATION"));
    ExchangeEvent last = p.get(p.size() - 1);
    assertThat(last.outcome).isEqualTo("OK");
    assertThat(last.transfer.complete()).isTrue();
    assertThat(last.responseDigest).isEqualTo(c.responseDigest);
    assertThat(last.transfer.segments()).isEqualTo(c.transfer.segments());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"INTL", "GM"})
  void backendDataChangedBeforeTheContinuation_refusedAsResumeDataChanged_nothingOfAChangedSegmentReleased(
      Suite suite) throws Exception {
    data.backendRecords = 20_000;
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    data.writeDataset(expected, data.backendRecords);
    byte[] original = expected.toByteArray();
    long cut = 300_000;
    cuts.add(cut);
    // from a little before the cut on, every digit differs: the segment the consumer stopped in, and
    // any the provider sealed beyond it, change (those before it need not: they are checked, not sent)
    byte[] changed = original.clone();
    for (int i = (int) cut - 4_000; i < changed.length; i++) {
      if (changed[i] >= '0' && changed[i] <= '8') {
        changed[i]++;
      }
    }
    changedBody = changed;
    startCity(suite);
    ByteArrayOutputStream got = new ByteArrayOutputStream();

    DatasetDownload.Result r = fetch(got);

    assertThat(r.complete()).isFalse();
    byte[] released = got.toByteArray();
    assertThat(released.length).isLessThan(original.length);
    // only verified plaintext of the original data: not one byte of a segment sealed again differently
    assertThat(Arrays.copyOf(original, released.length)).isEqualTo(released);
    assertThat(backendRequests.get()).isGreaterThan(1);
    awaitEvents(providerAudit, 2);
    List<ExchangeEvent> p = List.copyOf(providerAudit.events);
    assertThat(p.subList(1, p.size())).isNotEmpty().allSatisfy(e -> {
      assertThat(e.outcome).isEqualTo("STREAM_INTERRUPTED");
      assertThat(e.reasons).contains("RESUME_DATA_CHANGED", "CONTINUATION");
      assertThat(e.transfer.complete()).isFalse();
    });
  }

  @Test
  void appSendsItsOwnResumeHeader_consumerGatewayDropsIt_wholeTransferServedNotAContinuation() throws Exception {
    data.backendRecords = 2_000;
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    data.writeDataset(expected, data.backendRecords);
    startCity(Suite.INTL);
    ByteArrayOutputStream got = new ByteArrayOutputStream();

    // only the consumer gateway may ask for a continuation: an app's header naming some envelope and
    // a later segment must not reach the provider (it would skip the first segments)
    DatasetDownload.Result r = DatasetDownload.get(URI.create("http://127.0.0.1:" + consumer.address("consumer").getPort()
            + "/dataset/HOUSING-001/households"),
        Map.of("X-Api-Key", GatewayEndToEndTest.API_KEY, "X-Shulian-Purpose", PURPOSE,
            "X-Shulian-Resume", java.util.UUID.randomUUID() + ";from=3"), got, n -> {}, Duration.ofSeconds(60));

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.complete()).isTrue();
    assertThat(DatasetStreamEndToEndTest.sha256(got.toByteArray()))
        .isEqualTo(DatasetStreamEndToEndTest.sha256(expected.toByteArray()));
    awaitEvents(providerAudit, 1);
    assertThat(providerAudit.events).hasSize(1);
    assertThat(providerAudit.events.get(0).outcome).isEqualTo("OK");
    assertThat(providerAudit.events.get(0).reasons).doesNotContain("CONTINUATION");
  }

  @Test
  void grantRevokedBeforeTheContinuation_refusedAndAudited_appGetsNoCompleteStream() throws Exception {
    data.backendRecords = 20_000;
    denyAfterCut = true;
    cuts.add(200_000L);
    startCity(Suite.INTL);
    ByteArrayOutputStream got = new ByteArrayOutputStream();

    DatasetDownload.Result r = fetch(got);

    assertThat(r.complete()).isFalse();
    awaitEvents(consumerAudit, 1);
    ExchangeEvent c = DatasetStreamEndToEndTest.only(consumerAudit);
    assertThat(c.outcome).isEqualTo("STREAM_INTERRUPTED");
    assertThat(c.reasons).containsExactly("STREAM_INTERRUPTED", "RESUME_DENIED", "RESUMED");
    awaitEvents(providerAudit, 2);
    assertThat(providerAudit.events).hasSize(2);
    ExchangeEvent denied = providerAudit.events.get(1);
    assertThat(denied.status).isEqualTo(403);
    assertThat(denied.reasons).contains("CONTINUATION", "GRANT_REVOKED");
  }

  /** Posts a continuation request sealed by the consumer's identity straight to the provider gateway. */
  String askContinuation(String path, String resume) throws Exception {
    EnvelopeSealer sealer = EnvelopeSealer.builder(civil).build();
    SealRequest req = SealRequest.builder().recipient(housing.encryptionCertificate()).resource("HOUSING-001")
        .purpose(PURPOSE).contentType(HttpPayload.MEDIA_TYPE).build();
    byte[] env = sealer.seal(req, HttpPayload.request("GET", path, List.of(Map.entry("x-shulian-resume", resume)),
        new byte[0]).encode()).toByteArray();
    try (SSLSocket s = GatewayEdgeTest.tlsTo(provider.address("provider").getPort(), civil)) {
      OutputStream out = s.getOutputStream();
      out.write(("POST /shulian/v1/exchange HTTP/1.1\r\nHost: x\r\nContent-Type: application/jose\r\n"
          + "Accept: application/shulian-framed\r\nConnection: close\r\nContent-Length: " + env.length + "\r\n\r\n")
          .getBytes(StandardCharsets.ISO_8859_1));
      out.write(env);
      out.flush();
      byte[] head = s.getInputStream().readNBytes(4096);
      return new String(head, StandardCharsets.ISO_8859_1);
    }
  }

  @Test
  void continuationOfAnotherEnvelope_aTamperedRange_orAnotherRequest_refusedWith409AndAudited() throws Exception {
    data.backendRecords = 2_000;
    startCity(Suite.INTL);
    DatasetDownload.Result done = fetch(new ByteArrayOutputStream());
    assertThat(done.complete()).isTrue();
    String id = done.headers().get("x-shulian-envelope-id");
    assertThat(id).isNotNull();

    String unknown = askContinuation("/households", UUID.randomUUID() + ";from=1");
    String range = askContinuation("/households", id + ";from=99999");
    String other = askContinuation("/other", id + ";from=1");
    String malformed = askContinuation("/households", id + ";from=-1");

    assertThat(unknown).startsWith("HTTP/1.1 409").contains("RESUME_REFUSED").contains("UNKNOWN_TRANSFER");
    assertThat(range).startsWith("HTTP/1.1 409").contains("RANGE_INVALID");
    assertThat(other).startsWith("HTTP/1.1 409").contains("TRANSFER_MISMATCH");
    assertThat(malformed).startsWith("HTTP/1.1 409").contains("RANGE_INVALID");
    awaitEvents(providerAudit, 5);
    List<ExchangeEvent> refused = providerAudit.events.subList(1, providerAudit.events.size());
    assertThat(refused).hasSize(4).allSatisfy(e -> {
      assertThat(e.status).isEqualTo(409);
      assertThat(e.outcome).isEqualTo("RESUME_REFUSED");
      assertThat(e.reasons).contains("CONTINUATION");
    });
    assertThat(refused.get(0).reasons).contains("UNKNOWN_TRANSFER");
    assertThat(refused.get(2).reasons).contains("TRANSFER_MISMATCH");
  }
}
