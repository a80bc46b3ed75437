package io.shulian.hub.review;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.List;
import java.util.Locale;

/**
 * What the hub answers a catalog request: a JSON body, or a problem+json with one primary code and
 * every reason (not deduplicated: a resource document with five problems gets five reasons).
 */
public record Answer(HttpResponseStatus status, String contentType, String body, String code) {
  /** One reason of a refusal. */
  public record Reason(String code, String message) {}

  static Answer json(HttpResponseStatus status, String body) {
    return new Answer(status, "application/json", body, "");
  }

  static Answer refuse(HttpResponseStatus status, String code, String detail) {
    return refuse(status, code, detail, List.of(new Reason(code, detail)));
  }

  static Answer refuse(HttpResponseStatus status, String code, String detail, List<Reason> reasons) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("type", "https://shulian.io/problems/" + code.toLowerCase(Locale.ROOT).replace('_', '-'))
        .put("title", status.reasonPhrase()).put("status", status.code()).put("code", code).put("detail", detail);
    var a = o.putArray("reasons");
    for (Reason r : reasons.isEmpty() ? List.of(new Reason(code, detail)) : reasons) {
      a.addObject().put("code", r.code()).put("message", r.message());
    }
    return new Answer(status, "application/problem+json", o.toString(), code);
  }

  /** Whether this is a refusal. */
  public boolean refused() {
    return !code.isEmpty();
  }
}
