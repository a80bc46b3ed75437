package io.shulian.gateway.cli;

import io.shulian.core.party.PartyId;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * What {@code shulian push} keeps beside the pushed file ({@code <file>.push-state}, or in
 * {@code --state-dir}) so a rerun pushes again only to the receivers not yet delivered
 * (docs/return-flow.md "shulian push"): the push (gateway, resource, purpose), the file (size and
 * SHA-256 of the bytes sent) and every receiver delivered with its envelope id, the bytes and the
 * digest its gateway reported. Never the API key. The last line is the SHA-256 of the lines before
 * it, so a damaged or truncated state is told from a valid one (it is a local record, not a proof:
 * the audit logs are).
 *
 * @param gateway the gateway's app listener, http://host:port
 * @param fileBytes bytes of the file pushed
 * @param fileSha256 SHA-256 (base64url) of those bytes
 * @param delivered the receivers delivered, in order
 */
record PushState(String gateway, String resource, String purpose, long fileBytes, String fileSha256,
    List<Delivered> delivered) {
  static final String VERSION = "shulian-push-state 1";
  private static final int MAX_BYTES = 64 * 1024;
  private static final Pattern B64_SHA256 = Pattern.compile("[A-Za-z0-9_-]{43}");
  private static final Pattern DIGEST = Pattern.compile("(sha256|sm3):[A-Za-z0-9_-]{43}");

  /** A receiver its gateway reported {@code DELIVERED} for this file. */
  record Delivered(PartyId party, String envelopeId, long bytes, String digest) {
    Delivered {
      if (bytes < 0 || !valid(envelopeId, digest)) {
        throw new IllegalArgumentException("a delivered receiver's envelope id, bytes or digest is malformed");
      }
    }

    /** Whether an envelope id and a digest label ({@code sha256:} or {@code sm3:}) are well-formed. */
    static boolean valid(String envelopeId, String digest) {
      try {
        UUID.fromString(envelopeId);
      } catch (IllegalArgumentException e) {
        return false;
      }
      return DIGEST.matcher(digest).matches();
    }

    String line() {
      return party + " " + envelopeId + " " + bytes + " " + digest;
    }

    static Delivered parse(String line) {
      String[] f = line.split(" ", -1);
      if (f.length != 4) {
        throw new IllegalArgumentException("a delivered line has not 4 fields");
      }
      try {
        return new Delivered(PartyId.parse(f[0]), f[1], Long.parseLong(f[2]), f[3]);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("a delivered line's bytes is not a number");
      }
    }
  }

  PushState {
    for (String v : List.of(gateway, resource, purpose)) {
      if (v.isEmpty() || v.indexOf('\n') >= 0 || v.indexOf('\r') >= 0) {
        throw new IllegalArgumentException("a state field is empty or holds a line break");
      }
    }
    if (fileBytes < 0 || !B64_SHA256.matcher(fileSha256).matches()) {
      throw new IllegalArgumentException("the file's size or digest is malformed");
    }
    delivered = List.copyOf(delivered);
    if (delivered.stream().map(Delivered::party).distinct().count() != delivered.size()) {
      throw new IllegalArgumentException("a receiver is listed twice");
    }
  }

  /** Whether this state was written by a push of the same data set (gateway, resource, purpose). */
  boolean samePush(String gateway, String resource, String purpose) {
    return this.gateway.equals(gateway) && this.resource.equals(resource) && this.purpose.equals(purpose);
  }

  private String text() {
    StringBuilder b = new StringBuilder(VERSION).append("\ngateway=").append(gateway).append("\nresource=")
        .append(resource).append("\npurpose=").append(purpose).append("\nfile-bytes=").append(fileBytes)
        .append("\nfile-sha256=").append(fileSha256).append('\n');
    for (Delivered d : delivered) {
      b.append("delivered=").append(d.line()).append('\n');
    }
    return b.toString();
  }

  /** The temporary file {@link #write} writes before renaming it to {@code file}. */
  static Path temporary(Path file) {
    return file.resolveSibling(file.getFileName() + ".tmp");
  }

  /**
   * Writes the state to {@code file} atomically (a temporary file, then a rename). A temporary file
   * left by a crashed run, or planted, is removed first (a link itself, never what it names) and
   * the new one created exclusively, never through a link.
   */
  void write(Path file) throws IOException {
    String text = text();
    Path tmp = temporary(file);
    Files.deleteIfExists(tmp);
    try (OutputStream o = Files.newOutputStream(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
        LinkOption.NOFOLLOW_LINKS)) {
      o.write((text + "state-sha256=" + sha256(text) + "\n").getBytes(StandardCharsets.UTF_8));
    }
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /**
   * Reads a state file.
   *
   * @throws IllegalArgumentException (message for the user) if it is not a complete, well-formed, undamaged state
   */
  static PushState read(Path file) throws IOException {
    byte[] raw;
    // the caller refused anything but a regular file; never read through a link that appeared since
    try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
      raw = in.readNBytes(MAX_BYTES + 1);
    }
    if (raw.length > MAX_BYTES) {
      throw new IllegalArgumentException("too large for a push state");
    }
    String all = new String(raw, StandardCharsets.UTF_8);
    int last = all.lastIndexOf("state-sha256=");
    if (!all.startsWith(VERSION + "\n") || last < 0 || !all.endsWith("\n")
        || !all.substring(last + "state-sha256=".length(), all.length() - 1).equals(sha256(all.substring(0, last)))) {
      throw new IllegalArgumentException("not a push state, or changed since it was written (its checksum differs)");
    }
    List<String> lines = all.substring(0, last).lines().toList();
    Map<String, String> m = new LinkedHashMap<>();
    List<Delivered> delivered = new ArrayList<>();
    for (String l : lines.subList(1, lines.size())) {
      int eq = l.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("a malformed line");
      }
      String name = l.substring(0, eq);
      if (name.equals("delivered")) {
        delivered.add(Delivered.parse(l.substring(eq + 1)));
      } else if (m.put(name, l.substring(eq + 1)) != null) {
        throw new IllegalArgumentException("a repeated line");
      }
    }
    try {
      return new PushState(FetchState.field(m, "gateway"), FetchState.field(m, "resource"),
          FetchState.field(m, "purpose"), Long.parseLong(FetchState.field(m, "file-bytes")),
          FetchState.field(m, "file-sha256"), delivered);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("file-bytes is not a number");
    }
  }

  static String sha256(String text) {
    return b64(sha256().digest(text.getBytes(StandardCharsets.UTF_8)));
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static String b64(byte[] b) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }
}
