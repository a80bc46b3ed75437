package io.shulian.gateway.seal;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * An HTTP request or response carried as an envelope payload, in the {@code message/http} form of
 * RFC 9112 section 10.1 without chunking: start line, header fields, empty line, body (its length
 * is the rest of the payload). Only end-to-end headers that matter to the exchange are carried
 * (content type, accept, a few others); hop-by-hop and credential headers never cross.
 *
 * <p>Parsing is strict and bounded: CRLF line ends, at most {@link #MAX_HEADERS} header fields,
 * lines of at most {@link #MAX_LINE} bytes, no obs-fold.
 */
public final class HttpPayload {
  public static final String MEDIA_TYPE = "message/http";
  static final int MAX_LINE = 8192;
  static final int MAX_HEADERS = 32;
  /** Carries a grant JWT inside the envelope (never in the visible JWE header). */
  public static final String GRANT_HEADER = "x-shulian-grant";
  /**
   * Carries the action the consumer asks for ({@code query}, {@code subscribe}, {@code export},
   * {@code return-flow}, {@code write}); the provider decides on the action the matched endpoint
   * serves and refuses a request asking for another.
   */
  public static final String ACTION_HEADER = "x-shulian-action";

  /**
   * Headers that are copied into the envelope (lower case). The consumer gateway drops an app's
   * {@code x-shulian-resume}: only the gateway asks for a continuation.
   */
  public static final Set<String> CARRIED_HEADERS =
      Set.of("content-type", "accept", "accept-language", "content-language", "if-none-match",
          "if-modified-since", "etag", "last-modified", "cache-control", "location", GRANT_HEADER, ACTION_HEADER,
          ResumableTransfers.RESUME_HEADER);

  private static final java.util.regex.Pattern METHOD = java.util.regex.Pattern.compile("[A-Z]{1,16}");
  private static final java.util.regex.Pattern REQUEST_LINE =
      java.util.regex.Pattern.compile("[A-Z]{1,16} /[\\x21-\\x7e]* HTTP/1\\.1");
  private static final java.util.regex.Pattern STATUS_LINE =
      java.util.regex.Pattern.compile("HTTP/1\\.1 [1-5][0-9]{2} [\\x20-\\x7e]*");

  private final String startLine;
  private final List<Map.Entry<String, String>> headers;
  private final byte[] body;

  private HttpPayload(String startLine, List<Map.Entry<String, String>> headers, byte[] body) {
    this.startLine = startLine;
    this.headers = Collections.unmodifiableList(headers);
    this.body = body;
  }

  public static HttpPayload request(String method, String pathAndQuery, List<Map.Entry<String, String>> headers, byte[] body) {
    if (!METHOD.matcher(method).matches()) {
      throw new IllegalArgumentException("bad method");
    }
    if (pathAndQuery.isEmpty() || pathAndQuery.charAt(0) != '/' || !printable(pathAndQuery)) {
      throw new IllegalArgumentException("bad request target");
    }
    return new HttpPayload(method + " " + pathAndQuery + " HTTP/1.1", filter(headers), body);
  }

  public static HttpPayload response(int status, List<Map.Entry<String, String>> headers, byte[] body) {
    if (status < 100 || status > 599) {
      throw new IllegalArgumentException("bad status " + status);
    }
    return new HttpPayload("HTTP/1.1 " + status + " " + reason(status), filter(headers), body);
  }

  private static List<Map.Entry<String, String>> filter(List<Map.Entry<String, String>> in) {
    List<Map.Entry<String, String>> out = new ArrayList<>();
    for (Map.Entry<String, String> h : in) {
      String name = h.getKey().toLowerCase(Locale.ROOT);
      if (CARRIED_HEADERS.contains(name) && printable(h.getValue()) && out.size() < MAX_HEADERS) {
        out.add(Map.entry(name, h.getValue()));
      }
    }
    return out;
  }

  private static boolean printable(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c > 0x7e) {
        return false;
      }
    }
    return s.length() <= MAX_LINE;
  }

  private static String reason(int status) {
    io.netty.handler.codec.http.HttpResponseStatus s = io.netty.handler.codec.http.HttpResponseStatus.valueOf(status);
    return s.reasonPhrase().isEmpty() ? "Status" : s.reasonPhrase();
  }

  /** Returns the bytes of this message. */
  public byte[] encode() {
    ByteArrayOutputStream out = new ByteArrayOutputStream(body.length + 256);
    StringBuilder b = new StringBuilder(startLine).append("\r\n");
    for (Map.Entry<String, String> h : headers) {
      b.append(h.getKey()).append(": ").append(h.getValue()).append("\r\n");
    }
    b.append("\r\n");
    out.writeBytes(b.toString().getBytes(StandardCharsets.US_ASCII));
    out.writeBytes(body);
    return out.toByteArray();
  }

  /**
   * Parses a message.
   *
   * @throws IllegalArgumentException if it is not a well-formed message of the expected kind
   */
  public static HttpPayload parse(byte[] bytes, boolean expectRequest) {
    int pos = 0;
    List<String> lines = new ArrayList<>();
    while (true) {
      int end = indexOfCrlf(bytes, pos);
      if (end < 0) {
        throw new IllegalArgumentException("message/http without end of header section");
      }
      if (end - pos > MAX_LINE) {
        throw new IllegalArgumentException("message/http line too long");
      }
      if (end == pos) {
        pos += 2;
        break;
      }
      lines.add(new String(bytes, pos, end - pos, StandardCharsets.US_ASCII));
      if (lines.size() > MAX_HEADERS + 1) {
        throw new IllegalArgumentException("message/http has too many header fields");
      }
      pos = end + 2;
    }
    if (lines.isEmpty()) {
      throw new IllegalArgumentException("message/http without start line");
    }
    String start = lines.get(0);
    if (!(expectRequest ? REQUEST_LINE : STATUS_LINE).matcher(start).matches()) {
      throw new IllegalArgumentException("message/http start line is malformed");
    }
    List<Map.Entry<String, String>> headers = new ArrayList<>();
    for (int i = 1; i < lines.size(); i++) {
      String l = lines.get(i);
      int c = l.indexOf(':');
      if (c <= 0 || l.charAt(0) == ' ' || l.charAt(0) == '\t') {
        throw new IllegalArgumentException("message/http header field is malformed");
      }
      headers.add(Map.entry(l.substring(0, c).trim().toLowerCase(Locale.ROOT), l.substring(c + 1).trim()));
    }
    byte[] body = java.util.Arrays.copyOfRange(bytes, pos, bytes.length);
    return new HttpPayload(start, filter(headers), body);
  }

  private static int indexOfCrlf(byte[] b, int from) {
    int limit = Math.min(b.length - 1, from + MAX_LINE + 1);
    for (int i = from; i < limit; i++) {
      if (b[i] == '\r' && b[i + 1] == '\n') {
        return i;
      }
    }
    return -1;
  }

  public String method() {
    return startLine.substring(0, startLine.indexOf(' '));
  }

  public String target() {
    int a = startLine.indexOf(' ');
    return startLine.substring(a + 1, startLine.indexOf(' ', a + 1));
  }

  public int status() {
    return Integer.parseInt(startLine.substring(9, 12));
  }

  public List<Map.Entry<String, String>> headers() {
    return headers;
  }

  public @Nullable String header(String name) {
    for (Map.Entry<String, String> h : headers) {
      if (h.getKey().equals(name)) {
        return h.getValue();
      }
    }
    return null;
  }

  public byte[] body() {
    return body;
  }
}
