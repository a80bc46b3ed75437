package io.shulian.hub.http;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpUtil;

/** Writing a complete answer on a hub connection, the one way every route does it. */
public final class Responses {
  private Responses() {}

  /**
   * Writes {@code r} and flushes; closes the connection after it unless {@code keepAlive}. A
   * connection already gone releases the response instead.
   */
  public static void write(ChannelHandlerContext ctx, FullHttpResponse r, boolean keepAlive) {
    if (!ctx.channel().isActive()) {
      r.release();
      return;
    }
    HttpUtil.setKeepAlive(r, keepAlive);
    if (keepAlive) {
      ctx.writeAndFlush(r);
    } else {
      ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
    }
  }
}
