package io.shulian.gateway.seal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.shulian.core.catalog.DatasetFormat;
import io.shulian.core.envelope.EnvelopeException;
import io.shulian.core.envelope.EnvelopeHeader;
import io.shulian.core.envelope.OpeningStream;
import io.shulian.core.envelope.SealedEnvelope;
import io.shulian.gateway.audit.AccessLog;
import io.shulian.gateway.audit.ExchangeEvent;
import io.shulian.gateway.forward.BackendPool;
import io.shulian.gateway.inbound.Problem;
import io.shulian.gateway.pipeline.GatewayContext;
import java.io.IOException;
import java.net.URI;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumer role, for {@code /dataset/<resource>/<path>} (docs/return-flow.md): sends the sealed
 * request to the provider gateway on a dedicated connection, opens the framed envelope it streams
 * back segment by segment ({@link OpeningStream}) and streams the plaintext to the app as an HTTP
 * chunked body.
 *
 * <p><b>What the app may rely on.</b> The response head is sent only after the envelope's signed
 * header was checked (trusted sender, addressed to us, timely) and names the route's provider and
 * answers this request. The body is released segment by segment as each authenticates, so it is
 * <b>not complete, and not yet the provider's, until the trailer</b> {@code X-Shulian-Stream:
 * verified} arrives with the terminating chunk; it is sent only after the last segment, the
 * provider's signature over the whole stream and the replay check passed and the transfer was
 * audited. Any failure before that closes the connection without the terminating chunk, so an
 * HTTP client sees a truncated body (an error), never a complete one.
 *
 * <p><b>Backpressure.</b> The provider connection has auto-read off and is read again only after
 * the plaintext of the last piece was written to the app: a slow app slows the whole chain.
 * Confined to the app connection's event loop.
 */
final class ConsumerDatasetStream extends UpstreamRelay {
  private static final Logger LOG = LoggerFactory.getLogger(ConsumerDatasetStream.class);
  /** The trailer that says the stream is complete and verified. */
  static final String STREAM_TRAILER = "X-Shulian-Stream";
  static final String BYTES_TRAILER = "X-Shulian-Stream-Bytes";
  static final String DIGEST_TRAILER = "X-Shulian-Stream-Digest";
  private static final int MAX_PROBLEM_BYTES = 8192;
  /** Continuations in a row that bring no new segment before the transfer is given up. */
  static final int MAX_RESUMES_WITHOUT_PROGRESS = 8;

  /** Seals the request again, with the continuation header added (a fresh envelope, signed). */
  interface Continuer {
    SealedEnvelope seal(String continuation) throws EnvelopeException;
  }

  /**
   * An app continuing a transfer it received the first {@code bytes} of (docs/return-flow.md "Resume
   * by the app"): header {@code X-Shulian-Resume-From: <response envelope id>;bytes=<n>;sha256=<base64url>},
   * the SHA-256 of those bytes. The consumer gateway asks the provider for the same envelope from its
   * first segment, authenticates every segment again, and releases only what follows the first
   * {@code bytes}, after checking that they hash to {@code prefixSha256}.
   */
  record AppResume(java.util.UUID envelopeId, long bytes, byte[] prefixSha256) {
    static final String HEADER = "X-Shulian-Resume-From";
    /** The response head's header that says where the body starts. */
    static final String RESUMED_HEADER = "X-Shulian-Resumed-From";
    private static final java.util.regex.Pattern VALUE = java.util.regex.Pattern.compile(
        "([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12});bytes=([0-9]{1,18});sha256=([A-Za-z0-9_-]{43})");

    /** Parses the header's value; empty if malformed. */
    static java.util.Optional<AppResume> parse(String v) {
      java.util.regex.Matcher m = VALUE.matcher(v.trim());
      if (!m.matches()) {
        return java.util.Optional.empty();
      }
      return java.util.Optional.of(new AppResume(java.util.UUID.fromString(m.group(1)), Long.parseLong(m.group(2)),
          java.util.Base64.getUrlDecoder().decode(m.group(3))));
    }

    /** What the consumer gateway asks the provider for: the same envelope from its first segment. */
    String continuation() {
      return new ResumableTransfers.Continuation(envelopeId, 0).value();
    }
  }

  private final GatewayContext g;
  private final ChannelHandlerContext app;
  private final FullHttpRequest req;
  private final Route route;
  private final SealedEnvelope sealed;
  private final BiFunction<Integer, String, ExchangeEvent> event;
  private final BiConsumer<FullHttpResponse, String> refuse;
  private final ByteBufOutput plain;
  private final byte[] piece = new byte[16384];
  private @Nullable OpeningStream opening;
  private @Nullable HttpResponse providerHead;
  private @Nullable ByteBuf problemBody;
  private long released;
  private final Continuer continuer;
  private final FramedSegments frames = new FramedSegments();
  private java.util.@Nullable UUID responseId;
  private int resumes;
  private int resumesWithoutProgress;
  private long segmentsAtLastResume;
  private final @Nullable AppResume appResume;
  /** Plaintext bytes the app already has (an app's resume): authenticated and hashed, not released. */
  private long skipLeft;
  private long skipped;
  private final java.security.MessageDigest prefix;

  /**
   * @param event the audit event of this exchange for a status and outcome
   * @param refuse answers a failure before the head was sent (audited), with its outcome code
   */
  ConsumerDatasetStream(GatewayContext g, ChannelHandlerContext app, FullHttpRequest req, Route route,
      SealedEnvelope sealed, BiFunction<Integer, String, ExchangeEvent> event,
      BiConsumer<FullHttpResponse, String> refuse, Continuer continuer, @Nullable AppResume appResume) {
    super(app.executor(), g.limits().requestTimeout());
    this.appResume = appResume;
    this.skipLeft = appResume == null ? 0 : appResume.bytes();
    try {
      this.prefix = java.security.MessageDigest.getInstance("SHA-256");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    this.continuer = continuer;
    this.g = g;
    this.app = app;
    this.req = req;
    this.route = route;
    this.sealed = sealed;
    this.event = event;
    this.refuse = refuse;
    this.plain = new ByteBufOutput(app.alloc());
  }

  void start() {
    app.channel().closeFuture().addListener(f -> interrupt("APP_CLOSED"));
    connect(sealed, this);
  }

  /** Sends {@code envelope} to the provider on a new connection handled by {@code handler}. */
  private void connect(SealedEnvelope envelope, io.netty.channel.ChannelHandler handler) {
    URI endpoint = route.endpoint().resolve(Exchanges.EXCHANGE_PATH);
    byte[] env = envelope.toByteArray();
    FullHttpRequest out = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, endpoint.getRawPath(),
        Unpooled.wrappedBuffer(env));
    out.headers().set(HttpHeaderNames.HOST, endpoint.getHost() + ":" + (endpoint.getPort() > 0 ? endpoint.getPort() : 443));
    out.headers().set(HttpHeaderNames.CONTENT_TYPE, Exchanges.ENVELOPE_MEDIA_TYPE);
    out.headers().set(HttpHeaderNames.ACCEPT, ProviderDatasetStream.MEDIA_TYPE);
    out.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, env.length);
    out.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    g.peerPool().openStream(app.channel().eventLoop(), endpoint, route.provider(), handler).addListener(f -> {
      if (!f.isSuccess() && headSent && !done) {
        out.release();
        resumeOrInterrupt("PROVIDER_UNAVAILABLE");
        return;
      }
      if (!f.isSuccess()) {
        out.release();
        boolean mismatch = f.cause() instanceof BackendPool.UpstreamException
            && ((BackendPool.UpstreamException) f.cause()).isPeerMismatch();
        fail(mismatch
            ? Problem.of(HttpResponseStatus.BAD_GATEWAY, "PROVIDER_MISMATCH",
                "the gateway at the provider's endpoint is not the provider of this resource")
            : Problem.of(HttpResponseStatus.BAD_GATEWAY, "PROVIDER_UNAVAILABLE", "the provider gateway cannot be reached"),
            null);
        return;
      }
      Channel ch = (Channel) f.getNow();
      upstream = ch;
      if (done) {
        out.release();
        ch.close();
        return;
      }
      ch.writeAndFlush(out);
      readMore();
    });
  }

  @Override
  void timedOut() {
    if (!headSent) {
      fail(Problem.of(HttpResponseStatus.GATEWAY_TIMEOUT, "PROVIDER_TIMEOUT", "the provider gateway did not answer in time"),
          null);
    } else {
      interrupt("PROVIDER_TIMEOUT");
    }
  }

  @Override
  void onMessage(Object msg) {
    if (msg instanceof HttpResponse) {
      head((HttpResponse) msg);
    }
    if (!done && msg instanceof HttpContent) {
      if (problemBody != null) {
        problemContent((HttpContent) msg);
      } else {
        content((HttpContent) msg);
      }
    }
  }

  private void head(HttpResponse r) {
    String ct = r.headers().get(HttpHeaderNames.CONTENT_TYPE, "");
    if (r.decoderResult().isSuccess() && r.status().code() == 200 && ct.equals(ProviderDatasetStream.MEDIA_TYPE)) {
      if (opening != null) {
        return; // a continuation: its preamble must be the envelope's (FramedSegments)
      }
      opening = g.opener().openingStream(new java.io.OutputStream() {
        @Override
        public void write(int b) {
          write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
          if (skipLeft > 0) {
            int k = (int) Math.min(len, skipLeft);
            prefix.update(b, off, k);
            skipLeft -= k;
            skipped += k;
            off += k;
            len -= k;
          }
          if (len > 0) {
            plain.write(b, off, len);
          }
        }
      }, route.provider());
      return;
    }
    // a refusal (problem document) or something that is not a data set stream: collected, bounded
    providerHead = r;
    problemBody = app.alloc().buffer(256);
  }

  private void problemContent(HttpContent c) {
    ByteBuf body = java.util.Objects.requireNonNull(problemBody);
    int room = MAX_PROBLEM_BYTES + 1 - body.readableBytes();
    body.writeBytes(c.content(), Math.min(room, c.content().readableBytes()));
    if (!(c instanceof LastHttpContent)) {
      readMore();
      return;
    }
    HttpResponse h = java.util.Objects.requireNonNull(providerHead);
    if (headSent) {
      // a continuation refused: 409 may be a transfer still winding down on the provider (asked again)
      int status = h.status().code();
      problemBody = null;
      body.release();
      LOG.atWarn().addKeyValue("event", "dataset_resume_refused").addKeyValue("request_envelope_id",
          sealed.header().id().toString()).addKeyValue("status", status).log("provider refused the continuation");
      if (status == 409) {
        resumeOrInterrupt("RESUME_REFUSED");
      } else {
        interrupt(status == 403 ? "RESUME_DENIED" : "RESUME_REFUSED");
      }
      return;
    }
    FullHttpResponse full = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, h.status(), body);
    problemBody = null;
    full.headers().set(h.headers());
    try {
      if (h.status().code() == 200) {
        fail(Problem.of(HttpResponseStatus.BAD_GATEWAY, "BAD_RESPONSE_ENVELOPE",
            "the provider's answer is not a data set stream"), "RESPONSE_NOT_A_STREAM");
        return;
      }
      FullHttpResponse pass = Exchanges.providerProblem(full).toResponse();
      pass.headers().set(ConsumerExchangeHandler.REQUEST_ENVELOPE_ID_HEADER, sealed.header().id().toString());
      end(() -> refuse.accept(pass, "PROVIDER_REFUSED_" + h.status().code()));
    } finally {
      full.release();
    }
  }

  private void content(HttpContent c) {
    OpeningStream o = java.util.Objects.requireNonNull(opening);
    ByteBuf in = c.content();
    try {
      while (in.isReadable()) {
        int n = Math.min(in.readableBytes(), piece.length);
        in.readBytes(piece, 0, n);
        frames.feed(piece, 0, n, o);
        if (!headSent && o.header().isPresent() && !sendHead(o.header().get(), false)) {
          return;
        }
      }
      if (c instanceof LastHttpContent) {
        EnvelopeHeader h = o.finish();
        if (!headSent && !sendHead(h, true)) {
          return;
        }
        complete(o, h);
        return;
      }
    } catch (EnvelopeException e) {
      LOG.atWarn().addKeyValue("event", "dataset_envelope_rejected").addKeyValue("request_envelope_id",
          sealed.header().id().toString()).addKeyValue("reason", e.code()).addKeyValue("segments", o.segments())
          .log("data set stream from the provider rejected; the app gets no complete stream");
      failOrInterrupt("RESPONSE_" + e.code());
      return;
    } catch (FramedSegments.PreambleMismatch e) {
      failOrInterrupt("RESUME_MISMATCH");
      return;
    } catch (IOException | RuntimeException e) {
      failOrInterrupt("RESPONSE_MALFORMED");
      return;
    }
    flushPlain(true);
  }

  private void failOrInterrupt(String outcome) {
    if (headSent) {
      interrupt(outcome);
    } else {
      fail(Problem.of(HttpResponseStatus.BAD_GATEWAY, "BAD_RESPONSE_ENVELOPE",
          "the provider's response envelope was rejected"), outcome);
    }
  }

  /**
   * Sends the response head once the signed header is known; false (and refused) if the envelope
   * does not answer this request from the route's provider, or is not a data set. An app's resume:
   * the head waits until the bytes the app has were authenticated again and hash to what it said
   * ({@code last}: the stream ended, so an offset beyond it is refused).
   */
  private boolean sendHead(EnvelopeHeader h, boolean last) {
    String cty = h.contentType();
    boolean isDataset = cty.equals(DatasetFormat.JSONL.mediaType()) || cty.equals(DatasetFormat.CSV.mediaType());
    AppResume ar = appResume;
    boolean answers = ar == null ? h.correlationId().map(sealed.header().id()::equals).orElse(false)
        // a continuation answers the first request of the transfer: the same envelope, resource and purpose
        : h.id().equals(ar.envelopeId()) && h.resource().equals(sealed.header().resource())
            && h.purpose().equals(sealed.header().purpose());
    if (!answers || !h.sender().equals(route.provider()) || !isDataset) {
      fail(Problem.of(HttpResponseStatus.BAD_GATEWAY, "BAD_RESPONSE_ENVELOPE",
          "the provider's response does not answer this request"), ar == null ? "RESPONSE_MISMATCH" : "RESUME_MISMATCH");
      return false;
    }
    if (ar != null) {
      if (skipLeft > 0) {
        if (last) {
          fail(java.util.Objects.requireNonNull(ResumableTransfers.refused("RANGE_INVALID",
              "the transfer is shorter than the bytes the app says it has").problem()), "RANGE_INVALID");
          return false;
        }
        return true; // not yet: the app's bytes are still being checked
      }
      if (!java.security.MessageDigest.isEqual(prefix.digest(), ar.prefixSha256())) {
        LOG.atWarn().addKeyValue("event", "dataset_resume_prefix_mismatch").addKeyValue("envelope_id", h.id().toString())
            .addKeyValue("bytes", ar.bytes()).log("an app's resume names bytes that are not this transfer's: refused");
        fail(java.util.Objects.requireNonNull(ResumableTransfers.refused("PREFIX_MISMATCH",
            "the bytes the app has are not the first bytes of this transfer").problem()), "PREFIX_MISMATCH");
        return false;
      }
    }
    DefaultHttpResponse out = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    if (ar != null) {
      out.headers().set(AppResume.RESUMED_HEADER, Long.toString(ar.bytes()));
    }
    out.headers().set(HttpHeaderNames.CONTENT_TYPE, cty);
    out.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
    out.headers().set(HttpHeaderNames.TRAILER, STREAM_TRAILER + ", " + BYTES_TRAILER + ", " + DIGEST_TRAILER);
    out.headers().set(ConsumerExchangeHandler.ENVELOPE_ID_HEADER, h.id().toString());
    out.headers().set(ConsumerExchangeHandler.REQUEST_ENVELOPE_ID_HEADER, sealed.header().id().toString());
    if (!HttpUtil.isKeepAlive(req) || g.draining()) {
      out.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    }
    headSent = true;
    responseId = h.id();
    app.write(out);
    return true;
  }

  private void flushPlain(boolean thenRead) {
    ByteBuf b = plain.take();
    if (b == null) {
      if (thenRead) {
        readMore();
      }
      return;
    }
    released += b.readableBytes();
    app.writeAndFlush(new DefaultHttpContent(b)).addListener(f -> {
      if (!f.isSuccess()) {
        interrupt("APP_CLOSED");
      } else if (thenRead) {
        readMore();
      }
    });
  }

  /** Verified and complete: audit, then the trailer with the terminating chunk. */
  private void complete(OpeningStream o, EnvelopeHeader h) {
    done = true;
    closeUpstream();
    ByteBuf rest = plain.take();
    if (rest != null) {
      released += rest.readableBytes();
      app.write(new DefaultHttpContent(rest));
    }
    app.flush();
    // finished: the verified digest (present once finish() returned; never the unauthenticated one)
    byte[] d = o.payloadDigest().orElseThrow(() -> new IllegalStateException("stream finished without a verified digest"));
    long bytes = skipped + released; // the whole stream, as the digest
    ExchangeEvent verified = event.apply(200, "OK").withResponse(d, bytes)
        .withTransfer(new ExchangeEvent.Transfer(-1, o.segments(), true));
    java.util.List<String> resumed = resumeReasons(java.util.List.of());
    ExchangeEvent e = resumed.isEmpty() ? verified : withReasons(verified, verified.permitted, resumed);
    String label = StreamDigest.label(g, d);
    java.util.concurrent.CompletableFuture<Void> f;
    try {
      f = g.auditor().record(e);
    } catch (RuntimeException ex) {
      f = java.util.concurrent.CompletableFuture.failedFuture(ex);
    }
    g.metrics().exchange(e);
    f.whenComplete((ok, err) -> app.executor().execute(() -> {
      g.inFlightDone();
      req.release();
      if (err != null) {
        g.metrics().auditFailure();
        AccessLog.answered(e, 503, "AUDIT_UNAVAILABLE");
        app.close(); // no trailer, no terminating chunk: the app never sees the stream as complete
        return;
      }
      AccessLog.answered(e, 200, "OK");
      LastHttpContent last = new DefaultLastHttpContent();
      last.trailingHeaders().set(STREAM_TRAILER, "verified");
      last.trailingHeaders().set(BYTES_TRAILER, Long.toString(bytes));
      last.trailingHeaders().set(DIGEST_TRAILER, label);
      var wf = app.writeAndFlush(last);
      if (!HttpUtil.isKeepAlive(req) || g.draining()) {
        wf.addListener(ChannelFutureListener.CLOSE);
      }
    }));
    LOG.atInfo().addKeyValue("event", "dataset_received").addKeyValue("envelope_id", h.id().toString())
        .addKeyValue("resource", h.resource()).addKeyValue("bytes", bytes).addKeyValue("segments", o.segments())
        .log("data set verified and released");
  }

  /** Answers a failure before the head was sent: an ordinary audited refusal. */
  private void fail(Problem p, @Nullable String outcome) {
    if (done) {
      return;
    }
    if (headSent) {
      interrupt(outcome == null ? p.code() : outcome);
      return;
    }
    FullHttpResponse r = p.toResponse();
    r.headers().set(ConsumerExchangeHandler.REQUEST_ENVELOPE_ID_HEADER, sealed.header().id().toString());
    end(() -> refuse.accept(r, outcome == null ? p.code() : outcome));
  }

  private void end(Runnable answer) {
    done = true;
    disarm();
    closeUpstream();
    plain.discard();
    if (opening != null) {
      opening.close();
    }
    if (problemBody != null) {
      problemBody.release();
      problemBody = null;
    }
    try {
      if (app.channel().isActive()) {
        answer.run();
      } else {
        g.inFlightDone();
      }
    } finally {
      req.release();
    }
  }

  /** Cuts the app's response off after the head: no terminating chunk, audited as interrupted. */
  private void interrupt(String reason) {
    if (done) {
      return;
    }
    if (!headSent) {
      fail(Problem.of(HttpResponseStatus.BAD_GATEWAY, "BAD_RESPONSE_ENVELOPE",
          "the provider's data set stream was cut off"), reason);
      return;
    }
    done = true;
    disarm();
    closeUpstream();
    plain.discard();
    OpeningStream o = java.util.Objects.requireNonNull(opening);
    o.close();
    app.close();
    ExchangeEvent e = event.apply(200, "STREAM_INTERRUPTED").withResponse(o.releasedDigest(), skipped + released)
        .withTransfer(new ExchangeEvent.Transfer(-1, o.segments(), false));
    e = withReasons(e, false, resumeReasons(java.util.List.of("STREAM_INTERRUPTED", reason)));
    LOG.atWarn().addKeyValue("event", "dataset_interrupted").addKeyValue("request_envelope_id",
        sealed.header().id().toString()).addKeyValue("reason", reason).addKeyValue("bytes", released)
        .log("data set transfer interrupted; the app's response was cut off without the verified trailer");
    auditInterrupted(g, e);
    req.release();
  }

  /** {@code first}, then {@code RESUMED} when the gateway continued the transfer, {@code APP_RESUMED} for an app's resume. */
  private java.util.List<String> resumeReasons(java.util.List<String> first) {
    java.util.List<String> r = new java.util.ArrayList<>(first);
    if (resumes > 0) {
      r.add("RESUMED");
    }
    if (appResume != null) {
      r.add("APP_RESUMED");
    }
    return java.util.List.copyOf(r);
  }

  private static ExchangeEvent withReasons(ExchangeEvent e, boolean permitted, java.util.List<String> reasons) {
    return new ExchangeEvent(e.time, e.envelopeId, e.direction, e.sender, e.receiver, e.resource, e.purpose, e.grantId,
        permitted, e.ruleIds, e.obligations, reasons, e.policyVersion,
        e.payloadDigest, e.payloadBytes, e.status, e.outcome, e.latency)
        .withRequest(e.app, e.method, e.path).withResponse(e.responseDigest, e.responseBytes)
        .withTransfer(java.util.Objects.requireNonNull(e.transfer));
  }

  /**
   * The provider connection was cut after the head was sent: asks the provider for the rest of the
   * same envelope from the first segment not yet received (docs/return-flow.md "Resume"), unless
   * continuations stopped bringing segments.
   */
  private void resumeOrInterrupt(String reason) {
    OpeningStream o = opening;
    java.util.UUID id = responseId;
    if (done || o == null || id == null || !frames.started()) {
      failOrInterrupt(reason);
      return;
    }
    if (frames.segments() > segmentsAtLastResume) {
      resumesWithoutProgress = 0;
    }
    if (++resumesWithoutProgress > MAX_RESUMES_WITHOUT_PROGRESS) {
      interrupt(reason);
      return;
    }
    segmentsAtLastResume = frames.segments();
    resumes++;
    disarm();
    Channel old = upstream;
    upstream = null;
    if (old != null) {
      old.close();
    }
    frames.continuation();
    ByteBuf pb = problemBody;
    if (pb != null) {
      pb.release();
      problemBody = null;
    }
    String asked = new ResumableTransfers.Continuation(id, frames.segments()).value();
    SealedEnvelope env;
    try {
      env = continuer.seal(asked);
    } catch (EnvelopeException | RuntimeException e) {
      interrupt("RESUME_NOT_SEALABLE");
      return;
    }
    LOG.atInfo().addKeyValue("event", "dataset_resuming").addKeyValue("envelope_id", id.toString())
        .addKeyValue("request_envelope_id", env.header().id().toString()).addKeyValue("from_segment", frames.segments())
        .addKeyValue("reason", reason).addKeyValue("attempt", resumes).log("provider connection cut; continuing the transfer");
    long delayMs = 50L * (resumesWithoutProgress - 1);
    app.executor().schedule(() -> {
      if (!done) {
        connect(env, new Continuation());
      }
    }, delayMs, java.util.concurrent.TimeUnit.MILLISECONDS);
  }

  /** Handles a continuation connection (a handler instance can be in one pipeline only). */
  private final class Continuation extends io.netty.channel.ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ConsumerDatasetStream.this.channelRead(ctx, msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      ConsumerDatasetStream.this.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ConsumerDatasetStream.this.exceptionCaught(ctx, cause);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (!done && ctx.channel() == upstream) {
      // the provider's connection ended before the terminating chunk: continued, or a truncated stream
      if (headSent && problemBody == null) {
        resumeOrInterrupt("RESPONSE_TRUNCATED");
      } else {
        failOrInterrupt("RESPONSE_TRUNCATED");
      }
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (!done && ctx.channel() == upstream && !(headSent && cause instanceof IOException)) {
      failOrInterrupt("RESPONSE_MALFORMED");
    }
    ctx.close(); // a reset after the head: channelInactive continues the transfer
  }
}
