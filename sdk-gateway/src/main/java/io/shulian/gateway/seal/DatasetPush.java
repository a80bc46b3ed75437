package io.shulian.gateway.seal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.shulian.gateway.audit.ExchangeEvent;
import io.shulian.gateway.inbound.Problem;
import io.shulian.gateway.pipeline.GatewayContext;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Data set push (docs/return-flow.md "Push"): an upper-level department's app hands its gateway a
 * data set for named lower-level parties; the gateway decides the {@code return-flow} action per
 * receiver, masks the data set for each permitted receiver as its verdict requires, seals one
 * framed envelope per receiver (each its own content key and envelope id) and streams it to that
 * receiver's gateway, which verifies it segment by segment, streams the plaintext to its backend
 * and answers with the digest of what it delivered once the whole envelope verified.
 *
 * <p>Both sides stream in constant memory with backpressure: the request bodies of both routes
 * bypass the listeners' body aggregator ({@link #streamed}) and are read one piece at a time
 * (auto-read off) only when what the last piece produced was written on ({@link PushSender},
 * {@link PushReceiver}). This class holds what the two share and the handler that hands the
 * streamed requests to them.
 */
final class DatasetPush {
  static final ObjectMapper JSON = new ObjectMapper();
  /** The app-facing route prefix. */
  static final String PREFIX = "/dataset-push/";
  /** The gateway-to-gateway path. */
  static final String PEER_PATH = "/shulian/v1/dataset-push";
  /** At most this many receivers per push. */
  static final int MAX_RECEIVERS = 32;

  private DatasetPush() {}

  /** The outcome for one receiver, as the app gets it. */
  record Result(String party, String status, String code, @Nullable String envelopeId, long bytes,
      @Nullable String digest) {
    ObjectNode json() {
      ObjectNode o = JSON.createObjectNode().put("party", party).put("status", status).put("code", code);
      o.put("bytes", bytes);
      if (envelopeId != null) {
        o.put("envelopeId", envelopeId);
      }
      if (digest != null) {
        o.put("digest", digest);
      }
      return o;
    }
  }

  /** Whether a request head on the app ({@code peer} false) or peer listener is a streamed push. */
  static boolean streamed(HttpRequest r, boolean peer) {
    return r.method() == HttpMethod.POST && (peer ? r.uri().equals(PEER_PATH) : r.uri().startsWith(PREFIX));
  }

  /** One streamed push request in progress on a connection. */
  interface Session {
    /** A piece of the request body (released here). */
    void content(HttpContent c);

    /** The connection closed. */
    void inactive();
  }

  /**
   * Hands a streamed push request (head and body pieces, not aggregated) to its session; passes
   * anything else on. One per connection, on the app listener or the peer listener.
   */
  static final class Inbound extends ChannelInboundHandlerAdapter {
    private final GatewayContext g;
    private final boolean peer;
    private @Nullable Session current;

    Inbound(GatewayContext g, boolean peer) {
      this.g = g;
      this.peer = peer;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof HttpRequest && !(msg instanceof FullHttpRequest) && streamed((HttpRequest) msg, peer)) {
        HttpRequest head = (HttpRequest) msg;
        ReferenceCountUtil.release(msg);
        long t0 = System.nanoTime();
        g.inFlightStarted();
        current = peer ? PushReceiver.start(g, ctx, head, t0) : PushSender.start(g, ctx, head, t0);
        return;
      }
      Session s = current;
      if (s != null && msg instanceof HttpContent && !(msg instanceof FullHttpRequest)) {
        if (msg instanceof LastHttpContent) {
          current = null;
        }
        s.content((HttpContent) msg);
        return;
      }
      ctx.fireChannelRead(msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
      Session s = current;
      current = null;
      if (s != null) {
        s.inactive();
      }
      super.channelInactive(ctx);
    }
  }

  /**
   * At most this much of a body answered early is read and dropped before the connection is closed
   * (closing with unread bytes would reset the connection and lose the answer).
   */
  static final long MAX_DRAIN_BYTES = 8L << 20;

  /** Drops what is left of a body that was already answered; closes the connection past {@link #MAX_DRAIN_BYTES}. */
  static final class Drain implements Session {
    private final ChannelHandlerContext ctx;
    private long drained;

    Drain(ChannelHandlerContext ctx) {
      this.ctx = ctx;
    }

    @Override
    public void content(HttpContent c) {
      drained += c.content().readableBytes();
      c.release();
      if (drained > MAX_DRAIN_BYTES) {
        ctx.close();
      }
    }

    @Override
    public void inactive() {}
  }

  /**
   * The request head as a full request without a body, for the audited answer: with {@code close}
   * the answer closes the connection (the body was not read to its end).
   */
  static FullHttpRequest answerable(HttpRequest head, boolean close) {
    FullHttpRequest r = new DefaultFullHttpRequest(head.protocolVersion(), head.method(), head.uri(),
        Unpooled.EMPTY_BUFFER);
    r.headers().set(head.headers());
    if (close) {
      r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    }
    return r;
  }

  /**
   * Answers an {@code Expect} header before the body is read: 100 Continue, or false (after an
   * audited 417) for another expectation.
   */
  static boolean expectation(ChannelHandlerContext ctx, HttpRequest head) {
    String expect = head.headers().get(HttpHeaderNames.EXPECT);
    if (expect == null) {
      return true;
    }
    if (!HttpHeaderValues.CONTINUE.contentEqualsIgnoreCase(expect)) {
      return false;
    }
    if (HttpUtil.is100ContinueExpected(head)) {
      ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE,
          Unpooled.EMPTY_BUFFER));
    }
    return true;
  }

  static Problem expectationFailed() {
    return Problem.of(HttpResponseStatus.EXPECTATION_FAILED, "EXPECTATION_FAILED", "only Expect: 100-continue is supported");
  }

  /**
   * Audits and answers; the rest of a body not yet read is then read and dropped (the session
   * counts it against {@link #MAX_DRAIN_BYTES}).
   */
  static void answer(GatewayContext g, ChannelHandlerContext ctx, HttpRequest head, ExchangeEvent e,
      io.netty.handler.codec.http.FullHttpResponse response) {
    answer(g, ctx, head, e, response, false);
  }

  /** As above; with {@code close} the connection is closed after the answer instead (nothing more is read). */
  static void answer(GatewayContext g, ChannelHandlerContext ctx, HttpRequest head, ExchangeEvent e,
      io.netty.handler.codec.http.FullHttpResponse response, boolean close) {
    Exchanges.auditThenRespond(g, ctx, answerable(head, close), e, response);
    if (!close) {
      ctx.channel().config().setAutoRead(true);
    }
  }

  static Duration elapsed(long t0) {
    return Duration.ofNanos(System.nanoTime() - t0);
  }

  static List<String> reasons(String code, @Nullable String cause) {
    return cause == null || cause.equals(code) ? List.of("PUSH", code) : List.of("PUSH", code, cause);
  }
}
