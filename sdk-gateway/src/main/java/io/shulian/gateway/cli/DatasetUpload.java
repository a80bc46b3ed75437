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
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongConsumer;

/**
 * A minimal HTTP/1.1 client that streams a file as a request body to a gateway's app listener
 * ({@code POST /dataset-push/...}, docs/return-flow.md "Push") in constant memory. It sends
 * {@code Expect: 100-continue} and sends the body only after the gateway's {@code 100 Continue}
 * (which the gateway sends once every receiver was decided and connected), so a push refused as
 * a whole, or one that no receiver takes, is answered before a byte of the file is sent. While
 * sending it stops as soon as the gateway has answered (every receiver failed). Plain HTTP only
 * (the app listener is on a private interface).
 */
final class DatasetUpload {
  private static final int MAX_ANSWER = 1 << 20;

  private DatasetUpload() {}

  /**
   * What came back.
   *
   * @param status the final status
   * @param body the response body (at most 1 MiB)
   * @param sent file bytes sent
   * @param whole the whole file was sent
   */
  record Result(int status, byte[] body, long sent, boolean whole) {}

  /** The gateway could not be reached (nothing was sent). */
  static final class UnreachableException extends IOException {
    private static final long serialVersionUID = 1L;

    UnreachableException(String message) {
      super(message);
    }
  }

  /**
   * Sends {@code POST uri} with {@code headers} and the first {@code size} bytes of {@code file} as
   * the body, feeding them to {@code digest} and reporting the bytes sent to {@code progress}.
   *
   * @throws UnreachableException if no connection could be made
   * @throws IOException if the answer is not HTTP, is cut off, or the file is shorter than {@code size}
   */
  static Result post(URI uri, Map<String, String> headers, Path file, long size, MessageDigest digest,
      LongConsumer progress, Duration readTimeout) throws IOException {
    int port = uri.getPort() > 0 ? uri.getPort() : 80;
    try (Socket s = new Socket()) {
      try {
        s.connect(new InetSocketAddress(uri.getHost(), port), (int) Math.min(readTimeout.toMillis(), 30_000));
      } catch (IOException e) {
        throw new UnreachableException(uri.getHost() + ":" + port + ": " + e.getMessage());
      }
      s.setSoTimeout((int) Math.min(Integer.MAX_VALUE, readTimeout.toMillis()));
      StringBuilder req = new StringBuilder("POST ").append(uri.getRawPath())
          .append(uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()).append(" HTTP/1.1\r\n")
          .append("Host: ").append(uri.getHost()).append(':').append(port).append("\r\n")
          .append("Content-Length: ").append(size).append("\r\n")
          .append("Expect: 100-continue\r\nConnection: close\r\n");
      DatasetDownload.headers(req, headers);
      OutputStream o = s.getOutputStream();
      o.write(req.toString().getBytes(StandardCharsets.UTF_8));
      o.flush();
      InputStream in = new BufferedInputStream(s.getInputStream(), 65536);
      int status = status(in);
      if (status != 100) {
        return answer(in, status, 0, false);
      }
      if (DatasetDownload.fields(in) == null) {
        throw new IOException("the gateway's interim answer was cut off");
      }
      long sent = 0;
      try (InputStream f = Files.newInputStream(file)) {
        byte[] buf = new byte[65536];
        while (sent < size) {
          if (in.available() > 0) {
            return answer(in, status(in), sent, false); // answered early: every receiver is out
          }
          int n = f.read(buf, 0, (int) Math.min(buf.length, size - sent));
          if (n < 0) {
            throw new IOException(file + " became shorter while it was being pushed (" + sent + " of " + size
                + " bytes); no receiver got a complete data set");
          }
          digest.update(buf, 0, n);
          try {
            o.write(buf, 0, n);
          } catch (IOException e) {
            // the gateway stopped reading: its answer may already be there
            return answer(in, status(in), sent, false);
          }
          sent += n;
          progress.accept(sent);
        }
      }
      o.flush();
      return answer(in, status(in), sent, true);
    }
  }

  /** The status of the next response head's status line. */
  private static int status(InputStream in) throws IOException {
    String statusLine = DatasetDownload.line(in);
    if (statusLine == null) {
      throw new IOException("the gateway closed the connection without an answer");
    }
    String[] parts = statusLine.split(" ", 3);
    if (!statusLine.startsWith("HTTP/1.") || parts.length < 2) {
      throw new IOException("not an HTTP response");
    }
    try {
      return Integer.parseInt(parts[1]);
    } catch (NumberFormatException e) {
      throw new IOException("not an HTTP status line");
    }
  }

  private static Result answer(InputStream in, int status, long sent, boolean whole) throws IOException {
    Map<String, String> head = DatasetDownload.fields(in);
    if (head == null) {
      throw new IOException("the gateway's answer was cut off");
    }
    boolean chunked = head.getOrDefault("transfer-encoding", "").toLowerCase(Locale.ROOT).contains("chunked");
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    DatasetDownload.body(in, head, chunked, body, n -> {}, MAX_ANSWER);
    return new Result(status, body.toByteArray(), sent, whole);
  }
}
