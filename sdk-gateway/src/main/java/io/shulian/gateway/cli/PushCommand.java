package io.shulian.gateway.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shulian.core.party.PartyId;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "push",
    mixinStandardHelpOptions = true,
    description = {
      "Push a data set file through the sending gateway to named receivers, resuming per receiver.",
      "Sends POST <gateway>/dataset-push/<resource>?to=<party>... with the app's API key (from the "
          + "environment variable --api-key-env names, or --api-key-file), the purpose and the file as "
          + "the body, streamed in constant memory with progress on standard error. The gateway decides "
          + "the return-flow action per receiver, masks and seals the data set for each permitted one and "
          + "streams it to that receiver's gateway. The file is sent only after the gateway decided and "
          + "connected every receiver (Expect: 100-continue).",
      "Prints one line per receiver on standard output: party, status (DELIVERED: its gateway verified "
          + "the whole envelope and its backend took it; REFUSED: nothing was sent to it; FAILED: sent, "
          + "not delivered), code, bytes delivered, digest and envelope id (- when there is none).",
      "Resuming: unless every receiver was delivered, the command keeps <file>.push-state (or a file in "
          + "--state-dir) with the file's size and SHA-256, the gateway, resource and purpose and every "
          + "receiver delivered with its envelope id and digest (never the API key). Rerunning the same "
          + "command pushes again only to the receivers not yet delivered; their lines say DELIVERED "
          + "EARLIER_RUN. A changed file, another gateway, resource or purpose, or a damaged state "
          + "starts over (pushing to every receiver) and says why; --restart ignores the state. A "
          + "receiver whose result never arrived (the connection broke) is pushed again. One run at a time: "
          + "a run locks <state>.lock, and a second run of the same push (also with --restart) exits 3 without "
          + "sending anything; a state that is a symbolic link, directory or FIFO is refused (exit 3).",
      "Exit codes: 0 every receiver DELIVERED; 3 a receiver FAILED (also FILE_CHANGED: the file changed "
          + "while it was pushed), the gateway refused the push (401, 400, 404, 415, 5xx: its problem is "
          + "printed), another run holds the state, or the state is not a regular file; 4 a receiver was REFUSED (by the policy, "
          + "an incident or as unknown) and none FAILED, or 403; 1 when the gateway cannot be reached "
          + "or the file cannot be read; 2 usage (also a missing file or an unknown --format). See "
          + "docs/return-flow.md."
    })
final class PushCommand implements Callable<Integer> {
  private static final long PROGRESS_EVERY = 8L << 20;
  private static final String EARLIER = "EARLIER_RUN";

  @Spec CommandSpec spec;

  @Option(names = "--gateway", required = true, description = "the sending gateway's app listener, http://host:port")
  String gateway;

  @Option(names = "--resource", required = true, description = "the catalog code of the data set")
  String resource;

  @Option(names = "--purpose", required = true, description = "the purpose code stated for the push")
  String purpose;

  @Option(names = "--to", required = true, description = "a receiver's party id (repeat for each, 1 to 32)")
  List<String> to;

  @Option(names = "--format", description = "jsonl or csv (default: from the file name's extension .jsonl, .ndjson or .csv)")
  @Nullable String format;

  @Option(names = "--api-key-env", description = "environment variable holding the app's API key (default ${DEFAULT-VALUE})")
  String apiKeyEnv = "SHULIAN_API_KEY";

  @Option(names = "--api-key-file", description = "file holding the app's API key (first line), instead of --api-key-env")
  @Nullable Path apiKeyFile;

  @Option(names = "--state-dir", description = "directory for the push state (default: beside the file, <file>.push-state)")
  @Nullable Path stateDir;

  @Option(names = "--restart", description = "ignore the push state and push to every receiver named")
  boolean restart;

  @Option(names = "--timeout", description = "longest wait for the gateway's next answer (default ${DEFAULT-VALUE})")
  String timeout = "120s";

  @Parameters(index = "0", paramLabel = "<file>", description = "the data set to push (JSON Lines or CSV)")
  Path file;

  /** One line of output. */
  private record Line(PartyId party, String status, String code, long bytes, @Nullable String digest,
      @Nullable String envelope) {
    @Override
    public String toString() {
      return party + " " + status + " " + code + " " + bytes + " " + (digest == null ? "-" : digest) + " "
          + (envelope == null ? "-" : envelope);
    }
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    PrintWriter out = spec.commandLine().getOut();
    String key = Cli.apiKey(spec, apiKeyFile, apiKeyEnv);
    URI base = Cli.appGateway(spec, gateway);
    if (!resource.matches("[A-Za-z0-9._:-]{1,128}")) {
      throw Cli.usage(spec, "--resource: not a catalog code");
    }
    if (purpose.isEmpty() || purpose.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
      throw Cli.usage(spec, "--purpose: empty or holds a control character");
    }
    Set<PartyId> receivers = new LinkedHashSet<>();
    for (String t : to) {
      if (!receivers.add(Cli.partyId(spec, t, "--to"))) {
        throw Cli.usage(spec, "--to: " + t + " is named twice");
      }
    }
    String mediaType = mediaType();
    if (!Files.isRegularFile(file)) {
      throw Cli.usage(spec, "no such file: " + file);
    }
    Duration wait = Cli.duration(spec, timeout, "--timeout");
    String gw = base.getScheme() + "://" + base.getHost() + ":" + (base.getPort() > 0 ? base.getPort() : 80);
    Path statePath = statePath();
    RunLock lock;
    try {
      // one run at a time works on a state and its temporary file: a second is refused, not interleaved
      lock = RunLock.acquire(lockPath(statePath), "shulian push");
    } catch (IllegalArgumentException e) {
      err.println("cannot push: " + e.getMessage() + ". Nothing was sent.");
      return ExitCodes.REJECTED;
    }
    try (lock) {
      if (!restart && Files.exists(statePath, LinkOption.NOFOLLOW_LINKS)) {
        try {
          FetchCommand.regularFile(statePath);
        } catch (IllegalArgumentException e) {
          err.println("cannot push: the push state " + e.getMessage() + ". Remove it, or rerun with --restart to push "
              + "to every receiver. Nothing was sent.");
          return ExitCodes.REJECTED;
        }
      }
      long size = Files.size(file);

      Map<PartyId, PushState.Delivered> earlier = new LinkedHashMap<>();
      PushState prior = restart ? null : prior(statePath, gw, size, err);
      if (restart && Files.deleteIfExists(statePath)) {
        err.println("--restart: ignoring the earlier push state " + statePath + "; pushing to every receiver");
      }
      if (prior != null) {
        for (PushState.Delivered d : prior.delivered()) {
          if (receivers.contains(d.party())) {
            earlier.put(d.party(), d);
          }
        }
      }
      List<PartyId> pending = receivers.stream().filter(p -> !earlier.containsKey(p)).toList();
      if (!earlier.isEmpty()) {
        err.printf("already delivered to %d of %d receivers (%s) by an earlier run; pushing to %d%n", earlier.size(),
            receivers.size(), String.join(", ", earlier.keySet().stream().map(PartyId::toString).toList()),
            pending.size());
      }
      Map<PartyId, Line> lines = new LinkedHashMap<>();
      earlier.forEach((p, d) -> lines.put(p, new Line(p, "DELIVERED", EARLIER, d.bytes(), d.digest(), d.envelopeId())));
      if (!pending.isEmpty()) {
        Integer refused = push(base, gw, key, mediaType, size, pending, prior, earlier, statePath, lines, wait, err);
        if (refused != null) {
          return refused;
        }
      }
      for (PartyId p : receivers) {
        out.println(lines.get(p));
      }
      out.flush();
      long delivered = lines.values().stream().filter(l -> l.status().equals("DELIVERED")).count();
      if (delivered == receivers.size()) {
        Files.deleteIfExists(statePath);
        err.printf("delivered to every receiver (%d)%n", receivers.size());
        err.flush();
        return ExitCodes.OK;
      }
      boolean failed = lines.values().stream().anyMatch(l -> l.status().equals("FAILED"));
      err.printf("not delivered to %d of %d receivers; rerun the same command to push again only to them "
          + "(the state is in %s)%n", receivers.size() - delivered, receivers.size(), statePath);
      err.flush();
      return failed ? ExitCodes.REJECTED : ExitCodes.DENIED;
    }
  }

  /**
   * Pushes the file to {@code pending}, filling {@code lines} and writing the state; returns the exit
   * code when the push was refused as a whole (after printing why), else null.
   */
  private @Nullable Integer push(URI base, String gw, String key, String mediaType, long size, List<PartyId> pending,
      @Nullable PushState prior, Map<PartyId, PushState.Delivered> earlier, Path statePath, Map<PartyId, Line> lines,
      Duration wait, PrintWriter err) throws IOException {
    StringBuilder q = new StringBuilder();
    for (PartyId p : pending) {
      q.append(q.length() == 0 ? "?" : "&").append("to=").append(URLEncoder.encode(p.toString(), StandardCharsets.UTF_8));
    }
    URI uri = URI.create(gw + "/dataset-push/" + resource + q);
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("X-Api-Key", key);
    headers.put("X-Shulian-Purpose", purpose);
    headers.put("Content-Type", mediaType);
    err.printf("pushing %s (%,d bytes) to %d receivers through %s%n", file, size, pending.size(), gw);
    err.flush();
    MessageDigest sha = PushState.sha256();
    long[] shown = {0};
    DatasetUpload.Result r;
    try {
      r = DatasetUpload.post(uri, headers, file, size, sha, n -> {
        if (n - shown[0] >= PROGRESS_EVERY) {
          shown[0] = n;
          err.printf("%,d of %,d bytes sent%n", n, size);
          err.flush();
        }
      }, wait);
    } catch (DatasetUpload.UnreachableException e) {
      err.println("error: cannot reach the gateway at " + e.getMessage() + "; nothing was pushed");
      return ExitCodes.FAILURE;
    } catch (IOException e) {
      err.println("error: the push broke off: " + e.getMessage() + ". No result arrived: rerun the same command to "
          + "push again to every receiver not recorded as delivered");
      return ExitCodes.FAILURE;
    }
    if (r.status() != 200) {
      err.println("refused: " + r.status() + " " + problem(r.body()) + "; nothing was delivered");
      return r.status() == 403 ? ExitCodes.DENIED : ExitCodes.REJECTED;
    }
    Map<PartyId, Line> results;
    try {
      results = results(r.body(), pending);
    } catch (IllegalArgumentException e) {
      err.println("error: the gateway's answer is not a push result (" + e.getMessage() + ")");
      return ExitCodes.REJECTED;
    }
    lines.putAll(results);
    err.printf("%,d bytes sent%s%n", r.sent(), r.whole() ? "" : " (answered before the end: no receiver took the rest)");
    if (!r.whole()) {
      return null; // answered before the end: nothing new was delivered, an earlier state stays as it is
    }
    String digest = PushState.b64(sha.digest());
    List<PushState.Delivered> delivered = new ArrayList<>();
    if (prior != null && prior.fileBytes() == r.sent() && prior.fileSha256().equals(digest)) {
      delivered.addAll(earlier.values());
    } else if (!earlier.isEmpty()) {
      // the receivers of the earlier run have other data than those of this one: not all delivered
      err.println("error: " + file + " changed while it was being pushed: the receivers delivered by an earlier run "
          + "got its earlier content and no longer count as delivered (FILE_CHANGED); rerun to push it to them");
      earlier.keySet().forEach(p -> lines.put(p, new Line(p, "FAILED", "FILE_CHANGED", 0, null, null)));
    }
    for (Line l : results.values()) {
      String envelope = l.envelope();
      String d = l.digest();
      if (l.status().equals("DELIVERED") && envelope != null && d != null) {
        delivered.add(new PushState.Delivered(l.party(), envelope, l.bytes(), d));
      }
    }
    if (delivered.isEmpty()) {
      Files.deleteIfExists(statePath);
    } else {
      new PushState(gw, resource, purpose, r.sent(), digest, delivered).write(statePath);
    }
    return null;
  }

  /** The state of an earlier push of the same file that this run may continue, or null (saying why). */
  private @Nullable PushState prior(Path statePath, String gw, long size, PrintWriter err) throws IOException {
    if (!Files.exists(statePath, LinkOption.NOFOLLOW_LINKS)) {
      return null;
    }
    PushState s;
    try {
      s = PushState.read(statePath);
    } catch (IllegalArgumentException | IOException e) {
      err.println("the push state " + statePath + " is damaged or was edited (" + e.getMessage()
          + "); starting over: pushing to every receiver");
      return null;
    }
    if (!s.samePush(gw, resource, purpose)) {
      err.println("the push state " + statePath + " belongs to another push (" + s.gateway() + ", resource "
          + s.resource() + ", purpose " + s.purpose() + "); starting over: pushing to every receiver");
      return null;
    }
    if (s.fileBytes() != size || !s.fileSha256().equals(sha256Of(file))) {
      err.println(file + " changed since the earlier push recorded in " + statePath
          + "; starting over: pushing to every receiver");
      return null;
    }
    return s;
  }

  private static String sha256Of(Path f) throws IOException {
    MessageDigest sha = PushState.sha256();
    try (InputStream in = Files.newInputStream(f)) {
      byte[] buf = new byte[65536];
      for (int n; (n = in.read(buf)) > 0; ) {
        sha.update(buf, 0, n);
      }
    }
    return PushState.b64(sha.digest());
  }

  private String mediaType() {
    String f = format;
    if (f == null) {
      String name = file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(Locale.ROOT);
      f = name.endsWith(".csv") ? "csv" : name.endsWith(".jsonl") || name.endsWith(".ndjson") ? "jsonl" : null;
      if (f == null) {
        throw Cli.usage(spec, "--format jsonl or csv is required: the file name does not end with .jsonl, .ndjson or .csv");
      }
    }
    switch (f.toLowerCase(Locale.ROOT)) {
      case "jsonl":
        return "application/jsonl";
      case "csv":
        return "text/csv";
      default:
        throw Cli.usage(spec, "--format must be jsonl or csv, got '" + f + "'");
    }
  }

  /** The file a run locks while it works on {@code statePath} (empty, kept). */
  static Path lockPath(Path statePath) {
    return statePath.resolveSibling(statePath.getFileName() + ".lock");
  }

  private Path statePath() {
    Path abs = file.toAbsolutePath().normalize();
    String name = abs.getFileName() + ".push-state";
    if (stateDir == null) {
      return abs.resolveSibling(name);
    }
    // files of the same name in other directories have their own state
    String tag = PushState.sha256(abs.toString()).substring(0, 12);
    return stateDir.resolve(abs.getFileName() + "-" + tag + ".push-state");
  }

  /** The results for {@code pending}, in their order; every one must be there. */
  private static Map<PartyId, Line> results(byte[] body, List<PartyId> pending) {
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(body);
    } catch (IOException e) {
      throw new IllegalArgumentException("not JSON");
    }
    JsonNode a = root == null ? null : root.get("results");
    if (a == null || !a.isArray()) {
      throw new IllegalArgumentException("no results");
    }
    Map<String, JsonNode> byParty = new LinkedHashMap<>();
    for (JsonNode n : a) {
      byParty.put(n.path("party").asText(), n);
    }
    Map<PartyId, Line> out = new LinkedHashMap<>();
    for (PartyId p : pending) {
      JsonNode n = byParty.get(p.toString());
      if (n == null) {
        throw new IllegalArgumentException("no result for " + p);
      }
      String status = n.path("status").asText("");
      if (!List.of("DELIVERED", "REFUSED", "FAILED").contains(status)) {
        throw new IllegalArgumentException("an unknown status for " + p);
      }
      String envelope = n.hasNonNull("envelopeId") ? n.get("envelopeId").asText() : null;
      String digest = n.hasNonNull("digest") ? n.get("digest").asText() : null;
      if (status.equals("DELIVERED") && (envelope == null || digest == null || !PushState.Delivered.valid(envelope, digest))) {
        throw new IllegalArgumentException("a delivery to " + p + " without a valid envelope id and digest");
      }
      out.put(p, new Line(p, status, safe(n.path("code").asText("-")), n.path("bytes").asLong(0), digest, envelope));
    }
    return out;
  }

  /** A code from the gateway as printed: upper snake case, else {@code -}. */
  private static String safe(String code) {
    return code.matches("[A-Z0-9_]{1,64}") ? code : "-";
  }

  /** A problem response for the user: its code, detail and reasons (no more than 300 characters of detail). */
  private static String problem(byte[] body) {
    try {
      JsonNode p = new ObjectMapper().readTree(body);
      if (p != null && p.hasNonNull("code")) {
        StringBuilder b = new StringBuilder(safe(p.get("code").asText()));
        String detail = p.path("detail").asText("");
        if (!detail.isEmpty()) {
          b.append(": ").append(printable(detail));
        }
        return b.toString();
      }
    } catch (IOException e) {
      // not a problem document: shown as text below
    }
    return printable(new String(body, StandardCharsets.UTF_8));
  }

  private static String printable(String s) {
    String t = s.replaceAll("\\p{Cntrl}", " ");
    return t.length() > 300 ? t.substring(0, 300) + "..." : t;
  }
}
