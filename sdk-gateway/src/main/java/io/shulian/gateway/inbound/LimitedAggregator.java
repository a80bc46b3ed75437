package io.shulian.gateway.inbound;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;

/** Aggregates a request body up to the limit; a larger body gets 413 problem+json and a close. */
final class LimitedAggregator extends HttpObjectAggregator {
  LimitedAggregator(int maxBodyBytes) {
    super(maxBodyBytes);
  }

  @Override
  protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
    Problem.of(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "BODY_TOO_LARGE",
        "the request body is larger than " + maxContentLength() + " bytes").send(ctx, true);
  }
}
