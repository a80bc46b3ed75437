package io.shulian.gateway.inbound;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.ReferenceCountUtil;

/**
 * Answers requests the decoder could not parse (malformed, conflicting lengths, bad chunking,
 * header section too large) with a problem response and closes the connection: a connection whose
 * framing is in doubt is never reused, and nothing of it is forwarded. Each refusal is reported to
 * {@link EdgeRefusals} first.
 */
final class InboundGuard extends ChannelInboundHandlerAdapter {
  private final EdgeRefusals edge;
  private boolean failed;

  InboundGuard(EdgeRefusals edge) {
    this.edge = edge;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (failed) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (msg instanceof HttpObject && ((HttpObject) msg).decoderResult().isFailure()) {
      failed = true;
      Throwable cause = ((HttpObject) msg).decoderResult().cause();
      ReferenceCountUtil.release(msg);
      Problem p = cause instanceof TooLongFrameException
          ? Problem.of(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "HEADERS_TOO_LARGE",
              "the request line or header section is too large")
          : Problem.of(HttpResponseStatus.BAD_REQUEST, "MALFORMED_REQUEST", "the request is not valid HTTP/1.1");
      edge.refused(ctx, p);
      p.send(ctx, true);
      return;
    }
    ctx.fireChannelRead(msg);
  }
}
