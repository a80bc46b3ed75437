import java.io.BufferedInputStream;
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
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The benchmarks' HTTP/1.1 client (one file, run with {@code java BulkClient.java}): GETs a URL,
 * reads a Content-Length or chunked body (with trailers) into nothing, optionally hashing it, and
 * prints one line {@code bytes=… seconds=… mbps=… complete=… stream=… sha256=…}.
 *
 * <p>Usage: {@code java BulkClient.java URL [--header "Name: value"]... [--sha256] [--rss pid,pid]}
 * With {@code --rss}, samples VmRSS of the given processes from /proc every second together with the
 * bytes received so far, and prints the series summary (RSS at 1 GiB, maximum after it, slope).
 */
public final class BulkClient {
  private static final long GIB = 1L << 30;

  public static void main(String[] args) throws Exception {
    URI uri = URI.create(args[0]);
    Map<String, String> headers = new LinkedHashMap<>();
    boolean sha = false;
    List<Long> pids = new ArrayList<>();
    for (int i = 1; i < args.length; i++) {
      switch (args[i]) {
        case "--header" -> {
          String h = args[++i];
          int c = h.indexOf(':');
          headers.put(h.substring(0, c).trim(), h.substring(c + 1).trim());
        }
        case "--sha256" -> sha = true;
        case "--rss" -> {
          for (String p : args[++i].split(",")) {
            pids.add(Long.parseLong(p));
          }
        }
        default -> throw new IllegalArgumentException(args[i]);
      }
    }
    MessageDigest md = sha ? MessageDigest.getInstance("SHA-256") : null;
    long[] received = {0};
    List<long[]> samples = new ArrayList<>(); // bytes, rss of each pid (KiB)
    Thread sampler = null;
    if (!pids.isEmpty()) {
      sampler = new Thread(() -> {
        try {
          while (true) {
            long[] s = new long[pids.size() + 1];
            synchronized (received) {
              s[0] = received[0];
            }
            for (int i = 0; i < pids.size(); i++) {
              s[i + 1] = rssKib(pids.get(i));
            }
            synchronized (samples) {
              samples.add(s);
            }
            Thread.sleep(1000);
          }
        } catch (InterruptedException | IOException e) {
          // done
        }
      }, "rss");
      sampler.setDaemon(true);
      sampler.start();
    }
    long t0 = System.nanoTime();
    Map<String, String> trailers = new LinkedHashMap<>();
    int status;
    boolean complete;
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(uri.getHost(), uri.getPort()));
      s.setReceiveBufferSize(1 << 20);
      StringBuilder req = new StringBuilder("GET ").append(uri.getRawPath())
          .append(uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()).append(" HTTP/1.1\r\nHost: ")
          .append(uri.getHost()).append(':').append(uri.getPort()).append("\r\nTE: trailers\r\nConnection: close\r\n");
      headers.forEach((k, v) -> req.append(k).append(": ").append(v).append("\r\n"));
      req.append("\r\n");
      OutputStream out = s.getOutputStream();
      out.write(req.toString().getBytes(StandardCharsets.UTF_8));
      out.flush();
      InputStream in = new BufferedInputStream(s.getInputStream(), 1 << 16);
      String statusLine = line(in);
      status = Integer.parseInt(statusLine.split(" ")[1]);
      Map<String, String> head = fields(in);
      byte[] buf = new byte[1 << 16];
      if ("chunked".equalsIgnoreCase(head.getOrDefault("transfer-encoding", ""))) {
        complete = false;
        while (true) {
          String size = line(in);
          int semi = size.indexOf(';');
          long n = Long.parseLong((semi < 0 ? size : size.substring(0, semi)).trim(), 16);
          if (n == 0) {
            trailers.putAll(fields(in));
            complete = true;
            break;
          }
          while (n > 0) {
            int r = in.read(buf, 0, (int) Math.min(buf.length, n));
            if (r < 0) {
              throw new IOException("cut off inside a chunk after " + received[0] + " bytes");
            }
            take(md, buf, r, received);
            n -= r;
          }
          line(in);
        }
      } else {
        long n = Long.parseLong(head.getOrDefault("content-length", "-1"));
        int r;
        while (n != 0 && (r = in.read(buf, 0, (int) (n < 0 ? buf.length : Math.min(buf.length, n)))) >= 0) {
          take(md, buf, r, received);
          if (n > 0) {
            n -= r;
          }
        }
        complete = n <= 0;
      }
    } catch (IOException e) {
      System.out.println("ERROR " + e + " after " + received[0] + " bytes");
      System.exit(3);
      return;
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    if (sampler != null) {
      sampler.interrupt();
      sampler.join();
    }
    System.out.printf(Locale.ROOT, "status=%d bytes=%d seconds=%.3f mbps=%.1f complete=%s stream=%s sha256=%s%n", status,
        received[0], seconds, received[0] / 1e6 / seconds, complete, trailers.getOrDefault("x-shulian-stream", "-"),
        md == null ? "-" : HexFormat.of().formatHex(md.digest()));
    if (!trailers.isEmpty()) {
      System.out.println("trailers " + trailers);
    }
    if (!pids.isEmpty()) {
      summarise(pids, samples);
    }
  }

  private static void take(MessageDigest md, byte[] buf, int n, long[] received) {
    if (md != null) {
      md.update(buf, 0, n);
    }
    synchronized (received) {
      received[0] += n;
    }
  }

  private static void summarise(List<Long> pids, List<long[]> samples) {
    System.out.println("RSS samples: " + samples.size() + " (one a second)");
    System.out.printf("%-8s %12s %14s %14s %18s %10s%n", "pid", "RSS at 1 GiB", "max after", "last", "slope after 1 GiB",
        "max all");
    for (int p = 0; p < pids.size(); p++) {
      long at1 = -1;
      long maxAfter = 0;
      long maxAll = 0;
      long last = 0;
      // least squares of RSS (KiB) over bytes (GiB), samples after the first GiB
      double n = 0;
      double sx = 0;
      double sy = 0;
      double sxx = 0;
      double sxy = 0;
      for (long[] s : samples) {
        long rss = s[p + 1];
        maxAll = Math.max(maxAll, rss);
        last = rss;
        if (s[0] >= GIB) {
          if (at1 < 0) {
            at1 = rss;
          }
          maxAfter = Math.max(maxAfter, rss);
          double x = (double) s[0] / GIB;
          n++;
          sx += x;
          sy += rss;
          sxx += x * x;
          sxy += x * rss;
        }
      }
      double slope = n > 1 ? (n * sxy - sx * sy) / (n * sxx - sx * sx) : Double.NaN;
      System.out.printf(Locale.ROOT, "%-8d %9d MiB %11d MiB %11d MiB %11.2f MiB/GiB %7d MiB%n", pids.get(p), at1 >> 10,
          maxAfter >> 10, last >> 10, slope / 1024, maxAll >> 10);
    }
    StringBuilder series = new StringBuilder("series (GiB: RSS MiB per pid), every 10th sample:");
    for (int i = 0; i < samples.size(); i += 10) {
      long[] s = samples.get(i);
      series.append(String.format(Locale.ROOT, " %.1f:", (double) s[0] / GIB));
      for (int p = 1; p < s.length; p++) {
        series.append(p > 1 ? "/" : "").append(s[p] >> 10);
      }
    }
    System.out.println(series);
  }

  private static long rssKib(long pid) throws IOException {
    for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (l.startsWith("VmRSS:")) {
        return Long.parseLong(l.replaceAll("[^0-9]", ""));
      }
    }
    return -1;
  }

  private static Map<String, String> fields(InputStream in) throws IOException {
    Map<String, String> m = new LinkedHashMap<>();
    for (String l = line(in); !l.isEmpty(); l = line(in)) {
      int c = l.indexOf(':');
      m.put(l.substring(0, c).trim().toLowerCase(Locale.ROOT), l.substring(c + 1).trim());
    }
    return m;
  }

  private static String line(InputStream in) throws IOException {
    StringBuilder b = new StringBuilder();
    int c;
    while ((c = in.read()) != '\n') {
      if (c < 0) {
        throw new IOException("connection closed");
      }
      if (c != '\r') {
        b.append((char) c);
      }
    }
    return b.toString();
  }
}
