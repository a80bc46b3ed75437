package io.shulian.core.catalog;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Fuzz target for {@link RequestTarget#parse} and {@link EndpointMatch#find}: whatever a request
 * line carries (bytes read as ISO-8859-1, as an HTTP decoder does), parsing either throws an
 * {@link IllegalArgumentException} or returns a target that keeps the input exactly, whose decoded
 * segments hold no separator, percent sign, parameter, control or dot segment, and that stays under
 * its base for every permissive way a server may resolve it. Matching never throws. In a normal
 * build it replays its seeds; {@code JAZZER_FUZZ=1} fuzzes it (docs/fuzzing.md).
 */
class RequestTargetFuzzTest {
  private static final List<Endpoint> ENDPOINTS = List.of(new Endpoint("GET", "/records/{id}"),
      new Endpoint("GET", "/all", "export"), new Endpoint("POST", "/"), new Endpoint("DELETE", "/{a}/{b}"));

  @FuzzTest(maxDuration = "30s")
  void parse_anyTarget_confinedOrRefused(byte[] data) {
    String raw = new String(data, StandardCharsets.ISO_8859_1);
    RequestTarget t;
    try {
      t = RequestTarget.parse(raw);
    } catch (IllegalArgumentException e) {
      if (e.getMessage() == null || (raw.length() > 3 && e.getMessage().contains(raw))) {
        throw new AssertionError("refusal message missing or repeating the input", e);
      }
      return;
    }
    if (!t.toString().equals(raw)) {
      throw new AssertionError("accepted target changed: " + raw);
    }
    if (!RequestTarget.removeDotSegments(t.path()).equals(t.path())) {
      throw new AssertionError("accepted target is not normal: " + raw);
    }
    for (String s : t.segments()) {
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        if (c == '/' || c == '\\' || c == '%' || c == ';' || c < 0x20 || c > 0x7e) {
          throw new AssertionError("decoded segment holds " + (int) c + ": " + raw);
        }
      }
      if (!s.isEmpty() && RequestTargetTest.onlyDotsAndSpaces(s)) {
        throw new AssertionError("dot segment accepted: " + raw);
      }
    }
    for (int decodes = 0; decodes <= 2; decodes++) {
      String resolved = RequestTargetTest.permissive("/base" + t.path(), decodes);
      if (!resolved.equals("/base") && !resolved.startsWith("/base/")) {
        throw new AssertionError(raw + " escapes the base: " + resolved);
      }
    }
    for (String method : List.of("GET", "POST", "DELETE", "PROPFIND")) {
      EndpointMatch m = EndpointMatch.find(ENDPOINTS, method, t);
      if (m.matched() && !m.endpoint().orElseThrow().matchesPath(t)) {
        throw new AssertionError("matched an endpoint that does not fit: " + raw);
      }
    }
  }
}
