package io.shulian.gateway.cli;

import static io.shulian.gateway.cli.CliRun.ok;
import static io.shulian.gateway.cli.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

import io.shulian.gateway.cli.CliRun.Run;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code shulian open} opens an envelope once: the replay journal next to the key. */
class OpenReplayJournalTest {
  @TempDir Path tmp;

  private String p(String name) {
    return tmp.resolve(name).toString();
  }

  private void sealOne(String encoding) throws Exception {
    ok("keygen", "--suite", "intl", "--party", SealOpenCommandTest.A, "--out", p("a"), "--password", "pw");
    ok("keygen", "--suite", "intl", "--party", SealOpenCommandTest.B, "--out", p("b"), "--password", "pw");
    Files.writeString(tmp.resolve("payload.txt"), "once only");
    ok("seal", "--key", p("a/key.p12"), "--password", "pw", "--to", p("b/cert.pem"), "--resource", "R-1",
        "--purpose", "social-assistance-review", "--encoding", encoding, "--in", p("payload.txt"), "--out", p("env"));
  }

  private Run open(String out, String... extra) {
    List<String> args = new ArrayList<>(List.of("open", "--key", p("b/key.p12"), "--password", "pw", "--trust",
        p("a/cert.pem"), "--in", p("env"), "--out", out));
    args.addAll(List.of(extra));
    return run(args.toArray(new String[0]));
  }

  @ParameterizedTest
  @ValueSource(strings = {"compact", "framed"})
  void open_sameEnvelopeTwice_secondRefusedAsReplayed(String encoding) throws Exception {
    sealOne(encoding);
    Run first = open(p("out1.txt"));
    assertThat(first.code()).as(first.err()).isZero();
    assertThat(Files.readString(tmp.resolve("out1.txt"))).isEqualTo("once only");

    Run second = open(p("out2.txt"));

    assertThat(second.code()).as(second.err()).isEqualTo(ExitCodes.REJECTED);
    assertThat(second.err()).contains("envelope rejected (REPLAYED)").doesNotContain("\tat ");
    assertThat(tmp.resolve("out2.txt")).doesNotExist();
    assertThat(tmp.resolve("b/.shulian-replay/journal")).exists();
  }

  @Test
  void open_allowReplay_readsAgainWithWarning() throws Exception {
    sealOne("compact");
    assertThat(open(p("out1.txt")).code()).isZero();
    Run again = open(p("out2.txt"), "--allow-replay");
    assertThat(again.code()).as(again.err()).isZero();
    assertThat(again.err()).contains("--allow-replay");
    assertThat(Files.readString(tmp.resolve("out2.txt"))).isEqualTo("once only");
    // and the journal still refuses a normal second open
    assertThat(open(p("out3.txt")).code()).isEqualTo(ExitCodes.REJECTED);
  }

  @Test
  void open_stateDir_keepsJournalThere() throws Exception {
    sealOne("compact");
    assertThat(open(p("out1.txt"), "--state-dir", p("state")).code()).isZero();
    assertThat(tmp.resolve("state/journal")).exists();
    assertThat(tmp.resolve("b/.shulian-replay")).doesNotExist();
    assertThat(open(p("out2.txt"), "--state-dir", p("state")).code()).isEqualTo(ExitCodes.REJECTED);
  }

  @Test
  void open_concurrentRunsOfOneEnvelope_exactlyOneSucceeds() throws Exception {
    sealOne("compact");
    int n = 6;
    ExecutorService pool = Executors.newFixedThreadPool(n);
    try {
      List<Future<Run>> runs = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        String out = p("out" + i + ".txt");
        runs.add(pool.submit(() -> open(out)));
      }
      int ok = 0;
      int replayed = 0;
      for (Future<Run> f : runs) {
        Run r = f.get(2, TimeUnit.MINUTES);
        if (r.code() == 0) {
          ok++;
        } else if (r.code() == ExitCodes.REJECTED && r.err().contains("REPLAYED")) {
          replayed++;
        }
      }
      assertThat(ok).isEqualTo(1);
      assertThat(replayed).isEqualTo(n - 1);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void open_concurrentProcessesOfOneEnvelope_exactlyOneSucceeds() throws Exception {
    sealOne("framed");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<Process> procs = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      procs.add(new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), ShulianCli.class.getName(),
          "open", "--key", p("b/key.p12"), "--password", "pw", "--trust", p("a/cert.pem"), "--in", p("env"),
          "--out", p("proc" + i + ".txt")).redirectErrorStream(true).redirectOutput(tmp.resolve("proc" + i + ".log").toFile())
          .start());
    }
    List<Integer> codes = new ArrayList<>();
    for (Process pr : procs) {
      assertThat(pr.waitFor(2, TimeUnit.MINUTES)).isTrue();
      codes.add(pr.exitValue());
    }
    assertThat(codes).as("exit codes").containsExactlyInAnyOrder(0, ExitCodes.REJECTED, ExitCodes.REJECTED);
  }

  @Test
  void open_corruptJournal_failsClosedAndWritesNothing() throws Exception {
    sealOne("compact");
    Files.createDirectories(tmp.resolve("b/.shulian-replay"));
    Files.writeString(tmp.resolve("b/.shulian-replay/journal"), "not a journal line\n");
    Run r = open(p("out.txt"));
    assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.FAILURE);
    assertThat(r.err()).contains("replay journal").contains("line 1 is malformed").doesNotContain("\tat ");
    assertThat(tmp.resolve("out.txt")).doesNotExist();
  }

  @Test
  void journal_expiredEntries_droppedOnNextRecord() throws Exception {
    Instant t0 = Instant.parse("2026-06-01T08:00:00Z");
    Path dir = tmp.resolve("j");
    UUID a = UUID.randomUUID();
    UUID b = UUID.randomUUID();
    assertThat(new ReplayJournal(dir, Clock.fixed(t0, ZoneOffset.UTC)).firstSeen(a, t0.plusSeconds(60))).isTrue();
    assertThat(new ReplayJournal(dir, Clock.fixed(t0.plusSeconds(59), ZoneOffset.UTC)).firstSeen(a, t0.plusSeconds(60)))
        .isFalse();

    ReplayJournal later = new ReplayJournal(dir, Clock.fixed(t0.plusSeconds(61), ZoneOffset.UTC));
    assertThat(later.firstSeen(b, t0.plusSeconds(200))).isTrue();

    String text = Files.readString(dir.resolve("journal"), StandardCharsets.US_ASCII);
    assertThat(text).contains(b.toString()).doesNotContain(a.toString());
    try (var s = Files.list(dir)) {
      assertThat(s.map(x -> x.getFileName().toString())).containsExactlyInAnyOrder("journal", "journal.lock");
    }
  }
}
