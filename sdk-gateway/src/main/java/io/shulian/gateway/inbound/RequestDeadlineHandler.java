package io.shulian.gateway.inbound;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Bounds how long a client may take to send a request (slow-header and slow-body attacks: a
 * per-request deadline, not an idle timer, so trickling one byte at a time does not help) and how
 * long an idle keep-alive connection stays open.
 */
final class RequestDeadlineHandler extends ChannelDuplexHandler {
  private final long receiveNanos;
  private final long idleNanos;
  private ScheduledFuture<?> timer;
  private boolean receiving;

  RequestDeadlineHandler(Duration receiveTimeout, Duration idleTimeout) {
    this.receiveNanos = receiveTimeout.toNanos();
    this.idleNanos = idleTimeout.toNanos();
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    arm(ctx, receiveNanos, true);
    super.channelActive(ctx);
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    if (ctx.channel().isActive()) {
      arm(ctx, receiveNanos, true);
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof HttpRequest && !receiving) {
      arm(ctx, receiveNanos, true);
    }
    if (msg instanceof LastHttpContent) {
      cancel();
      receiving = false;
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (msg instanceof LastHttpContent || msg instanceof io.netty.handler.codec.http.FullHttpResponse) {
      // the response is out: the connection is idle until the next request starts
      promise.addListener(f -> arm(ctx, idleNanos, false));
    }
    ctx.write(msg, promise);
  }

  private void arm(ChannelHandlerContext ctx, long nanos, boolean forRequest) {
    cancel();
    receiving = forRequest;
    timer = ctx.executor().schedule(() -> {
      if (!ctx.channel().isActive()) {
        return;
      }
      if (receiving) {
        Problem.of(HttpResponseStatus.REQUEST_TIMEOUT, "REQUEST_TIMEOUT", "the request was not received in time")
            .send(ctx, true);
      } else {
        ctx.close();
      }
    }, nanos, TimeUnit.NANOSECONDS);
  }

  private void cancel() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    cancel();
    super.channelInactive(ctx);
  }
}
