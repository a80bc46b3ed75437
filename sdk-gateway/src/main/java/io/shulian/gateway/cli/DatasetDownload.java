package io.shulian.gateway.cli;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongConsumer;
import org.jspecify.annotations.Nullable;

/**
 * A minimal HTTP/1.1 client for data sets from a consumer gateway (docs/return-flow.md): it reads
 * the chunked body as it arrives and, unlike {@code java.net.http}, reads the trailer, which is the
 * only signal that the stream is complete and verified ({@code X-Shulian-Stream: verified}). A
 * body that ends without the terminating chunk is reported as not complete, never as a short
 * success. Plain HTTP only (the consumer listener is on a private interface).
 */
public final class DatasetDownload {
  /** The trailer that says the stream is complete and its signature verified. */
  public static final String STREAM_TRAILER = "x-shulian-stream";
  public static final String DIGEST_TRAILER = "x-shulian-stream-digest";
  public static final String BYTES_TRAILER = "x-shulian-stream-bytes";
  /** Request header continuing a transfer: {@code <envelope id>;bytes=<n>;sha256=<base64url of the first n bytes>}. */
  public static final String RESUME_FROM = "X-Shulian-Resume-From";
  /** Response header of a continued transfer: the body starts at this byte of the data set. */
  public static final String RESUMED_FROM = "x-shulian-resumed-from";
  private static final int MAX_LINE = 16 * 1024;
  private static final int MAX_PROBLEM = 64 * 1024;

  private DatasetDownload() {}

  /**
   * What came back.
   *
   * @param headers response headers, names lower-case
   * @param complete the terminating chunk arrived and the trailer says {@code verified}
   * @param trailers trailer fields, names lower-case (empty if the body was cut off)
   * @param bytes body bytes written to the output
   * @param problem the body of a response that is not 200 (at most 64 KiB), else empty
   */
  public record Result(int status, Map<String, String> headers, boolean complete, Map<String, String> trailers,
      long bytes, byte[] problem) {}

  /**
   * Sends {@code GET uri} with {@code headers} and writes a 200 body to {@code out} as it arrives,
   * calling {@code progress} with the bytes so far.
   *
   * @throws IOException if the connection cannot be made or the response head is not HTTP
   */
  public static Result get(URI uri, Map<String, String> headers, OutputStream out, LongConsumer progress,
      Duration readTimeout) throws IOException {
    return get(uri, headers, h -> {}, out, progress, readTimeout);
  }

  /** Checks a 200 response's head before any body byte is written; throws to abandon the response. */
  public interface HeadCheck {
    void accept(Map<String, String> head) throws IOException;
  }

  /** As {@link #get(URI, Map, OutputStream, LongConsumer, Duration)}, calling {@code onHead} first for a 200. */
  public static Result get(URI uri, Map<String, String> headers, HeadCheck onHead, OutputStream out,
      LongConsumer progress, Duration readTimeout) throws IOException {
    if (!"http".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
      throw new IllegalArgumentException("only http://host:port/... URLs are supported, got " + uri);
    }
    int port = uri.getPort() > 0 ? uri.getPort() : 80;
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(uri.getHost(), port), (int) Math.min(readTimeout.toMillis(), 30_000));
      s.setSoTimeout((int) Math.min(Integer.MAX_VALUE, readTimeout.toMillis()));
      StringBuilder req = new StringBuilder("GET ").append(uri.getRawPath())
          .append(uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()).append(" HTTP/1.1\r\n")
          .append("Host: ").append(uri.getHost()).append(':').append(port).append("\r\n")
          .append("TE: trailers\r\nConnection: close\r\n");
      headers(req, headers);
      s.getOutputStream().write(req.toString().getBytes(StandardCharsets.UTF_8));
      s.getOutputStream().flush();
      InputStream in = new BufferedInputStream(s.getInputStream(), 65536);
      String statusLine = line(in);
      if (statusLine == null || !statusLine.startsWith("HTTP/1.")) {
        throw new IOException("not an HTTP response");
      }
      String[] parts = statusLine.split(" ", 3);
      int status;
      try {
        status = Integer.parseInt(parts.length > 1 ? parts[1] : "");
      } catch (NumberFormatException e) {
        throw new IOException("not an HTTP status line");
      }
      Map<String, String> head = fields(in);
      if (head == null) {
        throw new IOException("the response head was cut off");
      }
      boolean chunked = head.getOrDefault("transfer-encoding", "").toLowerCase(Locale.ROOT).contains("chunked");
      if (status != 200) {
        ByteArrayOutputStream problem = new ByteArrayOutputStream();
        body(in, head, chunked, problem, n -> {}, MAX_PROBLEM);
        return new Result(status, head, false, Map.of(), 0, problem.toByteArray());
      }
      onHead.accept(head);
      if (!chunked) {
        // a data set is always chunked with a trailer: anything else is not a verified stream
        long n = body(in, head, false, out, progress, Long.MAX_VALUE);
        return new Result(status, head, false, Map.of(), n, new byte[0]);
      }
      long[] total = {0};
      Map<String, String> trailers = chunks(in, out, n -> {
        total[0] = n;
        progress.accept(n);
      });
      boolean complete = trailers != null && "verified".equals(trailers.get(STREAM_TRAILER));
      return new Result(status, head, complete, trailers == null ? Map.of() : trailers, total[0], new byte[0]);
    }
  }

  /** Appends {@code headers} and the empty line ending the head; refuses a line break in a name or value. */
  static void headers(StringBuilder req, Map<String, String> headers) {
    for (Map.Entry<String, String> h : headers.entrySet()) {
      if (h.getKey().indexOf('\n') >= 0 || h.getValue().indexOf('\n') >= 0 || h.getValue().indexOf('\r') >= 0) {
        throw new IllegalArgumentException("header " + h.getKey() + " contains a line break");
      }
      req.append(h.getKey()).append(": ").append(h.getValue()).append("\r\n");
    }
    req.append("\r\n");
  }

  /** Reads chunks to {@code out}; returns the trailer fields, or null if the body was cut off. */
  private static @Nullable Map<String, String> chunks(InputStream in, OutputStream out, LongConsumer progress) throws IOException {
    byte[] buf = new byte[65536];
    long total = 0;
    while (true) {
      String size;
      try {
        size = line(in);
      } catch (java.net.SocketException | java.net.SocketTimeoutException e) {
        return null;
      }
      if (size == null) {
        return null;
      }
      int semi = size.indexOf(';');
      long n;
      try {
        n = Long.parseLong((semi < 0 ? size : size.substring(0, semi)).trim(), 16);
      } catch (NumberFormatException e) {
        return null;
      }
      if (n < 0) {
        return null;
      }
      if (n == 0) {
        return fields(in);
      }
      while (n > 0) {
        int r;
        try {
          r = in.read(buf, 0, (int) Math.min(buf.length, n));
        } catch (java.net.SocketException | java.net.SocketTimeoutException e) {
          return null;
        }
        if (r < 0) {
          return null;
        }
        out.write(buf, 0, r);
        n -= r;
        total += r;
        progress.accept(total);
      }
      String crlf = line(in);
      if (crlf == null || !crlf.isEmpty()) {
        return null;
      }
    }
  }

  static long body(InputStream in, Map<String, String> head, boolean chunked, OutputStream out,
      LongConsumer progress, long max) throws IOException {
    if (chunked) {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      chunks(in, new OutputStream() {
        @Override
        public void write(int x) {
          if (b.size() < max) {
            b.write(x);
          }
        }

        @Override
        public void write(byte[] x, int off, int len) {
          b.write(x, off, (int) Math.max(0, Math.min(len, max - b.size())));
        }
      }, n -> {});
      b.writeTo(out);
      return b.size();
    }
    String cl = head.get("content-length");
    long left = cl == null ? Long.MAX_VALUE : Long.parseLong(cl.trim());
    byte[] buf = new byte[65536];
    long total = 0;
    while (left > 0 && total < max) {
      int r = in.read(buf, 0, (int) Math.min(buf.length, Math.min(left, max - total)));
      if (r < 0) {
        break;
      }
      out.write(buf, 0, r);
      left -= r;
      total += r;
      progress.accept(total);
    }
    return total;
  }

  /** Header or trailer fields up to the empty line, names lower-case; null if cut off. */
  static @Nullable Map<String, String> fields(InputStream in) throws IOException {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < 200; i++) {
      String l = line(in);
      if (l == null) {
        return null;
      }
      if (l.isEmpty()) {
        return m;
      }
      int colon = l.indexOf(':');
      if (colon > 0) {
        m.put(l.substring(0, colon).trim().toLowerCase(Locale.ROOT), l.substring(colon + 1).trim());
      }
    }
    throw new IOException("too many header fields");
  }

  /** One CRLF- (or LF-) terminated line without its end; null at the end of input. */
  static @Nullable String line(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    while (true) {
      int c = in.read();
      if (c < 0) {
        return null;
      }
      if (c == '\n') {
        byte[] a = b.toByteArray();
        int n = a.length > 0 && a[a.length - 1] == '\r' ? a.length - 1 : a.length;
        return new String(a, 0, n, StandardCharsets.ISO_8859_1);
      }
      if (b.size() >= MAX_LINE) {
        throw new IOException("a response line is longer than " + MAX_LINE + " bytes");
      }
      b.write(c);
    }
  }
}
