package io.shulian.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.shulian.core.keys.Suite;
import io.shulian.gateway.audit.ExchangeEvent;
import io.shulian.gateway.cli.DatasetDownload;
import io.shulian.gateway.cli.ShulianCli;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code shulian fetch} rerun on a partial file continues the same transfer (docs/return-flow.md
 * "Resume by the app"): the real CLI against real gateways, with a TCP proxy between the CLI and
 * the consumer gateway that drops the first connection mid-transfer.
 */
class FetchResumeEndToEndTest {
  final DatasetResumeEndToEndTest city = new DatasetResumeEndToEndTest();
  @TempDir Path dir;
  Path out;
  Path part;
  Path state;
  byte[] expected;
  int appPort;

  @AfterEach
  void tearDown() throws Exception {
    city.tearDown();
  }

  record Cli(int code, String err) {}

  /** Starts both gateways and a cutting proxy in front of the consumer; the first app connection is cut after {@code cut} bytes. */
  void start(Suite suite, long cut) throws Exception {
    city.data.backendRecords = 20_000; // about 2 MiB: some 30 segments
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    city.data.writeDataset(b, city.data.backendRecords);
    expected = b.toByteArray();
    city.startCity(suite);
    city.cuts.add(cut); // polled by the app proxy's first connection (it connects before the gateways do)
    appPort = city.cuttingProxy(city.consumer.address("consumer").getPort());
    out = dir.resolve("households.jsonl");
    part = dir.resolve("households.jsonl.part");
    state = dir.resolve("households.jsonl.part.state");
  }

  Cli fetch(String... extra) throws Exception {
    Path key = dir.resolve("api-key");
    Files.writeString(key, DatasetStreamEndToEndTest.API_KEY + "\n");
    Map<String, String> opts = new java.util.LinkedHashMap<>(Map.of("--gateway", "http://127.0.0.1:" + appPort,
        "--resource", "HOUSING-001", "--path", "/households", "--purpose", DatasetStreamEndToEndTest.PURPOSE,
        "--api-key-file", key.toString(), "--out", out.toString(), "--timeout", "30s"));
    List<String> args = new ArrayList<>(List.of("fetch"));
    for (int i = 0; i < extra.length; i++) {
      if (i + 1 < extra.length && opts.containsKey(extra[i])) {
        opts.put(extra[i], extra[++i]); // another value for an option
      } else {
        args.add(extra[i]);
      }
    }
    opts.forEach((k, v) -> args.addAll(List.of(k, v)));
    StringWriter err = new StringWriter();
    int code = ShulianCli.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(err))
        .execute(args.toArray(String[]::new));
    return new Cli(code, err.toString());
  }

  /** The first run, cut off: the partial file and its state are kept, no complete file. */
  Cli cutRun() throws Exception {
    Cli first = fetch();
    assertThat(first.code()).as(first.err()).isEqualTo(3);
    assertThat(first.err()).contains("incomplete").contains("rerun the same command to continue");
    assertThat(out).doesNotExist();
    assertThat(part).exists();
    assertThat(state).exists();
    assertThat(Files.size(part)).isPositive().isLessThan(expected.length);
    return first;
  }

  String stateField(String name) throws Exception {
    return Files.readAllLines(state).stream().filter(l -> l.startsWith(name + "=")).findFirst().orElseThrow()
        .substring(name.length() + 1);
  }

  @ParameterizedTest
  @EnumSource(Suite.class)
  void cutBetweenAppAndConsumerGateway_rerunContinuesTheSameTransfer_fileEqualsSource_auditedAsResumed(Suite suite)
      throws Exception {
    start(suite, 700_000);
    cutRun();
    long had = Files.size(part);
    String envelope = stateField("envelope");

    Cli second = fetch();

    assertThat(second.code()).as(second.err()).isZero();
    assertThat(second.err()).contains("continuing transfer " + envelope).contains("complete:");
    assertThat(Files.readAllBytes(out)).isEqualTo(expected);
    assertThat(part).doesNotExist();
    assertThat(state).doesNotExist();
    DatasetResumeEndToEndTest.awaitEvents(city.consumerAudit, 2);
    ExchangeEvent resumed = city.consumerAudit.events.get(city.consumerAudit.events.size() - 1);
    assertThat(resumed.outcome).isEqualTo("OK");
    assertThat(resumed.reasons).contains("APP_RESUMED");
    assertThat(resumed.responseBytes).isEqualTo(expected.length);
    assertThat(resumed.transfer.complete()).isTrue();
    DatasetResumeEndToEndTest.awaitEvents(city.providerAudit, 2);
    ExchangeEvent last = city.providerAudit.events.get(city.providerAudit.events.size() - 1);
    assertThat(last.reasons).contains("CONTINUATION");
    assertThat(last.responseDigest).isEqualTo(resumed.responseDigest);
    assertThat(last.outcome).isEqualTo("OK");
    assertThat(had).isLessThan(expected.length);
  }

  @Test
  void partialFileChangedSince_refusedLocallyAndClearly_untouched_restartFetchesAnew() throws Exception {
    start(Suite.INTL, 500_000);
    cutRun();
    byte[] changed = Files.readAllBytes(part);
    changed[100] ^= 1;
    Files.write(part, changed);

    Cli second = fetch();

    assertThat(second.code()).as(second.err()).isEqualTo(3);
    assertThat(second.err()).contains("cannot continue").contains("digest differs").contains("--restart");
    assertThat(Files.readAllBytes(part)).isEqualTo(changed);
    assertThat(out).doesNotExist();

    Cli restarted = fetch("--restart");

    assertThat(restarted.code()).as(restarted.err()).isZero();
    assertThat(Files.readAllBytes(out)).isEqualTo(expected);
  }

  @Test
  void stateNamesAnUnknownTransfer_gatewayRefusesTheContinuation_saidClearly_partialFileKept() throws Exception {
    start(Suite.INTL, 500_000);
    cutRun();
    String text = Files.readString(state).replace(stateField("envelope"), UUID.randomUUID().toString());
    Files.writeString(state, text);
    long had = Files.size(part);

    Cli second = fetch();

    assertThat(second.code()).as(second.err()).isEqualTo(3);
    assertThat(second.err()).contains("409").contains("RESUME_REFUSED").contains("UNKNOWN_TRANSFER")
        .contains("refused to continue").contains("--restart");
    assertThat(Files.size(part)).isEqualTo(had);
    assertThat(out).doesNotExist();
  }

  @Test
  void partialFileOfAnotherFetch_orDamagedState_orStateWithoutPartialFile_refusedLocally() throws Exception {
    start(Suite.INTL, 500_000);
    cutRun();

    Cli otherPath = fetch("--path", "/other");
    assertThat(otherPath.code()).isEqualTo(3);
    assertThat(otherPath.err()).contains("belongs to another fetch");

    Files.writeString(state, Files.readString(state).replace("bytes=", "bytes=9"));
    Cli longer = fetch();
    assertThat(longer.code()).isEqualTo(3);
    assertThat(longer.err()).contains("cannot continue").contains("shorter");

    Files.writeString(state, "bytes=0\n");
    Cli damaged = fetch();
    assertThat(damaged.code()).isEqualTo(3);
    assertThat(damaged.err()).contains("damaged or was edited");

    Files.delete(part);
    Cli orphan = fetch();
    assertThat(orphan.code()).isEqualTo(3);
    assertThat(orphan.err()).contains("without its partial file");
    assertThat(out).doesNotExist();
  }

  @Test
  void appResumeHeader_wrongPrefixDigest_malformed_orBeyondTheEnd_refusedWithoutReleasingAByte() throws Exception {
    start(Suite.INTL, 500_000);
    cutRun();
    String envelope = stateField("envelope");
    long bytes = Long.parseLong(stateField("bytes"));
    String digest = stateField("sha256");
    String zeros = Base64.getUrlEncoder().withoutPadding().encodeToString(new byte[32]);

    DatasetDownload.Result wrongPrefix = ask(envelope + ";bytes=" + bytes + ";sha256=" + zeros);
    DatasetDownload.Result malformed = ask(envelope + ";bytes=-1;sha256=" + digest);
    DatasetDownload.Result beyond = ask(envelope + ";bytes=" + (expected.length + 1) + ";sha256=" + digest);

    assertThat(wrongPrefix.status()).isEqualTo(409);
    assertThat(new String(wrongPrefix.problem(), StandardCharsets.UTF_8)).contains("RESUME_REFUSED")
        .contains("PREFIX_MISMATCH");
    assertThat(beyond.status()).isEqualTo(409);
    assertThat(new String(beyond.problem(), StandardCharsets.UTF_8)).contains("RANGE_INVALID");
    assertThat(malformed.status()).isEqualTo(400);
    assertThat(new String(malformed.problem(), StandardCharsets.UTF_8)).contains("RESUME_MALFORMED");
    DatasetResumeEndToEndTest.awaitEvents(city.consumerAudit, 4);
    assertThat(city.consumerAudit.events).extracting(e -> e.outcome)
        .contains("PREFIX_MISMATCH", "RANGE_INVALID", "RESUME_MALFORMED");

    // asking beyond the end opened the whole envelope once (its id is now in the replay cache): no
    // later opening of it completes, so the CLI never presents a file as complete
    Cli rerun = fetch();
    assertThat(rerun.code()).as(rerun.err()).isEqualTo(3);
    assertThat(rerun.err()).contains("--restart").doesNotContain("bytes verified");
    assertThat(out).doesNotExist();
  }

  @Test
  void appResumeHeader_wrongPrefixDigest_refused_theRightOneStillContinues() throws Exception {
    start(Suite.INTL, 500_000);
    cutRun();
    String zeros = Base64.getUrlEncoder().withoutPadding().encodeToString(new byte[32]);

    DatasetDownload.Result wrongPrefix = ask(stateField("envelope") + ";bytes=" + stateField("bytes") + ";sha256=" + zeros);

    assertThat(wrongPrefix.status()).isEqualTo(409);
    Cli rerun = fetch();
    assertThat(rerun.code()).as(rerun.err()).isZero();
    assertThat(Files.readAllBytes(out)).isEqualTo(expected);
  }

  DatasetDownload.Result ask(String resumeFrom) throws Exception {
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    DatasetDownload.Result r = null;
    // the earlier transfer may still be ending on a loaded machine: ask again for up to 60 s
    for (long until = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60); System.nanoTime() < until; ) {
      got.reset();
      r = DatasetDownload.get(URI.create("http://127.0.0.1:" + city.consumer.address("consumer").getPort()
              + "/dataset/HOUSING-001/households"),
          Map.of("X-Api-Key", DatasetStreamEndToEndTest.API_KEY, "X-Shulian-Purpose", DatasetStreamEndToEndTest.PURPOSE,
              DatasetDownload.RESUME_FROM, resumeFrom), got, n -> {}, Duration.ofSeconds(30));
      if (r.status() != 409 || !new String(r.problem(), StandardCharsets.UTF_8).contains("RESUME_IN_PROGRESS")) {
        break;
      }
      Thread.sleep(200);
    }
    assertThat(got.size()).isZero();
    return r;
  }

  @Test
  void help_namesRestartTheStateFileAndTheExitCodes() {
    StringWriter o = new StringWriter();
    int code = ShulianCli.commandLine(new PrintWriter(o), new PrintWriter(new StringWriter())).execute("fetch", "--help");
    assertThat(code).isZero();
    String help = o.toString().replaceAll("\\s+", " ");
    assertThat(help).contains("--restart").contains("<out>.part.state").contains("409 RESUME_REFUSED")
        .contains("Exit codes").contains("rerunning the same command continues");
  }
}
