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

  @Test
  void of_repeatedAndSummaryReasons_onePrimaryCodeAndDeduplicatedReasons() throws Exception {
    Problem p = Problem.of(HttpResponseStatus.FORBIDDEN, java.util.List.of(new Problem.Reason("NO_PERMIT", "no rule permits"),
        new Problem.Reason("PURPOSE_NOT_ALLOWED", "purpose"), new Problem.Reason("PURPOSE_NOT_ALLOWED", "again")), "denied");
    FullHttpResponse r = p.toResponse();
    try {
      JsonNode n = new ObjectMapper().readTree(r.content().toString(StandardCharsets.UTF_8));
      assertThat(n.get("code").asText()).isEqualTo("PURPOSE_NOT_ALLOWED");
      assertThat(n.get("reasons")).hasSize(2);
      assertThat(n.get("reasons").get(0).get("code").asText()).isEqualTo("NO_PERMIT");
      assertThat(n.get("reasons").get(1).get("message").asText()).isEqualTo("purpose");
    } finally {
      r.release();
    }
  }

  @Test
  void primary_onlySummaryCodes_isTheFirst() {
    assertThat(Problem.primary(java.util.List.of("NO_PERMIT", "DENIED"))).isEqualTo("NO_PERMIT");
    assertThat(Problem.primary(java.util.List.of("NO_PERMIT", "GRANT_REQUIRED", "PURPOSE_NOT_ALLOWED")))
        .isEqualTo("GRANT_REQUIRED");
  }

  @Test
  void of_singleCode_hasItAsTheOnlyReasonAndMembersAreNumbers() throws Exception {
    FullHttpResponse r = Problem.of(HttpResponseStatus.NOT_FOUND, "BACKEND_NOT_FOUND", "gone").withMember("backendStatus", 404)
        .toResponse();
    try {
      JsonNode n = new ObjectMapper().readTree(r.content().toString(StandardCharsets.UTF_8));
      assertThat(n.get("reasons")).hasSize(1);
      assertThat(n.get("reasons").get(0).get("code").asText()).isEqualTo("BACKEND_NOT_FOUND");
      assertThat(n.get("backendStatus").asInt()).isEqualTo(404);
    } finally {
      r.release();
    }
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> Problem.of(HttpResponseStatus.NOT_FOUND, "X", "x")
        .withMember("code", 1)).isInstanceOf(IllegalArgumentException.class);
  }
}
