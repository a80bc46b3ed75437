package io.shulian.hub;

import static io.shulian.gateway.GatewayCloseTest.endOf;
import static io.shulian.gateway.GatewayCloseTest.head;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a closed hub leaves behind: no open connection. A gateway's shipper (or a probe) whose
 * kept-alive connection stayed open after {@link Hub#close()} would send its next request into it
 * and wait for an answer that never comes.
 */
class HubCloseTest {
  @TempDir Path dir;

  @Test
  void close_everyKeptAliveConnectionIsClosed() throws Exception {
    Hub hub = new TestHubCity(dir).startHub();
    List<Socket> kept = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        Socket s = new Socket("127.0.0.1", hub.address("admin").getPort());
        kept.add(s);
        s.setSoTimeout(10_000);
        s.getOutputStream().write("GET /livez HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(head(s.getInputStream())).startsWith("HTTP/1.1 200").doesNotContainIgnoringCase("connection: close");
      }

      hub.close();

      for (Socket s : kept) {
        assertThat(endOf(s)).as("a kept-alive connection after close").isIn("EOF", "RESET");
      }
    } finally {
      for (Socket s : kept) {
        s.close();
      }
      hub.close();
    }
  }
}
