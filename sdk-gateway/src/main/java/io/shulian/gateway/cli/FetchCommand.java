package io.shulian.gateway.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.LinkOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import org.bouncycastle.crypto.digests.SM3Digest;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(
    name = "fetch",
    mixinStandardHelpOptions = true,
    description = {
      "Fetch a data set through a consumer gateway into a file, completing it only once verified.",
      "Sends GET <gateway>/dataset/<resource><path> with the app's API key (from the environment "
          + "variable --api-key-env names, or --api-key-file) and the purpose, and streams the body into a temporary "
          + "file next to --out (<out>.part), showing progress on standard error. The file is renamed "
          + "to --out only when the gateway's trailer says the stream is complete and the provider's "
          + "signature over it verified (X-Shulian-Stream: verified), and the file's length and digest "
          + "are those the trailer states.",
      "Resuming: beside <out>.part the command keeps <out>.part.state (the transfer's envelope id, "
          + "what was asked for, and every 8 MiB the bytes received with their SHA-256; never the API "
          + "key or the grant). A stream that is cut off leaves no --out, keeps both and exits 3; "
          + "rerunning the same command continues the same transfer after the bytes received (the "
          + "gateway checks their digest and authenticates the whole stream again; the final "
          + "signature covers the whole file). If the partial file or its state was changed, belongs "
          + "to another fetch (gateway, resource, path, purpose, grant), or the gateway refuses the "
          + "continuation (409 RESUME_REFUSED: expired after 1 hour, unknown, another request, "
          + "PREFIX_MISMATCH), the command says why and exits 3 (4 for 403) without touching the "
          + "partial file; --restart discards it and fetches from the start. The command never follows "
          + "a symbolic link (or opens anything but a regular file) at <out>.part, <out>.part.state or "
          + "its temporary file, refuses an --out that is a directory, and holds a lock on <out>.part "
          + "while it runs: a second fetch of the same file, or its --restart, exits 3.",
      "Exit codes: 0 complete and verified; 3 cut off, rejected or not continuable; 4 refused "
          + "with 403; 1 when the gateway cannot be reached or the file cannot be written; 2 usage. "
          + "A refusal of a new fetch (4xx, 5xx) prints the gateway's problem and deletes the partial "
          + "file. See docs/return-flow.md."
    })
final class FetchCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--gateway", required = true, description = "the consumer gateway, http://host:port")
  String gateway;

  @Option(names = "--resource", required = true, description = "the catalog code of the data set")
  String resource;

  @Option(names = "--path", description = "the path below the resource (default ${DEFAULT-VALUE})")
  String path = "/";

  @Option(names = "--purpose", required = true, description = "the purpose code stated for the request")
  String purpose;

  @Option(names = "--api-key-env", description = "environment variable holding the app's API key (default ${DEFAULT-VALUE})")
  String apiKeyEnv = "SHULIAN_API_KEY";

  @Option(names = "--api-key-file", description = "file holding the app's API key (first line), instead of --api-key-env")
  Path apiKeyFile;

  @Option(names = "--grant", description = "a grant token to present (conditional sharing)")
  String grant;

  @Option(names = "--out", required = true, description = "the data set file; written only when complete and verified")
  Path out;

  @Option(names = "--restart", description = "discard a partial file (<out>.part) and its state and fetch from the start")
  boolean restart;

  @Option(names = "--timeout", description = "longest wait for the next bytes (default ${DEFAULT-VALUE})")
  String timeout = "120s";

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    String key = Cli.apiKey(spec, apiKeyFile, apiKeyEnv);
    URI base = Cli.appGateway(spec, gateway);
    if (!resource.matches("[A-Za-z0-9._:-]{1,128}")) {
      throw Cli.usage(spec, "--resource: not a catalog code");
    }
    if (!path.startsWith("/") || path.contains("\r") || path.contains("\n") || path.contains(" ")) {
      throw Cli.usage(spec, "--path must start with / and contain no spaces or line breaks");
    }
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("X-Api-Key", key);
    headers.put("X-Shulian-Purpose", purpose);
    if (grant != null) {
      headers.put("X-Shulian-Grant", grant);
    }
    String gw = base.getScheme() + "://" + base.getHost() + ":" + (base.getPort() > 0 ? base.getPort() : 80);
    URI uri = URI.create(gw + "/dataset/" + resource + ("/".equals(path) ? "" : path));
    Duration wait = Cli.duration(spec, timeout, "--timeout");
    Path target = out.toAbsolutePath();
    if (Files.isDirectory(target)) {
      throw Cli.usage(spec, "--out: " + out + " is a directory; name the file to write");
    }
    Path part = target.resolveSibling(target.getFileName() + ".part");
    Path statePath = target.resolveSibling(target.getFileName() + ".part.state");
    String grantHash = grant == null ? "-" : b64(sha256().digest(grant.getBytes(StandardCharsets.UTF_8)));
    if (restart) {
      try {
        discard(part, statePath);
      } catch (IllegalArgumentException e) {
        err.println("cannot restart: " + e.getMessage() + ".");
        return ExitCodes.REJECTED;
      }
    }
    FetchState resume = null;
    MessageDigest sha = sha256();
    FileChannel channel = null;
    try {
      if (Files.exists(part, LinkOption.NOFOLLOW_LINKS) || Files.exists(statePath, LinkOption.NOFOLLOW_LINKS)) {
        try {
          channel = partialFile(part, statePath);
          resume = continuable(channel, part, statePath, gw, grantHash, sha);
        } catch (IllegalArgumentException | IOException e) {
          err.println("cannot continue: " + e.getMessage() + ". Rerun with --restart to discard " + part
              + " and fetch from the start.");
          return ExitCodes.REJECTED;
        }
        err.printf("continuing transfer %s after %,d bytes%n", resume.envelope(), resume.bytes());
        headers.put(DatasetDownload.RESUME_FROM, resume.envelope() + ";bytes=" + resume.bytes() + ";sha256=" + resume.sha256());
      } else {
        try {
          // never through a link or into a file someone else made: O_CREAT|O_EXCL does not follow links
          channel = FileChannel.open(part, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
              StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
          lock(channel, part);
        } catch (FileAlreadyExistsException | IllegalArgumentException e) {
          err.println("cannot continue: " + part + " appeared while starting: another shulian fetch is writing it. Rerun "
              + "when it has finished (--restart to discard it).");
          return ExitCodes.REJECTED;
        }
      }
      Object partKey;
      try {
        partKey = regularFile(part); // the file locked: what is renamed to --out must still be this one
      } catch (IllegalArgumentException e) {
        err.println("cannot continue: " + e.getMessage() + ".");
        return ExitCodes.REJECTED;
      }
      return fetch(uri, headers, channel, partKey, part, target, statePath, sha, resume, gw, grantHash, wait, err);
    } finally {
      if (channel != null) {
        channel.close(); // and with it the lock
      }
    }
  }

  /** Fetches (or continues) into the locked partial file {@code ch} and completes {@code target} only if verified. */
  private int fetch(URI uri, Map<String, String> headers, FileChannel ch, Object partKey, Path part, Path target,
      Path statePath, MessageDigest sha, @Nullable FetchState from, String gw, String grantHash, Duration wait, PrintWriter err)
      throws IOException, InterruptedException {
    Checkpoints file = new Checkpoints(statePath, sha, from, err);
    DatasetDownload.Result r;
    try {
      r = download(uri, headers, ch, file, from, gw, grantHash, wait);
    } catch (IOException e) {
      err.println("error: " + e.getMessage());
      kept(part, statePath, err);
      return ExitCodes.FAILURE;
    }
    if (r.status() != 200) {
      err.println("refused: " + r.status() + " " + new String(r.problem(), StandardCharsets.UTF_8));
      if (from != null) {
        err.println("the gateway refused to continue the transfer in " + part + " (kept). Rerun with --restart to "
            + "discard it and fetch the data set from the start.");
      } else {
        Files.deleteIfExists(part);
      }
      return r.status() == 403 ? ExitCodes.DENIED : ExitCodes.REJECTED;
    }
    long total = file.bytes;
    if (!r.complete()) {
      file.checkpoint();
      err.printf("incomplete: the stream ended after %,d bytes without the verified trailer; nothing was written to %s. "
          + "The bytes received are kept in %s: rerun the same command to continue (--restart to start over).%n",
          total, out, part);
      return ExitCodes.REJECTED;
    }
    String announced = r.trailers().get(DatasetDownload.BYTES_TRAILER);
    String label = r.trailers().getOrDefault(DatasetDownload.DIGEST_TRAILER, "");
    String problem = !Long.toString(total).equals(announced)
        ? "the trailer announces " + announced + " bytes, the file has " + total
        : !label.equals(digestOf(ch, label)) ? "the file's digest is not the verified " + label : null;
    if (problem != null) {
      Files.deleteIfExists(part);
      Files.deleteIfExists(statePath);
      err.println("incomplete: " + problem + "; nothing was written to " + out);
      return ExitCodes.REJECTED;
    }
    if (!partKey.equals(regularFile(part))) {
      err.println("incomplete: " + part + " was replaced while fetching; nothing was written to " + out);
      return ExitCodes.REJECTED;
    }
    Files.move(part, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    Files.deleteIfExists(statePath);
    err.printf("complete: %,d bytes verified (%s), envelope %s%n", total, label,
        r.headers().getOrDefault("x-shulian-envelope-id", "-"));
    err.flush();
    return ExitCodes.OK;
  }

  /** One request; asked again (at most 10 times) while the provider still winds the cut transfer down. */
  private DatasetDownload.Result download(URI uri, Map<String, String> headers, FileChannel ch, Checkpoints file,
      @Nullable FetchState from, String gw, String grantHash, Duration wait) throws IOException, InterruptedException {
    long start = from == null ? 0 : from.bytes();
    // not closed here: closing it would close the channel, and with it the lock, before the file is complete
    OutputStream o = Channels.newOutputStream(ch);
    for (int attempt = 1; ; attempt++) {
      ch.truncate(start);
      ch.position(start);
      file.into(o);
      DatasetDownload.Result r = DatasetDownload.get(uri, headers, head -> {
        String envelope = head.getOrDefault("x-shulian-envelope-id", "");
        if (from == null) {
          try {
            file.started(new FetchState(gw, resource, path, purpose, grantHash, envelope,
                head.getOrDefault("x-shulian-request-envelope-id", "-"), 0, b64(sha256().digest())));
          } catch (IllegalArgumentException e) {
            throw new IOException("the gateway's answer names no envelope id: not a data set stream");
          }
        } else if (!envelope.equals(from.envelope())
            || !Long.toString(from.bytes()).equals(head.get(DatasetDownload.RESUMED_FROM))) {
          throw new IOException("the gateway did not continue transfer " + from.envelope() + " after "
              + from.bytes() + " bytes; nothing was appended");
        }
      }, file, n -> {}, wait);
      if (from == null || r.status() != 409 || attempt >= 10
          || !new String(r.problem(), StandardCharsets.UTF_8).contains("RESUME_IN_PROGRESS")) {
        return r;
      }
      Thread.sleep(300L * attempt); // the provider has not yet seen the cut: ask again shortly
    }
  }

  /**
   * Deletes the partial file and its state for {@code --restart} (links themselves, never what they
   * name), unless another fetch holds the partial file: it would rename whatever then stands at
   * {@code <out>.part} to {@code --out}.
   */
  private static void discard(Path part, Path statePath) throws IOException {
    if (Files.isRegularFile(part, LinkOption.NOFOLLOW_LINKS)) {
      try (FileChannel c = FileChannel.open(part, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
        lock(c, part);
        Files.delete(part);
      }
    } else {
      Files.deleteIfExists(part);
    }
    Files.deleteIfExists(statePath);
  }

  /** After an error: keeps the partial file if it can be continued (its state exists), else deletes it. */
  private static void kept(Path part, Path statePath, PrintWriter err) throws IOException {
    if (Files.exists(statePath, LinkOption.NOFOLLOW_LINKS) && Files.exists(part, LinkOption.NOFOLLOW_LINKS)) {
      err.println("the bytes received are kept in " + part + ": rerun the same command to continue (--restart to start over)");
      return;
    }
    Files.deleteIfExists(part);
  }

  /**
   * Opens the partial file to continue it, locked: never through a symbolic link, never anything but
   * a regular file, never one another fetch holds.
   *
   * @throws IllegalArgumentException (message for the user) if it cannot be continued
   */
  private static FileChannel partialFile(Path part, Path statePath) throws IOException {
    for (Path p : new Path[] {part, statePath}) {
      if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
        regularFile(p);
      }
    }
    if (!Files.exists(statePath, LinkOption.NOFOLLOW_LINKS)) {
      throw new IllegalArgumentException(part + " exists without its state file " + statePath.getFileName()
          + ", so it is not known which transfer it belongs to");
    }
    if (!Files.exists(part, LinkOption.NOFOLLOW_LINKS)) {
      throw new IllegalArgumentException("the state file " + statePath + " exists without its partial file " + part);
    }
    Object key = regularFile(part);
    FileChannel ch = FileChannel.open(part, StandardOpenOption.READ, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
    try {
      lock(ch, part);
      if (!key.equals(regularFile(part))) {
        throw new IllegalArgumentException(part + " was replaced while opening it: another shulian fetch is working on it");
      }
      return ch;
    } catch (IllegalArgumentException | IOException e) {
      ch.close();
      throw e;
    }
  }

  /**
   * The file key of {@code p}, a regular file (not followed if it is a link).
   *
   * @throws IllegalArgumentException if it is not a regular file
   */
  static Object regularFile(Path p) throws IOException {
    BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    if (!a.isRegularFile()) {
      throw new IllegalArgumentException(p + " is not a regular file (a symbolic link, directory or device); it was not "
          + "written by shulian and is not followed");
    }
    Object key = a.fileKey();
    return key == null ? p : key;
  }

  /** Locks the partial file for this run; a second fetch of the same file is refused. */
  private static void lock(FileChannel ch, Path part) throws IOException {
    if (!RunLock.exclusive(ch)) {
      throw new IllegalArgumentException("another shulian fetch is writing " + part + "; wait for it to finish");
    }
  }

  /**
   * The state of a partial transfer this command may continue, with {@code sha} fed its bytes;
   * the partial file cut back to the bytes the state vouches for.
   *
   * @throws IllegalArgumentException (message for the user) if it cannot be continued
   */
  private FetchState continuable(FileChannel ch, Path part, Path statePath, String gw, String grantHash, MessageDigest sha)
      throws IOException {
    FetchState s;
    try {
      s = FetchState.read(statePath);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("the state file " + statePath + " is damaged or was edited (" + e.getMessage() + ")");
    }
    if (!s.sameRequest(gw, resource, path, purpose, grantHash)) {
      throw new IllegalArgumentException(part + " belongs to another fetch (" + s.gateway() + ", resource "
          + s.resource() + ", path " + s.path() + ", purpose " + s.purpose() + ", or another grant)");
    }
    long size = ch.size();
    if (size < s.bytes()) {
      throw new IllegalArgumentException(part + " is shorter (" + size + " bytes) than the " + s.bytes()
          + " bytes its state records: it changed since");
    }
    if (read(ch, s.bytes(), sha::update) < s.bytes()) {
      throw new IllegalArgumentException(part + " ended early");
    }
    if (!b64(copy(sha).digest()).equals(s.sha256())) {
      throw new IllegalArgumentException("the first " + s.bytes() + " bytes of " + part
          + " are not those its state records (digest differs): it changed since");
    }
    if (size > s.bytes()) {
      ch.truncate(s.bytes()); // received after the last checkpoint: asked for again
    }
    return s;
  }

  /** Bytes of a file, as they are read. */
  private interface Bytes {
    void accept(byte[] b, int off, int len);
  }

  /** Feeds the first {@code n} bytes of {@code ch} (from its start) to {@code to}; returns how many there were. */
  private static long read(FileChannel ch, long n, Bytes to) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(65536);
    long pos = 0;
    while (pos < n) {
      buf.clear().limit((int) Math.min(buf.capacity(), n - pos));
      int r = ch.read(buf, pos);
      if (r < 0) {
        break;
      }
      to.accept(buf.array(), 0, r);
      pos += r;
    }
    return pos;
  }

  /** The digest of the file as the trailer labels it ({@code sha256:} or {@code sm3:}), or "" for another label. */
  private static String digestOf(FileChannel file, String label) throws IOException {
    boolean sm3 = label.startsWith("sm3:");
    if (!sm3 && !label.startsWith("sha256:")) {
      return "";
    }
    MessageDigest sha = sha256();
    SM3Digest sm = new SM3Digest();
    read(file, file.size(), sm3 ? sm::update : sha::update);
    if (!sm3) {
      return "sha256:" + b64(sha.digest());
    }
    byte[] d = new byte[sm.getDigestSize()];
    sm.doFinal(d, 0);
    return "sm3:" + b64(d);
  }

  /**
   * Writes what arrives to the partial file and, every 8 MiB and at the end, records in the state
   * file how many bytes the partial file holds and their SHA-256 (after flushing them), printing
   * progress.
   */
  private static final class Checkpoints extends OutputStream {
    private static final long EVERY = 8L << 20;
    private final Path statePath;
    private final MessageDigest sha;
    private final PrintWriter err;
    private @Nullable FetchState state;
    private @Nullable OutputStream file;
    long bytes;
    private long saved;

    Checkpoints(Path statePath, MessageDigest sha, @Nullable FetchState state, PrintWriter err) {
      this.statePath = statePath;
      this.sha = sha;
      this.state = state;
      this.err = err;
      this.bytes = state == null ? 0 : state.bytes();
      this.saved = bytes;
    }

    void into(OutputStream o) {
      this.file = o;
    }

    void started(FetchState s) throws IOException {
      state = s;
      s.write(statePath);
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      Objects.requireNonNull(file).write(b, off, len);
      sha.update(b, off, len);
      bytes += len;
      if (bytes - saved >= EVERY) {
        checkpoint();
        err.printf("%,d bytes%n", bytes);
        err.flush();
      }
    }

    void checkpoint() throws IOException {
      FetchState s = state;
      if (s == null || bytes == s.bytes()) {
        return;
      }
      OutputStream f = file;
      if (f != null) {
        f.flush();
      }
      state = s.at(bytes, b64(copy(sha).digest()));
      state.write(statePath);
      saved = bytes;
    }
  }

  private static MessageDigest copy(MessageDigest d) {
    try {
      return (MessageDigest) d.clone();
    } catch (CloneNotSupportedException e) {
      throw new IllegalStateException(e);
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String b64(byte[] b) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }
}
