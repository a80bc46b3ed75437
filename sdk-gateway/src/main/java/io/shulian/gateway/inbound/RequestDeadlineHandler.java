package io.shulian.gateway.inbound;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Bounds how long a client may take to send a request (slow-header and slow-body attacks: a
 * per-request deadline, not an idle timer, so trickling one byte at a time does not help) and how
 * long an idle keep-alive connection stays open. A connection is idle only when every request it
 * delivered has its final response; interim (1xx) responses do not count. A request cut off is
 * answered 408 and, if any of it had arrived (not a connection that never sent a byte), reported
 * to {@link EdgeRefusals}. A streamed request (the data set push) is bounded after its head by its
 * handler's per-piece deadline instead.
 */
final class RequestDeadlineHandler extends ChannelDuplexHandler {
  private final long receiveNanos;
  private final long idleNanos;
  private final EdgeRefusals edge;
  private @Nullable ScheduledFuture<?> timer;
  private boolean receiving;
  /** Requests started and not yet answered with a final response. */
  private int open;
  private boolean responding;
  private boolean sawBytes;

  private final java.util.function.Predicate<HttpRequest> streamed;

  RequestDeadlineHandler(Duration receiveTimeout, Duration idleTimeout, EdgeRefusals edge,
      java.util.function.Predicate<HttpRequest> streamed) {
    this.receiveNanos = receiveTimeout.toNanos();
    this.idleNanos = idleTimeout.toNanos();
    this.edge = edge;
    this.streamed = streamed;
  }

  /** A handler for in front of the HTTP decoder that notes the first bytes, then removes itself. */
  ChannelHandler firstBytes() {
    return new ChannelInboundHandlerAdapter() {
      @Override
      public void channelRead(ChannelHandlerContext ctx, Object msg) {
        sawBytes = true;
        ctx.pipeline().remove(this);
        ctx.fireChannelRead(msg);
      }
    };
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
    if (msg instanceof HttpRequest) {
      open++;
      if (!(msg instanceof io.netty.handler.codec.http.FullHttpRequest) && streamed.test((HttpRequest) msg)
          && ((HttpRequest) msg).decoderResult().isSuccess()) {
        // a streamed body may take longer than one request deadline: its handler bounds each piece
        cancel();
        receiving = false;
      } else if (!receiving) {
        arm(ctx, receiveNanos, true);
      }
    }
    if (msg instanceof LastHttpContent) {
      cancel();
      receiving = false;
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (msg instanceof HttpResponse && ((HttpResponse) msg).status().codeClass() != HttpStatusClass.INFORMATIONAL) {
      responding = true;
    }
    if (responding && msg instanceof LastHttpContent) {
      responding = false;
      open = Math.max(0, open - 1);
      // the response is out: the connection is idle until the next request starts, unless one
      // (pipelined) already has
      promise.addListener(f -> {
        if (open == 0 && !receiving) {
          arm(ctx, idleNanos, false);
        }
      });
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
        Problem p = Problem.of(HttpResponseStatus.REQUEST_TIMEOUT, "REQUEST_TIMEOUT", "the request was not received in time");
        if (sawBytes) {
          edge.refused(ctx, p);
        }
        p.send(ctx, true);
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
