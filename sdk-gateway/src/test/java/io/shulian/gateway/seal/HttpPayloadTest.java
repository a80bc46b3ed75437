package io.shulian.gateway.seal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HttpPayloadTest {
  @Test
  void request_roundTrip_keepsCarriedHeadersOnly() {
    HttpPayload p = HttpPayload.request("POST", "/a/b?x=1",
        List.of(Map.entry("Content-Type", "application/json"), Map.entry("Authorization", "secret"),
            Map.entry("X-Api-Key", "k"), Map.entry("X-Shulian-Grant", "g.r.t"), Map.entry("Connection", "close")),
        "{}".getBytes(StandardCharsets.UTF_8));

    HttpPayload q = HttpPayload.parse(p.encode(), true);

    assertThat(q.method()).isEqualTo("POST");
    assertThat(q.target()).isEqualTo("/a/b?x=1");
    assertThat(q.headers()).containsExactly(Map.entry("content-type", "application/json"), Map.entry("x-shulian-grant", "g.r.t"));
    assertThat(q.body()).isEqualTo("{}".getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void response_roundTrip_keepsStatusAndBinaryBody() {
    byte[] body = {0, 1, 2, '\r', '\n', '\r', '\n', 3};
    HttpPayload q = HttpPayload.parse(HttpPayload.response(404, List.of(), body).encode(), false);

    assertThat(q.status()).isEqualTo(404);
    assertThat(q.body()).isEqualTo(body);
  }

  @Test
  void parse_malformedMessages_areRejected() {
    for (String bad : new String[] {"", "GET / HTTP/1.1\r\n", "get / HTTP/1.1\r\n\r\n", "GET x HTTP/1.1\r\n\r\n",
        "GET / HTTP/1.0\r\n\r\n", "GET / HTTP/1.1\r\n folded: x\r\n\r\n", "GET / HTTP/1.1\r\nnocolon\r\n\r\n",
        "GET / HTTP/1.1\n\n"}) {
      assertThatThrownBy(() -> HttpPayload.parse(bad.getBytes(StandardCharsets.ISO_8859_1), true))
          .as(bad).isInstanceOf(IllegalArgumentException.class);
    }
    assertThatThrownBy(() -> HttpPayload.parse("HTTP/1.1 200 OK\r\n\r\n".getBytes(StandardCharsets.US_ASCII), true))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void parse_tooManyHeaders_isRejected() {
    StringBuilder b = new StringBuilder("GET / HTTP/1.1\r\n");
    for (int i = 0; i < 40; i++) {
      b.append("accept: x\r\n");
    }
    b.append("\r\n");
    assertThatThrownBy(() -> HttpPayload.parse(b.toString().getBytes(StandardCharsets.US_ASCII), true))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void request_targetWithControlCharacters_isRejected() {
    assertThatThrownBy(() -> HttpPayload.request("GET", "/a\r\nX: y", List.of(), new byte[0]))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
