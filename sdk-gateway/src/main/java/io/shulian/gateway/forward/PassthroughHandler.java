package io.shulian.gateway.forward;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.shulian.core.catalog.RequestTarget;
import io.shulian.gateway.inbound.Problem;
import java.net.URI;

/**
 * Pass-through mode: a plain reverse proxy to one upstream, without envelopes, policy or audit.
 * It exists to measure the gateway's proxying cost against nginx and to migrate a system behind
 * the gateway before the exchange is switched on; it is never a way around the secure exchange.
 * Targets that could climb above the upstream's base path are refused ({@code 400 BAD_TARGET},
 * see {@link RequestTarget}); everything else is passed on as received.
 */
@ChannelHandler.Sharable
public final class PassthroughHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
  private final BackendPool pool;
  private final URI upstream;
  private final String basePath;

  public PassthroughHandler(BackendPool pool, URI upstream) {
    this.pool = pool;
    this.upstream = upstream;
    String p = upstream.getRawPath() == null ? "" : upstream.getRawPath();
    int end = p.length();
    while (end > 0 && p.charAt(end - 1) == '/') {
      end--;
    }
    this.basePath = p.substring(0, end);
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
    try {
      // no guarantee is claimed here, but the upstream base path is still not a way up to its siblings
      RequestTarget.parse(req.uri());
    } catch (IllegalArgumentException e) {
      Problem.of(HttpResponseStatus.BAD_REQUEST, "BAD_TARGET", "the request target is not accepted: " + e.getMessage())
          .send(ctx, true);
      return;
    }
    boolean keepAlive = HttpUtil.isKeepAlive(req);
    String path = basePath + req.uri();
    FullHttpRequest out = new DefaultFullHttpRequest(req.protocolVersion(), req.method(), path, req.content().retain());
    out.headers().set(req.headers());
    out.headers().remove(HttpHeaderNames.CONNECTION);
    pool.send(ctx.channel().eventLoop(), upstream, out, false).addListener(f -> {
      FullHttpResponse r;
      if (f.isSuccess()) {
        r = (FullHttpResponse) f.getNow();
        r.headers().remove(HttpHeaderNames.CONNECTION);
      } else {
        r = Problem.of(HttpResponseStatus.BAD_GATEWAY, "UPSTREAM_UNAVAILABLE", "the upstream cannot be reached").toResponse();
      }
      if (keepAlive) {
        HttpUtil.setKeepAlive(r, true);
        ctx.writeAndFlush(r);
      } else {
        r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
      }
    });
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }
}
