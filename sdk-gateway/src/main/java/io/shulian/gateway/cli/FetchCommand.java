package io.shulian.gateway.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
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
          + "partial file; --restart discards it and fetches from the start.",
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
    Path part = target.resolveSibling(target.getFileName() + ".part");
    Path statePath = target.resolveSibling(target.getFileName() + ".part.state");
    String grantHash = grant == null ? "-" : b64(sha256().digest(grant.getBytes(StandardCharsets.UTF_8)));
    if (restart) {
      Files.deleteIfExists(part);
      Files.deleteIfExists(statePath);
    }
    FetchState resume = null;
    MessageDigest sha = sha256();
    if (Files.exists(part) || Files.exists(statePath)) {
      try {
        resume = continuable(part, statePath, gw, grantHash, sha);
      } catch (IllegalArgumentException | IOException e) {
        err.println("cannot continue: " + e.getMessage() + ". Rerun with --restart to discard " + part
            + " and fetch from the start.");
        return ExitCodes.REJECTED;
      }
      err.printf("continuing transfer %s after %,d bytes%n", resume.envelope(), resume.bytes());
      headers.put(DatasetDownload.RESUME_FROM, resume.envelope() + ";bytes=" + resume.bytes() + ";sha256=" + resume.sha256());
    }
    FetchState from = resume;
    Checkpoints file = new Checkpoints(statePath, sha, from, err);
    DatasetDownload.Result r;
    try {
      r = download(uri, headers, part, file, from, gw, grantHash, wait);
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
        : !label.equals(digestOf(part, label)) ? "the file's digest is not the verified " + label : null;
    if (problem != null) {
      Files.deleteIfExists(part);
      Files.deleteIfExists(statePath);
      err.println("incomplete: " + problem + "; nothing was written to " + out);
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
  private DatasetDownload.Result download(URI uri, Map<String, String> headers, Path part, Checkpoints file,
      @Nullable FetchState from, String gw, String grantHash, Duration wait) throws IOException, InterruptedException {
    for (int attempt = 1; ; attempt++) {
      DatasetDownload.Result r;
      try (OutputStream o = from == null ? Files.newOutputStream(part)
          : Files.newOutputStream(part, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
        file.into(o);
        r = DatasetDownload.get(uri, headers, head -> {
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
      }
      if (from == null || r.status() != 409 || attempt >= 10
          || !new String(r.problem(), StandardCharsets.UTF_8).contains("RESUME_IN_PROGRESS")) {
        return r;
      }
      Thread.sleep(300L * attempt); // the provider has not yet seen the cut: ask again shortly
    }
  }

  /** After an error: keeps the partial file if it can be continued (its state exists), else deletes it. */
  private static void kept(Path part, Path statePath, PrintWriter err) throws IOException {
    if (Files.exists(statePath) && Files.exists(part)) {
      err.println("the bytes received are kept in " + part + ": rerun the same command to continue (--restart to start over)");
      return;
    }
    Files.deleteIfExists(part);
  }

  /**
   * The state of a partial transfer this command may continue, with {@code sha} fed its bytes;
   * the partial file cut back to the bytes the state vouches for.
   *
   * @throws IllegalArgumentException (message for the user) if it cannot be continued
   */
  private FetchState continuable(Path part, Path statePath, String gw, String grantHash, MessageDigest sha)
      throws IOException {
    if (!Files.exists(statePath)) {
      throw new IllegalArgumentException(part + " exists without its state file " + statePath.getFileName()
          + ", so it is not known which transfer it belongs to");
    }
    if (!Files.exists(part)) {
      throw new IllegalArgumentException("the state file " + statePath + " exists without its partial file " + part);
    }
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
    long size = Files.size(part);
    if (size < s.bytes()) {
      throw new IllegalArgumentException(part + " is shorter (" + size + " bytes) than the " + s.bytes()
          + " bytes its state records: it changed since");
    }
    try (InputStream in = Files.newInputStream(part)) {
      byte[] buf = new byte[65536];
      long left = s.bytes();
      while (left > 0) {
        int n = in.read(buf, 0, (int) Math.min(buf.length, left));
        if (n < 0) {
          throw new IllegalArgumentException(part + " ended early");
        }
        sha.update(buf, 0, n);
        left -= n;
      }
    }
    if (!b64(copy(sha).digest()).equals(s.sha256())) {
      throw new IllegalArgumentException("the first " + s.bytes() + " bytes of " + part
          + " are not those its state records (digest differs): it changed since");
    }
    if (size > s.bytes()) {
      try (FileChannel c = FileChannel.open(part, StandardOpenOption.WRITE)) {
        c.truncate(s.bytes()); // received after the last checkpoint: asked for again
      }
    }
    return s;
  }

  /** The digest of the file as the trailer labels it ({@code sha256:} or {@code sm3:}), or "" for another label. */
  private static String digestOf(Path file, String label) throws IOException {
    boolean sm3 = label.startsWith("sm3:");
    if (!sm3 && !label.startsWith("sha256:")) {
      return "";
    }
    MessageDigest sha = sha256();
    SM3Digest sm = new SM3Digest();
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buf = new byte[65536];
      for (int n; (n = in.read(buf)) > 0; ) {
        if (sm3) {
          sm.update(buf, 0, n);
        } else {
          sha.update(buf, 0, n);
        }
      }
    }
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
