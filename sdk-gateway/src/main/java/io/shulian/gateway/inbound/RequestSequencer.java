package io.shulian.gateway.inbound;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;

/**
 * Lets one request at a time through a connection, so that pipelined requests are answered in
 * the order they arrived (RFC 9112 section 9.3.2) however long each takes, and so that nothing
 * downstream (exchange handlers, but also the guard's 400 or the aggregator's 413) can answer a
 * later request before an earlier one.
 *
 * <p>A request head that arrives while an earlier request has no final response yet is held,
 * with everything after it, and reading from the socket stops (backpressure); once the final
 * response is written, the held messages are released in order and reading resumes. Without
 * pipelining (a client that waits for each response) nothing is ever held and auto-read is never
 * touched, so keep-alive throughput is unchanged. What is held is bounded by what one socket read
 * delivered. Interim (1xx) responses do not count as answers.
 *
 * <p>Sits between the HTTP codec and the rest of the pipeline: it sees decoded requests inbound
 * and response objects outbound. Not sharable; confined to the channel's event loop.
 */
final class RequestSequencer extends ChannelDuplexHandler {
  private final ArrayDeque<Object> held = new ArrayDeque<>();
  /** Request heads let through, and final responses completed. */
  private long started;
  private long answered;
  private boolean responding;
  private boolean pausedReading;

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!held.isEmpty() || (msg instanceof HttpRequest && started > answered)) {
      held.add(msg);
      if (!pausedReading) {
        pausedReading = true;
        ctx.channel().config().setAutoRead(false);
      }
      return;
    }
    pass(ctx, msg);
  }

  private void pass(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof HttpRequest) {
      started++;
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (msg instanceof HttpResponse && ((HttpResponse) msg).status().codeClass() != HttpStatusClass.INFORMATIONAL) {
      responding = true;
    }
    boolean done = responding && msg instanceof LastHttpContent;
    ctx.write(msg, promise);
    if (done) {
      responding = false;
      answered++;
      if (!held.isEmpty()) {
        // after the current write and flush have gone down the pipeline, not inside them
        ctx.executor().execute(() -> release(ctx));
      }
    }
  }

  /** Lets held messages through up to the next request head that must wait. */
  private void release(ChannelHandlerContext ctx) {
    if (!ctx.channel().isActive()) {
      return;
    }
    boolean any = false;
    while (!held.isEmpty()) {
      Object next = held.peek();
      if (next instanceof HttpRequest && started > answered) {
        break;
      }
      held.poll();
      any = true;
      pass(ctx, next);
    }
    if (any) {
      ctx.fireChannelReadComplete();
    }
    if (held.isEmpty() && pausedReading) {
      pausedReading = false;
      ctx.channel().config().setAutoRead(true);
    }
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    drop();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    drop();
    super.channelInactive(ctx);
  }

  private void drop() {
    Object m;
    while ((m = held.poll()) != null) {
      ReferenceCountUtil.release(m);
    }
  }
}
