package io.shulian.gateway.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * What {@code shulian fetch} keeps beside a partial file ({@code <out>.part.state}) so a rerun can
 * continue the same transfer (docs/return-flow.md "Resume by the app"): what was asked for, the
 * response envelope, and how many bytes of the partial file were received with the SHA-256 of
 * exactly those bytes. Never the API key or the grant (only the grant's SHA-256).
 *
 * @param gateway the consumer gateway, http://host:port
 * @param grant SHA-256 (base64url) of the grant presented, or {@code -}
 * @param envelope the response envelope id of the transfer
 * @param requestEnvelope the request envelope id of its first request (for the operator)
 * @param bytes bytes of the partial file received
 * @param sha256 SHA-256 (base64url) of those bytes
 */
record FetchState(String gateway, String resource, String path, String purpose, String grant, String envelope,
    String requestEnvelope, long bytes, String sha256) {
  static final String VERSION = "shulian-fetch-state 1";
  private static final Pattern DIGEST = Pattern.compile("[A-Za-z0-9_-]{43}");
  /** A byte count as the command writes it: no sign, no leading zero, at most 18 digits. */
  private static final Pattern COUNT = Pattern.compile("0|[1-9][0-9]{0,17}");
  private static final int MAX_SIZE = 8192;
  private static final List<String> FIELDS = List.of("gateway", "resource", "path", "purpose", "grant-sha256",
      "envelope", "request-envelope", "bytes", "sha256");

  FetchState {
    for (String v : List.of(gateway, resource, path, purpose, grant, envelope, requestEnvelope, sha256)) {
      if (v.isEmpty() || v.indexOf('\n') >= 0 || v.indexOf('\r') >= 0) {
        throw new IllegalArgumentException("a state field is empty or holds a line break");
      }
    }
    if (!UUID.fromString(envelope).toString().equals(envelope)) {
      throw new IllegalArgumentException("the envelope id is not in its canonical form");
    }
    if (bytes < 0 || !DIGEST.matcher(sha256).matches() || !(grant.equals("-") || DIGEST.matcher(grant).matches())) {
      throw new IllegalArgumentException("a state field is malformed");
    }
  }

  /** The same transfer, received as far as {@code n} bytes whose SHA-256 is {@code digest}. */
  FetchState at(long n, String digest) {
    return new FetchState(gateway, resource, path, purpose, grant, envelope, requestEnvelope, n, digest);
  }

  /** Whether this state was written by a fetch of the same data set (gateway, resource, path, purpose, grant). */
  boolean sameRequest(String gateway, String resource, String path, String purpose, String grant) {
    return this.gateway.equals(gateway) && this.resource.equals(resource) && this.path.equals(path)
        && this.purpose.equals(purpose) && this.grant.equals(grant);
  }

  /**
   * Writes the state to {@code file} atomically (a temporary file, then a rename); never through a
   * link or into a file someone else made at the temporary file's name.
   */
  void write(Path file) throws IOException {
    String text = VERSION + "\ngateway=" + gateway + "\nresource=" + resource + "\npath=" + path + "\npurpose=" + purpose
        + "\ngrant-sha256=" + grant + "\nenvelope=" + envelope + "\nrequest-envelope=" + requestEnvelope + "\nbytes="
        + bytes + "\nsha256=" + sha256 + "\n";
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.deleteIfExists(tmp); // a link itself, not what it names
    try (OutputStream o = Files.newOutputStream(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
        LinkOption.NOFOLLOW_LINKS)) {
      o.write(text.getBytes(StandardCharsets.UTF_8));
    }
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /**
   * Reads a state file.
   *
   * @throws IllegalArgumentException if it is not a regular file (a link is not followed) holding a
   *     complete, well-formed state exactly as {@link #write} writes it
   */
  static FetchState read(Path file) throws IOException {
    FetchCommand.regularFile(file);
    byte[] b;
    try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
      b = in.readNBytes(MAX_SIZE + 1);
    }
    if (b.length > MAX_SIZE) {
      throw new IllegalArgumentException("too large for a fetch state");
    }
    String text = new String(b, StandardCharsets.UTF_8);
    if (!text.startsWith(VERSION + "\n") || !text.endsWith("\n")) {
      throw new IllegalArgumentException("not a fetch state (first line)");
    }
    List<String> lines = List.of(text.substring(0, text.length() - 1).split("\n", -1));
    Map<String, String> m = new LinkedHashMap<>();
    for (String l : lines.subList(1, lines.size())) {
      int eq = l.indexOf('=');
      if (eq <= 0 || !FIELDS.contains(l.substring(0, eq)) || m.put(l.substring(0, eq), l.substring(eq + 1)) != null) {
        throw new IllegalArgumentException("a malformed, unknown or repeated line");
      }
    }
    String bytes = field(m, "bytes");
    if (!COUNT.matcher(bytes).matches()) {
      throw new IllegalArgumentException("bytes is not a plain number");
    }
    return new FetchState(field(m, "gateway"), field(m, "resource"), field(m, "path"), field(m, "purpose"),
        field(m, "grant-sha256"), field(m, "envelope"), field(m, "request-envelope"), Long.parseLong(bytes),
        field(m, "sha256"));
  }

  /** The value of a state field; IllegalArgumentException if it is missing. */
  static String field(Map<String, String> m, String name) {
    String v = m.get(name);
    if (v == null) {
      throw new IllegalArgumentException("no " + name);
    }
    return v;
  }
}
