package io.shulian.gateway.seal;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * What both data set relays share ({@link ProviderDatasetStream}, {@link ConsumerDatasetStream}): an
 * upstream connection with auto-read off, read one piece at a time when the downstream side took
 * the last one (backpressure), with a deadline for each piece asked for. Confined to one event loop.
 */
abstract class UpstreamRelay extends ChannelInboundHandlerAdapter {
  private final EventExecutor executor;
  private final long readTimeoutNanos;
  private @Nullable ScheduledFuture<?> timer;
  /** The upstream connection once it is open. */
  @Nullable Channel upstream;
  /** The downstream response head was sent: failures now cut the stream off instead of refusing. */
  boolean headSent;
  /** The transfer ended (completed, refused or interrupted); nothing more is done. */
  boolean done;

  UpstreamRelay(EventExecutor executor, Duration readTimeout) {
    this.executor = executor;
    this.readTimeoutNanos = readTimeout.toNanos();
  }

  /** Nothing arrived within the deadline after the last read was asked for. */
  abstract void timedOut();

  /** One message from the upstream (released by the caller). */
  abstract void onMessage(Object msg);

  /** Asks the upstream for the next piece, with a deadline for it to arrive. */
  final void readMore() {
    Channel ch = upstream;
    if (done || ch == null) {
      return;
    }
    if (timer == null) {
      timer = executor.schedule(() -> {
        timer = null;
        timedOut();
      }, readTimeoutNanos, TimeUnit.NANOSECONDS);
    }
    ch.read();
  }

  final void disarm() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }

  final void closeUpstream() {
    if (upstream != null) {
      upstream.close();
    }
  }

  @Override
  public final void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      // only the current upstream connection counts (a continuation replaces a cut one)
      if (!done && ctx.channel() == upstream) {
        disarm();
        onMessage(msg);
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  /**
   * Audits an interrupted transfer and ends it in flight; nothing waits for the record, as nothing
   * more is released.
   */
  static void auditInterrupted(io.shulian.gateway.pipeline.GatewayContext g, io.shulian.gateway.audit.ExchangeEvent e) {
    g.metrics().exchange(e);
    try {
      g.auditor().record(e);
    } catch (RuntimeException ex) {
      g.metrics().auditFailure();
    }
    io.shulian.gateway.audit.AccessLog.answered(e, 200, "STREAM_INTERRUPTED");
    g.inFlightDone();
  }
}
