package io.shulian.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.util.concurrent.EventExecutor;
import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.keys.Suite;
import io.shulian.core.trust.PinnedSenderTrust;
import io.shulian.gateway.authenticate.ApiKeys;
import io.shulian.gateway.authenticate.PinnedPeerVerifier;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What a closed gateway leaves behind: no open connection. A peer whose kept-alive connection
 * stayed open after {@link Gateway#close()} would send its next request into it and wait for an
 * answer that never comes (a balancer in front passes the connection on as long as it is open).
 */
public class GatewayCloseTest {

  @Test
  void close_whileItsEventLoopRunsATask_everyKeptAliveConnectionIsClosed() throws Exception {
    MemoryAuditor audit = new MemoryAuditor();
    AutoCloseable busyLoop = busyFirstLoopAtShutdown(audit);
    PartyIdentity civil = TestIdentities.create(Suite.INTL, GatewayEndToEndTest.CIVIL);
    Gateway g = Gateway.builder().identity(civil).senderTrust(PinnedSenderTrust.of(civil.certificates()))
        .peers(new PinnedPeerVerifier(civil.certificates(), Clock.systemUTC())).auditor(audit)
        .apiKeys(ApiKeys.of(Map.of("portal", ApiKeys.hash("portal-key-0123456789"))))
        .consumerListener(new InetSocketAddress("127.0.0.1", 0)).eventLoops(1).closeWith(busyLoop).build().start();
    List<Socket> kept = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        Socket s = new Socket("127.0.0.1", g.address("consumer").getPort());
        kept.add(s);
        s.setSoTimeout(10_000);
        s.getOutputStream().write("GET /exchange/X/y HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(head(s.getInputStream())).startsWith("HTTP/1.1 401").doesNotContainIgnoringCase("connection: close");
      }
      assertThat(audit.firstLoop.get()).as("the audit ran on the gateway's event loop").isNotNull();

      g.close();

      for (Socket s : kept) {
        assertThat(endOf(s)).as("a kept-alive connection after close").isIn("EOF", "RESET");
      }
    } finally {
      for (Socket s : kept) {
        s.close();
      }
      g.close();
    }
  }

  @Test
  void close_whileAnUpstreamNeverAnswers_itsConnectionIsClosed() throws Exception {
    MemoryAuditor audit = new MemoryAuditor();
    AutoCloseable busyLoop = busyFirstLoopAtShutdown(audit);
    PartyIdentity civil = TestIdentities.create(Suite.INTL, GatewayEndToEndTest.CIVIL);
    try (java.net.ServerSocket backend = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      backend.setSoTimeout(30_000);
      Gateway g = Gateway.builder().identity(civil).senderTrust(PinnedSenderTrust.of(civil.certificates()))
          .peers(new PinnedPeerVerifier(civil.certificates(), Clock.systemUTC())).auditor(audit)
          .apiKeys(ApiKeys.of(Map.of("portal", ApiKeys.hash("portal-key-0123456789"))))
          .consumerListener(new InetSocketAddress("127.0.0.1", 0))
          .passthrough(new InetSocketAddress("127.0.0.1", 0), java.net.URI.create("http://127.0.0.1:" + backend.getLocalPort()))
          .eventLoops(1).closeWith(busyLoop).build().start();
      try (Socket app = new Socket("127.0.0.1", g.address("consumer").getPort());
          Socket client = new Socket("127.0.0.1", g.address("passthrough").getPort())) {
        // an audited refusal on the (only) event loop, so that the close can keep that loop busy
        app.setSoTimeout(10_000);
        app.getOutputStream().write("GET /exchange/X/y HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(head(app.getInputStream())).startsWith("HTTP/1.1 401");
        client.getOutputStream().write("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        try (Socket upstream = backend.accept()) {
          upstream.setSoTimeout(10_000);
          // the request arrived; the backend never answers, so the gateway's connection stays in use
          assertThat(head(upstream.getInputStream())).startsWith("GET /slow HTTP/1.1");

          g.close();

          assertThat(endOf(upstream)).as("the gateway's connection to a backend that never answered, after close")
              .isIn("EOF", "RESET");
        }
      } finally {
        g.close();
      }
    }
  }

  /**
   * A {@link Gateway.Builder#closeWith} hook that, while the gateway closes (after it stopped
   * accepting and drained), keeps the event loop that ran {@code audit}'s first record busy with
   * tasks until the loops shut down (as with the pools' closing or a state call's answer): the
   * loop's shutdown then begins while it runs a task. The tasks last 20 ms each, and the loop does
   * its I/O between them, so what the close asks of the loop before its shutdown still gets done.
   */
  private static AutoCloseable busyFirstLoopAtShutdown(MemoryAuditor audit) {
    return () -> {
      EventExecutor l = java.util.Objects.requireNonNull(audit.firstLoop.get());
      java.util.concurrent.CountDownLatch busy = new java.util.concurrent.CountDownLatch(1);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30); // if the shutdown never comes
      l.execute(new Runnable() {
        @Override
        public void run() {
          busy.countDown();
          long sliceEnd = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20);
          while (!l.isShuttingDown() && System.nanoTime() < sliceEnd) {
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
          }
          if (!l.isShuttingDown() && System.nanoTime() < deadline) {
            l.execute(this);
          }
        }
      });
      busy.await(30, TimeUnit.SECONDS);
    };
  }

  /** Reads a response head (the body of the problem is small and arrives with it). */
  public static String head(InputStream in) throws IOException {
    byte[] b = new byte[8192];
    int n = in.read(b);
    return n < 0 ? "" : new String(b, 0, n, StandardCharsets.ISO_8859_1);
  }

  /** How the connection ends: EOF, RESET, or OPEN if nothing came within the socket timeout. */
  public static String endOf(Socket s) throws IOException {
    try {
      int n = s.getInputStream().read(new byte[8192]);
      return n < 0 ? "EOF" : "DATA";
    } catch (SocketTimeoutException e) {
      return "OPEN";
    } catch (java.net.SocketException e) {
      return "RESET";
    }
  }
}
