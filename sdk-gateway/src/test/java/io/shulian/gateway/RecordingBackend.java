package io.shulian.gateway;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A department system that trusts its URL too much, for traversal tests: a raw-socket HTTP/1.1
 * server that records every request line exactly as it arrives, then normalises the target the way
 * permissive fronts do (percent-decodes once as nginx does, treats a backslash as a slash as IIS
 * does, drops {@code ;} parameters as Tomcat does, merges slashes, removes dot segments) and serves
 * two resources at sibling paths: {@code <base>/housing/...} and {@code <base>/fund/...}, the latter
 * holding a "secret" that no consumer of the housing resource may ever see.
 */
final class RecordingBackend implements AutoCloseable {
  static final String SECRET = "6222020200112233445";

  /** Request lines received ({@code METHOD target HTTP/1.1}), in arrival order. */
  final List<String> requestLines = new CopyOnWriteArrayList<>();
  /** Targets after normalisation, in arrival order. */
  final List<String> normalised = new CopyOnWriteArrayList<>();
  private final ServerSocket server;
  private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "recording-backend");
    t.setDaemon(true);
    return t;
  });

  RecordingBackend() throws IOException {
    server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    threads.execute(this::accept);
  }

  int port() {
    return server.getLocalPort();
  }

  /** Requests whose normalised target reached the sibling resource. */
  long siblingHits() {
    return normalised.stream().filter(p -> p.contains("/fund")).count();
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket s = server.accept();
        threads.execute(() -> serve(s));
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serve(Socket s) {
    try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
      while (true) {
        String line = readLine(in);
        if (line == null || line.isEmpty()) {
          return;
        }
        long length = 0;
        String h;
        while ((h = readLine(in)) != null && !h.isEmpty()) {
          int c = h.indexOf(':');
          if (c > 0 && h.substring(0, c).trim().equalsIgnoreCase("content-length")) {
            length = Long.parseLong(h.substring(c + 1).trim());
          }
        }
        in.skipNBytes(length);
        requestLines.add(line);
        String[] parts = line.split(" ", 3);
        String target = parts.length > 1 ? parts[1] : "";
        String path = normalise(target);
        normalised.add(path);
        String method = parts[0];
        String body;
        int status = 200;
        if (path.startsWith("/api/fund/") || path.startsWith("/fund/")) {
          body = "{\"resource\":\"fund\",\"method\":\"" + method + "\",\"bankCard\":\"" + SECRET + "\"}";
        } else if (path.startsWith("/api/housing/") || path.startsWith("/housing/") || path.equals("/api/housing")) {
          body = "{\"resource\":\"housing\",\"method\":\"" + method + "\",\"path\":\"" + path.replace("\"", "") + "\"}";
        } else {
          status = 404;
          body = "{\"error\":\"not found\"}";
        }
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        String head = "HTTP/1.1 " + status + (status == 200 ? " OK" : " Not Found") + "\r\nContent-Type: application/json\r\n"
            + "Content-Length: " + b.length + "\r\n\r\n";
        out.write(head.getBytes(StandardCharsets.US_ASCII));
        if (!method.equals("HEAD")) {
          out.write(b);
        }
        out.flush();
      }
    } catch (IOException | RuntimeException e) {
      // the peer went away or sent garbage: this connection ends
    }
  }

  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) >= 0) {
      if (c == '\n') {
        byte[] a = b.toByteArray();
        int n = a.length > 0 && a[a.length - 1] == '\r' ? a.length - 1 : a.length;
        return new String(a, 0, n, StandardCharsets.ISO_8859_1);
      }
      b.write(c);
      if (b.size() > 65536) {
        throw new SocketException("line too long");
      }
    }
    return b.size() == 0 ? null : b.toString(StandardCharsets.ISO_8859_1);
  }

  /** Normalises a target like the most permissive fronts together; exposed for the test's own checks. */
  static String normalise(String target) {
    int q = target.indexOf('?');
    String path = q < 0 ? target : target.substring(0, q);
    path = percentDecode(path).replace('\\', '/');
    Deque<String> out = new ArrayDeque<>();
    for (String seg : path.split("/", -1)) {
      int semi = seg.indexOf(';');
      if (semi >= 0) {
        seg = seg.substring(0, semi);
      }
      if (seg.isEmpty() || seg.equals(".")) {
        continue;
      }
      if (seg.equals("..")) {
        out.pollLast();
      } else {
        out.addLast(seg);
      }
    }
    return "/" + String.join("/", out);
  }

  private static String percentDecode(String s) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%' && i + 2 < s.length() && isHex(s.charAt(i + 1)) && isHex(s.charAt(i + 2))) {
        b.write(Integer.parseInt(s.substring(i + 1, i + 3).toLowerCase(Locale.ROOT), 16));
        i += 2;
      } else {
        b.write(c & 0xff);
      }
    }
    return b.toString(StandardCharsets.ISO_8859_1);
  }

  private static boolean isHex(char c) {
    return Character.digit(c, 16) >= 0;
  }

  @Override
  public void close() throws IOException {
    server.close();
    threads.shutdownNow();
  }
}
