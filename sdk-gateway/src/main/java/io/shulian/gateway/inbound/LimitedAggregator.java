package io.shulian.gateway.inbound;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;

/**
 * Aggregates a request body up to the limit. A larger body, announced or growing, gets 413
 * problem+json and a close; so does one announced with {@code Expect: 100-continue} (Netty would
 * answer a bare 413 and keep the connection), and an unsupported expectation gets 417. Each
 * refusal is reported to {@link EdgeRefusals}. A request that the {@code streamed} predicate
 * accepts is let through piece by piece, not aggregated.
 */
final class LimitedAggregator extends HttpObjectAggregator {
  private final EdgeRefusals edge;
  private final java.util.function.Predicate<io.netty.handler.codec.http.HttpRequest> streamed;

  LimitedAggregator(int maxBodyBytes, EdgeRefusals edge,
      java.util.function.Predicate<io.netty.handler.codec.http.HttpRequest> streamed) {
    super(maxBodyBytes);
    this.edge = edge;
    this.streamed = streamed;
  }

  /**
   * A streamed request's head is not aggregated; its body pieces then pass too, as no aggregation
   * is in progress.
   */
  @Override
  public boolean acceptInboundMessage(Object msg) throws Exception {
    if (msg instanceof io.netty.handler.codec.http.HttpRequest && !(msg instanceof io.netty.handler.codec.http.FullHttpRequest)
        && streamed.test((io.netty.handler.codec.http.HttpRequest) msg)
        && ((io.netty.handler.codec.http.HttpRequest) msg).decoderResult().isSuccess()) {
      return false;
    }
    return super.acceptInboundMessage(msg);
  }

  private Problem tooLarge() {
    return Problem.of(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "BODY_TOO_LARGE",
        "the request body is larger than " + maxContentLength() + " bytes");
  }

  @Override
  protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
    Problem p = tooLarge();
    edge.refused(ctx, p);
    p.send(ctx, true);
  }

  @Override
  protected Object newContinueResponse(HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
    Problem p = null;
    String expect = start.headers().get(HttpHeaderNames.EXPECT);
    if (expect != null && start.protocolVersion().compareTo(io.netty.handler.codec.http.HttpVersion.HTTP_1_1) >= 0
        && !HttpHeaderValues.CONTINUE.contentEqualsIgnoreCase(expect)) {
      p = Problem.of(HttpResponseStatus.EXPECTATION_FAILED, "EXPECTATION_FAILED", "only Expect: 100-continue is supported");
    } else if (HttpUtil.is100ContinueExpected(start) && isContentLengthInvalid(start, maxContentLength)) {
      p = tooLarge();
    }
    if (p == null) {
      return super.newContinueResponse(start, maxContentLength, pipeline);
    }
    edge.refused(ctx(), p);
    FullHttpResponse r = p.toResponse();
    r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    return r;
  }

  @Override
  protected boolean closeAfterContinueResponse(Object msg) {
    return isRefusal(msg);
  }

  @Override
  protected boolean ignoreContentAfterContinueResponse(Object msg) {
    return isRefusal(msg);
  }

  private static boolean isRefusal(Object msg) {
    return msg instanceof FullHttpResponse && ((FullHttpResponse) msg).status().code() >= 400;
  }
}
