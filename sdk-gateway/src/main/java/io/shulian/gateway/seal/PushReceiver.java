package io.shulian.gateway.seal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.shulian.core.catalog.DatasetFormat;
import io.shulian.core.envelope.EnvelopeException;
import io.shulian.core.envelope.EnvelopeHeader;
import io.shulian.core.envelope.OpeningStream;
import io.shulian.core.party.PartyId;
import io.shulian.gateway.audit.ExchangeEvent;
import io.shulian.gateway.inbound.Problem;
import io.shulian.gateway.pipeline.GatewayContext;
import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Receiver role of a data set push (docs/return-flow.md "Push"), on the peer listener (mutual
 * TLS): {@code POST /shulian/v1/dataset-push} with a framed envelope as a streamed body.
 *
 * <p>The envelope is opened segment by segment with the TLS peer as the expected sender. Once its
 * signed header was checked (trusted sender, addressed to us, timely) and names a resource this
 * gateway has a delivery backend for, a chunked {@code POST} to that backend is opened and the
 * plaintext of every segment that authenticates is streamed to it; the next piece of the envelope
 * is read only when the last plaintext was written to the backend (backpressure: a slow backend
 * slows the sender). The backend request gets its terminating chunk <b>only after the last segment, the signature over the whole stream
 * and the replay check passed</b>; on any failure before that the backend connection is closed
 * mid-body, so the backend sees an aborted request, never a complete one. The sender gets {@code
 * 200} with the digest of what was delivered only after the backend answered 2xx and the transfer
 * was audited. Confined to the peer connection's event loop (the replay check runs on the state
 * workers when the shared state is remote).
 */
final class PushReceiver extends ChannelInboundHandlerAdapter implements DatasetPush.Session {
  private static final Logger LOG = LoggerFactory.getLogger(PushReceiver.class);

  private final GatewayContext g;
  private final ChannelHandlerContext ctx;
  private final HttpRequest head;
  private final long t0;
  private final PartyId peer;
  private final ByteBufOutput plain;
  private final OpeningStream opening;
  private final byte[] piece = new byte[16384];
  private @Nullable EnvelopeHeader header;
  private @Nullable Channel backend;
  private boolean backendOpening;
  private int pending;
  private long delivered;
  private boolean lastSeen;
  private boolean verifying;
  private boolean verified;
  private boolean lastSent;
  private boolean reading;
  private boolean done;
  private long drained;
  private @Nullable ScheduledFuture<?> timer;
  /** The slow-upload rule. */
  private final UploadProgress progress;
  /** Closes the connection after the answer instead of draining the rest (a sender too slow to drain). */
  private boolean hangUp;

  private PushReceiver(GatewayContext g, ChannelHandlerContext ctx, HttpRequest head, long t0, PartyId peer) {
    this.g = g;
    this.ctx = ctx;
    this.head = head;
    this.t0 = t0;
    this.peer = peer;
    this.plain = new ByteBufOutput(ctx.alloc());
    this.progress = new UploadProgress(g.limits());
    this.opening = g.requestOpener().openingStream(new java.io.OutputStream() {
      @Override
      public void write(int b) {
        write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] b, int off, int len) {
        plain.write(b, off, len);
      }
    }, peer);
  }

  /** Checks the peer and the request head; returns the session that takes the envelope. */
  static DatasetPush.Session start(GatewayContext g, ChannelHandlerContext ctx, HttpRequest head, long t0) {
    PartyId peer = ctx.channel().attr(ProviderExchangeHandler.PEER).get();
    if (peer == null) {
      return refuseHead(g, ctx, head, t0, "-", Problem.of(HttpResponseStatus.UNAUTHORIZED, "PEER_UNKNOWN",
          "a client certificate of the city trust is required"));
    }
    if (!g.peerStillTrusted(ctx.channel())) {
      return refuseHead(g, ctx, head, t0, peer.toString(), Problem.of(HttpResponseStatus.FORBIDDEN, "PEER_UNTRUSTED",
          "the client certificate is no longer trusted"));
    }
    // a suspended sender is refused before its envelope is opened
    Problem suspended = Exchanges.incident(g.incidents(), null, peer, g.identity().party());
    if (suspended != null) {
      return refuseHead(g, ctx, head, t0, peer.toString(), suspended);
    }
    if (!ProviderDatasetStream.MEDIA_TYPE.equals(head.headers().get(HttpHeaderNames.CONTENT_TYPE))) {
      return refuseHead(g, ctx, head, t0, peer.toString(), Problem.of(HttpResponseStatus.UNSUPPORTED_MEDIA_TYPE,
          "NOT_FRAMED", "a pushed data set is a framed envelope (" + ProviderDatasetStream.MEDIA_TYPE + ")"));
    }
    if (head.headers().contains(HttpHeaderNames.EXPECT)
        && !HttpHeaderValues.CONTINUE.contentEqualsIgnoreCase(head.headers().get(HttpHeaderNames.EXPECT))) {
      return refuseHead(g, ctx, head, t0, peer.toString(), DatasetPush.expectationFailed());
    }
    ctx.channel().config().setAutoRead(false);
    PushReceiver r = new PushReceiver(g, ctx, head, t0, peer);
    ctx.channel().closeFuture().addListener(f -> r.inactive());
    DatasetPush.expectation(ctx, head);
    r.readPeer();
    return r;
  }

  private static DatasetPush.Session refuseHead(GatewayContext g, ChannelHandlerContext ctx, HttpRequest head, long t0,
      String peer, Problem p) {
    ExchangeEvent e = new ExchangeEvent(g.clock().instant(), "-", ExchangeEvent.Direction.REQUEST_IN, peer,
        g.identity().party().toString(), "-", "-", "", false, List.of(), List.of(), DatasetPush.reasons(p.code(), null),
        "", Exchanges.digest(g, new byte[0]), 0, p.status().code(), p.code(), DatasetPush.elapsed(t0));
    DatasetPush.answer(g, ctx, head, e, p.toResponse());
    return new DatasetPush.Drain(ctx);
  }

  private void arm(java.time.Duration d, String reason) {
    disarm();
    timer = ctx.executor().schedule(() -> {
      timer = null;
      if (backend != null && (lastSeen || pending > 0)) {
        fail(Problem.of(HttpResponseStatus.GATEWAY_TIMEOUT, "BACKEND_TIMEOUT",
            "the receiving system did not take the data set in time"), reason);
      } else {
        fail(Problem.of(HttpResponseStatus.REQUEST_TIMEOUT, "REQUEST_TIMEOUT", "the pushed envelope did not arrive in time"),
            reason);
      }
    }, d.toNanos(), TimeUnit.NANOSECONDS);
  }

  private void disarm() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }

  private void readPeer() {
    if (done || lastSeen || reading) {
      return;
    }
    reading = true;
    long now = System.nanoTime();
    progress.waiting(now);
    armRead(now);
    ctx.read();
  }

  /**
   * While waiting for the sender: the idle timeout (no piece for the request timeout) and the
   * minimum progress (docs/return-flow.md "Slow uploads"), whichever comes first.
   */
  private void armRead(long now) {
    disarm();
    long idle = g.limits().requestTimeout().toNanos();
    timer = ctx.executor().schedule(() -> {
      timer = null;
      if (done || !reading) {
        return;
      }
      long t = System.nanoTime();
      switch (progress.check(t, idle)) {
        case IDLE -> fail(Problem.of(HttpResponseStatus.REQUEST_TIMEOUT, "REQUEST_TIMEOUT",
            "the pushed envelope did not arrive in time"), "SENDER_TIMEOUT");
        case TOO_SLOW -> tooSlow();
        case GOING -> armRead(t);
      }
    }, progress.nextCheck(now, idle), TimeUnit.NANOSECONDS);
  }

  /** The sender broke the minimum-progress rule: the backend's request is aborted, the sender answered 408 and cut off. */
  private void tooSlow() {
    LOG.atWarn().addKeyValue("event", "dataset_push_too_slow").addKeyValue("sender", peer.toString())
        .addKeyValue("resource", header == null ? "-" : ConsumerExchangeHandler.safe(header.resource()))
        .addKeyValue("bytes", delivered).addKeyValue("segments", opening.segments())
        .log("pushed data set cut off: the envelope arrived slower than the minimum progress; the backend's request was aborted");
    hangUp = true;
    fail(Problem.of(HttpResponseStatus.REQUEST_TIMEOUT, "SENDER_TOO_SLOW", "the pushed envelope arrived slower than "
        + g.limits().pushMinBytes() + " bytes per " + g.limits().pushProgressWindow().toMillis() + " ms of waiting"),
        "SENDER_TOO_SLOW");
  }

  @Override
  public void content(HttpContent c) {
    try {
      if (done) {
        // answered early: the rest is dropped, up to a bound
        drained += c.content().readableBytes();
        if (drained > DatasetPush.MAX_DRAIN_BYTES) {
          ctx.close();
        }
        return;
      }
      reading = false;
      disarm();
      if (!progress.arrived(System.nanoTime(), c.content().readableBytes())) {
        tooSlow();
        return;
      }
      ByteBuf in = c.content();
      while (in.isReadable()) {
        int n = Math.min(in.readableBytes(), piece.length);
        in.readBytes(piece, 0, n);
        opening.write(piece, 0, n);
        if (header == null && opening.header().isPresent() && !accept(opening.header().get())) {
          return;
        }
      }
      if (c instanceof LastHttpContent) {
        lastSeen = true;
      }
    } catch (EnvelopeException e) {
      rejected(e);
      return;
    } catch (IOException | RuntimeException e) {
      LOG.atWarn().addKeyValue("event", "dataset_push_rejected").addKeyValue("sender", peer.toString())
          .addKeyValue("reason", "MALFORMED_ENVELOPE").addKeyValue("error", e.getClass().getSimpleName())
          .log("pushed data set rejected: the envelope is malformed", e);
      fail(Problem.of(HttpResponseStatus.BAD_REQUEST, "MALFORMED_ENVELOPE", "the envelope is malformed"),
          "MALFORMED_ENVELOPE");
      return;
    } finally {
      c.release();
    }
    flushPlain();
    proceed();
  }

  /** The signed header is known: is it a data set of a resource this gateway takes pushes of? Then the backend is opened. */
  private boolean accept(EnvelopeHeader h) {
    header = h;
    Problem incident = Exchanges.incident(g.incidents(), h.resource(), h.sender(), g.identity().party());
    if (incident != null) {
      fail(incident, null);
      return false;
    }
    // only the resource's provider pushes it: another party of the city, trusted as a sender, is not
    if (!acceptsPush(h)) {
      LOG.atWarn().addKeyValue("event", "dataset_push_rejected").addKeyValue("sender", peer.toString())
          .addKeyValue("resource", ConsumerExchangeHandler.safe(h.resource())).addKeyValue("reason", "SENDER_NOT_PROVIDER")
          .log("pushed data set rejected: the sender is not the resource's provider; nothing delivered");
      fail(Problem.of(HttpResponseStatus.FORBIDDEN, "SENDER_NOT_PROVIDER",
          "the sender is not the provider of resource " + ConsumerExchangeHandler.safe(h.resource())), null);
      return false;
    }
    Optional<URI> target = g.pushDelivery(h.resource());
    if (target.isEmpty()) {
      fail(Problem.of(HttpResponseStatus.NOT_FOUND, "NO_PUSH_DELIVERY",
          "this gateway takes no pushed data set of resource " + ConsumerExchangeHandler.safe(h.resource())), null);
      return false;
    }
    String cty = h.contentType();
    if (!(cty.equals(DatasetFormat.JSONL.mediaType()) || cty.equals(DatasetFormat.CSV.mediaType()))) {
      fail(Problem.of(HttpResponseStatus.UNSUPPORTED_MEDIA_TYPE, "NOT_A_DATASET",
          "the pushed envelope does not carry a data set"), null);
      return false;
    }
    URI base = target.get();
    backendOpening = true;
    g.backendPool().openStream(ctx.channel().eventLoop(), base, null, this).addListener(f -> {
      backendOpening = false;
      if (!f.isSuccess()) {
        fail(Problem.of(HttpResponseStatus.BAD_GATEWAY, "BACKEND_UNAVAILABLE", "the receiving system cannot be reached"),
            null);
        return;
      }
      Channel ch = (Channel) f.getNow();
      if (done) {
        ch.close();
        return;
      }
      backend = ch;
      DefaultHttpRequest out = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST,
          base.getRawPath() == null || base.getRawPath().isEmpty() ? "/" : base.getRawPath());
      out.headers().set(HttpHeaderNames.HOST, base.getHost() + ":" + (base.getPort() > 0 ? base.getPort() : 80));
      out.headers().set(HttpHeaderNames.CONTENT_TYPE, cty);
      out.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
      out.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      out.headers().set("X-Shulian-Sender", h.sender().toString());
      out.headers().set("X-Shulian-Purpose", h.purpose());
      out.headers().set("X-Shulian-Envelope-Id", h.id().toString());
      ch.write(out);
      ch.read(); // a backend that refuses early is seen while the stream goes on
      flushPlain();
      proceed();
    });
    return true;
  }

  /** Writes the plaintext released since the last call to the backend (once it is connected). */
  private void flushPlain() {
    Channel ch = backend;
    if (ch == null || done) {
      return;
    }
    ByteBuf b = plain.take();
    if (b == null) {
      return;
    }
    delivered += b.readableBytes();
    pending++;
    if (timer == null) {
      arm(g.limits().backendTimeout(), "BACKEND_TIMEOUT");
    }
    ch.writeAndFlush(new DefaultHttpContent(b)).addListener(f -> {
      pending--;
      if (!f.isSuccess()) {
        fail(Problem.of(HttpResponseStatus.BAD_GATEWAY, "BACKEND_UNAVAILABLE", "the receiving system cannot be reached"),
            "BACKEND_CLOSED");
        return;
      }
      proceed();
    });
  }

  /** Reads on when the backend took everything; verifies the whole envelope once it ended. */
  private void proceed() {
    // already waiting for the sender: its timers run (a second call, e.g. after a backend write that
    // completed at once, must not cancel them: readPeer() would not arm them again)
    if (done || pending > 0 || backendOpening || verifying || reading) {
      return;
    }
    if (verified) {
      sendLast();
      return;
    }
    disarm();
    if (!lastSeen) {
      readPeer();
      return;
    }
    // (an envelope that ended before its header was complete: finish() names what is wrong)
    verify();
  }

  /** The signature over the whole stream and the replay check (on a state worker when the state is remote). */
  private void verify() {
    verifying = true;
    java.util.concurrent.Executor stateCalls = g.stateCalls();
    Runnable check = () -> {
      EnvelopeHeader h = null;
      Exception failure = null;
      try {
        h = opening.finish();
      } catch (EnvelopeException | IOException | RuntimeException e) {
        failure = e;
      }
      EnvelopeHeader fh = h;
      Exception ff = failure;
      ctx.executor().execute(() -> verified(fh, ff));
    };
    if (stateCalls == null) {
      check.run();
      return;
    }
    try {
      stateCalls.execute(check);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      verifying = false;
      fail(Problem.of(HttpResponseStatus.SERVICE_UNAVAILABLE, "STATE_UNAVAILABLE",
          "the shared state does not keep up; nothing was delivered"), "STATE_BUSY");
    }
  }

  private void verified(@Nullable EnvelopeHeader h, @Nullable Exception failure) {
    verifying = false;
    if (done) {
      return;
    }
    if (failure instanceof EnvelopeException) {
      rejected((EnvelopeException) failure);
      return;
    }
    if (failure != null || h == null) {
      LOG.atWarn().addKeyValue("event", "dataset_push_rejected").addKeyValue("sender", peer.toString())
          .addKeyValue("reason", "MALFORMED_ENVELOPE")
          .addKeyValue("error", failure == null ? "-" : failure.getClass().getSimpleName())
          .log("pushed data set rejected: the envelope is malformed");
      fail(Problem.of(HttpResponseStatus.BAD_REQUEST, "MALFORMED_ENVELOPE", "the envelope is malformed"),
          "MALFORMED_ENVELOPE");
      return;
    }
    verified = true;
    if (header == null) {
      // a one-segment envelope: its header is known only now (the backend is opened, then the end sent)
      accept(h);
      return;
    }
    proceed();
  }

  /** Verified: the rest of the plaintext and the terminating chunk go to the backend. */
  private void sendLast() {
    Channel ch = backend;
    if (lastSent || ch == null) {
      return;
    }
    lastSent = true;
    ByteBuf rest = plain.take();
    if (rest != null) {
      delivered += rest.readableBytes();
    }
    LastHttpContent last = rest == null ? new DefaultLastHttpContent() : new DefaultLastHttpContent(rest);
    arm(g.limits().backendTimeout(), "BACKEND_TIMEOUT");
    ch.writeAndFlush(last).addListener(f -> {
      if (!f.isSuccess()) {
        fail(Problem.of(HttpResponseStatus.BAD_GATEWAY, "BACKEND_UNAVAILABLE", "the receiving system cannot be reached"),
            "BACKEND_CLOSED");
      }
    });
  }

  private void rejected(EnvelopeException e) {
    LOG.atWarn().addKeyValue("event", "dataset_push_rejected").addKeyValue("sender", peer.toString())
        .addKeyValue("reason", e.code()).addKeyValue("segments", opening.segments())
        .log("pushed data set rejected: its envelope does not verify; the backend's request was aborted");
    fail(Exchanges.problemFor(e), e.code());
  }

  // ---------------------------------------------------------------------------- backend connection

  private @Nullable HttpResponse answerHead;

  @Override
  public void channelRead(ChannelHandlerContext c, Object msg) {
    try {
      if (done || c.channel() != backend) {
        return;
      }
      if (msg instanceof HttpResponse) {
        answerHead = (HttpResponse) msg;
      }
      if (msg instanceof LastHttpContent && answerHead != null) {
        backendAnswered(answerHead.status().code());
        return;
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
    c.read();
  }

  private void backendAnswered(int status) {
    if (status < 200 || status > 299) {
      LOG.atInfo().addKeyValue("event", "backend_status").addKeyValue("resource", header == null ? "-" : header.resource())
          .addKeyValue("backend_status", status).log("push delivery backend answered {}", status);
      fail(ProviderExchangeHandler.backendProblem(status), null);
      return;
    }
    if (!verified) {
      // a backend that says it took the data set before it was complete and verified
      fail(Problem.of(HttpResponseStatus.BAD_GATEWAY, "BACKEND_ERROR", "the receiving system answered too early"),
          "BACKEND_ANSWERED_EARLY");
      return;
    }
    delivered(status);
  }

  @Override
  public void channelInactive(ChannelHandlerContext c) {
    if (!done && c.channel() == backend) {
      LOG.atWarn().addKeyValue("event", "backend_closed").addKeyValue("verified", verified)
          .log("push delivery backend closed the connection before it answered");
      fail(Problem.of(HttpResponseStatus.BAD_GATEWAY, "BACKEND_UNAVAILABLE", "the receiving system cannot be reached"),
          "BACKEND_CLOSED");
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext c, Throwable cause) {
    c.close();
  }

  // ------------------------------------------------------------------------------------- outcomes

  private void delivered(int backendStatus) {
    done = true;
    disarm();
    Channel ch = backend;
    if (ch != null) {
      ch.close();
    }
    EnvelopeHeader h = java.util.Objects.requireNonNull(header);
    // verified (delivered only after finish): the digest the v2 signature covers
    byte[] d = opening.payloadDigest().orElseThrow(() -> new IllegalStateException("push delivered without a verified digest"));
    String label = StreamDigest.label(g, d);
    ObjectNode json = DatasetPush.JSON.createObjectNode().put("envelopeId", h.id().toString()).put("bytes", delivered)
        .put("digest", label);
    byte[] b;
    try {
      b = DatasetPush.JSON.writeValueAsBytes(json);
    } catch (IOException e) {
      b = new byte[0];
    }
    FullHttpResponse ok = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
        Unpooled.wrappedBuffer(b));
    ok.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
    ok.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, b.length);
    ExchangeEvent e = event(List.of("PUSH"), 200, "OK", d, delivered)
        .withTransfer(new ExchangeEvent.Transfer(-1, opening.segments(), true));
    LOG.atInfo().addKeyValue("event", "dataset_push_delivered").addKeyValue("envelope_id", h.id().toString())
        .addKeyValue("sender", h.sender().toString()).addKeyValue("resource", h.resource())
        .addKeyValue("bytes", delivered).addKeyValue("backend_status", backendStatus).log("pushed data set delivered");
    DatasetPush.answer(g, ctx, head, e, ok);
  }

  /**
   * Refuses the push: the backend's request (if any) is aborted without its terminating chunk,
   * audited, and the sender answered (the connection closed unless the envelope was read to its end).
   */
  /** The policy's word on who may push {@code h.resource()}; a policy that throws refuses. */
  private boolean acceptsPush(EnvelopeHeader h) {
    try {
      return g.policy().acceptsPush(h.sender(), h.resource());
    } catch (RuntimeException e) {
      return false;
    }
  }

  private void fail(Problem p, @Nullable String cause) {
    if (done) {
      return;
    }
    done = true;
    disarm();
    Channel ch = backend;
    if (ch != null) {
      ch.close();
    }
    plain.discard();
    opening.close();
    byte[] d = opening.releasedDigest(); // what went to the backend, authenticated or not
    ExchangeEvent e = event(DatasetPush.reasons(p.code(), cause), p.status().code(), p.code(), d, delivered)
        .withTransfer(new ExchangeEvent.Transfer(-1, opening.segments(), false));
    if (!ctx.channel().isActive()) {
      UpstreamRelay.auditInterrupted(g, e);
      return;
    }
    DatasetPush.answer(g, ctx, head, e, p.toResponse(), hangUp);
  }

  @Override
  public void inactive() {
    fail(Problem.of(HttpResponseStatus.BAD_REQUEST, "STREAM_INTERRUPTED", "the sender's connection closed"),
        "SENDER_CLOSED");
  }

  private ExchangeEvent event(List<String> reasons, int status, String outcome, byte[] d, long bytes) {
    EnvelopeHeader h = header;
    return new ExchangeEvent(g.clock().instant(), h == null ? "-" : h.id().toString(), ExchangeEvent.Direction.REQUEST_IN,
        peer.toString(), g.identity().party().toString(), h == null ? "-" : h.resource(), h == null ? "-" : h.purpose(),
        "", status == 200, List.of(), List.of(), reasons, "", d, bytes, status, outcome, DatasetPush.elapsed(t0));
  }
}
