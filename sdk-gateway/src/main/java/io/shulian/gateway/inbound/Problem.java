package io.shulian.gateway.inbound;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/**
 * An RFC 9457 problem response with one stable primary {@code code} and a {@code reasons} array
 * of {@code {code, message}} (deduplicated by code). The detail and the messages are written for
 * the client and never contain internals: no stack trace, no crypto step, no backend address, no
 * rule or grant id.
 *
 * <p>The primary code is chosen by {@link #primary}: the first reason that is not a summary code
 * ({@value #SUMMARY_CODES}), else the first reason. A policy denial that no rule permits because
 * of the purpose is therefore {@code PURPOSE_NOT_ALLOWED}, with {@code NO_PERMIT} among the
 * reasons. Metric labels and audit outcomes use the primary code only.
 */
public final class Problem {
  public static final String MEDIA_TYPE = "application/problem+json";
  /** Codes that summarise other reasons and are the primary code only when nothing more specific is known. */
  public static final String SUMMARY_CODES = "NO_PERMIT, DENIED";
  private static final java.util.Set<String> SUMMARY = java.util.Set.of("NO_PERMIT", "DENIED");

  /** One reason of a problem: a stable code and a message for the client, with no secrets. */
  public record Reason(String code, String message) {
    public Reason {
      java.util.Objects.requireNonNull(code, "code");
      java.util.Objects.requireNonNull(message, "message");
    }
  }

  private final HttpResponseStatus status;
  private final String code;
  private final String detail;
  private final java.util.List<Reason> reasons;
  private final java.util.Map<String, Long> members;
  private final java.util.List<java.util.Map.Entry<String, String>> headers;

  private Problem(HttpResponseStatus status, String code, String detail, java.util.List<Reason> reasons,
      java.util.Map<String, Long> members, java.util.List<java.util.Map.Entry<String, String>> headers) {
    this.status = status;
    this.code = code;
    this.detail = detail;
    this.reasons = java.util.List.copyOf(reasons);
    this.members = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(members));
    this.headers = java.util.List.copyOf(headers);
  }

  /** A problem with a stable machine-readable code (e.g. {@code PURPOSE_NOT_ALLOWED}) as its only reason. */
  public static Problem of(HttpResponseStatus status, String code, String detail) {
    return new Problem(status, code, detail, java.util.List.of(new Reason(code, detail)), java.util.Map.of(),
        java.util.List.of());
  }

  /**
   * A problem with several reasons: they are deduplicated by code (the first message wins) and
   * the primary code is chosen by {@link #primary}.
   *
   * @throws IllegalArgumentException if {@code reasons} is empty
   */
  public static Problem of(HttpResponseStatus status, java.util.List<Reason> reasons, String detail) {
    java.util.Map<String, Reason> unique = new java.util.LinkedHashMap<>();
    for (Reason r : reasons) {
      unique.putIfAbsent(r.code(), r);
    }
    if (unique.isEmpty()) {
      throw new IllegalArgumentException("a problem needs at least one reason");
    }
    java.util.List<Reason> list = java.util.List.copyOf(unique.values());
    return new Problem(status, primary(list.stream().map(Reason::code).collect(java.util.stream.Collectors.toList())),
        detail, list, java.util.Map.of(), java.util.List.of());
  }

  /**
   * Returns the primary code of a list of reason codes: the first that is not a summary code
   * ({@value #SUMMARY_CODES}), else the first.
   *
   * @throws IllegalArgumentException if {@code codes} is empty
   */
  public static String primary(java.util.List<String> codes) {
    if (codes.isEmpty()) {
      throw new IllegalArgumentException("no reason codes");
    }
    for (String c : codes) {
      if (!SUMMARY.contains(c)) {
        return c;
      }
    }
    return codes.get(0);
  }

  /** Returns this problem with one more response header (e.g. {@code Allow} on a 405). */
  public Problem withHeader(String name, String value) {
    java.util.List<java.util.Map.Entry<String, String>> h = new java.util.ArrayList<>(headers);
    h.add(java.util.Map.entry(name, value));
    return new Problem(status, code, detail, reasons, members, h);
  }

  /** Returns this problem with one more numeric member in its body (e.g. {@code backendStatus}). */
  public Problem withMember(String name, long value) {
    if (!name.matches("[a-z][A-Za-z0-9]{0,31}") || java.util.Set.of("type", "title", "status", "code", "detail", "reasons")
        .contains(name)) {
      throw new IllegalArgumentException("not an extension member name: " + name);
    }
    java.util.Map<String, Long> m = new java.util.LinkedHashMap<>(members);
    m.put(name, value);
    return new Problem(status, code, detail, reasons, m, headers);
  }

  public HttpResponseStatus status() {
    return status;
  }

  /** The primary code. */
  public String code() {
    return code;
  }

  public String detail() {
    return detail;
  }

  /** Every reason, deduplicated by code, the primary among them. */
  public java.util.List<Reason> reasons() {
    return reasons;
  }

  /** The reason codes, in order. */
  public java.util.List<String> reasonCodes() {
    return reasons.stream().map(Reason::code).collect(java.util.stream.Collectors.toUnmodifiableList());
  }

  public FullHttpResponse toResponse() {
    StringBuilder json = new StringBuilder("{\"type\":\"https://shulian.io/problems/")
        .append(code.toLowerCase(java.util.Locale.ROOT).replace('_', '-'))
        .append("\",\"title\":").append(quote(status.reasonPhrase())).append(",\"status\":").append(status.code())
        .append(",\"code\":").append(quote(code)).append(",\"detail\":").append(quote(detail));
    for (java.util.Map.Entry<String, Long> m : members.entrySet()) {
      json.append(",\"").append(m.getKey()).append("\":").append(m.getValue());
    }
    json.append(",\"reasons\":[");
    for (int i = 0; i < reasons.size(); i++) {
      json.append(i > 0 ? "," : "").append("{\"code\":").append(quote(reasons.get(i).code())).append(",\"message\":")
          .append(quote(reasons.get(i).message())).append('}');
    }
    json.append("]}");
    ByteBuf body = Unpooled.copiedBuffer(json, StandardCharsets.UTF_8);
    FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
    r.headers().set(HttpHeaderNames.CONTENT_TYPE, MEDIA_TYPE);
    r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
    for (java.util.Map.Entry<String, String> h : headers) {
      r.headers().add(h.getKey(), h.getValue());
    }
    return r;
  }

  /** Writes the problem; closes the connection afterwards if {@code close}. */
  public ChannelFuture send(ChannelHandlerContext ctx, boolean close) {
    FullHttpResponse r = toResponse();
    if (close) {
      r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    }
    ChannelFuture f = ctx.writeAndFlush(r);
    if (close) {
      f.addListener(ChannelFutureListener.CLOSE);
    }
    return f;
  }

  static String quote(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        b.append('\\').append(c);
      } else if (c < 0x20) {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.append('"').toString();
  }

  @Override
  public String toString() {
    return status.code() + " " + code + ": " + detail;
  }
}
