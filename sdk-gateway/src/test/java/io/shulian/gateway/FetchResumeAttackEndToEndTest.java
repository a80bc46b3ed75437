package io.shulian.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.shulian.core.keys.Suite;
import io.shulian.gateway.cli.DatasetDownload;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An outsider (another local user or a confused script with write access to the output directory)
 * plants files beside {@code shulian fetch}'s output: symbolic links in place of the partial file,
 * its state or the state's temporary file, a FIFO as the state, state files of shapes the CLI did
 * not write, an output path that is a directory, a second fetch of the same file running. The CLI
 * must never write anything outside the named output (and its own {@code .part} files), never
 * present a file as complete unless verified, and say why it refuses with exit code 3 (2 for
 * usage). The real CLI against real gateways on loopback.
 */
class FetchResumeAttackEndToEndTest {
  static final byte[] PRECIOUS = "the victim's own data\n".getBytes(StandardCharsets.UTF_8);
  final FetchResumeEndToEndTest f = new FetchResumeEndToEndTest();
  @TempDir Path dir;
  Path victim;

  @BeforeEach
  void setUp() throws Exception {
    f.dir = dir;
    victim = dir.resolve("victim");
  }

  @AfterEach
  void tearDown() throws Exception {
    f.tearDown();
  }

  /** A city whose first connection is not cut. */
  void startUncut() throws Exception {
    f.start(Suite.INTL, Long.MAX_VALUE);
  }

  @Test
  void partIsADanglingSymlink_freshFetch_nothingWrittenThroughIt_refused() throws Exception {
    startUncut();
    Files.createSymbolicLink(f.part, victim);

    FetchResumeEndToEndTest.Cli r = f.fetch();

    assertThat(r.code()).as(r.err()).isEqualTo(3);
    assertThat(r.err()).contains("cannot continue").contains("not a regular file");
    assertThat(victim).doesNotExist();
    assertThat(Files.exists(f.out, LinkOption.NOFOLLOW_LINKS)).isFalse();
    assertThat(Files.isSymbolicLink(f.part)).isTrue(); // left as found
  }

  @Test
  void partIsASymlinkToAVictim_stateVouchingForNoBytes_victimNeitherTruncatedNorWritten() throws Exception {
    f.start(Suite.INTL, 500_000);
    f.cutRun();
    String text = Files.readString(f.state).replace("bytes=" + f.stateField("bytes"), "bytes=0")
        .replace("sha256=" + f.stateField("sha256"), "sha256=" + b64(MessageDigest.getInstance("SHA-256").digest()));
    Files.writeString(f.state, text);
    Files.delete(f.part);
    Files.write(victim, PRECIOUS);
    Files.createSymbolicLink(f.part, victim);

    FetchResumeEndToEndTest.Cli r = f.fetch();

    assertThat(r.code()).as(r.err()).isEqualTo(3);
    assertThat(r.err()).contains("cannot continue").contains("not a regular file");
    assertThat(Files.readAllBytes(victim)).isEqualTo(PRECIOUS);
    assertThat(Files.exists(f.out, LinkOption.NOFOLLOW_LINKS)).isFalse();
  }

  @Test
  void stateTemporaryFileIsASymlinkToAVictim_stateNeverWrittenThroughIt_fetchCompletes() throws Exception {
    startUncut();
    Files.write(victim, PRECIOUS);
    Files.createSymbolicLink(dir.resolve("households.jsonl.part.state.tmp"), victim);

    FetchResumeEndToEndTest.Cli r = f.fetch();

    assertThat(Files.readAllBytes(victim)).isEqualTo(PRECIOUS);
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(Files.isRegularFile(f.out, LinkOption.NOFOLLOW_LINKS)).isTrue();
    assertThat(Files.readAllBytes(f.out)).isEqualTo(f.expected);
  }

  @Test
  void stateIsASymlinkOrAFifo_refusedWithoutReadingThroughIt_partialFileUntouched() throws Exception {
    f.start(Suite.INTL, 500_000);
    f.cutRun();
    byte[] had = Files.readAllBytes(f.part);
    Path elsewhere = dir.resolve("elsewhere.state");
    Files.move(f.state, elsewhere);
    Files.createSymbolicLink(f.state, elsewhere);

    FetchResumeEndToEndTest.Cli linked = f.fetch();

    assertThat(linked.code()).as(linked.err()).isEqualTo(3);
    assertThat(linked.err()).contains("cannot continue").contains("not a regular file");
    assertThat(Files.readAllBytes(f.part)).isEqualTo(had);

    Files.delete(f.state);
    Process mkfifo = new ProcessBuilder("mkfifo", f.state.toString()).start();
    assertThat(mkfifo.waitFor()).isZero();
    FetchResumeEndToEndTest.Cli fifo = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(
        java.time.Duration.ofMinutes(2), () -> f.fetch(), "a FIFO as the state file must not block the CLI");

    assertThat(fifo.code()).as(fifo.err()).isEqualTo(3);
    assertThat(fifo.err()).contains("cannot continue").contains("not a regular file");
    assertThat(Files.readAllBytes(f.part)).isEqualTo(had);
    assertThat(Files.exists(f.out, LinkOption.NOFOLLOW_LINKS)).isFalse();
  }

  @Test
  void stateShapesTheCliNeverWrites_refusedLocally_partialFileUntouched() throws Exception {
    f.start(Suite.INTL, 500_000);
    f.cutRun();
    byte[] had = Files.readAllBytes(f.part);
    String good = Files.readString(f.state);
    String bytes = "bytes=" + f.stateField("bytes");
    String envelope = "envelope=" + f.stateField("envelope");
    Map<String, String> shapes = new LinkedHashMap<>();
    shapes.put("a number beyond a long", good.replace(bytes, "bytes=99999999999999999999"));
    shapes.put("negative", good.replace(bytes, "bytes=-1"));
    shapes.put("a plus sign", good.replace(bytes, "bytes=+" + f.stateField("bytes")));
    shapes.put("leading zeros", good.replace(bytes, "bytes=000" + f.stateField("bytes")));
    shapes.put("spaces", good.replace(bytes, "bytes= " + f.stateField("bytes")));
    shapes.put("hex", good.replace(bytes, "bytes=0x10"));
    shapes.put("Long.MAX_VALUE", good.replace(bytes, "bytes=" + Long.MAX_VALUE));
    shapes.put("an abbreviated envelope id", good.replace(envelope, "envelope=1-1-1-1-1"));
    shapes.put("an upper-case envelope id", good.replace(envelope, envelope.toUpperCase(java.util.Locale.ROOT))
        .replace("ENVELOPE=", "envelope="));
    shapes.put("a missing field", good.replace(bytes + "\n", ""));
    shapes.put("a repeated field", good + bytes + "\n");
    shapes.put("a field it does not know", good + "extra=1\n");
    shapes.put("a JSON document", "{\"bytes\": 0, \"sha256\": \"x\"}\n");
    shapes.put("empty", "");
    shapes.put("huge", good + "#".repeat(9000) + "\n");
    for (Map.Entry<String, String> shape : shapes.entrySet()) {
      Files.writeString(f.state, shape.getValue());

      FetchResumeEndToEndTest.Cli r = f.fetch();

      assertThat(r.code()).as(shape.getKey() + ": " + r.err()).isEqualTo(3);
      assertThat(r.err()).as(shape.getKey()).contains("cannot continue");
      assertThat(Files.readAllBytes(f.part)).as(shape.getKey()).isEqualTo(had);
      assertThat(Files.exists(f.out, LinkOption.NOFOLLOW_LINKS)).as(shape.getKey()).isFalse();
    }
    Files.writeString(f.state, good);
    FetchResumeEndToEndTest.Cli rerun = f.fetch();
    assertThat(rerun.code()).as(rerun.err()).isZero();
    assertThat(Files.readAllBytes(f.out)).isEqualTo(f.expected);
  }

  @Test
  void outputIsADirectory_refusedBeforeAnythingIsFetched_directoryUntouched() throws Exception {
    startUncut();
    Files.createDirectory(f.out);

    FetchResumeEndToEndTest.Cli empty = f.fetch();

    assertThat(empty.code()).as(empty.err()).isEqualTo(2);
    assertThat(empty.err()).contains("--out").contains("directory");
    assertThat(f.out).isDirectory();
    Files.write(f.out.resolve("inside"), PRECIOUS);

    FetchResumeEndToEndTest.Cli full = f.fetch();

    assertThat(full.code()).as(full.err()).isEqualTo(2);
    assertThat(Files.readAllBytes(f.out.resolve("inside"))).isEqualTo(PRECIOUS);
    assertThat(Files.exists(f.part, LinkOption.NOFOLLOW_LINKS)).isFalse();
    assertThat(Files.exists(f.state, LinkOption.NOFOLLOW_LINKS)).isFalse();
  }

  @Test
  void outputIsASymlinkToAVictim_theLinkIsReplaced_victimUntouched() throws Exception {
    startUncut();
    Files.write(victim, PRECIOUS);
    Files.createSymbolicLink(f.out, victim);

    FetchResumeEndToEndTest.Cli r = f.fetch();

    assertThat(r.code()).as(r.err()).isZero();
    assertThat(Files.readAllBytes(victim)).isEqualTo(PRECIOUS);
    assertThat(Files.isRegularFile(f.out, LinkOption.NOFOLLOW_LINKS)).isTrue();
    assertThat(Files.readAllBytes(f.out)).isEqualTo(f.expected);
  }

  @Test
  void secondFetchWhileAnotherHoldsThePartialFile_refused_neitherTruncatesNorAppends() throws Exception {
    f.start(Suite.INTL, 500_000);
    f.cutRun();
    byte[] had = Files.readAllBytes(f.part);
    FetchResumeEndToEndTest.Cli second;
    // the first fetch's lock on the partial file, as a running `shulian fetch` holds it
    try (FileChannel c = FileChannel.open(f.part, StandardOpenOption.WRITE); FileLock lock = c.lock()) {
      second = f.fetch();
    }

    assertThat(second.code()).as(second.err()).isEqualTo(3);
    assertThat(second.err()).contains("another shulian fetch");
    assertThat(Files.readAllBytes(f.part)).isEqualTo(had);
    assertThat(Files.exists(f.out, LinkOption.NOFOLLOW_LINKS)).isFalse();
    assertThat(Files.readString(f.state)).contains("bytes=" + had.length);

    FetchResumeEndToEndTest.Cli after = f.fetch();
    assertThat(after.code()).as(after.err()).isZero();
    assertThat(Files.readAllBytes(f.out)).isEqualTo(f.expected);
  }

  @Test
  void restartWhileAnotherFetchHoldsThePartialFile_refused_itsFilesKept() throws Exception {
    f.start(Suite.INTL, 500_000);
    f.cutRun();
    byte[] had = Files.readAllBytes(f.part);
    String state = Files.readString(f.state);
    FetchResumeEndToEndTest.Cli restart;
    // deleting a running fetch's partial file would let it rename the next fetch's partial file to --out
    try (FileChannel c = FileChannel.open(f.part, StandardOpenOption.WRITE); FileLock lock = c.lock()) {
      restart = f.fetch("--restart");
    }

    assertThat(restart.code()).as(restart.err()).isEqualTo(3);
    assertThat(restart.err()).contains("another shulian fetch");
    assertThat(Files.readAllBytes(f.part)).isEqualTo(had);
    assertThat(Files.readString(f.state)).isEqualTo(state);
    assertThat(Files.exists(f.out, LinkOption.NOFOLLOW_LINKS)).isFalse();
  }

  @Test
  void fetchWhilePartialFileOfASecondRunAppearsWithoutState_refusedNotOverwritten() throws Exception {
    startUncut();
    Files.write(f.part, PRECIOUS); // another fetch just created it and has not written its state yet

    FetchResumeEndToEndTest.Cli r = f.fetch();

    assertThat(r.code()).as(r.err()).isEqualTo(3);
    assertThat(Files.readAllBytes(f.part)).isEqualTo(PRECIOUS);
    assertThat(r.err()).contains("cannot continue");
    assertThat(Files.exists(f.out, LinkOption.NOFOLLOW_LINKS)).isFalse();
  }

  @Test
  void appResumeHeader_signedSpacedUpperCaseOrRepeated_refused400_leadingZerosAreTheSameNumber() throws Exception {
    f.start(Suite.INTL, 500_000);
    f.cutRun();
    String envelope = f.stateField("envelope");
    String bytes = f.stateField("bytes");
    String digest = f.stateField("sha256");
    java.util.List<String> malformed = java.util.List.of(envelope + ";bytes=+" + bytes + ";sha256=" + digest,
        envelope + ";bytes= " + bytes + ";sha256=" + digest, envelope + "; bytes=" + bytes + ";sha256=" + digest,
        envelope.toUpperCase(java.util.Locale.ROOT) + ";bytes=" + bytes + ";sha256=" + digest,
        envelope + ";bytes=" + bytes + ";sha256=" + digest + "=", envelope + ";bytes=" + bytes + ";sha256=" + digest
            + ";bytes=0", envelope + ";bytes=0x10;sha256=" + digest, envelope + ";bytes=1e3;sha256=" + digest,
        envelope + ";bytes=" + Long.MAX_VALUE + ";sha256=" + digest);
    for (String v : malformed) {
      DatasetDownload.Result r = ask(Map.of(DatasetDownload.RESUME_FROM, v));
      assertThat(r.status()).as(v).isEqualTo(400);
      assertThat(new String(r.problem(), StandardCharsets.UTF_8)).as(v).contains("RESUME_MALFORMED");
    }
    Map<String, String> twice = new LinkedHashMap<>();
    twice.put(DatasetDownload.RESUME_FROM, envelope + ";bytes=" + bytes + ";sha256=" + digest);
    twice.put(DatasetDownload.RESUME_FROM.toLowerCase(java.util.Locale.ROOT), envelope + ";bytes=0;sha256="
        + b64(MessageDigest.getInstance("SHA-256").digest()));
    DatasetDownload.Result repeated = ask(twice);
    assertThat(repeated.status()).isEqualTo(400);
    assertThat(new String(repeated.problem(), StandardCharsets.UTF_8)).contains("RESUME_MALFORMED");

    // leading zeros name the same byte: the rest of the same transfer, after exactly that byte
    java.io.ByteArrayOutputStream rest = new java.io.ByteArrayOutputStream();
    DatasetDownload.Result zeros = null;
    // the earlier transfer may still be ending on a loaded machine: ask again for up to 60 s
    for (long until = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60); System.nanoTime() < until; ) {
      rest.reset();
      zeros = DatasetDownload.get(consumer(), headers(Map.of(DatasetDownload.RESUME_FROM, envelope + ";bytes=000" + bytes
          + ";sha256=" + digest)), rest, n -> {}, java.time.Duration.ofSeconds(30));
      if (zeros.status() != 409) {
        break;
      }
      Thread.sleep(200);
    }
    assertThat(zeros.status()).isEqualTo(200);
    assertThat(zeros.headers().get(DatasetDownload.RESUMED_FROM)).isEqualTo(bytes);
    assertThat(zeros.complete()).isTrue();
    assertThat(rest.toByteArray()).isEqualTo(java.util.Arrays.copyOfRange(f.expected, Integer.parseInt(bytes),
        f.expected.length));
  }

  java.net.URI consumer() {
    return java.net.URI.create("http://127.0.0.1:" + f.city.consumer.address("consumer").getPort()
        + "/dataset/HOUSING-001/households");
  }

  static Map<String, String> headers(Map<String, String> more) {
    Map<String, String> h = new LinkedHashMap<>(Map.of("X-Api-Key", DatasetStreamEndToEndTest.API_KEY,
        "X-Shulian-Purpose", DatasetStreamEndToEndTest.PURPOSE));
    h.putAll(more);
    return h;
  }

  /** Asks with {@code more} headers; nothing may be released for a refusal. */
  DatasetDownload.Result ask(Map<String, String> more) throws Exception {
    java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
    DatasetDownload.Result r = DatasetDownload.get(consumer(), headers(more), got, n -> {},
        java.time.Duration.ofSeconds(30));
    assertThat(got.size()).isZero();
    return r;
  }

  static String b64(byte[] b) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }
}
