package io.shulian.examples.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shulian.core.audit.AuditLogReader;
import io.shulian.core.audit.AuditRecord;
import io.shulian.core.audit.Direction;
import io.shulian.examples.demo.City.RunningGateway;
import io.shulian.examples.demo.Scenarios.Outcome;
import io.shulian.gateway.cli.DatasetDownload;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.URI;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * The return flow of a whole data set: the district office's app asks its consumer gateway for the
 * provincial pension extract ({@code GET /dataset/province.pension.extract/extract}); the province's
 * backend generates it as JSON Lines while it sends it, the province's gateway masks it record by
 * record and seals it segment by segment, the district's gateway verifies and decrypts it segment by
 * segment. The app checks every record (masked, no pension amount, in order), the SHA-256 of what
 * arrived against the verified trailer and the provider's audit record, and prints the throughput
 * and the heap the whole demo JVM ran under.
 */
final class DatasetScenario {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final City city;

  DatasetScenario(City city) {
    this.city = city;
  }

  Outcome run(String name) throws Exception {
    RunningGateway district = city.gateway("district-office");
    URI uri = URI.create(district.consumerUrl() + "/dataset/" + CityDocuments.PENSION_EXTRACT + "/extract?division=440604");
    Map<String, String> headers = Map.of("X-Api-Key", city.apiKeys.get("district-office"),
        "X-Shulian-Purpose", "grassroots-governance", "X-Shulian-Action", "return-flow");
    RecordChecker app = new RecordChecker();
    HeapSampler heap = new HeapSampler();
    long t0 = System.nanoTime();
    DatasetDownload.Result r;
    try (heap) {
      r = DatasetDownload.get(uri, headers, app, n -> {}, Duration.ofMinutes(2));
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    if (r.status() != 200) {
      return new Outcome(name, false, "expected 200, got " + r.status() + " "
          + Scenarios.truncate(new String(r.problem(), java.nio.charset.StandardCharsets.UTF_8)));
    }
    app.finish();
    byte[] digest = app.digest.digest();
    String label = "sha256:" + Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
    PensionExtract.Written generated = city.backends.lastExtract;
    @Nullable AuditRecord sent = lastResponse(city.gateway("province-pension"), Direction.RESPONSE_OUT);
    @Nullable AuditRecord received = lastResponse(district, Direction.RESPONSE_IN);

    List<String> problems = new ArrayList<>();
    check(problems, r.complete(), "no verified trailer");
    check(problems, label.equals(r.trailers().get(DatasetDownload.DIGEST_TRAILER)), "the trailer's digest "
        + r.trailers().get(DatasetDownload.DIGEST_TRAILER) + " is not the SHA-256 of what arrived " + label);
    check(problems, Long.toString(r.bytes()).equals(r.trailers().get(DatasetDownload.BYTES_TRAILER)),
        "the trailer's byte count differs from what arrived");
    check(problems, sent != null && Arrays.equals(sent.payloadDigest(), digest) && sent.payloadBytes() == r.bytes()
        && sent.transfer().map(t -> t.complete() && t.records() == app.records).orElse(false),
        "the provider's audit record does not state this digest, size and record count: " + sent);
    check(problems, received != null && Arrays.equals(received.payloadDigest(), digest),
        "the consumer's audit record does not state this digest");
    check(problems, app.records == generated.records(), app.records + " records arrived, the backend sent "
        + generated.records());
    check(problems, generated.bytes() >= city.extractBytes, "the backend generated only " + generated.bytes() + " bytes");
    problems.addAll(app.problems);
    if (!problems.isEmpty()) {
      return new Outcome(name, false, String.join("; ", problems));
    }
    return new Outcome(name, true, String.format(Locale.ROOT,
        "the provincial pension system streamed its extract (%s generated on the fly, %,d records of JSON Lines) to the"
            + " district office through both gateways in %.1f s: %.1f MB/s; every record masked on the way (ID numbers %s,"
            + " addresses %s, pension amounts dropped), %s delivered, its SHA-256 = the verified trailer's = both audit"
            + " records'; heap ceiling %d MiB (-Xmx), peak heap used %d MiB (whole demo JVM: hub, %d gateways,"
            + " backends, app)",
        mb(generated.bytes()), app.records, seconds, r.bytes() / 1e6 / seconds, app.sampleId, app.sampleAddress,
        mb(r.bytes()), Runtime.getRuntime().maxMemory() >> 20, heap.peak() >> 20, city.gateways.size()));
  }

  private static String mb(long bytes) {
    return String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
  }

  private static void check(List<String> problems, boolean ok, String problem) {
    if (!ok) {
      problems.add(problem);
    }
  }

  private static @Nullable AuditRecord lastResponse(RunningGateway g, Direction direction) throws Exception {
    AuditRecord[] last = {null};
    AuditLogReader.forEach(g.audit().directory(), e -> {
      if (e.record().direction() == direction && e.record().resource().equals(CityDocuments.PENSION_EXTRACT)) {
        last[0] = e.record();
      }
    });
    return last[0];
  }

  /**
   * What the district office's app does with the stream: hashes it and checks every record as it
   * arrives (one record held at a time): masked ID number and address, no pension amount, sequence
   * numbers 1, 2, 3, ...
   */
  static final class RecordChecker extends OutputStream {
    final MessageDigest digest;
    final List<String> problems = new ArrayList<>();
    long records;
    String sampleId = "";
    String sampleAddress = "";
    private byte[] line = new byte[4096];
    private int len;

    RecordChecker() throws NoSuchAlgorithmException {
      digest = MessageDigest.getInstance("SHA-256");
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int n) throws IOException {
      digest.update(b, off, n);
      int start = off;
      for (int i = off; i < off + n; i++) {
        if (b[i] == '\n') {
          append(b, start, i - start);
          record();
          start = i + 1;
        }
      }
      append(b, start, off + n - start);
    }

    private void append(byte[] b, int off, int n) {
      if (len + n > line.length) {
        line = Arrays.copyOf(line, Math.max(line.length * 2, len + n));
      }
      System.arraycopy(b, off, line, len, n);
      len += n;
    }

    private void record() throws IOException {
      records++;
      JsonNode r = JSON.readTree(line, 0, len);
      len = 0;
      String id = r.path("person").path("idNumber").asText();
      String address = r.path("person").path("address").asText();
      boolean ok = r.path("seq").asLong() == records && id.length() == 18 && id.substring(6, 14).equals("********")
          && address.endsWith("****") && !r.has("monthlyPension") && r.path("enrolled").isBoolean();
      if (!ok && problems.size() < 3) {
        problems.add("record " + records + " not masked as the rule requires: " + Scenarios.truncate(r.toString()));
      }
      if (records == 1) {
        sampleId = id;
        sampleAddress = "…" + address.substring(Math.max(0, address.length() - 8));
      }
    }

    void finish() {
      if (len > 0) {
        problems.add("the data set ends inside a record");
      }
    }
  }

  /** Samples the heap used every 10 ms while a transfer runs (MemoryMXBean), keeping the maximum. */
  private static final class HeapSampler implements AutoCloseable {
    private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    private final AtomicLong peak = new AtomicLong();
    private final Thread thread;
    private volatile boolean running = true;

    HeapSampler() {
      sample();
      thread = new Thread(() -> {
        while (running) {
          sample();
          try {
            Thread.sleep(10);
          } catch (InterruptedException e) {
            return;
          }
        }
      }, "demo-heap-sampler");
      thread.setDaemon(true);
      thread.start();
    }

    private void sample() {
      peak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
    }

    long peak() {
      return peak.get();
    }

    @Override
    public void close() throws InterruptedException {
      running = false;
      thread.interrupt();
      thread.join();
      sample();
    }
  }
}
