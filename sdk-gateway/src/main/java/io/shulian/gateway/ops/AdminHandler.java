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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin listener: {@code /livez} or {@code /healthz} (the process runs; 200 until the admin
 * listener closes, also while draining), {@code /readyz} (it can serve: valid keys, trust material
 * within its validity and grace, a writable audit log; 503 with the failed checks otherwise, status
 * {@code DRAINING} while the gateway drains on shutdown; warnings such as a failed bundle reload
 * are listed either way) and {@code /metrics} (Prometheus text format). Bind it to a private
 * interface.
 */
@ChannelHandler.Sharable
public final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
  private static final Logger LOG = LoggerFactory.getLogger(AdminHandler.class);
  private final PrometheusMeterRegistry registry;
  private final Supplier<Map<String, String>> readinessProblems;
  private final Supplier<Map<String, String>> readinessWarnings;
  private final java.util.function.BooleanSupplier draining;

  /**
   * @param readinessProblems returns, per failed check, what is wrong; empty when ready
   */
  public AdminHandler(PrometheusMeterRegistry registry, Supplier<Map<String, String>> readinessProblems) {
    this(registry, readinessProblems, Map::of);
  }

  /**
   * @param readinessProblems returns, per failed check, what is wrong; empty when ready
   * @param readinessWarnings returns what an operator should know that does not stop serving
   */
  public AdminHandler(PrometheusMeterRegistry registry, Supplier<Map<String, String>> readinessProblems,
      Supplier<Map<String, String>> readinessWarnings) {
    this(registry, readinessProblems, readinessWarnings, () -> false);
  }

  /**
   * @param readinessProblems returns, per failed check, what is wrong; empty when ready
   * @param readinessWarnings returns what an operator should know that does not stop serving
   * @param draining whether the gateway drains on shutdown ({@code /readyz} then says {@code DRAINING})
   */
  public AdminHandler(PrometheusMeterRegistry registry, Supplier<Map<String, String>> readinessProblems,
      Supplier<Map<String, String>> readinessWarnings, java.util.function.BooleanSupplier draining) {
    this.registry = registry;
    this.readinessProblems = readinessProblems;
    this.readinessWarnings = readinessWarnings;
    this.draining = draining;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
    String path = req.uri().split("\\?", 2)[0];
    FullHttpResponse r;
    try {
      r = answer(path);
    } catch (RuntimeException e) {
      // a probe is always answered: a hung probe looks like a hung process
      LOG.atWarn().addKeyValue("event", "admin_probe_failed").addKeyValue("path", path)
          .log("admin request failed: {}", e.toString());
      r = "/readyz".equals(path)
          ? text(HttpResponseStatus.SERVICE_UNAVAILABLE, "application/json",
              "{\"status\":\"NOT_READY\",\"problems\":{\"readiness\":\"the readiness check failed\"}}")
          : text(HttpResponseStatus.INTERNAL_SERVER_ERROR, "text/plain", "internal error\n");
    }
    ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
  }

  private FullHttpResponse answer(String path) {
    FullHttpResponse r;
    switch (path) {
      case "/livez":
      case "/healthz":
        r = text(HttpResponseStatus.OK, "application/json", "{\"status\":\"UP\"}");
        break;
      case "/readyz":
        Map<String, String> problems = readinessProblems.get();
        Map<String, String> warnings = readinessWarnings.get();
        String status = draining.getAsBoolean() ? "DRAINING" : problems.isEmpty() ? "READY" : "NOT_READY";
        StringBuilder b = new StringBuilder("{\"status\":\"").append(status).append('"');
        object(b, "problems", problems);
        object(b, "warnings", warnings);
        b.append('}');
        r = text(problems.isEmpty() && !"DRAINING".equals(status) ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE, "application/json", b.toString());
        break;
      case "/metrics":
        r = text(HttpResponseStatus.OK, "text/plain; version=0.0.4; charset=utf-8", registry.scrape());
        break;
      default:
        r = text(HttpResponseStatus.NOT_FOUND, "text/plain", "not found\n");
    }
    return r;
  }

  /** Appends {@code ,"name":{"k":"v",…}} unless {@code m} is empty. */
  private static void object(StringBuilder b, String name, Map<String, String> m) {
    if (m.isEmpty()) {
      return;
    }
    b.append(",\"").append(name).append("\":{");
    int i = 0;
    for (Map.Entry<String, String> e : m.entrySet()) {
      b.append(i++ > 0 ? "," : "");
      quote(b, e.getKey());
      b.append(':');
      quote(b, e.getValue());
    }
    b.append('}');
  }

  private static void quote(StringBuilder b, String s) {
    b.append('"');
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
    b.append('"');
  }

  private static FullHttpResponse text(HttpResponseStatus s, String type, String body) {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, s, Unpooled.wrappedBuffer(b));
    r.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
    r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, b.length);
    return r;
  }
}
