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
 * An RFC 9457 problem response. The detail is written for the client and never contains
 * internals: no stack trace, no crypto step, no backend address.
 */
public final class Problem {
  public static final String MEDIA_TYPE = "application/problem+json";

  private final HttpResponseStatus status;
  private final String code;
  private final String detail;
  private final java.util.List<java.util.Map.Entry<String, String>> headers;

  private Problem(HttpResponseStatus status, String code, String detail,
      java.util.List<java.util.Map.Entry<String, String>> headers) {
    this.status = status;
    this.code = code;
    this.detail = detail;
    this.headers = java.util.List.copyOf(headers);
  }

  /** A problem with a stable machine-readable code (e.g. {@code PURPOSE_NOT_ALLOWED}). */
  public static Problem of(HttpResponseStatus status, String code, String detail) {
    return new Problem(status, code, detail, java.util.List.of());
  }

  /** Returns this problem with one more response header (e.g. {@code Allow} on a 405). */
  public Problem withHeader(String name, String value) {
    java.util.List<java.util.Map.Entry<String, String>> h = new java.util.ArrayList<>(headers);
    h.add(java.util.Map.entry(name, value));
    return new Problem(status, code, detail, h);
  }

  public HttpResponseStatus status() {
    return status;
  }

  public String code() {
    return code;
  }

  public String detail() {
    return detail;
  }

  public FullHttpResponse toResponse() {
    String json = "{\"type\":\"https://shulian.io/problems/" + code.toLowerCase(java.util.Locale.ROOT).replace('_', '-')
        + "\",\"title\":" + quote(status.reasonPhrase()) + ",\"status\":" + status.code()
        + ",\"code\":" + quote(code) + ",\"detail\":" + quote(detail) + "}";
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
