package io.shulian.spring.boot.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Turns a gateway's error answer into a {@link GatewayException}. Whatever the body holds, the
 * result is a typed exception: a body that is not a problem document, too large, or with malformed
 * codes gives {@code UNEXPECTED_RESPONSE}; codes must be UPPER_SNAKE and messages are cut to
 * printable text of bounded length, so nothing the gateway (or a proxy in front of it) wrote can
 * forge a code or flood a log.
 */
final class Problems {
  static final String UNEXPECTED = "UNEXPECTED_RESPONSE";
  static final int MAX_PROBLEM_BYTES = 64 * 1024;
  static final int MAX_REASONS = 32;
  static final int MAX_MESSAGE_CHARS = 200;
  private static final Pattern CODE = Pattern.compile("[A-Z][A-Z0-9_]{0,63}");
  private static final ObjectMapper JSON = new ObjectMapper();

  private Problems() {}

  static GatewayException from(int status, @Nullable String contentType, InputStream body, String call) {
    byte[] bytes = readBounded(body);
    String code = UNEXPECTED;
    List<ProblemReason> reasons = new ArrayList<>();
    int backendStatus = 0;
    if (bytes != null && contentType != null && contentType.toLowerCase(java.util.Locale.ROOT).startsWith(
        "application/problem+json")) {
      try {
        JsonNode n = JSON.readTree(bytes);
        if (n != null && n.isObject()) {
          String c = n.path("code").asText("");
          if (CODE.matcher(c).matches()) {
            code = c;
          }
          JsonNode rs = n.path("reasons");
          if (rs.isArray()) {
            for (JsonNode r : rs) {
              String rc = r.path("code").asText("");
              if (reasons.size() < MAX_REASONS && CODE.matcher(rc).matches()) {
                reasons.add(new ProblemReason(rc, printable(r.path("message").asText(""))));
              }
            }
          }
          JsonNode bs = n.path("backendStatus");
          if (bs.isInt() && bs.intValue() >= 100 && bs.intValue() <= 599) {
            backendStatus = bs.intValue();
          }
        }
      } catch (IOException e) {
        code = UNEXPECTED;
        reasons.clear();
      }
    }
    StringBuilder m = new StringBuilder(call).append(": ").append(status).append(' ').append(code);
    if (!reasons.isEmpty()) {
      m.append(" (reasons");
      for (ProblemReason r : reasons) {
        m.append(' ').append(r.code());
      }
      m.append(')');
    }
    if (backendStatus != 0) {
      m.append(", backend status ").append(backendStatus);
    }
    String message = m.toString();
    if (status == 401 || status == 403) {
      return new GatewayAccessDeniedException(status, code, reasons, message);
    }
    if (status >= 400 && status < 500) {
      return new GatewayRequestRejectedException(status, code, reasons, backendStatus, message);
    }
    return new GatewayUpstreamException(status, code, reasons, backendStatus, message);
  }

  private static byte @Nullable [] readBounded(InputStream in) {
    try (in) {
      byte[] b = in.readNBytes(MAX_PROBLEM_BYTES + 1);
      return b.length > MAX_PROBLEM_BYTES ? null : b;
    } catch (IOException e) {
      return null;
    }
  }

  static String printable(String s) {
    StringBuilder b = new StringBuilder(Math.min(s.length(), MAX_MESSAGE_CHARS));
    for (int i = 0; i < s.length() && b.length() < MAX_MESSAGE_CHARS; i++) {
      char c = s.charAt(i);
      b.append(Character.isISOControl(c) ? ' ' : c);
    }
    return b.toString();
  }
}
