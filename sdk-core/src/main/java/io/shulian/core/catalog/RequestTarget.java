package io.shulian.core.catalog;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A request target that cannot leave the resource it is sent to: an origin-form target (RFC 9112
 * section 3.2.1) that is already in normal form, so every server behind the gateway — nginx,
 * Tomcat, IIS, a framework that decodes twice — resolves it to the same path the gateway matched.
 *
 * <p>{@link #parse} accepts a target only if all of these hold, and otherwise throws with a message
 * that names the problem (never the input):
 *
 * <ul>
 *   <li>printable ASCII only (no control character, space, or byte above 0x7e), at most {@link
 *       #MAX_LENGTH} characters; starts with {@code /} (no absolute, authority or asterisk form);
 *       no fragment ({@code #});
 *   <li>the path holds only RFC 3986 {@code pchar}s and {@code /}, but no {@code ;} (path
 *       parameters, {@code ..;/}) and no backslash;
 *   <li>no empty segment ({@code //}) except a single trailing {@code /}; no segment made only of
 *       dots and spaces ({@code .}, {@code ..}, and {@code ...} or {@code ..%20}, which Windows
 *       servers trim into them);
 *   <li>every {@code %} starts a valid escape; an escape never encodes an unreserved character
 *       ({@code %2e}, {@code %41}: such targets are not normal and some servers decode them into dot
 *       segments), a slash or backslash ({@code %2f}, {@code %5c}), a percent sign ({@code %25}:
 *       double encoding such as {@code %252e}), a {@code ;}, a control character ({@code %00}) or a
 *       byte above 0x7f ({@code %c0%ae} and other overlong or non-ASCII forms);
 *   <li>the optional query is printable ASCII with valid escapes and no encoded control character.
 * </ul>
 *
 * <p>Consequently RFC 3986 {@code remove_dot_segments} leaves the path unchanged, and decoding each
 * segment once (what {@link #segments()} returns, for matching against catalog endpoints) yields
 * text without a slash, backslash, percent sign, control character or dot segment. Immutable.
 */
public final class RequestTarget {
  /** The longest target accepted, in characters (the payload's start-line limit). */
  public static final int MAX_LENGTH = 8000;

  private final String path;
  private final @Nullable String query;
  private final List<String> rawSegments;
  private final List<String> segments;

  private RequestTarget(String path, @Nullable String query, List<String> rawSegments, List<String> segments) {
    this.path = path;
    this.query = query;
    this.rawSegments = Collections.unmodifiableList(rawSegments);
    this.segments = Collections.unmodifiableList(segments);
  }

  /**
   * Parses and checks a request target as it appears in a request line.
   *
   * @throws IllegalArgumentException if the target is not a confined, normal origin-form target;
   *     the message names the problem and does not repeat the input
   */
  public static RequestTarget parse(String raw) {
    Objects.requireNonNull(raw, "raw");
    if (raw.isEmpty()) {
      throw new IllegalArgumentException("empty request target");
    }
    if (raw.length() > MAX_LENGTH) {
      throw new IllegalArgumentException("request target longer than " + MAX_LENGTH + " characters");
    }
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        throw new IllegalArgumentException(c == 0 ? "NUL in the request target" : "control character in the request target");
      }
      if (c == ' ') {
        throw new IllegalArgumentException("space in the request target");
      }
      if (c > 0x7f) {
        throw new IllegalArgumentException("non-ASCII character in the request target");
      }
      if (c == '#') {
        throw new IllegalArgumentException("fragment in the request target");
      }
    }
    if (raw.charAt(0) != '/') {
      throw new IllegalArgumentException("request target is not in origin form (it must start with '/')");
    }
    int q = raw.indexOf('?');
    String path = q < 0 ? raw : raw.substring(0, q);
    String query = q < 0 ? null : raw.substring(q + 1);
    List<String> rawSegments = new ArrayList<>();
    List<String> segments = new ArrayList<>();
    if (!path.equals("/")) {
      int start = 1;
      while (true) {
        int end = path.indexOf('/', start);
        String seg = end < 0 ? path.substring(start) : path.substring(start, end);
        boolean last = end < 0;
        if (seg.isEmpty() && !last) {
          throw new IllegalArgumentException("empty path segment ('//') in the request target");
        }
        rawSegments.add(seg);
        segments.add(decodeSegment(seg));
        if (last) {
          break;
        }
        start = end + 1;
      }
    }
    if (path.contains("/.") && !removeDotSegments(path).equals(path)) {
      // unreachable after the checks above; kept so that a future relaxation cannot open a traversal
      throw new IllegalArgumentException("request target path is not in normal form");
    }
    if (query != null) {
      checkQuery(query);
    }
    return new RequestTarget(path, query, rawSegments, segments);
  }

  /** Decodes one raw segment once, refusing everything that could change its meaning downstream. */
  private static String decodeSegment(String seg) {
    StringBuilder out = null;
    for (int i = 0; i < seg.length(); i++) {
      char c = seg.charAt(i);
      if (c == '%') {
        int v = escape(seg, i, "path");
        if (unreserved(v)) {
          throw new IllegalArgumentException(v == '.'
              ? "encoded dot ('%2e') in the request target"
              : "percent-encoded unreserved character in the request target (not in normal form)");
        }
        if (v == '/') {
          throw new IllegalArgumentException("encoded slash ('%2f') in the request target");
        }
        if (v == '\\') {
          throw new IllegalArgumentException("encoded backslash ('%5c') in the request target");
        }
        if (v == '%') {
          throw new IllegalArgumentException("encoded percent sign ('%25', double encoding) in the request target");
        }
        if (v == ';') {
          throw new IllegalArgumentException("encoded ';' in the request target");
        }
        if (v < 0x20 || v == 0x7f) {
          throw new IllegalArgumentException(v == 0 ? "encoded NUL ('%00') in the request target"
              : "encoded control character in the request target");
        }
        if (v > 0x7f) {
          throw new IllegalArgumentException("encoded non-ASCII byte in the request target path");
        }
        if (out == null) {
          out = new StringBuilder(seg.length()).append(seg, 0, i);
        }
        out.append((char) v);
        i += 2;
        continue;
      }
      if (c == ';') {
        throw new IllegalArgumentException("path parameter (';') in the request target");
      }
      if (c == '\\') {
        throw new IllegalArgumentException("backslash in the request target");
      }
      if (!pchar(c)) {
        throw new IllegalArgumentException("character not allowed in a path: '" + c + "'");
      }
      if (out != null) {
        out.append(c);
      }
    }
    String decoded = out == null ? seg : out.toString();
    if (!decoded.isEmpty() && onlyDotsAndSpaces(decoded)) {
      // '.', '..', and what Windows servers trim into them ('...', '.. ', '. .')
      throw new IllegalArgumentException("dot segment in the request target");
    }
    return decoded;
  }

  private static boolean onlyDotsAndSpaces(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) != '.' && s.charAt(i) != ' ') {
        return false;
      }
    }
    return true;
  }

  private static void checkQuery(String query) {
    for (int i = 0; i < query.length(); i++) {
      if (query.charAt(i) == '%') {
        int v = escape(query, i, "query");
        if (v < 0x20 || v == 0x7f) {
          throw new IllegalArgumentException(v == 0 ? "encoded NUL ('%00') in the query" : "encoded control character in the query");
        }
        i += 2;
      }
    }
  }

  /** Returns the byte of the escape at {@code s[i]}, which is a '%'. */
  private static int escape(String s, int i, String where) {
    if (i + 2 >= s.length()) {
      throw new IllegalArgumentException("truncated percent escape in the " + where);
    }
    int hi = Character.digit(s.charAt(i + 1), 16);
    int lo = Character.digit(s.charAt(i + 2), 16);
    if (hi < 0 || lo < 0) {
      throw new IllegalArgumentException("invalid percent escape in the " + where);
    }
    return hi << 4 | lo;
  }

  private static boolean unreserved(int c) {
    return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_'
        || c == '~';
  }

  /** RFC 3986 pchar without pct-encoded (handled apart) and without ';' (refused apart). */
  private static boolean pchar(char c) {
    return unreserved(c) || c == '!' || c == '$' || c == '&' || c == '\'' || c == '(' || c == ')' || c == '*'
        || c == '+' || c == ',' || c == '=' || c == ':' || c == '@';
  }

  /** RFC 3986 section 5.2.4, for the self-check that the accepted path is already normal. */
  static String removeDotSegments(String in) {
    StringBuilder input = new StringBuilder(in);
    StringBuilder out = new StringBuilder();
    while (input.length() > 0) {
      if (startsWith(input, "../")) {
        input.delete(0, 3);
      } else if (startsWith(input, "./")) {
        input.delete(0, 2);
      } else if (startsWith(input, "/./")) {
        input.delete(0, 2);
      } else if (input.toString().equals("/.")) {
        input.replace(0, 2, "/");
      } else if (startsWith(input, "/../")) {
        input.delete(0, 3);
        cutLastSegment(out);
      } else if (input.toString().equals("/..")) {
        input.replace(0, 3, "/");
        cutLastSegment(out);
      } else if (input.toString().equals(".") || input.toString().equals("..")) {
        input.setLength(0);
      } else {
        int next = input.indexOf("/", input.charAt(0) == '/' ? 1 : 0);
        int end = next < 0 ? input.length() : next;
        out.append(input, 0, end);
        input.delete(0, end);
      }
    }
    return out.toString();
  }

  private static boolean startsWith(StringBuilder b, String prefix) {
    return b.length() >= prefix.length() && b.substring(0, prefix.length()).equals(prefix);
  }

  private static void cutLastSegment(StringBuilder out) {
    int slash = out.lastIndexOf("/");
    out.setLength(Math.max(slash, 0));
  }

  /** The path as received; already normal, so it is also what the department system resolves. */
  public String path() {
    return path;
  }

  /** The query without the {@code ?}, as received; empty if the target has none. */
  public Optional<String> query() {
    return Optional.ofNullable(query);
  }

  /**
   * The path segments, each percent-decoded once; a trailing {@code /} gives a last empty
   * segment, and {@code /} alone gives none.
   */
  public List<String> segments() {
    return segments;
  }

  /**
   * Returns the target below the first {@code n} segments, with the same query: for {@code
   * /exchange/res/a/b?x} and 2, {@code /a/b?x}; {@code /} when nothing is left.
   *
   * @throws IndexOutOfBoundsException if the path has fewer than {@code n} segments
   */
  public RequestTarget below(int n) {
    if (n < 0 || n > rawSegments.size()) {
      throw new IndexOutOfBoundsException(n);
    }
    List<String> raw = new ArrayList<>(rawSegments.subList(n, rawSegments.size()));
    List<String> dec = new ArrayList<>(segments.subList(n, segments.size()));
    if (raw.size() == 1 && raw.get(0).isEmpty()) {
      // the trailing slash of /exchange/res/ is the resource's root
      raw.clear();
      dec.clear();
    }
    return new RequestTarget("/" + String.join("/", raw), query, raw, dec);
  }

  /** The raw segment {@code i}, exactly as received. */
  public String rawSegment(int i) {
    return rawSegments.get(i);
  }

  /** The target as it goes on the wire: path and, if present, {@code ?} and the query. */
  @Override
  public String toString() {
    return query == null ? path : path + "?" + query;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof RequestTarget && toString().equals(o.toString());
  }

  @Override
  public int hashCode() {
    return toString().hashCode();
  }
}
