package io.shulian.gateway.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shulian.core.envelope.ReplayStateUnavailableException;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateStoreTest {
  @TempDir Path tmp;

  /** A clock the test moves. */
  static final class TestClock extends Clock {
    volatile Instant now = Instant.now();

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  final TestClock clock = new TestClock();

  Path dir() {
    return tmp.resolve("state");
  }

  StateStore open() throws StateException {
    return StateStore.builder(dir()).clock(clock).open();
  }

  Instant in(Duration d) {
    return clock.now.plus(d);
  }

  List<Path> segments() throws Exception {
    try (Stream<Path> s = Files.list(dir())) {
      return s.filter(p -> Journal.segmentIndex(p.getFileName().toString()) >= 0).sorted().toList();
    }
  }

  Path lastSegment() throws Exception {
    List<Path> s = segments();
    return s.get(s.size() - 1);
  }

  /** The segment holding the first envelope id line. */
  Path segmentWithIds() throws Exception {
    for (Path p : segments()) {
      if (Files.readString(p).contains("\nR ")) {
        return p;
      }
    }
    throw new AssertionError("no segment holds an envelope id");
  }

  @Test
  void reopen_keepsUnexpiredReplayIdsAndGrantCounts() throws Exception {
    UUID id = UUID.randomUUID();
    try (StateStore s = open()) {
      assertThat(s.replayCache().firstSeen(id, in(Duration.ofMinutes(5)))).isTrue();
      assertThat(s.replayCache().firstSeen(id, in(Duration.ofMinutes(5)))).isFalse();
      assertThat(s.grantUses().tryUse("p#g-1", 2, in(Duration.ofDays(1)))).isTrue();
      s.durable().get(10, TimeUnit.SECONDS);
    }

    try (StateStore s = open()) {
      assertThat(s.replayCache().firstSeen(id, in(Duration.ofMinutes(5)))).isFalse();
      assertThat(s.grantUses().used("p#g-1")).isEqualTo(1);
      assertThat(s.grantUses().tryUse("p#g-1", 2, in(Duration.ofDays(1)))).isTrue();
      assertThat(s.grantUses().tryUse("p#g-1", 2, in(Duration.ofDays(1)))).isFalse();
    }
    try (StateStore s = open()) {
      assertThat(s.grantUses().tryUse("p#g-1", 2, in(Duration.ofDays(1)))).isFalse();
    }
  }

  @Test
  void reopen_afterExpiry_forgetsIdsAndGrantsAndDeletesTheirSegments() throws Exception {
    UUID id = UUID.randomUUID();
    try (StateStore s = open()) {
      s.replayCache().firstSeen(id, in(Duration.ofMinutes(5)));
      s.grantUses().tryUse("p#short", 1, in(Duration.ofMinutes(5)));
      s.grantUses().tryUse("p#long", 1, in(Duration.ofDays(30)));
      s.durable().get(10, TimeUnit.SECONDS);
    }
    Path withIds = segmentWithIds();
    clock.now = in(Duration.ofMinutes(6));

    try (StateStore s = open()) {
      assertThat(withIds).doesNotExist();
      assertThat(s.replayCache().firstSeen(id, in(Duration.ofMinutes(5)))).isTrue();
      assertThat(s.grantUses().used("p#short")).isZero();
      assertThat(s.grantUses().used("p#long")).as("carried in every new segment's snapshot").isEqualTo(1);
    }
  }

  @Test
  void tornTail_partialGroupAfterLastCommit_isCutOffAndEarlierFactsKept() throws Exception {
    UUID kept = UUID.randomUUID();
    try (StateStore s = open()) {
      s.replayCache().firstSeen(kept, in(Duration.ofMinutes(5)));
      s.durable().get(10, TimeUnit.SECONDS);
    }
    UUID uncommitted = UUID.randomUUID();
    Path last = segmentWithIds();
    long size = Files.size(last);
    // a group whose fsync did not complete: a whole line, half of the next, no commit line
    byte[] torn = new String(Journal.replayLine(uncommitted, in(Duration.ofMinutes(5)).toEpochMilli()),
        StandardCharsets.US_ASCII).concat("R 3f1c2a4e-00").getBytes(StandardCharsets.US_ASCII);
    // it must be the last segment for its tail to count as torn: drop the empty one opened after it
    for (Path p : segments()) {
      if (p.compareTo(last) > 0) {
        Files.delete(p);
      }
    }
    Files.write(last, torn, StandardOpenOption.APPEND);

    try (StateStore s = open()) {
      assertThat(s.replayCache().firstSeen(kept, in(Duration.ofMinutes(5)))).isFalse();
      assertThat(s.replayCache().firstSeen(uncommitted, in(Duration.ofMinutes(5)))).as("never acknowledged").isTrue();
      assertThat(Files.size(last)).isEqualTo(size);
    }
    try (StateStore s = open()) {
      assertThat(s.replayCache().firstSeen(uncommitted, in(Duration.ofMinutes(5)))).isFalse();
    }
  }

  @Test
  void tornTail_zeroFilled_isCutOff() throws Exception {
    UUID kept = UUID.randomUUID();
    try (StateStore s = open()) {
      s.replayCache().firstSeen(kept, in(Duration.ofMinutes(5)));
    }
    Files.write(lastSegment(), new byte[4096], StandardOpenOption.APPEND);

    try (StateStore s = open()) {
      assertThat(s.replayCache().firstSeen(kept, in(Duration.ofMinutes(5)))).isFalse();
    }
  }

  @Test
  void damagedCommittedLine_refusesToOpenNamingFileAndOffset() throws Exception {
    try (StateStore s = open()) {
      s.replayCache().firstSeen(UUID.randomUUID(), in(Duration.ofMinutes(5)));
    }
    Path f = segmentWithIds();
    String text = Files.readString(f, StandardCharsets.US_ASCII);
    int at = text.indexOf("\nR ") + 1;
    String damaged = text.substring(0, at + 5) + (text.charAt(at + 5) == '0' ? '1' : '0') + text.substring(at + 6);
    Files.writeString(f, damaged, StandardCharsets.US_ASCII);

    assertThatThrownBy(this::open).isInstanceOf(StateException.class)
        .hasMessageContaining(f.toString()).hasMessageContaining("corrupt at byte " + at).hasMessageContaining("checksum")
        .satisfies(e -> assertThat(((StateException) e).reason()).isEqualTo(StateException.Reason.CORRUPT));
    // nothing was reset: the file is as it was
    assertThat(Files.readString(f, StandardCharsets.US_ASCII)).isEqualTo(damaged);
  }

  @Test
  void deletedCommittedLine_refusedByTheCommitCount() throws Exception {
    try (StateStore s = open()) {
      s.replayCache().firstSeen(UUID.randomUUID(), in(Duration.ofMinutes(5)));
      s.replayCache().firstSeen(UUID.randomUUID(), in(Duration.ofMinutes(5)));
      s.close(); // one group of two lines, or two of one under load: either way a commit line counts them
    }
    Path f = segmentWithIds();
    List<String> lines = new ArrayList<>(Files.readAllLines(f, StandardCharsets.US_ASCII));
    int first = -1;
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).startsWith("R ")) {
        first = i;
        break;
      }
    }
    assertThat(first).as("a replay line in the segment").isNotNegative();
    lines.remove(first);
    Files.writeString(f, String.join("\n", lines) + "\n", StandardCharsets.US_ASCII);

    assertThatThrownBy(this::open).isInstanceOf(StateException.class).hasMessageContaining("commit line counts");
  }

  @Test
  void olderSegmentWithTrailingLines_isCorruptionNotATornTail() throws Exception {
    try (StateStore s = open()) {
      s.replayCache().firstSeen(UUID.randomUUID(), in(Duration.ofMinutes(5)));
    }
    open().close(); // starts a newer segment
    Path older = segmentWithIds();
    assertThat(older).isNotEqualTo(lastSegment());
    Files.write(older, "R 3f1c".getBytes(StandardCharsets.US_ASCII), StandardOpenOption.APPEND);

    assertThatThrownBy(this::open).isInstanceOf(StateException.class).hasMessageContaining("not the last");
  }

  @Test
  void garbageFileNamedLikeASegment_refused() throws Exception {
    Files.createDirectories(dir());
    Files.writeString(dir().resolve(Journal.segmentName(1)), "{\"not\": \"a journal\"}\n");

    assertThatThrownBy(this::open).isInstanceOf(StateException.class).hasMessageContaining("first line");
  }

  @Test
  void secondOpenOfOneDirectory_refusedAsLocked() throws Exception {
    try (StateStore s = open()) {
      assertThatThrownBy(this::open).isInstanceOf(StateException.class).hasMessageContaining("in use")
          .satisfies(e -> assertThat(((StateException) e).reason()).isEqualTo(StateException.Reason.LOCKED));
    }
    open().close(); // released on close
  }

  @Test
  void full_refusesNewIdsRatherThanForgettingOldOnes() throws Exception {
    UUID a = UUID.randomUUID();
    try (StateStore s = StateStore.builder(dir()).clock(clock).maxReplayEntries(2).open()) {
      s.replayCache().firstSeen(a, in(Duration.ofMinutes(5)));
      s.replayCache().firstSeen(UUID.randomUUID(), in(Duration.ofMinutes(5)));

      assertThatThrownBy(() -> s.replayCache().firstSeen(UUID.randomUUID(), in(Duration.ofMinutes(5))))
          .isInstanceOf(ReplayStateUnavailableException.class);
      assertThat(s.replayCache().firstSeen(a, in(Duration.ofMinutes(5)))).isFalse();
    }
    // a smaller bound than the live ids on disk refuses to open rather than drop some
    assertThatThrownBy(() -> StateStore.builder(dir()).clock(clock).maxReplayEntries(1).open())
        .isInstanceOf(StateException.class).hasMessageContaining("maxReplayEntries");
  }

  @Test
  void rotation_everyGroupInItsOwnSegment_keepsEverything() throws Exception {
    Set<UUID> ids = ConcurrentHashMap.newKeySet();
    try (StateStore s = StateStore.builder(dir()).clock(clock).segmentLimits(1, Duration.ofMinutes(10)).open()) {
      for (int i = 0; i < 20; i++) {
        UUID id = UUID.randomUUID();
        ids.add(id);
        s.replayCache().firstSeen(id, in(Duration.ofMinutes(5)));
        s.grantUses().tryUse("p#g", 100, in(Duration.ofDays(1)));
        s.durable().get(10, TimeUnit.SECONDS);
      }
    }
    assertThat(segments().size()).isGreaterThan(5);

    try (StateStore s = open()) {
      for (UUID id : ids) {
        assertThat(s.replayCache().firstSeen(id, in(Duration.ofMinutes(5)))).isFalse();
      }
      assertThat(s.grantUses().used("p#g")).isEqualTo(20);
    }
  }

  @Test
  void concurrentUse_exactlyOneFirstSeenPerIdAndNoUseOverTheLimit_allDurable() throws Exception {
    int threads = 8;
    UUID shared = UUID.randomUUID();
    AtomicLong firsts = new AtomicLong();
    AtomicLong grantUses = new AtomicLong();
    Set<UUID> ids = ConcurrentHashMap.newKeySet();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    // with a commit delay, as the gateway runs it: groups linger under load
    try (StateStore s = StateStore.builder(dir()).clock(clock).commitDelay(Duration.ofMillis(2)).open()) {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<?>> fs = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        fs.add(pool.submit(() -> {
          go.await();
          if (s.replayCache().firstSeen(shared, in(Duration.ofMinutes(5)))) {
            firsts.incrementAndGet();
          }
          for (int i = 0; i < 200; i++) {
            UUID id = UUID.randomUUID();
            ids.add(id);
            s.replayCache().firstSeen(id, in(Duration.ofMinutes(5)));
            if (s.grantUses().tryUse("p#g", 1000, in(Duration.ofDays(1)))) {
              grantUses.incrementAndGet();
            }
          }
          s.durable().get(30, TimeUnit.SECONDS);
          return null;
        }));
      }
      go.countDown();
      for (Future<?> f : fs) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(firsts.get()).isEqualTo(1);
    assertThat(grantUses.get()).isEqualTo(1000);

    try (StateStore s = open()) {
      assertThat(s.grantUses().used("p#g")).isEqualTo(1000);
      for (UUID id : ids) {
        assertThat(s.replayCache().firstSeen(id, in(Duration.ofMinutes(5)))).isFalse();
      }
    }
  }

  @Test
  void closed_refusesFurtherUse() throws Exception {
    StateStore s = open();
    s.close();

    assertThatThrownBy(() -> s.replayCache().firstSeen(UUID.randomUUID(), in(Duration.ofMinutes(5))))
        .isInstanceOf(ReplayStateUnavailableException.class).hasMessageContaining("closed");
    assertThatThrownBy(() -> s.grantUses().tryUse("p#g", 1, in(Duration.ofDays(1))))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void check_readsWithoutLockingOrWriting() throws Exception {
    try (StateStore s = open()) {
      s.replayCache().firstSeen(UUID.randomUUID(), in(Duration.ofMinutes(5)));
      s.durable().get(10, TimeUnit.SECONDS);
      List<Path> before = segments();
      long bytes = Files.size(segmentWithIds());

      assertThat(StateStore.check(dir(), clock)).contains("1 unexpired envelope ids");
      assertThat(segments()).isEqualTo(before);
      assertThat(Files.size(segmentWithIds())).isEqualTo(bytes);
    }
    assertThat(StateStore.check(tmp.resolve("nowhere"), clock)).contains("will be created");
    assertThat(tmp.resolve("nowhere")).doesNotExist();
    Files.write(segmentWithIds(), "x\n".getBytes(StandardCharsets.US_ASCII), StandardOpenOption.APPEND);
    Files.write(segmentWithIds(), Journal.commitLine(0), StandardOpenOption.APPEND);
    assertThatThrownBy(() -> StateStore.check(dir(), clock)).isInstanceOf(StateException.class);
  }

  /**
   * Kills a child JVM with SIGKILL while it records under load, several times over one directory,
   * and checks after each kill that the state opens and kept every fact the child saw durable.
   * Iterations: {@code -Dstate.crash.iterations=N} (default 5).
   */
  @Test
  void kill9_underLoad_noDurableFactLost() throws Exception {
    int iterations = Integer.getInteger("state.crash.iterations", 5);
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Set<UUID> durable = ConcurrentHashMap.newKeySet();
    AtomicLong durableUses = new AtomicLong();
    for (int it = 0; it < iterations; it++) {
      Process child = new ProcessBuilder(java, "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
          "-cp", System.getProperty("java.class.path"), StateCrashChild.class.getName(), dir().toString())
          .redirectError(ProcessBuilder.Redirect.DISCARD)
          .start();
      AtomicLong acked = new AtomicLong();
      Thread reader = new Thread(() -> {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.US_ASCII))) {
          String line;
          while ((line = r.readLine()) != null) {
            if (line.startsWith("R ") && line.length() >= 38) {
              durable.add(UUID.fromString(line.substring(2, 38)));
              if (line.endsWith(" G")) {
                durableUses.incrementAndGet();
              }
              acked.incrementAndGet();
            }
          }
        } catch (Exception e) {
          // the kill ends the stream
        }
      });
      reader.start();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (acked.get() < 50 && child.isAlive() && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      assertThat(child.isAlive()).as("child died on its own in iteration " + it).isTrue();
      Thread.sleep(50 + it * 37 % 200);
      child.destroyForcibly();
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
      reader.join(TimeUnit.SECONDS.toMillis(30));

      try (StateStore s = StateStore.builder(dir()).open()) {
        assertThat(s.grantUses().used("issuer#grant-1")).as("iteration " + it).isGreaterThanOrEqualTo(durableUses.get());
        for (UUID id : durable) {
          assertThat(s.replayCache().firstSeen(id, Instant.now().plus(Duration.ofDays(1)))).as("iteration " + it + ": " + id)
              .isFalse();
        }
      }
    }
  }
}
