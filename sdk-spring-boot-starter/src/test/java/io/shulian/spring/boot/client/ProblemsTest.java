package io.shulian.spring.boot.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Every error answer becomes a typed exception; nothing in the body can forge a code or flood a message. */
class ProblemsTest {
  static final String PROBLEM = "application/problem+json";

  static GatewayException from(int status, String contentType, String body) {
    return Problems.from(status, contentType, new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)),
        "GET HOUSING-001");
  }

  @Test
  void problem403_isAccessDenied_withPrimaryCodeAndReasons() {
    GatewayException e = from(403, PROBLEM, "{\"status\":403,\"code\":\"GRANT_REQUIRED\",\"reasons\":["
        + "{\"code\":\"NO_PERMIT\",\"message\":\"no rule permits this request\"},"
        + "{\"code\":\"GRANT_REQUIRED\",\"message\":\"a grant is required\"}]}");
    assertThat(e).isInstanceOf(GatewayAccessDeniedException.class);
    assertThat(e.code()).isEqualTo("GRANT_REQUIRED");
    assertThat(e.reasons()).extracting(ProblemReason::code).containsExactly("NO_PERMIT", "GRANT_REQUIRED");
    assertThat(e.getMessage()).isEqualTo("GET HOUSING-001: 403 GRANT_REQUIRED (reasons NO_PERMIT GRANT_REQUIRED)");
  }

  @Test
  void problem404WithBackendStatus_isRequestRejected() {
    GatewayException e = from(404, PROBLEM + ";charset=utf-8",
        "{\"code\":\"BACKEND_NOT_FOUND\",\"backendStatus\":404,\"reasons\":[]}");
    assertThat(e).isInstanceOfSatisfying(GatewayRequestRejectedException.class,
        r -> assertThat(r.backendStatus()).isEqualTo(404));
    assertThat(e.code()).isEqualTo("BACKEND_NOT_FOUND");
  }

  @Test
  void problem503_isUpstream() {
    assertThat(from(503, PROBLEM, "{\"code\":\"AUDIT_UNAVAILABLE\"}"))
        .isInstanceOf(GatewayUpstreamException.class)
        .extracting(GatewayException::code).isEqualTo("AUDIT_UNAVAILABLE");
  }

  @Test
  void htmlErrorPageOfAProxy_isUnexpectedResponse_bodyNotInMessage() {
    GatewayException e = from(502, "text/html", "<html>secret internal host 10.0.0.7</html>");
    assertThat(e).isInstanceOf(GatewayUpstreamException.class);
    assertThat(e.code()).isEqualTo("UNEXPECTED_RESPONSE");
    assertThat(e.getMessage()).doesNotContain("10.0.0.7");
  }

  @Test
  void malformedJson_isUnexpectedResponse() {
    assertThat(from(400, PROBLEM, "{\"code\":\"BAD_TARGET\"").code()).isEqualTo("UNEXPECTED_RESPONSE");
  }

  @Test
  void codesNotUpperSnake_areDropped() {
    GatewayException e = from(403, PROBLEM, "{\"code\":\"ok\\nFORGED\",\"reasons\":[{\"code\":\"x y\"},"
        + "{\"code\":\"NO_PERMIT\",\"message\":\"a\\u0000b\\nc\"}]}");
    assertThat(e.code()).isEqualTo("UNEXPECTED_RESPONSE");
    assertThat(e.reasons()).singleElement().satisfies(r -> {
      assertThat(r.code()).isEqualTo("NO_PERMIT");
      assertThat(r.message()).isEqualTo("a b c");
    });
  }

  @Test
  void oversizedProblem_isUnexpectedResponse() {
    String big = "{\"code\":\"BAD_TARGET\",\"detail\":\"" + "x".repeat(Problems.MAX_PROBLEM_BYTES) + "\"}";
    assertThat(from(400, PROBLEM, big).code()).isEqualTo("UNEXPECTED_RESPONSE");
  }

  @Test
  void manyReasons_areBounded() {
    StringBuilder b = new StringBuilder("{\"code\":\"NO_PERMIT\",\"reasons\":[");
    for (int i = 0; i < 1000; i++) {
      b.append(i == 0 ? "" : ",").append("{\"code\":\"NO_PERMIT\",\"message\":\"m\"}");
    }
    assertThat(from(403, PROBLEM, b.append("]}").toString()).reasons()).hasSize(Problems.MAX_REASONS);
  }
}
