package io.shulian.gateway.inbound;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ProblemTest {
  @Test
  void toResponse_isRfc9457JsonWithEscapedDetail() throws Exception {
    FullHttpResponse r = Problem.of(HttpResponseStatus.FORBIDDEN, "PURPOSE_NOT_ALLOWED", "say \"no\"\n").toResponse();
    try {
      JsonNode n = new ObjectMapper().readTree(r.content().toString(StandardCharsets.UTF_8));
      assertThat(r.headers().get("Content-Type")).isEqualTo("application/problem+json");
      assertThat(n.get("status").asInt()).isEqualTo(403);
      assertThat(n.get("code").asText()).isEqualTo("PURPOSE_NOT_ALLOWED");
      assertThat(n.get("detail").asText()).isEqualTo("say \"no\"\n");
      assertThat(n.get("type").asText()).endsWith("/purpose-not-allowed");
    } finally {
      r.release();
    }
  }
}
