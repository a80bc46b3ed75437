package io.shulian.core.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RequestTargetTest {

  static Stream<Arguments> refused() {
    return Stream.of(
        // not origin form
        Arguments.of("", "empty"),
        Arguments.of("a/b", "origin form"),
        Arguments.of("*", "origin form"),
        Arguments.of("http://127.0.0.1/a", "origin form"),
        Arguments.of("127.0.0.1:443", "origin form"),
        Arguments.of("?a=1", "origin form"),
        // empty segments
        Arguments.of("//a", "empty path segment"),
        Arguments.of("/a//b", "empty path segment"),
        Arguments.of("//", "empty path segment"),
        Arguments.of("//127.0.0.1/a", "empty path segment"),
        // dot segments, raw
        Arguments.of("/.", "dot segment"),
        Arguments.of("/..", "dot segment"),
        Arguments.of("/a/./b", "dot segment"),
        Arguments.of("/a/../b", "dot segment"),
        Arguments.of("/a/..", "dot segment"),
        Arguments.of("/../a", "dot segment"),
        Arguments.of("/a/b/../../../c", "dot segment"),
        Arguments.of("/...", "dot segment"),
        Arguments.of("/..%20", "dot segment"),
        Arguments.of("/.%20.", "dot segment"),
        // dot segments, encoded
        Arguments.of("/%2e%2e/a", "encoded dot"),
        Arguments.of("/%2E%2E/a", "encoded dot"),
        Arguments.of("/.%2e/a", "encoded dot"),
        Arguments.of("/%2e./a", "encoded dot"),
        Arguments.of("/%2e/a", "encoded dot"),
        Arguments.of("/a/%2e%2e", "encoded dot"),
        Arguments.of("/a.%2ejson", "encoded dot"),
        // encoded separators
        Arguments.of("/a%2fb", "encoded slash"),
        Arguments.of("/a%2Fb", "encoded slash"),
        Arguments.of("/..%2fb", "encoded slash"),
        Arguments.of("/%2e%2e%2fb", "encoded dot"),
        Arguments.of("/a%5cb", "encoded backslash"),
        Arguments.of("/a%5Cb", "encoded backslash"),
        // backslashes
        Arguments.of("/a\\b", "backslash"),
        Arguments.of("/..\\b", "backslash"),
        Arguments.of("\\a", "origin form"),
        // double encoding
        Arguments.of("/%252e%252e/a", "encoded percent sign"),
        Arguments.of("/%252f", "encoded percent sign"),
        Arguments.of("/%25", "encoded percent sign"),
        Arguments.of("/a%255cb", "encoded percent sign"),
        // path parameters
        Arguments.of("/a;b", "path parameter"),
        Arguments.of("/..;/a", "path parameter"),
        Arguments.of("/a;jsessionid=1", "path parameter"),
        Arguments.of("/a%3bb", "encoded ';'"),
        Arguments.of("/a%3Bb", "encoded ';'"),
        // NUL and controls
        Arguments.of("/a%00", "encoded NUL"),
        Arguments.of("/a%00.json", "encoded NUL"),
        Arguments.of("/a\u0000", "NUL"),
        Arguments.of("/a\r\nb", "control character"),
        Arguments.of("/a\tb", "control character"),
        Arguments.of("/a\u007f", "control character"),
        Arguments.of("/a%0d%0aSet-Cookie:x", "encoded control character"),
        Arguments.of("/a%7f", "encoded control character"),
        Arguments.of("/a%1b", "encoded control character"),
        // spaces and non-ASCII
        Arguments.of("/a b", "space"),
        Arguments.of("/é", "non-ASCII"),
        Arguments.of("/\u4e2d\u6587", "non-ASCII"),
        Arguments.of("/\uff0e\uff0e/a", "non-ASCII"),
        Arguments.of("/%c0%ae%c0%ae/a", "non-ASCII"),
        Arguments.of("/%e4%b8%ad", "non-ASCII"),
        Arguments.of("/%ef%bc%8e%ef%bc%8e/a", "non-ASCII"),
        Arguments.of("/%80", "non-ASCII"),
        // invalid escapes
        Arguments.of("/a%", "truncated percent escape"),
        Arguments.of("/a%2", "truncated percent escape"),
        Arguments.of("/a%zz", "invalid percent escape"),
        Arguments.of("/a%g1", "invalid percent escape"),
        Arguments.of("/a%-1", "invalid percent escape"),
        // encoded unreserved (not normal)
        Arguments.of("/%41", "unreserved"),
        Arguments.of("/%7e", "unreserved"),
        Arguments.of("/%2D", "unreserved"),
        Arguments.of("/%5f", "unreserved"),
        // fragments
        Arguments.of("/a#f", "fragment"),
        Arguments.of("/a?b#c", "fragment"),
        Arguments.of("/a%23b#", "fragment"),
        // characters outside pchar
        Arguments.of("/a<b", "not allowed in a path"),
        Arguments.of("/a>b", "not allowed in a path"),
        Arguments.of("/a\"b", "not allowed in a path"),
        Arguments.of("/a{b}", "not allowed in a path"),
        Arguments.of("/a|b", "not allowed in a path"),
        Arguments.of("/a^b", "not allowed in a path"),
        Arguments.of("/a`b", "not allowed in a path"),
        Arguments.of("/a[0]", "not allowed in a path"),
        // query
        Arguments.of("/a?x=%00", "encoded NUL ('%00') in the query"),
        Arguments.of("/a?x=%0a", "encoded control character in the query"),
        Arguments.of("/a?x=%zz", "invalid percent escape in the query"),
        Arguments.of("/a?x=%", "truncated percent escape in the query"),
        Arguments.of("/a?x=a b", "space"),
        Arguments.of("/a?x=\u00e9", "non-ASCII"),
        // length
        Arguments.of("/" + "a".repeat(RequestTarget.MAX_LENGTH), "longer than"));
  }

  @ParameterizedTest
  @MethodSource("refused")
  void parse_unsafeOrNotNormal_refusedNamingTheProblem(String target, String problem) {
    assertThatThrownBy(() -> RequestTarget.parse(target))
        .as(target)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(problem);
  }

  @ParameterizedTest
  @MethodSource("refused")
  void parse_refused_messageNeverRepeatsTheInput(String target, String problem) {
    assertThatThrownBy(() -> RequestTarget.parse(target)).satisfies(e -> {
      if (target.length() > 3) {
        assertThat(e.getMessage()).doesNotContain(target);
      }
    });
  }

  static Stream<Arguments> accepted() {
    return Stream.of(
        Arguments.of("/", "/", List.of(), null),
        Arguments.of("/a", "/a", List.of("a"), null),
        Arguments.of("/records/7", "/records/7", List.of("records", "7"), null),
        Arguments.of("/records/7/", "/records/7/", List.of("records", "7", ""), null),
        Arguments.of("/records/7?fields=all&x=%2e%2e", "/records/7", List.of("records", "7"), "fields=all&x=%2e%2e"),
        Arguments.of("/a?", "/a", List.of("a"), ""),
        Arguments.of("/?q=1", "/", List.of(), "q=1"),
        Arguments.of("/a%20b", "/a%20b", List.of("a b"), null),
        Arguments.of("/a%3fb", "/a%3fb", List.of("a?b"), null),
        Arguments.of("/user@host:8080", "/user@host:8080", List.of("user@host:8080"), null),
        Arguments.of("/a!$&'()*+,=", "/a!$&'()*+,=", List.of("a!$&'()*+,="), null),
        Arguments.of("/~user/.profile", "/~user/.profile", List.of("~user", ".profile"), null),
        Arguments.of("/..a/a../a.b", "/..a/a../a.b", List.of("..a", "a..", "a.b"), null),
        Arguments.of("/440604199001011234", "/440604199001011234", List.of("440604199001011234"), null),
        Arguments.of("/a?b=/../c&d=\\", "/a", List.of("a"), "b=/../c&d=\\"));
  }

  @ParameterizedTest
  @MethodSource("accepted")
  void parse_normalTarget_keptExactlyAndSegmentsDecodedOnce(String raw, String path, List<String> segments, String query) {
    RequestTarget t = RequestTarget.parse(raw);

    assertThat(t.toString()).isEqualTo(raw);
    assertThat(t.path()).isEqualTo(path);
    assertThat(t.segments()).isEqualTo(segments);
    assertThat(t.query().orElse(null)).isEqualTo(query);
  }

  @Test
  void below_consumerPrefix_givesTheResourceRelativeTarget() {
    RequestTarget t = RequestTarget.parse("/exchange/HOUSING-001/records/7?x=1");

    assertThat(t.rawSegment(1)).isEqualTo("HOUSING-001");
    assertThat(t.below(2).toString()).isEqualTo("/records/7?x=1");
    assertThat(t.below(2).segments()).containsExactly("records", "7");
    assertThat(RequestTarget.parse("/exchange/HOUSING-001").below(2).toString()).isEqualTo("/");
    assertThat(RequestTarget.parse("/exchange/HOUSING-001/").below(2).toString()).isEqualTo("/");
    assertThat(RequestTarget.parse("/exchange/HOUSING-001/?q").below(2).toString()).isEqualTo("/?q");
    assertThat(RequestTarget.parse("/exchange/HOUSING-001/a/").below(2).segments()).containsExactly("a", "");
    assertThatThrownBy(() -> t.below(5)).isInstanceOf(IndexOutOfBoundsException.class);
  }

  @Test
  void removeDotSegments_rfc3986Examples() {
    assertThat(RequestTarget.removeDotSegments("/a/b/c/./../../g")).isEqualTo("/a/g");
    assertThat(RequestTarget.removeDotSegments("mid/content=5/../6")).isEqualTo("mid/6");
    assertThat(RequestTarget.removeDotSegments("/a/b/..")).isEqualTo("/a/");
    assertThat(RequestTarget.removeDotSegments("/../a")).isEqualTo("/a");
    assertThat(RequestTarget.removeDotSegments("/a/b")).isEqualTo("/a/b");
  }

  /** Building blocks of hostile targets: separators, dots, their encodings, parameters, controls. */
  static final String[] TOKENS = {
    "/", "/", "/", "a", "b", "7", ".", "..", "...", "%2e", "%2E", "%2f", "%2F", "%5c", "\\", "%25", "%252e", "%252f",
    ";", ";x=1", "%3b", "%00", "%20", " ", "%41", "%c0%ae", "~", "-", "_", ":", "@", "?", "#", "%", "%zz", "=", "&", "%3f"
  };

  @Test
  void property_acceptedTargetsNeverEscapeTheBase_underAnyPermissiveServer() {
    Random random = new Random(20261112L);
    int accepted = 0;
    for (int i = 0; i < 50_000; i++) {
      StringBuilder b = new StringBuilder("/");
      int n = 1 + random.nextInt(8);
      for (int k = 0; k < n; k++) {
        b.append(TOKENS[random.nextInt(TOKENS.length)]);
      }
      String raw = b.toString();
      RequestTarget t;
      try {
        t = RequestTarget.parse(raw);
      } catch (IllegalArgumentException e) {
        continue;
      }
      accepted++;
      assertThat(t.toString()).isEqualTo(raw);
      if (!RequestTarget.removeDotSegments(t.path()).equals(t.path())) {
        assertThat(RequestTarget.removeDotSegments(t.path())).as(raw).isEqualTo(t.path());
      }
      for (String s : t.segments()) {
        if (s.contains("/") || s.contains("\\") || s.contains("%") || s.contains(";") || s.equals(".") || s.equals("..")) {
          assertThat(s).as(raw).doesNotContain("/", "\\", "%", ";").isNotIn(".", "..");
        }
      }
      // whatever a server does to the path (decode once or twice, backslash as slash, ';' cut, slashes merged,
      // trailing dots and spaces trimmed), base + path stays under base
      for (int decodes = 0; decodes <= 2; decodes++) {
        String resolved = permissive("/base" + t.path(), decodes);
        if (!resolved.equals("/base") && !resolved.startsWith("/base/")) {
          throw new AssertionError(raw + " escapes the base: " + resolved);
        }
      }
    }
    // the hostile alphabet still leaves plenty of ordinary targets: the property is not vacuous
    assertThat(accepted).isGreaterThan(2_500);
  }

  static String permissive(String path, int decodes) {
    for (int i = 0; i < decodes; i++) {
      path = percentDecode(path);
    }
    path = path.replace('\\', '/');
    Deque<String> out = new ArrayDeque<>();
    for (String seg : path.split("/", -1)) {
      int semi = seg.indexOf(';');
      if (semi >= 0) {
        seg = seg.substring(0, semi);
      }
      if (seg.isEmpty() || seg.equals(".")) {
        continue;
      }
      if (seg.equals("..") || onlyDotsAndSpaces(seg)) {
        out.pollLast();
      } else {
        out.addLast(seg);
      }
    }
    return "/" + String.join("/", out);
  }

  static boolean onlyDotsAndSpaces(String s) {
    return s.chars().allMatch(c -> c == '.' || c == ' ');
  }

  static String percentDecode(String s) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%' && i + 2 < s.length() && Character.digit(s.charAt(i + 1), 16) >= 0
          && Character.digit(s.charAt(i + 2), 16) >= 0) {
        b.write(Integer.parseInt(s.substring(i + 1, i + 3), 16));
        i += 2;
      } else {
        b.write(c);
      }
    }
    return b.toString(StandardCharsets.ISO_8859_1);
  }
}
