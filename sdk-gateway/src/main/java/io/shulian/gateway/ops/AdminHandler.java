package io.shulian.gateway.ops;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The admin listener: {@code /healthz} (the process runs), {@code /readyz} (it can serve: valid
 * keys, trust material within its validity and grace, a writable audit log) and {@code /metrics}
 * (Prometheus text format). Bind it to a private interface.
 */
@ChannelHandler.Sharable
public final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
  private final PrometheusMeterRegistry registry;
  private final Supplier<Map<String, String>> readinessProblems;

  /**
   * @param readinessProblems returns, per failed check, what is wrong; empty when ready
   */
  public AdminHandler(PrometheusMeterRegistry registry, Supplier<Map<String, String>> readinessProblems) {
    this.registry = registry;
    this.readinessProblems = readinessProblems;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
    String path = req.uri().split("\\?", 2)[0];
    FullHttpResponse r;
    switch (path) {
      case "/healthz":
        r = text(HttpResponseStatus.OK, "application/json", "{\"status\":\"UP\"}");
        break;
      case "/readyz":
        Map<String, String> problems = readinessProblems.get();
        StringBuilder b = new StringBuilder("{\"status\":\"").append(problems.isEmpty() ? "READY" : "NOT_READY").append('"');
        if (!problems.isEmpty()) {
          b.append(",\"problems\":{");
          int i = 0;
          for (Map.Entry<String, String> e : problems.entrySet()) {
            b.append(i++ > 0 ? "," : "").append('"').append(e.getKey()).append("\":\"")
                .append(e.getValue().replace("\"", "'")).append('"');
          }
          b.append('}');
        }
        b.append('}');
        r = text(problems.isEmpty() ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE, "application/json", b.toString());
        break;
      case "/metrics":
        r = text(HttpResponseStatus.OK, "text/plain; version=0.0.4; charset=utf-8", registry.scrape());
        break;
      default:
        r = text(HttpResponseStatus.NOT_FOUND, "text/plain", "not found\n");
    }
    ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
  }

  private static FullHttpResponse text(HttpResponseStatus s, String type, String body) {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, s, Unpooled.wrappedBuffer(b));
    r.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
    r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, b.length);
    return r;
  }
}
