package io.shulian.hub;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import javax.net.ssl.SSLSocket;

/** Polling and raw-socket helpers for the hub tests. */
final class TestWait {
  private TestWait() {}

  static boolean within(Duration d, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + d.toNanos();
    while (System.nanoTime() < deadline) {
      if (condition.getAsBoolean()) {
        return true;
      }
      Thread.sleep(50);
    }
    return condition.getAsBoolean();
  }

  /** Sends {@code request} as raw bytes over TLS (department certificate) and returns the status line. */
  static String rawTls(TestHubCity city, Hub h, String request) throws Exception {
    javax.net.ssl.SSLContext ctx = io.shulian.gateway.authenticate.GatewayTls.jdkClient(city.housing,
        chain -> city.hub.party());
    try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", h.address("hub").getPort())) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      out.write(request.getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      StringBuilder line = new StringBuilder();
      int c;
      while ((c = in.read()) != -1 && c != '\n') {
        line.append((char) c);
      }
      return line.toString().trim();
    }
  }
}
