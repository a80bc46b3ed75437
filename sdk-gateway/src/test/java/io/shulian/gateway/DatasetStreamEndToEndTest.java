package io.shulian.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.shulian.core.catalog.DatasetFormat;
import io.shulian.core.keys.PartyCertificate;
import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.keys.Suite;
import io.shulian.core.trust.PinnedSenderTrust;
import io.shulian.gateway.audit.ExchangeEvent;
import io.shulian.gateway.authenticate.ApiKeys;
import io.shulian.gateway.authenticate.PinnedPeerVerifier;
import io.shulian.gateway.authorize.ExchangePolicy;
import io.shulian.gateway.authorize.UnmaskableResponseException;
import io.shulian.gateway.authorize.Verdict;
import io.shulian.gateway.cli.DatasetDownload;
import io.shulian.gateway.seal.Route;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Data sets streamed through two real gateways (docs/return-flow.md): a backend that writes JSON
 * Lines or CSV as it generates them, the provider gateway masking record by record and sealing
 * segment by segment, the consumer gateway opening and streaming to an app that reads the trailer.
 */
class DatasetStreamEndToEndTest {
  static final String API_KEY = GatewayEndToEndTest.API_KEY;
  static final String PURPOSE = "social-assistance-review";

  final List<AutoCloseable> closeables = new ArrayList<>();
  final MemoryAuditor consumerAudit = new MemoryAuditor();
  final MemoryAuditor providerAudit = new MemoryAuditor();
  /** Records the backend writes, the record at which it cuts the connection off (-1: never). */
  volatile int backendRecords = 1000;
  volatile int backendCutAt = -1;
  volatile String backendType = "application/x-ndjson";
  volatile DatasetFormat format = DatasetFormat.JSONL;
  Gateway provider;
  Gateway consumer;
  /** When set, the provider writes a real audit log here instead of {@link #providerAudit}. */
  java.nio.file.Path providerLog;

  @AfterEach
  void tearDown() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
  }

  /** Record {@code i} of the generated data set: an id number, a phone, and some padding. */
  static String record(int i, DatasetFormat f) {
    String id = String.format("440604%08d%04d", 19900000 + (i % 100000), i % 10000);
    if (f == DatasetFormat.CSV) {
      return "\"户" + i + "\"," + id + ",1380013" + String.format("%04d", i % 10000) + ",\"note, with comma " + i + "\"\r\n";
    }
    return "{\"household\":\"户" + i + "\",\"idNumber\":\"" + id + "\",\"phone\":\"1380013"
        + String.format("%04d", i % 10000) + "\",\"note\":\"" + "x".repeat(i % 50) + "\"}\n";
  }

  static final String CSV_HEADER = "household,idNumber,phone,note\r\n";

  /** Writes the data set the backend would send, to {@code out} (also used to compute the expected digest). */
  void writeDataset(OutputStream out, int records) throws IOException {
    if (format == DatasetFormat.CSV) {
      out.write(CSV_HEADER.getBytes(StandardCharsets.UTF_8));
    }
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < records; i++) {
      b.append(record(i, format));
      if (b.length() > 32768 || i == records - 1) {
        out.write(b.toString().getBytes(StandardCharsets.UTF_8));
        b.setLength(0);
      }
    }
  }

  void startCity(Suite suite, ExchangePolicy policy) throws Exception {
    System.setProperty("sun.net.httpserver.nodelay", "true");
    HttpServer backend = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    backend.createContext("/api/housing", ex -> {
      ex.getResponseHeaders().set("Content-Type", backendType);
      int cut = backendCutAt;
      if (cut >= 0) {
        // announce more than is sent, then close: the body is cut off
        ex.sendResponseHeaders(200, 1L << 40);
        try {
          writeDataset(ex.getResponseBody(), cut);
          ex.getResponseBody().flush();
        } finally {
          ex.getHttpContext().getServer(); // keep the handler simple: closing the exchange ends the connection
          ex.close();
        }
        return;
      }
      ex.sendResponseHeaders(200, 0); // chunked: generated as it is sent
      try (OutputStream out = ex.getResponseBody()) {
        writeDataset(out, backendRecords);
      }
    });
    java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newFixedThreadPool(4);
    backend.setExecutor(threads);
    backend.start();
    closeables.add(threads::shutdownNow);
    closeables.add(() -> backend.stop(0));

    PartyIdentity housing = TestIdentities.create(suite, GatewayEndToEndTest.HOUSING);
    PartyIdentity civil = TestIdentities.create(suite, GatewayEndToEndTest.CIVIL);
    List<PartyCertificate> all = new ArrayList<>(housing.certificates());
    all.addAll(civil.certificates());
    InetSocketAddress any = new InetSocketAddress("127.0.0.1", 0);
    provider = Gateway.builder()
        .identity(housing)
        .senderTrust(PinnedSenderTrust.of(civil.certificates()))
        .peers(new PinnedPeerVerifier(all, Clock.systemUTC()))
        .auditor(providerLog == null ? providerAudit
            : new io.shulian.gateway.audit.AuditLogAuditor(io.shulian.core.audit.AuditLog.builder(providerLog, housing).open()))
        .policy(policy)
        .backend("HOUSING-001", URI.create("http://127.0.0.1:" + backend.getAddress().getPort() + "/api/housing"),
            List.of(new io.shulian.core.catalog.Endpoint("GET", "/households", "export"),
                new io.shulian.core.catalog.Endpoint("GET", "/{name}")))
        .dataset("HOUSING-001", format)
        .consumerCertificate(civil.encryptionCertificate())
        .providerListener(any)
        .adminListener(any)
        .eventLoops(2)
        .build().start();
    closeables.add(provider);
    consumer = Gateway.builder()
        .identity(civil)
        .senderTrust(PinnedSenderTrust.of(housing.certificates()))
        .peers(new PinnedPeerVerifier(all, Clock.systemUTC()))
        .auditor(consumerAudit)
        .apiKeys(ApiKeys.of(Map.of("civil-portal", ApiKeys.hash(API_KEY))))
        .route(new Route("HOUSING-001", GatewayEndToEndTest.HOUSING,
            URI.create("https://127.0.0.1:" + provider.address("provider").getPort()), housing.encryptionCertificate()))
        .consumerListener(any)
        .adminListener(any)
        .eventLoops(2)
        .build().start();
    closeables.add(consumer);
  }

  DatasetDownload.Result fetch(String path, OutputStream out) throws IOException {
    return DatasetDownload.get(URI.create("http://127.0.0.1:" + consumer.address("consumer").getPort() + path),
        Map.of("X-Api-Key", API_KEY, "X-Shulian-Purpose", PURPOSE), out, n -> {}, Duration.ofSeconds(60));
  }

  static ExchangePolicy permit() {
    return GatewayEndToEndTest.permitPurpose(PURPOSE);
  }

  /** Masks every id number to its first 6 and last 4 digits, as a per-record JSON filter. */
  static ExchangePolicy masking(UnaryOperator<String> extra) {
    return (h, a, gr) -> new Verdict(true, List.of(), List.of("mask-id"), List.of("mask:idNumber"), "v1", body -> {
      String s = extra.apply(new String(body, StandardCharsets.UTF_8));
      return s.replaceAll("(\"?440604)(\\d{8})(\\d{4})", "$1********$3").getBytes(StandardCharsets.UTF_8);
    });
  }

  static byte[] sha256(byte[] b) throws Exception {
    return MessageDigest.getInstance("SHA-256").digest(b);
  }

  static ExchangeEvent only(MemoryAuditor a) {
    assertThat(a.events).hasSize(1);
    return a.events.get(0);
  }

  @ParameterizedTest
  @EnumSource(Suite.class)
  void dataset_jsonl_streamsThroughBothGateways_identicalWithVerifiedTrailer(Suite suite) throws Exception {
    backendRecords = 30_000; // about 3 MiB: many segments
    startCity(suite, permit());
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    writeDataset(expected, backendRecords);
    ByteArrayOutputStream got = new ByteArrayOutputStream();

    DatasetDownload.Result r = fetch("/dataset/HOUSING-001/households", got);

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.complete()).isTrue();
    assertThat(r.headers().get("content-type")).isEqualTo("application/jsonl");
    assertThat(got.toByteArray()).isEqualTo(expected.toByteArray());
    assertThat(r.trailers().get(DatasetDownload.BYTES_TRAILER)).isEqualTo(Long.toString(expected.size()));
    ExchangeEvent p = only(providerAudit);
    assertThat(p.outcome).isEqualTo("OK");
    assertThat(p.transfer).isNotNull();
    assertThat(p.transfer.records()).isEqualTo(backendRecords);
    assertThat(p.transfer.segments()).isGreaterThan(expected.size() / 65536);
    assertThat(p.transfer.complete()).isTrue();
    assertThat(p.responseBytes).isEqualTo(expected.size());
    ExchangeEvent c = only(consumerAudit);
    assertThat(c.outcome).isEqualTo("OK");
    assertThat(c.responseBytes).isEqualTo(expected.size());
    assertThat(c.responseDigest).isEqualTo(p.responseDigest);
    assertThat(c.transfer.segments()).isEqualTo(p.transfer.segments());
    if (suite == Suite.INTL) {
      assertThat(p.responseDigest).isEqualTo(sha256(expected.toByteArray()));
    }
  }

  @Test
  void dataset_maskingObligation_appliedToEveryRecord() throws Exception {
    backendRecords = 5_000;
    startCity(Suite.INTL, masking(s -> s));
    ByteArrayOutputStream got = new ByteArrayOutputStream();

    DatasetDownload.Result r = fetch("/dataset/HOUSING-001/households", got);

    assertThat(r.complete()).isTrue();
    String[] lines = got.toString(StandardCharsets.UTF_8).split("\n");
    assertThat(lines).hasSize(backendRecords);
    for (String l : lines) {
      assertThat(l).matches(".*\"idNumber\":\"440604\\*{8}\\d{4}\".*");
    }
    assertThat(only(providerAudit).obligations).containsExactly("mask:idNumber");
    assertThat(only(providerAudit).transfer.records()).isEqualTo(backendRecords);
  }

  @Test
  void dataset_csvUnderMasking_maskedRowByRowInHeaderOrder() throws Exception {
    format = DatasetFormat.CSV;
    backendType = "text/csv; charset=utf-8";
    backendRecords = 3_000;
    startCity(Suite.GM, masking(s -> s));
    ByteArrayOutputStream got = new ByteArrayOutputStream();

    DatasetDownload.Result r = fetch("/dataset/HOUSING-001/households", got);

    assertThat(r.complete()).isTrue();
    assertThat(r.headers().get("content-type")).isEqualTo("text/csv");
    String[] rows = got.toString(StandardCharsets.UTF_8).split("\r\n");
    assertThat(rows[0]).isEqualTo("household,idNumber,phone,note");
    assertThat(rows).hasSize(backendRecords + 1);
    assertThat(rows[8]).isEqualTo("户7,440604********0007,13800130007,\"note, with comma 7\"");
    assertThat(got.toString(StandardCharsets.UTF_8)).doesNotContain("4406041990000");
  }

  @Test
  void dataset_recordCannotBeMaskedMidStream_cutOffWithoutTrailerAndAuditedInterrupted() throws Exception {
    backendRecords = 20_000;
    startCity(Suite.INTL, masking(s -> {
      if (s.contains("\"户12345\"")) {
        throw new UnmaskableResponseException("NOT_AN_OBJECT", "test");
      }
      return s;
    }));
    ByteArrayOutputStream got = new ByteArrayOutputStream();

    DatasetDownload.Result r = fetch("/dataset/HOUSING-001/households", got);

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.complete()).isFalse();
    assertThat(r.trailers()).isEmpty();
    assertThat(got.toString(StandardCharsets.UTF_8)).doesNotContain("户12345\"").doesNotContain("4406041990");
    awaitEvents(providerAudit, 1);
    ExchangeEvent p = providerAudit.events.get(0);
    assertThat(p.outcome).isEqualTo("STREAM_INTERRUPTED");
    assertThat(p.reasons).containsExactly("STREAM_INTERRUPTED", "NOT_AN_OBJECT");
    assertThat(p.transfer.complete()).isFalse();
    assertThat(p.transfer.records()).isEqualTo(12346);
    awaitEvents(consumerAudit, 1);
    assertThat(consumerAudit.events.get(0).outcome).isEqualTo("STREAM_INTERRUPTED");
    assertThat(consumerAudit.events.get(0).transfer.complete()).isFalse();
  }

  @Test
  void dataset_backendCutsOffMidStream_appNeverSeesACompleteStream() throws Exception {
    backendCutAt = 7_000;
    startCity(Suite.INTL, permit());
    ByteArrayOutputStream got = new ByteArrayOutputStream();

    DatasetDownload.Result r = fetch("/dataset/HOUSING-001/households", got);

    assertThat(r.complete()).isFalse();
    awaitEvents(providerAudit, 1);
    assertThat(providerAudit.events.get(0).outcome).isEqualTo("STREAM_INTERRUPTED");
    assertThat(providerAudit.events.get(0).reasons).contains("BACKEND_CLOSED");
  }

  @Test
  void dataset_backendFormatNotDeclared_is502BeforeAnyByte() throws Exception {
    backendType = "application/json";
    startCity(Suite.INTL, permit());
    ByteArrayOutputStream got = new ByteArrayOutputStream();

    DatasetDownload.Result r = fetch("/dataset/HOUSING-001/households", got);

    assertThat(r.status()).isEqualTo(502);
    assertThat(new String(r.problem(), StandardCharsets.UTF_8)).contains("DATASET_FORMAT_MISMATCH");
    assertThat(got.size()).isZero();
    assertThat(only(providerAudit).outcome).isEqualTo("DATASET_FORMAT_MISMATCH");
  }

  @Test
  void dataset_askedAtExchange_is406NotReleasedWhole() throws Exception {
    startCity(Suite.INTL, permit());
    ByteArrayOutputStream got = new ByteArrayOutputStream();

    DatasetDownload.Result r = fetch("/exchange/HOUSING-001/households", got);

    assertThat(r.status()).isEqualTo(406);
    assertThat(new String(r.problem(), StandardCharsets.UTF_8)).contains("DATASET_REQUIRES_STREAM");
  }

  @Test
  void dataset_policyDenies_is403AndNothingStreamed() throws Exception {
    startCity(Suite.INTL, (h, a, gr) -> Verdict.deny("PURPOSE_NOT_ALLOWED", "no", "v1"));
    ByteArrayOutputStream got = new ByteArrayOutputStream();

    DatasetDownload.Result r = fetch("/dataset/HOUSING-001/households", got);

    assertThat(r.status()).isEqualTo(403);
    assertThat(got.size()).isZero();
    assertThat(only(providerAudit).permitted).isFalse();
  }

  @Test
  void dataset_undeclaredEndpoint_is404BeforeTheProvider() throws Exception {
    startCity(Suite.INTL, permit());
    ByteArrayOutputStream got = new ByteArrayOutputStream();

    DatasetDownload.Result r = fetch("/dataset/HOUSING-001/a/b", got);

    assertThat(r.status()).isIn(403, 404, 405);
    assertThat(got.size()).isZero();
  }

  @Test
  void dataset_realAuditLog_oneResponseRecordWithTheTransferCounts(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    providerLog = dir.resolve("provider-audit");
    backendRecords = 2_500;
    startCity(Suite.INTL, permit());
    ByteArrayOutputStream got = new ByteArrayOutputStream();

    assertThat(fetch("/dataset/HOUSING-001/households", got).complete()).isTrue();
    provider.close();

    List<io.shulian.core.audit.AuditRecord> records = new ArrayList<>();
    io.shulian.core.audit.AuditLogReader.forEach(providerLog, e -> records.add(e.record()));
    List<io.shulian.core.audit.AuditRecord> transfers =
        records.stream().filter(r -> r.transfer().isPresent()).toList();
    assertThat(transfers).hasSize(1);
    io.shulian.core.audit.AuditRecord t = transfers.get(0);
    assertThat(t.direction()).isEqualTo(io.shulian.core.audit.Direction.RESPONSE_OUT);
    assertThat(t.payloadBytes()).isEqualTo(got.size());
    assertThat(t.payloadDigest()).isEqualTo(sha256(got.toByteArray()));
    assertThat(t.transfer().get().records()).isEqualTo(backendRecords);
    assertThat(t.transfer().get().segments()).isGreaterThan(1);
    assertThat(t.transfer().get().complete()).isTrue();
  }

  @Test
  void auditStats_realLog_countsTransfersBytesInterruptedAndResumed(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    providerLog = dir.resolve("provider-audit");
    backendRecords = 2_500;
    backendCutAt = 1_200; // the first fetch: the backend cuts off every time, the consumer gateway continues in vain
    startCity(Suite.INTL, permit());
    assertThat(fetch("/dataset/HOUSING-001/households", new ByteArrayOutputStream()).complete()).isFalse();
    backendCutAt = -1;
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    assertThat(fetch("/dataset/HOUSING-001/households", got).complete()).isTrue();
    provider.close();
    java.io.StringWriter out = new java.io.StringWriter();

    int code = io.shulian.gateway.cli.ShulianCli.commandLine(new java.io.PrintWriter(out),
        new java.io.PrintWriter(new java.io.StringWriter())).execute("audit", "stats", "--log", providerLog.toString(),
        "--format", "json");

    assertThat(code).isZero();
    com.fasterxml.jackson.databind.JsonNode row = null;
    for (com.fasterxml.jackson.databind.JsonNode r : new com.fasterxml.jackson.databind.ObjectMapper()
        .readTree(out.toString()).path("rows")) {
      if (r.path("resource").asText().equals("HOUSING-001")) {
        row = r;
      }
    }
    assertThat(row).as(out.toString()).isNotNull();
    long resumed = row.path("resumed").asLong();
    assertThat(row.path("transfers").asLong()).isEqualTo(2);
    assertThat(resumed).isPositive();
    assertThat(row.path("interrupted").asLong()).isEqualTo(1 + resumed);
    assertThat(row.path("transferBytes").asLong()).isEqualTo(got.size());
    java.io.StringWriter table = new java.io.StringWriter();
    io.shulian.gateway.cli.ShulianCli.commandLine(new java.io.PrintWriter(table), new java.io.PrintWriter(new java.io.StringWriter()))
        .execute("audit", "stats", "--log", providerLog.toString());
    assertThat(table.toString()).contains("transfers").contains("transfer bytes").contains("interrupted").contains("resumed");
  }

  record Cli(int code, String err) {}

  Cli shulianFetch(java.nio.file.Path dir, java.nio.file.Path out) throws Exception {
    java.nio.file.Path key = dir.resolve("api-key");
    java.nio.file.Files.writeString(key, API_KEY + "\n");
    java.io.StringWriter err = new java.io.StringWriter();
    int code = io.shulian.gateway.cli.ShulianCli.commandLine(new java.io.PrintWriter(new java.io.StringWriter()),
        new java.io.PrintWriter(err)).execute("fetch", "--gateway", "http://127.0.0.1:" + consumer.address("consumer").getPort(),
        "--resource", "HOUSING-001", "--path", "/households", "--purpose", PURPOSE, "--api-key-file", key.toString(),
        "--out", out.toString());
    return new Cli(code, err.toString());
  }

  @Test
  void cliFetch_completeDataSet_writtenOnlyOnceVerified(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    backendRecords = 90_000; // about 10 MiB: progress is shown
    startCity(Suite.INTL, permit());
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    writeDataset(expected, backendRecords);
    java.nio.file.Path out = dir.resolve("households.jsonl");

    Cli r = shulianFetch(dir, out);

    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.err()).contains("complete:").contains("bytes verified");
    assertThat(java.nio.file.Files.readAllBytes(out)).isEqualTo(expected.toByteArray());
    assertThat(dir.resolve("households.jsonl.part")).doesNotExist();
  }

  @Test
  void cliFetch_streamCutOff_noCompleteFile_partialKeptForARerun_exits3(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    backendCutAt = 20_000;
    startCity(Suite.INTL, permit());
    java.nio.file.Path out = dir.resolve("households.jsonl");

    Cli r = shulianFetch(dir, out);

    assertThat(r.code()).as(r.err()).isEqualTo(3);
    assertThat(r.err()).contains("incomplete").contains("rerun the same command to continue");
    assertThat(out).doesNotExist();
    // kept only under the .part name, with the state a rerun continues from (FetchResumeEndToEndTest)
    assertThat(dir.resolve("households.jsonl.part")).exists();
    assertThat(dir.resolve("households.jsonl.part.state")).exists();
  }

  @Test
  void cliFetch_policyDenies_exits4WithTheProblem(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    startCity(Suite.INTL, (h, a, gr) -> Verdict.deny("PURPOSE_NOT_ALLOWED", "no", "v1"));
    java.nio.file.Path out = dir.resolve("households.jsonl");

    Cli r = shulianFetch(dir, out);

    assertThat(r.code()).isEqualTo(4);
    assertThat(r.err()).contains("403").contains("PURPOSE_NOT_ALLOWED");
    assertThat(out).doesNotExist();
  }

  /** Waits (up to 60 s: a loaded CI machine) until {@code a} holds at least {@code n} events. */
  static void awaitEvents(MemoryAuditor a, int n) throws InterruptedException {
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
    while (a.events.size() < n && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(a.events).hasSizeGreaterThanOrEqualTo(n);
  }
}
