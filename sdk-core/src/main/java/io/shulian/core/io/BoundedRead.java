package io.shulian.core.io;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a whole file or stream into memory, refusing more than a limit. The limit is enforced on
 * the bytes actually read, not on a size the file system reports: a FIFO, a device such as
 * {@code /dev/zero} or a file that grows while it is read reports a size of 0 or less than it
 * delivers. At most {@code limit + 1} bytes are read, then the read stops.
 */
public final class BoundedRead {
  private static final int CHUNK = 64 * 1024;

  private BoundedRead() {}

  /** An input over its size limit. The message names the input and the limit. */
  public static final class TooLargeException extends IOException {
    private static final long serialVersionUID = 1L;

    TooLargeException(String message) {
      super(message);
    }
  }

  /** Input that should be PEM text but is not (binary data, or no PEM block at all). */
  public static final class NotPemException extends IOException {
    private static final long serialVersionUID = 1L;

    NotPemException(String message) {
      super(message);
    }
  }

  /**
   * Reads a whole file.
   *
   * @throws TooLargeException if it holds more than {@code limit} bytes
   * @throws IOException if it cannot be opened or read (a directory, no such file)
   */
  public static byte[] file(Path file, long limit) throws IOException {
    if (Files.isDirectory(file)) {
      throw new IOException(file + " is a directory, not a file");
    }
    try (InputStream in = Files.newInputStream(file)) {
      return stream(in, limit, file.toString());
    }
  }

  /**
   * Reads a stream to its end.
   *
   * @param name what to call the input in the message
   * @throws TooLargeException if it delivers more than {@code limit} bytes
   */
  public static byte[] stream(InputStream in, long limit, String name) throws IOException {
    if (limit < 0 || limit > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("limit out of range: " + limit);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(limit, CHUNK));
    byte[] buf = new byte[CHUNK];
    long total = 0;
    while (true) {
      int want = (int) Math.min(buf.length, limit + 1 - total);
      int n = in.read(buf, 0, want);
      if (n < 0) {
        return out.toByteArray();
      }
      total += n;
      if (total > limit) {
        throw new TooLargeException(name + " is larger than the limit of " + limit + " bytes");
      }
      out.write(buf, 0, n);
    }
  }

  /**
   * Reads a file that must be PEM text: US-ASCII with at least one {@code -----BEGIN } line.
   *
   * @throws NotPemException for binary content (any byte outside printable ASCII, tab, CR, LF) or
   *     text without a PEM block; the message names the file and the first offending offset
   * @throws TooLargeException if it holds more than {@code limit} bytes
   */
  public static String pemFile(Path file, long limit) throws IOException {
    return pemText(file(file, limit), file.toString());
  }

  /** Checks that bytes are PEM text and decodes them; see {@link #pemFile}. */
  public static String pemText(byte[] data, String name) throws NotPemException {
    for (int i = 0; i < data.length; i++) {
      int b = data[i] & 0xFF;
      if (!(b >= 0x20 && b < 0x7F) && b != '\n' && b != '\r' && b != '\t') {
        throw new NotPemException(name + " is not a PEM file (binary data at byte " + i + ")");
      }
    }
    String text = new String(data, StandardCharsets.US_ASCII);
    if (!text.contains("-----BEGIN ")) {
      throw new NotPemException(name + " is not a PEM file (no -----BEGIN line)");
    }
    return text;
  }
}
