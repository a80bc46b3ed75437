package io.shulian.gateway.inbound;

import io.netty.channel.ChannelHandlerContext;

/**
 * Told about every request the inbound edge refuses before it reaches an exchange handler
 * (unparseable or ambiguous framing, header section or body over the limit, an unsupported
 * expectation, a request not received in time), so that the refusal is audited and counted.
 * Called on the channel's event loop, just before the problem response is written.
 */
@FunctionalInterface
public interface EdgeRefusals {
  /** Ignores refusals (unit tests of the edge alone). */
  EdgeRefusals NONE = (ctx, problem) -> {};

  void refused(ChannelHandlerContext ctx, Problem problem);
}
