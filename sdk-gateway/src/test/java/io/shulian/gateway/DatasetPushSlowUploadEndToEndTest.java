package io.shulian.gateway;

import static io.shulian.gateway.DatasetPushAttackEndToEndTest.JSONL;
import static io.shulian.gateway.DatasetPushEndToEndTest.API_KEY;
import static io.shulian.gateway.DatasetPushEndToEndTest.DISTRICT_A;
import static io.shulian.gateway.DatasetPushEndToEndTest.PROVINCE;
import static io.shulian.gateway.DatasetPushEndToEndTest.PURPOSE;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.shulian.core.keys.PartyCertificate;
import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.keys.Suite;
import io.shulian.core.party.PartyId;
import io.shulian.core.trust.PinnedSenderTrust;
import io.shulian.gateway.audit.ExchangeEvent;
import io.shulian.gateway.authenticate.ApiKeys;
import io.shulian.gateway.authenticate.GatewayTls;
import io.shulian.gateway.authenticate.PinnedPeerVerifier;
import io.shulian.gateway.inbound.Limits;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Slowloris against data set push (docs/return-flow.md "Slow uploads"), on real gateways on
 * loopback with short progress windows (32 KiB per 5 s of waiting, 2 s on the sending gateway): a sender that trickles its
 * envelope (a byte every 200 ms) or stalls mid-segment, and an app that trickles its upload, are
 * cut off with a typed problem once a window of waiting brought too little; the receiving backend
 * sees an aborted request (never a complete one), the transfer is audited as interrupted and counted.
 * Without the rule (the old per-piece deadline) every trickled byte restarted the timer and the
 * connections, the backend request and the state stayed open for ever.
 */
class DatasetPushSlowUploadEndToEndTest {
  /** The receiving gateway's window; the sending gateway's is shorter, so that it is the one to cut a slow app off. */
  static final Duration RECEIVER_WINDOW = Duration.ofSeconds(5);
  static final Duration SENDER_WINDOW = Duration.ofSeconds(2);
  static final int MIN_BYTES = 32 * 1024;

  final List<AutoCloseable> closeables = new ArrayList<>();
  final Map<PartyId, PartyIdentity> ids = new java.util.concurrent.ConcurrentHashMap<>();
  final List<PartyCertificate> all = new ArrayList<>();
  final MemoryAuditor provinceAudit = new MemoryAuditor();
  final MemoryAuditor districtAudit = new MemoryAuditor();
  final List<byte[]> delivered = new CopyOnWriteArrayList<>();
  /** Backend requests that began and then broke off (the body read failed). */
  final AtomicInteger aborted = new AtomicInteger();
  Gateway province;
  Gateway districtA;

  @BeforeEach
  void startCity() throws Exception {
    for (PartyId p : List.of(PROVINCE, DISTRICT_A)) {
      PartyIdentity id = TestIdentities.create(Suite.INTL, p);
      ids.put(p, id);
      all.addAll(id.certificates());
    }
    InetSocketAddress any = new InetSocketAddress("127.0.0.1", 0);
    HttpServer backend = HttpServer.create(any, 0);
    backend.createContext("/incoming", ex -> {
      try {
        delivered.add(ex.getRequestBody().readAllBytes());
        ex.sendResponseHeaders(204, -1);
      } catch (IOException e) {
        aborted.incrementAndGet();
      }
      ex.close();
    });
    backend.start();
    closeables.add(() -> backend.stop(0));
    districtA = Gateway.builder()
        .identity(ids.get(DISTRICT_A))
        .senderTrust(PinnedSenderTrust.of(all))
        .peers(new PinnedPeerVerifier(all, Clock.systemUTC()))
        .auditor(districtAudit)
        .policy(DatasetPushAttackEndToEndTest.policy())
        .pushDelivery(JSONL, URI.create("http://127.0.0.1:" + backend.getAddress().getPort() + "/incoming"))
        .limits(Limits.defaults().withPushProgress(RECEIVER_WINDOW, MIN_BYTES))
        .providerListener(any)
        .adminListener(any)
        .eventLoops(1)
        .build().start();
    closeables.add(districtA);
    province = Gateway.builder()
        .identity(ids.get(PROVINCE))
        .senderTrust(PinnedSenderTrust.of(all))
        .peers(new PinnedPeerVerifier(all, Clock.systemUTC()))
        .auditor(provinceAudit)
        .policy(DatasetPushAttackEndToEndTest.policy())
        .apiKeys(ApiKeys.of(Map.of("pension-system", ApiKeys.hash(API_KEY))))
        .backend(JSONL, URI.create("http://127.0.0.1:9/unused"))
        .consumerCertificate(ids.get(DISTRICT_A).encryptionCertificate())
        .pushReceiver(DISTRICT_A, URI.create("https://127.0.0.1:" + districtA.address("provider").getPort()))
        .limits(Limits.defaults().withPushProgress(SENDER_WINDOW, MIN_BYTES))
        .consumerListener(any)
        .adminListener(any)
        .eventLoops(1)
        .build().start();
    closeables.add(province);
  }

  @AfterEach
  void tearDown() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
  }

  /** A framed envelope of some 280 KiB (several segments) sealed by the province for district A. */
  byte[] envelope() throws Exception {
    return DatasetPushAttackEndToEndTest.seal(ids.get(PROVINCE), ids.get(DISTRICT_A).encryptionCertificate(), JSONL,
        DatasetPushEndToEndTest.dataset(4000));
  }

  /**
   * Sends {@code head} and the first {@code fast} bytes of {@code body} at once, then the rest a byte
   * every 200 ms ({@code trickle}) or nothing ({@code !trickle}), on a thread of its own; returns what
   * the gateway answered until it closed the connection.
   */
  static String slowUpload(Socket s, String head, byte[] body, int fast, boolean trickle) throws Exception {
    s.setSoTimeout((int) TimeUnit.SECONDS.toMillis(90)); // far beyond the window: the old code never answers
    OutputStream o = s.getOutputStream();
    o.write(head.getBytes(StandardCharsets.US_ASCII));
    o.write(body, 0, fast);
    o.flush();
    Thread sender = new Thread(() -> {
      try {
        for (int i = fast; trickle && i < body.length; i++) {
          Thread.sleep(200);
          o.write(body[i]);
          o.flush();
        }
      } catch (IOException | InterruptedException e) {
        // the gateway hung up: the point
      }
    });
    sender.setDaemon(true);
    sender.start();
    ByteArrayOutputStream answer = new ByteArrayOutputStream();
    InputStream in = s.getInputStream();
    byte[] buf = new byte[4096];
    try {
      for (int n; (n = in.read(buf)) > 0; ) {
        answer.write(buf, 0, n);
      }
    } catch (java.net.SocketException e) {
      // a reset after the answer: the answer is what counts
    }
    sender.interrupt();
    return answer.toString(StandardCharsets.UTF_8);
  }

  static void await(java.util.function.BooleanSupplier done) throws InterruptedException {
    DatasetPushStreamingTest.await(done);
  }

  String metrics(Gateway gw) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
        + gw.address("admin").getPort() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
  }

  @Test
  void receiver_senderTricklesOrStallsMidSegment_cutOff408SenderTooSlow_backendAborted_auditedInterrupted()
      throws Exception {
    byte[] env = envelope();
    int fast = 80 * 1024; // the preamble and the whole first segment (the backend is opened), part of the second
    String head = "POST /shulian/v1/dataset-push HTTP/1.1\r\nHost: a\r\nContent-Type: application/shulian-framed\r\n"
        + "Content-Length: " + env.length + "\r\n\r\n";
    javax.net.ssl.SSLSocketFactory tls = GatewayTls.jdkClient(ids.get(PROVINCE),
        new PinnedPeerVerifier(all, Clock.systemUTC())).getSocketFactory();
    int port = districtA.address("provider").getPort();
    String[] answers = new String[2];
    Thread stalled = new Thread(() -> {
      try (Socket s = tls.createSocket("127.0.0.1", port)) {
        answers[1] = slowUpload(s, head, env, fast, false);
      } catch (Exception e) {
        answers[1] = e.toString();
      }
    });
    stalled.start();
    try (Socket s = tls.createSocket("127.0.0.1", port)) {
      answers[0] = slowUpload(s, head, env, fast, true);
    }
    stalled.join(TimeUnit.SECONDS.toMillis(120));

    for (String a : answers) {
      assertThat(a).startsWith("HTTP/1.1 408").contains("\"SENDER_TOO_SLOW\"");
    }
    await(() -> aborted.get() == 2 && districtAudit.events.size() == 2);
    assertThat(aborted).as("the backend saw two requests break off").hasValue(2);
    assertThat(delivered).isEmpty();
    assertThat(districtAudit.events).hasSize(2).allSatisfy(e -> {
      assertThat(e.outcome).isEqualTo("SENDER_TOO_SLOW");
      assertThat(e.status).isEqualTo(408);
      assertThat(e.reasons).contains("PUSH", "SENDER_TOO_SLOW");
      assertThat(e.transfer).isNotNull();
      assertThat(e.transfer.complete()).isFalse();
      assertThat(e.transfer.segments()).isPositive(); // the first segment was authenticated and delivered
      assertThat(e.payloadBytes).isPositive().isLessThan(DatasetPushEndToEndTest.dataset(4000).length);
    });
    assertThat(metrics(districtA)).containsPattern("shulian_exchanges_total\\{[^}]*outcome=\"sender_too_slow\"[^}]*\\} 2\\.0");
  }

  @Test
  void sender_appTricklesItsUpload_cutOffAppTooSlow_receiverGetsNoCompleteStream_audited() throws Exception {
    byte[] body = DatasetPushEndToEndTest.dataset(3000);
    int fast = 40 * 1024; // enough for the first window, less than a segment
    String head = "POST /dataset-push/" + JSONL + "?to=" + URLEncoder.encode(DISTRICT_A.toString(), StandardCharsets.UTF_8)
        + " HTTP/1.1\r\nHost: p\r\nX-Api-Key: " + API_KEY + "\r\nX-Shulian-Purpose: " + PURPOSE
        + "\r\nContent-Type: application/jsonl\r\nContent-Length: " + body.length + "\r\n\r\n";

    String answer;
    try (Socket s = new Socket("127.0.0.1", province.address("consumer").getPort())) {
      answer = slowUpload(s, head, body, fast, true);
    }

    assertThat(answer).as("an app cut off mid-body gets no answer").isEmpty();
    await(() -> provinceAudit.events.size() == 1);
    ExchangeEvent e = provinceAudit.events.get(0);
    assertThat(e.receiver).isEqualTo(DISTRICT_A.toString());
    assertThat(e.outcome).isEqualTo("APP_TOO_SLOW");
    assertThat(e.transfer).isNotNull();
    assertThat(e.transfer.complete()).isFalse();
    await(() -> !districtAudit.events.isEmpty());
    assertThat(districtAudit.events).allSatisfy(d -> assertThat(d.transfer == null || !d.transfer.complete()).isTrue());
    assertThat(delivered).isEmpty();
    assertThat(Arrays.asList(metrics(province).split("\n")))
        .anyMatch(l -> l.startsWith("shulian_exchanges_total{") && l.contains("outcome=\"app_too_slow\""));
  }
}
