package io.shulian.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpHandler;
import io.shulian.core.envelope.EnvelopeHeader;
import io.shulian.core.keys.Suite;
import io.shulian.core.party.PartyId;
import io.shulian.gateway.authorize.ExchangePolicy;
import io.shulian.gateway.authorize.Verdict;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The data set push streams through both gateways (docs/return-flow.md "Push"): a receiving
 * backend sees an aborted request, never a complete one, when the envelope turns out invalid; a
 * slow receiving backend slows the app's upload (bounded buffers, the slowest receiver sets the
 * pace). The heap bound is {@link DatasetPushBoundedMemoryTest}.
 */
class DatasetPushStreamingTest {
  static final PartyId A = DatasetPushEndToEndTest.DISTRICT_A;
  static final PartyId B = DatasetPushEndToEndTest.DISTRICT_B;

  /** Permits the return flow to every receiver, without masking. */
  static final ExchangePolicy PLAIN = new ExchangePolicy() {
    @Override
    public Verdict decide(EnvelopeHeader request, String action, @Nullable String grantToken) {
      return Verdict.deny("NO_PULL", "this test only pushes", "v1");
    }

    @Override
    public Verdict decidePush(PartyId receiver, String resource, String purpose) {
      return new Verdict(true, List.of(), List.of("plain"), List.of(), "v1", UnaryOperator.identity());
    }
  };

  /** A delivery backend that reads the body as it comes, optionally stopping at a gate. */
  static final class Recording implements HttpHandler {
    final AtomicLong received = new AtomicLong();
    final AtomicInteger completed = new AtomicInteger();
    final AtomicInteger aborted = new AtomicInteger();
    volatile byte @Nullable [] digest;
    final @Nullable CountDownLatch gate;
    final long gateAt;

    Recording(@Nullable CountDownLatch gate, long gateAt) {
      this.gate = gate;
      this.gateAt = gateAt;
    }

    @Override
    public void handle(com.sun.net.httpserver.HttpExchange ex) throws IOException {
      try (InputStream in = ex.getRequestBody()) {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        byte[] b = new byte[65536];
        int n;
        while ((n = in.read(b)) >= 0) {
          md.update(b, 0, n);
          if (received.addAndGet(n) > gateAt && gate != null) {
            gate.await();
          }
        }
        digest = md.digest();
        completed.incrementAndGet();
        ex.sendResponseHeaders(204, -1);
      } catch (IOException e) {
        aborted.incrementAndGet(); // the request was cut off mid-body
      } catch (Exception e) {
        throw new IOException(e);
      } finally {
        ex.close();
      }
    }
  }

  final Map<PartyId, Recording> backends = new ConcurrentHashMap<>();
  /** With a state directory, the district's limit on a data set. */
  @Nullable Path stateDir;
  long districtMaxDataset = -1;
  /** District A's drain timeout, the province's backend timeout, when set. */
  @Nullable Duration drainA;
  @Nullable Duration provinceBackendTimeout;
  final DatasetPushEndToEndTest city = new DatasetPushEndToEndTest() {
    @Override
    HttpHandler backend(PartyId d) {
      Recording r = backends.get(d);
      return r != null ? r : super.backend(d);
    }

    @Override
    Gateway.Builder district(PartyId d, Gateway.Builder b) throws Exception {
      if (stateDir != null && d.equals(A)) {
        b.state(io.shulian.gateway.state.StateStore.builder(stateDir).open()).maxDatasetBytes(districtMaxDataset);
      }
      if (drainA != null && d.equals(A)) {
        b.drainTimeout(drainA);
      }
      return b;
    }

    @Override
    Gateway.Builder province(Gateway.Builder b) throws Exception {
      Duration t = provinceBackendTimeout;
      if (t != null) {
        b.limits(new io.shulian.gateway.inbound.Limits(16 << 20, 8192, 4096, Duration.ofSeconds(10),
            Duration.ofSeconds(30), t, 10_000));
      }
      return b;
    }
  };

  @AfterEach
  void tearDown() throws Exception {
    backends.values().forEach(r -> {
      if (r.gate != null) {
        r.gate.countDown();
      }
    });
    city.tearDown();
  }

  static void await(java.util.function.BooleanSupplier done) throws InterruptedException {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!done.getAsBoolean() && System.nanoTime() < until) {
      Thread.sleep(20);
    }
  }

  @Test
  void push_badSignature_backendGotThePlaintextButNeverACompleteRequest() throws Exception {
    Recording a = new Recording(null, Long.MAX_VALUE);
    backends.put(A, a);
    city.startCity(Suite.INTL);
    byte[] data = DatasetPushEndToEndTest.dataset(6000); // a dozen 64 KiB segments
    byte[] tampered = city.sealAsProvince(A, data);
    tampered[tampered.length - 1] ^= 0x01; // the signature over the whole stream

    HttpResponse<String> bad = city.postAsProvince(A, tampered);

    assertThat(bad.statusCode()).as(bad.body()).isEqualTo(400);
    await(() -> a.aborted.get() + a.completed.get() > 0);
    assertThat(a.received.get()).as("the plaintext was streamed to the backend as segments verified").isPositive();
    assertThat(a.aborted.get()).isEqualTo(1);
    assertThat(a.completed.get()).isZero();
    assertThat(city.districtAudit.get(A).events).singleElement().satisfies(e -> {
      assertThat(e.outcome).isNotEqualTo("OK");
      assertThat(e.transfer).isNotNull();
      assertThat(e.transfer.complete()).isFalse();
    });
  }

  @Test
  void push_tamperedMiddleSegment_backendNeverSeesACompleteRequest() throws Exception {
    Recording a = new Recording(null, Long.MAX_VALUE);
    backends.put(A, a);
    city.startCity(Suite.INTL);
    byte[] data = DatasetPushEndToEndTest.dataset(6000);
    byte[] tampered = city.sealAsProvince(A, data);
    tampered[tampered.length / 2] ^= 0x01;

    HttpResponse<String> bad = city.postAsProvince(A, tampered);

    assertThat(bad.statusCode()).as(bad.body()).isEqualTo(400);
    assertThat(bad.body()).doesNotContain("户");
    await(() -> a.aborted.get() + a.completed.get() > 0 || a.received.get() == 0);
    Thread.sleep(200); // a request that was started has ended (aborted) by now; none may complete
    assertThat(a.completed.get()).isZero();
    assertThat(a.received.get()).isLessThan(data.length);
    // intact, the same data goes through: the refusal was the tampering
    HttpResponse<String> good = city.postAsProvince(A, city.sealAsProvince(A, data));
    assertThat(good.statusCode()).as(good.body()).isEqualTo(200);
    await(() -> a.completed.get() > 0);
    assertThat(a.completed.get()).isEqualTo(1);
    assertThat(a.digest).isEqualTo(MessageDigest.getInstance("SHA-256").digest(data));
  }

  @Test
  void push_receiverWithStateDir_keepsItsDatasetLimit_largerPushFails(@org.junit.jupiter.api.io.TempDir Path tmp)
      throws Exception {
    // the replay-checking opener of a gateway with a state directory must bound a pushed stream as configured
    stateDir = tmp.resolve("state");
    districtMaxDataset = 100_000;
    Recording a = new Recording(null, Long.MAX_VALUE);
    backends.put(A, a);
    city.policy = PLAIN;
    city.startCity(Suite.INTL);
    Generated body = new Generated(200_000 / Generated.LINE.length);

    HttpResponse<String> r = pushStream(city.province, body, A).get(2, TimeUnit.MINUTES);

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode res = DatasetPushEndToEndTest.results(r).get(A.toString());
    assertThat(res.get("status").asText()).as(r.body()).isEqualTo("FAILED");
    await(() -> a.aborted.get() + a.completed.get() > 0 || a.received.get() == 0);
    assertThat(a.completed.get()).isZero();
  }

  /** A data set of {@code lines} identical records, generated as it is read; counts what was read. */
  static final class Generated extends InputStream {
    static final byte[] LINE = "{\"person\":\"户1\",\"idNumber\":\"440604199000010001\",\"pension\":1001}\n"
        .getBytes(StandardCharsets.UTF_8);
    final long total;
    final AtomicLong read = new AtomicLong();

    Generated(long lines) {
      this.total = lines * LINE.length;
    }

    @Override
    public int read() {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      long pos = read.get();
      if (pos >= total) {
        return -1;
      }
      int n = (int) Math.min(len, total - pos);
      for (int i = 0; i < n; i++) {
        b[off + i] = LINE[(int) ((pos + i) % LINE.length)];
      }
      read.addAndGet(n);
      return n;
    }

    static byte[] sha256(long lines) throws Exception {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      for (long i = 0; i < lines; i++) {
        md.update(LINE);
      }
      return md.digest();
    }
  }

  static CompletableFuture<HttpResponse<String>> pushStream(Gateway province, InputStream body, PartyId... to) {
    StringBuilder q = new StringBuilder();
    for (PartyId p : to) {
      q.append(q.length() == 0 ? "?" : "&").append("to=")
          .append(java.net.URLEncoder.encode(p.toString(), StandardCharsets.UTF_8));
    }
    HttpRequest r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + province.address("consumer").getPort()
            + "/dataset-push/" + DatasetPushEndToEndTest.RESOURCE + q))
        .header("X-Api-Key", DatasetPushEndToEndTest.API_KEY)
        .header("X-Shulian-Purpose", DatasetPushEndToEndTest.PURPOSE)
        .header("Content-Type", "application/jsonl")
        .timeout(Duration.ofMinutes(3))
        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> body))
        .build();
    return HttpClient.newHttpClient().sendAsync(r, HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void push_receiverGatewayStopsMidStream_senderDoesNotWaitForItsAnswerForEver_failedForIt_theOtherDelivered()
      throws Exception {
    long lines = (8L << 20) / Generated.LINE.length;
    CountDownLatch gate = new CountDownLatch(1);
    Recording slow = new Recording(gate, 1 << 20); // holds A's push in flight while its gateway stops
    Recording fast = new Recording(null, Long.MAX_VALUE);
    backends.put(A, slow);
    backends.put(B, fast);
    drainA = Duration.ofMillis(500);
    provinceBackendTimeout = Duration.ofSeconds(3);
    city.policy = PLAIN;
    city.startCity(Suite.INTL);
    Generated body = new Generated(lines);

    CompletableFuture<HttpResponse<String>> pushed = pushStream(city.province, body, A, B);
    await(() -> slow.received.get() > 1 << 20);
    city.districts.get(A).close(); // a restart: drains for 500 ms, then stops
    gate.countDown();
    HttpResponse<String> r = pushed.get(3, TimeUnit.MINUTES); // before: no answer, ever

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    Map<String, JsonNode> res = DatasetPushEndToEndTest.results(r);
    assertThat(res.get(A.toString()).get("status").asText()).as(r.body()).isEqualTo("FAILED");
    assertThat(res.get(A.toString()).get("code").asText()).isIn("RECEIVER_UNAVAILABLE", "RECEIVER_TIMEOUT");
    assertThat(res.get(B.toString()).get("status").asText()).as(r.body()).isEqualTo("DELIVERED");
    assertThat(slow.completed.get()).as("A's backend never sees a complete request").isZero();
  }

  @Test
  void push_slowBackend_slowsTheAppUpload_slowestReceiverSetsThePace_thenBothDelivered() throws Exception {
    long lines = (64L << 20) / Generated.LINE.length; // 64 MiB, four times the aggregated path's limit
    CountDownLatch gate = new CountDownLatch(1);
    Recording slow = new Recording(gate, 1 << 20);
    Recording fast = new Recording(null, Long.MAX_VALUE);
    backends.put(A, slow);
    backends.put(B, fast);
    city.policy = PLAIN;
    city.startCity(Suite.INTL);
    Generated body = new Generated(lines);

    CompletableFuture<HttpResponse<String>> pushed = pushStream(city.province, body, A, B);
    await(() -> slow.received.get() > 1 << 20);
    // the upload stops growing while the slow backend does not read: only buffers are filled
    long before;
    do {
      before = body.read.get();
      Thread.sleep(1000);
    } while (body.read.get() != before && !pushed.isDone());
    long stalledAt = body.read.get();
    long fastAt = fast.received.get();
    gate.countDown();
    HttpResponse<String> r = pushed.get(3, TimeUnit.MINUTES);

    assertThat(stalledAt).as("app bytes read while the slow backend waited").isLessThan(body.total / 2);
    assertThat(fastAt).as("the fast receiver waits for the slow one").isLessThan(body.total / 2);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    Map<String, JsonNode> res = DatasetPushEndToEndTest.results(r);
    String label = "sha256:" + Base64.getUrlEncoder().withoutPadding().encodeToString(Generated.sha256(lines));
    for (PartyId p : List.of(A, B)) {
      assertThat(res.get(p.toString()).get("status").asText()).as(r.body()).isEqualTo("DELIVERED");
      assertThat(res.get(p.toString()).get("bytes").asLong()).isEqualTo(body.total);
      assertThat(res.get(p.toString()).get("digest").asText()).isEqualTo(label);
    }
    assertThat(slow.completed.get()).isEqualTo(1);
    assertThat(fast.completed.get()).isEqualTo(1);
    assertThat(slow.digest).isEqualTo(Generated.sha256(lines));
  }
}
