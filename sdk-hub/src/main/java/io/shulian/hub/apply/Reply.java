package io.shulian.hub.apply;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.shulian.gateway.inbound.Problem;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What the hub answers a case request: a body of {@code contentType}, or a problem.
 *
 * @param problem set when refused; the other fields are then unused
 */
public record Reply(HttpResponseStatus status, String contentType, String body, @Nullable Problem problem) {
  static Reply json(HttpResponseStatus status, String body) {
    return new Reply(status, "application/json", body, null);
  }

  static Reply refuse(HttpResponseStatus status, String code, String detail) {
    return new Reply(status, Problem.MEDIA_TYPE, "", Problem.of(status, code, detail));
  }

  static Reply refuse(HttpResponseStatus status, List<Problem.Reason> reasons, String detail) {
    return new Reply(status, Problem.MEDIA_TYPE, "", Problem.of(status, reasons, detail));
  }
}
