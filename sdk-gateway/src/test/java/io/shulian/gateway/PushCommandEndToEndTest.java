package io.shulian.gateway;

import static io.shulian.gateway.DatasetPushEndToEndTest.DISTRICT_A;
import static io.shulian.gateway.DatasetPushEndToEndTest.DISTRICT_B;
import static io.shulian.gateway.DatasetPushEndToEndTest.DISTRICT_C;
import static io.shulian.gateway.DatasetPushEndToEndTest.PURPOSE;
import static io.shulian.gateway.DatasetPushEndToEndTest.RESOURCE;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpHandler;
import io.shulian.core.envelope.EnvelopeHeader;
import io.shulian.core.keys.Suite;
import io.shulian.core.party.PartyId;
import io.shulian.gateway.authorize.ExchangePolicy;
import io.shulian.gateway.authorize.Verdict;
import io.shulian.gateway.cli.ShulianCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code shulian push} (docs/return-flow.md "Push", "shulian push"): the real CLI against real
 * gateways on loopback, pushing a JSON Lines file through the province's gateway to district
 * gateways, and a rerun that pushes again only to the receivers not yet delivered.
 */
class PushCommandEndToEndTest {
  /** Deliveries each district's backend received (complete requests). */
  final Map<PartyId, AtomicInteger> deliveries = new ConcurrentHashMap<>();
  final DatasetPushEndToEndTest city = new DatasetPushEndToEndTest() {
    @Override
    HttpHandler backend(PartyId d) {
      return ex -> {
        delivered.put(d, ex.getRequestBody().readAllBytes());
        deliveries.computeIfAbsent(d, k -> new AtomicInteger()).incrementAndGet();
        ex.sendResponseHeaders(204, -1);
        ex.close();
      };
    }
  };
  @TempDir Path dir;
  Path file;
  Path state;
  byte[] data;

  @AfterEach
  void tearDown() throws Exception {
    city.tearDown();
  }

  record Cli(int code, String out, String err) {}

  /** Permits the return flow to all three districts (masking id numbers, as {@link DatasetPushEndToEndTest#POLICY}). */
  static final ExchangePolicy ALL_THREE = new ExchangePolicy() {
    @Override
    public Verdict decide(EnvelopeHeader request, String action, @Nullable String grantToken) {
      return Verdict.deny("NO_PULL", "this test only pushes", "v1");
    }

    @Override
    public Verdict decidePush(PartyId receiver, String resource, String purpose) {
      return new Verdict(true, List.of(), List.of("mask-id"), List.of("mask:idNumber"), "v1",
          body -> DatasetPushEndToEndTest.maskIds(new String(body, StandardCharsets.UTF_8))
              .getBytes(StandardCharsets.UTF_8));
    }
  };

  void start(Suite suite) throws Exception {
    city.startCity(suite);
    data = DatasetPushEndToEndTest.dataset(3000); // several segments
    file = dir.resolve("pension.jsonl");
    Files.write(file, data);
    state = dir.resolve("pension.jsonl.push-state");
  }

  /** Runs {@code shulian push} with the test's defaults; {@code args} override them or add options, receivers, the file. */
  Cli push(String... args) throws Exception {
    Path key = dir.resolve("api-key");
    Files.writeString(key, DatasetPushEndToEndTest.API_KEY + "\n");
    Map<String, String> opts = new java.util.LinkedHashMap<>(Map.of(
        "--gateway", "http://127.0.0.1:" + city.province.address("consumer").getPort(), "--resource", RESOURCE,
        "--purpose", PURPOSE, "--api-key-file", key.toString(), "--timeout", "30s"));
    List<String> a = new ArrayList<>(List.of("push"));
    for (int i = 0; i < args.length; i++) {
      if (i + 1 < args.length && opts.containsKey(args[i])) {
        opts.put(args[i], args[++i]);
      } else {
        a.add(args[i]);
      }
    }
    opts.forEach((k, v) -> a.addAll(1, List.of(k, v)));
    return run(a);
  }

  static Cli run(List<String> args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = ShulianCli.commandLine(new PrintWriter(out), new PrintWriter(err)).execute(args.toArray(String[]::new));
    Cli c = new Cli(code, out.toString(), err.toString());
    assertThat(c.out() + c.err()).as("never the API key, never a stack trace")
        .doesNotContain(DatasetPushEndToEndTest.API_KEY).doesNotContain("\tat ").doesNotContain("Exception");
    return c;
  }

  /** The result line printed for {@code p}: party, status, code, bytes, digest, envelope. */
  static String[] line(Cli c, PartyId p) {
    return c.out().lines().filter(l -> l.startsWith(p + " ")).findFirst()
        .orElseThrow(() -> new AssertionError("no line for " + p + " in\n" + c.out())).split(" ");
  }

  byte[] masked() {
    return DatasetPushEndToEndTest.maskIds(new String(data, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
  }

  int deliveries(PartyId d) {
    return deliveries.getOrDefault(d, new AtomicInteger()).get();
  }

  @ParameterizedTest
  @EnumSource(Suite.class)
  void push_twoReceivers_bothDelivered_exit0_oneLineEach_noStateLeft(Suite suite) throws Exception {
    start(suite);

    Cli c = push("--to", DISTRICT_A.toString(), "--to", DISTRICT_B.toString(), file.toString());

    assertThat(c.code()).as(c.err()).isZero();
    assertThat(c.out().lines()).hasSize(2);
    for (PartyId d : List.of(DISTRICT_A, DISTRICT_B)) {
      String[] l = line(c, d);
      assertThat(l[1]).isEqualTo("DELIVERED");
      assertThat(l[2]).isEqualTo("OK");
      assertThat(Long.parseLong(l[3])).isEqualTo(masked().length);
      assertThat(l[4]).startsWith(suite == Suite.GM ? "sm3:" : "sha256:");
      if (suite != Suite.GM) {
        assertThat(l[4]).isEqualTo(DatasetPushEndToEndTest.sha256Label(masked()));
      }
      assertThat(city.delivered.get(d)).isEqualTo(masked());
    }
    assertThat(c.err()).contains(String.format("%,d bytes sent", data.length));
    assertThat(state).doesNotExist();
  }

  @Test
  void push_oneReceiverRefusedByPolicy_exit4_itsLineSaysRefusedAndWhy_theOtherDelivered() throws Exception {
    start(Suite.INTL);

    Cli c = push("--to", DISTRICT_A.toString(), "--to", DISTRICT_C.toString(), file.toString());

    assertThat(c.code()).as(c.err()).isEqualTo(4);
    assertThat(line(c, DISTRICT_A)[1]).isEqualTo("DELIVERED");
    assertThat(line(c, DISTRICT_C)).startsWith(DISTRICT_C.toString(), "REFUSED", "LEVEL_NOT_PERMITTED", "0");
    assertThat(c.err()).contains("not delivered to 1 of 2 receivers");
    assertThat(city.delivered).doesNotContainKey(DISTRICT_C);
    assertThat(state).exists(); // a rerun pushes again only to C
  }

  @Test
  void push_threeReceivers_oneGatewayDown_exitNonZero_rerunAfterItIsUp_pushesOnlyToIt() throws Exception {
    city.policy = ALL_THREE;
    city.down.add(DISTRICT_C);
    start(Suite.INTL);
    String[] to = {"--to", DISTRICT_A.toString(), "--to", DISTRICT_B.toString(), "--to", DISTRICT_C.toString(),
        file.toString()};

    Cli first = push(to);

    assertThat(first.code()).as(first.err()).isEqualTo(3);
    assertThat(line(first, DISTRICT_C)).startsWith(DISTRICT_C.toString(), "FAILED", "RECEIVER_UNAVAILABLE");
    assertThat(line(first, DISTRICT_A)[1]).isEqualTo("DELIVERED");
    assertThat(line(first, DISTRICT_B)[1]).isEqualTo("DELIVERED");
    assertThat(first.err()).contains("rerun the same command");
    assertThat(state).exists();
    String envelopeA = line(first, DISTRICT_A)[5];

    city.bringUp(DISTRICT_C);
    Cli second = push(to);

    assertThat(second.code()).as(second.err()).isZero();
    assertThat(second.err()).contains("already delivered to 2 of 3 receivers").contains("pushing to 1");
    assertThat(line(second, DISTRICT_C)[1]).isEqualTo("DELIVERED");
    assertThat(line(second, DISTRICT_A)).startsWith(DISTRICT_A.toString(), "DELIVERED", "EARLIER_RUN");
    assertThat(line(second, DISTRICT_A)[5]).isEqualTo(envelopeA);
    assertThat(deliveries(DISTRICT_A)).isEqualTo(1);
    assertThat(deliveries(DISTRICT_B)).isEqualTo(1);
    assertThat(deliveries(DISTRICT_C)).isEqualTo(1);
    assertThat(city.delivered.get(DISTRICT_C)).isEqualTo(masked());
    assertThat(state).doesNotExist();
  }

  @Test
  void rerun_fileChanged_orStateDamaged_orRestart_startsOverAndSaysWhy() throws Exception {
    start(Suite.INTL);
    String[] to = {"--to", DISTRICT_A.toString(), "--to", DISTRICT_C.toString(), file.toString()};
    assertThat(push(to).code()).isEqualTo(4);
    assertThat(deliveries(DISTRICT_A)).isEqualTo(1);

    Cli same = push(to); // unchanged: A is not pushed again
    assertThat(same.err()).contains("already delivered to 1 of 2 receivers");
    assertThat(deliveries(DISTRICT_A)).isEqualTo(1);

    Files.write(file, DatasetPushEndToEndTest.record(7).getBytes(StandardCharsets.UTF_8), java.nio.file.StandardOpenOption.APPEND);
    Cli changed = push(to);
    assertThat(changed.err()).contains("changed since").contains("starting over");
    assertThat(deliveries(DISTRICT_A)).isEqualTo(2);

    Files.writeString(state, Files.readString(state).replace("delivered=", "delivered=x"));
    Cli damaged = push(to);
    assertThat(damaged.err()).contains("damaged").contains("starting over");
    assertThat(deliveries(DISTRICT_A)).isEqualTo(3);

    Cli other = push("--purpose", "another-purpose", "--to", DISTRICT_A.toString(), file.toString());
    assertThat(other.err()).contains("another push").contains("starting over");

    assertThat(push(to).code()).isEqualTo(4);
    int before = deliveries(DISTRICT_A);
    Cli restart = push("--restart", "--to", DISTRICT_A.toString(), "--to", DISTRICT_C.toString(), file.toString());
    assertThat(restart.code()).isEqualTo(4);
    assertThat(deliveries(DISTRICT_A)).isEqualTo(before + 1);
  }

  @Test
  void stateDir_keepsTheStateThere_notBesideTheInput() throws Exception {
    start(Suite.INTL);
    Path states = Files.createDirectories(dir.resolve("states"));

    Cli c = push("--state-dir", states.toString(), "--to", DISTRICT_A.toString(), "--to", DISTRICT_C.toString(),
        file.toString());

    assertThat(c.code()).isEqualTo(4);
    assertThat(state).doesNotExist();
    try (var s = Files.list(states)) {
      // the state, and the empty file a run locks (kept)
      assertThat(s.map(p -> p.getFileName().toString()).filter(n -> !n.endsWith(".push-state.lock")))
          .singleElement().asString().endsWith(".push-state");
    }
    Cli again = push("--state-dir", states.toString(), "--to", DISTRICT_A.toString(), "--to", DISTRICT_C.toString(),
        file.toString());
    assertThat(again.err()).contains("already delivered to 1 of 2 receivers");
    assertThat(deliveries(DISTRICT_A)).isEqualTo(1);
  }

  @Test
  void push_everyReceiverFailsEarly_gatewayAnswersMidUpload_linesPrinted_restNotSent_exit3() throws Exception {
    start(Suite.INTL);
    Path big = dir.resolve("big.jsonl");
    try (var o = new java.io.BufferedOutputStream(Files.newOutputStream(big))) {
      o.write(("{\"x\":\"" + "y".repeat(1_200_000) + "\"}\n").getBytes(StandardCharsets.UTF_8)); // past the record limit
      byte[] rest = DatasetPushEndToEndTest.dataset(5000);
      for (int i = 0; i < 60; i++) { // some 24 MiB the gateway never needs
        o.write(rest);
      }
    }

    Cli c = push("--to", DISTRICT_A.toString(), "--to", DISTRICT_B.toString(), big.toString());

    assertThat(c.code()).as(c.err()).isEqualTo(3);
    assertThat(line(c, DISTRICT_A)).startsWith(DISTRICT_A.toString(), "FAILED", "RECORD_TOO_LARGE");
    assertThat(line(c, DISTRICT_B)).startsWith(DISTRICT_B.toString(), "FAILED", "RECORD_TOO_LARGE");
    assertThat(c.err()).contains("answered before the end");
    assertThat(city.delivered).isEmpty();
  }

  @Test
  void push_wrongFormat_refusedWith415_saidClearly_exit3_nothingSent() throws Exception {
    start(Suite.INTL);

    Cli c = push("--format", "csv", "--to", DISTRICT_A.toString(), file.toString());

    assertThat(c.code()).isEqualTo(3);
    assertThat(c.err()).contains("415").contains("DATASET_FORMAT_MISMATCH");
    assertThat(city.delivered).isEmpty();
  }

  @Test
  void push_unknownApiKey_refusedWith401_saidClearly_keyNeverPrinted() throws Exception {
    start(Suite.INTL);
    Path wrong = dir.resolve("wrong-key");
    Files.writeString(wrong, "not-the-key-s3cr3t\n");

    Cli c = push("--api-key-file", wrong.toString(), "--to", DISTRICT_A.toString(), file.toString());

    assertThat(c.code()).isEqualTo(3);
    assertThat(c.err()).contains("401").contains("UNKNOWN_APP");
    assertThat(c.out() + c.err()).doesNotContain("not-the-key-s3cr3t");
    assertThat(city.delivered).isEmpty();
  }

  @Test
  void apiKeyFile_hugeOrADirectory_usageError_notReadWhole_nothingSent() throws Exception {
    start(Suite.INTL);
    Path huge = dir.resolve("huge-key");
    Files.write(huge, new byte[8 << 20]); // one 8 MiB "line": never a key, never read whole
    Files.write(huge, DatasetPushEndToEndTest.API_KEY.getBytes(StandardCharsets.UTF_8),
        java.nio.file.StandardOpenOption.WRITE);

    Cli c = push("--api-key-file", huge.toString(), "--to", DISTRICT_A.toString(), file.toString());
    Cli d = push("--api-key-file", dir.toString(), "--to", DISTRICT_A.toString(), file.toString());

    assertThat(c.code()).as(c.err()).isEqualTo(2);
    assertThat(c.err()).contains("--api-key-file").contains("too large");
    assertThat(d.code()).as(d.err()).isEqualTo(2);
    assertThat(d.err()).contains("--api-key-file");
    assertThat(city.provinceAudit.events).isEmpty(); // the gateway was never asked
  }

  @Test
  void push_unknownDataset_404_andMalformedReceiver_usage() throws Exception {
    start(Suite.INTL);

    Cli notDataset = push("--resource", "OTHER", "--to", DISTRICT_A.toString(), file.toString());
    assertThat(notDataset.code()).isEqualTo(3);
    assertThat(notDataset.err()).contains("404").contains("NOT_A_DATASET");

    Cli malformed = push("--to", "not-a-party", file.toString());
    assertThat(malformed.code()).isEqualTo(2);
    assertThat(malformed.err()).contains("--to");

    Cli twice = push("--to", DISTRICT_A.toString(), "--to", DISTRICT_A.toString(), file.toString());
    assertThat(twice.code()).isEqualTo(2);
    assertThat(twice.err()).contains("twice");
  }

  @Test
  void push_gatewayUnreachable_exit1_clearMessage() throws Exception {
    start(Suite.INTL);
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }

    Cli c = push("--gateway", "http://127.0.0.1:" + closed, "--to", DISTRICT_A.toString(), file.toString());

    assertThat(c.code()).isEqualTo(1);
    assertThat(c.err()).contains("cannot reach the gateway");
    assertThat(state).doesNotExist();
  }

  @Test
  void push_missingFile_orUnknownFormat_usageError() throws Exception {
    start(Suite.INTL);

    Cli missing = push("--to", DISTRICT_A.toString(), dir.resolve("nope.jsonl").toString());
    assertThat(missing.code()).isEqualTo(2);
    assertThat(missing.err()).contains("nope.jsonl").contains("no such file");

    Path other = Files.write(dir.resolve("data.bin"), data);
    Cli noFormat = push("--to", DISTRICT_A.toString(), other.toString());
    assertThat(noFormat.code()).isEqualTo(2);
    assertThat(noFormat.err()).contains("--format");

    Cli badFormat = push("--format", "xml", "--to", DISTRICT_A.toString(), file.toString());
    assertThat(badFormat.code()).isEqualTo(2);
    assertThat(city.delivered).isEmpty();
  }

  @Test
  void secondPushWhileAnotherHoldsTheStateLock_refusedExit3_nothingSent_stateUntouched() throws Exception {
    start(Suite.INTL);
    String[] to = {"--to", DISTRICT_A.toString(), "--to", DISTRICT_C.toString(), file.toString()};
    assertThat(push(to).code()).isEqualTo(4); // C refused: the state keeps A
    byte[] kept = Files.readAllBytes(state);
    int audited = city.provinceAudit.events.size();

    // the lock a running `shulian push` of the same file holds for its whole run
    Path lock = dir.resolve("pension.jsonl.push-state.lock");
    try (FileChannel c = FileChannel.open(lock, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock held = c.lock()) {
      Cli second = push(to);
      Cli restart = push("--restart", "--to", DISTRICT_A.toString(), file.toString());

      for (Cli r : List.of(second, restart)) {
        assertThat(r.code()).as(r.err()).isEqualTo(3);
        assertThat(r.err()).contains("another shulian push is running").contains("Nothing was sent");
      }
    }
    assertThat(city.provinceAudit.events).hasSize(audited); // the gateway was never asked
    assertThat(Files.readAllBytes(state)).isEqualTo(kept);
    assertThat(push(to).err()).as("the lock ends with the run").contains("already delivered to 1 of 2 receivers");
  }

  @Test
  void stateIsASymlinkOrAFifo_refusedExit3_neverReadThroughOrBlockedOn_nothingSent() throws Exception {
    start(Suite.INTL);
    Path victim = Files.writeString(dir.resolve("victim.txt"), "PRECIOUS");
    Files.createSymbolicLink(state, victim);

    Cli linked = push("--to", DISTRICT_A.toString(), file.toString());

    assertThat(linked.code()).as(linked.err()).isEqualTo(3);
    assertThat(linked.err()).contains("not a regular file").contains("--restart");
    assertThat(Files.readString(victim)).isEqualTo("PRECIOUS");
    assertThat(Files.isSymbolicLink(state)).isTrue();

    Files.delete(state);
    assertThat(new ProcessBuilder("mkfifo", state.toString()).start().waitFor()).isZero();
    Cli fifo = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofMinutes(2),
        () -> push("--to", DISTRICT_A.toString(), file.toString()), "a FIFO as the state must not block the CLI");
    assertThat(fifo.code()).as(fifo.err()).isEqualTo(3);
    assertThat(fifo.err()).contains("not a regular file");
    assertThat(city.provinceAudit.events).isEmpty();
  }

  @Test
  void stateTemporaryFileIsASymlinkOrStale_neverWrittenThrough_replacedAndTheStateWritten() throws Exception {
    start(Suite.INTL);
    Path victim = Files.writeString(dir.resolve("victim.txt"), "PRECIOUS");
    Path tmp = dir.resolve("pension.jsonl.push-state.tmp");
    Files.createSymbolicLink(tmp, victim);
    String[] to = {"--to", DISTRICT_A.toString(), "--to", DISTRICT_C.toString(), file.toString()};

    Cli c = push(to); // C refused: the state (A delivered) is written through its temporary file

    assertThat(c.code()).as(c.err()).isEqualTo(4);
    assertThat(Files.readString(victim)).isEqualTo("PRECIOUS");
    assertThat(Files.isSymbolicLink(state)).isFalse();
    assertThat(Files.readString(state)).contains("delivered=" + DISTRICT_A);
    assertThat(tmp).doesNotExist();

    Files.writeString(tmp, "left by a crashed run"); // a stale temporary file: replaced, the rerun works
    Cli again = push(to);
    assertThat(again.err()).contains("already delivered to 1 of 2 receivers");
    assertThat(Files.readString(state)).contains("delivered=" + DISTRICT_A);
    assertThat(deliveries(DISTRICT_A)).isEqualTo(1);
  }

  @Test
  void rerun_fileChangedWhileItWasPushed_earlierReceiversNoLongerCountAsDelivered_exit3_pushedAgainNextRun()
      throws Exception {
    java.util.concurrent.atomic.AtomicBoolean change = new java.util.concurrent.atomic.AtomicBoolean();
    city.policy = new ExchangePolicy() {
      @Override
      public Verdict decide(EnvelopeHeader request, String action, @Nullable String grantToken) {
        return ALL_THREE.decide(request, action, grantToken);
      }

      @Override
      public Verdict decidePush(PartyId receiver, String resource, String purpose) {
        if (change.getAndSet(false)) {
          // the file changes after the command hashed it and before it is sent: same size, the last
          // record's pension one less (…3999}\n → …3998}\n)
          try (FileChannel f = FileChannel.open(file, StandardOpenOption.WRITE)) {
            f.write(java.nio.ByteBuffer.wrap(new byte[] {'8'}), data.length - 3);
          } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        }
        return ALL_THREE.decidePush(receiver, resource, purpose);
      }
    };
    city.down.add(DISTRICT_C);
    start(Suite.INTL);
    String[] to = {"--to", DISTRICT_A.toString(), "--to", DISTRICT_C.toString(), file.toString()};
    assertThat(push(to).code()).isEqualTo(3); // A delivered, C down
    city.bringUp(DISTRICT_C);
    change.set(true);

    Cli changed = push(to);

    assertThat(changed.code()).as(changed.err()).isEqualTo(3);
    assertThat(line(changed, DISTRICT_A)).startsWith(DISTRICT_A.toString(), "FAILED", "FILE_CHANGED");
    assertThat(line(changed, DISTRICT_C)[1]).isEqualTo("DELIVERED");
    assertThat(changed.err()).contains("changed while it was being pushed");
    assertThat(Files.readString(state)).contains("delivered=" + DISTRICT_C).doesNotContain("delivered=" + DISTRICT_A);

    Cli next = push(to);
    assertThat(next.code()).as(next.err()).isZero();
    assertThat(line(next, DISTRICT_A)).startsWith(DISTRICT_A.toString(), "DELIVERED", "OK");
    assertThat(deliveries(DISTRICT_A)).isEqualTo(2);
  }

  @Test
  void help_namesTheOptionsTheStateAndTheExitCodes() {
    StringWriter o = new StringWriter();
    int code = ShulianCli.commandLine(new PrintWriter(o), new PrintWriter(new StringWriter())).execute("push", "--help");
    assertThat(code).isZero();
    assertThat(o.toString()).contains("--to").contains("--state-dir").contains("--restart").contains("--format")
        .contains("--api-key-file").contains("push-state").contains("Exit codes").contains("DELIVERED");
  }
}
