package io.shulian.gateway.seal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.shulian.core.catalog.DatasetFormat;
import io.shulian.core.envelope.EnvelopeException;
import io.shulian.core.envelope.SealRequest;
import io.shulian.core.envelope.SealingStream;
import io.shulian.core.keys.PartyCertificate;
import io.shulian.core.party.PartyId;
import io.shulian.gateway.audit.ExchangeEvent;
import io.shulian.gateway.authorize.Verdict;
import io.shulian.gateway.forward.BackendPool;
import io.shulian.gateway.inbound.Problem;
import io.shulian.gateway.pipeline.GatewayContext;
import io.shulian.gateway.seal.DatasetPush.Result;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sender role of a data set push (docs/return-flow.md "Push"), on the app listener:
 * {@code POST /dataset-push/<resource>?to=<party>&to=...} with the data set as a streamed body.
 *
 * <p>The receivers are decided first (unknown receiver, incident, the {@code return-flow} policy);
 * a connection is opened to each permitted receiver's gateway; only then is the app's body read,
 * one piece at a time with auto-read off. Each piece is masked record by record for each receiver
 * with its own obligations ({@link DatasetRecords}), sealed into that receiver's framed envelope
 * and written to its connection as a chunk; the next piece is read only when every chunk was
 * written: <b>fan-out, the slowest receiver sets the pace</b>. What is held is one piece, and per
 * receiver one record and one segment. A receiver that fails (its connection, its refusal, a
 * record that cannot be masked for it, a stalled write past the backend timeout) is cut off
 * without the terminating chunk, so its gateway never delivers a complete stream, and the others
 * go on. The app gets one result per receiver after every receiver answered and every result was
 * audited. Confined to the app connection's event loop (policy decisions run on the state
 * workers when the shared state is remote).
 */
final class PushSender implements DatasetPush.Session {
  private static final Logger LOG = LoggerFactory.getLogger(PushSender.class);
  private static final int MAX_ANSWER_BYTES = 8192;

  private final GatewayContext g;
  private final ChannelHandlerContext ctx;
  private final HttpRequest head;
  private final long t0;
  private final String app;
  private final String resource;
  private final String purpose;
  private final DatasetFormat format;
  private final Requested asked;
  private final List<Leg> legs = new ArrayList<>();
  private final byte[] piece = new byte[16384];
  private final long maxBytes;
  private int connecting;
  /** Body pieces that arrived with the head, before the receivers were connected (one socket read at most). */
  private final List<HttpContent> early = new ArrayList<>();
  private boolean begun;
  private boolean reading;
  private boolean bodyDone;
  private boolean finished;
  private long drained;
  private @Nullable ScheduledFuture<?> appTimer;
  /** The slow-upload rule for the app's body. */
  private final UploadProgress progress;

  private PushSender(GatewayContext g, ChannelHandlerContext ctx, HttpRequest head, long t0, String app,
      String resource, String purpose, DatasetFormat format, Requested asked) {
    this.g = g;
    this.ctx = ctx;
    this.head = head;
    this.t0 = t0;
    this.app = app;
    this.resource = resource;
    this.purpose = purpose;
    this.format = format;
    this.asked = asked;
    this.maxBytes = g.opener().maxStreamPayloadBytes();
    this.progress = new UploadProgress(g.limits());
  }

  /** Checks the request head; returns the session that takes its body. */
  static DatasetPush.Session start(GatewayContext g, ChannelHandlerContext ctx, HttpRequest head, long t0) {
    QueryStringDecoder q = new QueryStringDecoder(head.uri());
    String path = q.path();
    String resource = path.length() > DatasetPush.PREFIX.length() ? path.substring(DatasetPush.PREFIX.length()) : "";
    Optional<String> app = g.apiKeys().authenticate(head.headers().get(ConsumerExchangeHandler.API_KEY_HEADER));
    if (app.isEmpty()) {
      return refuse(g, ctx, head, t0, "-", Problem.of(HttpResponseStatus.UNAUTHORIZED, "UNKNOWN_APP",
          "missing or unknown " + ConsumerExchangeHandler.API_KEY_HEADER),
          new Requested("", "POST", Requested.excerpt(head.uri())));
    }
    Requested asked = new Requested(app.get(), "POST", Requested.excerpt(path));
    if (resource.isEmpty() || resource.indexOf('/') >= 0) {
      return refuse(g, ctx, head, t0, resource, Problem.of(HttpResponseStatus.NOT_FOUND, "NOT_FOUND",
          "data sets are pushed with POST /dataset-push/<resource>?to=<party>"), asked);
    }
    Optional<DatasetFormat> format = g.dataset(resource);
    if (format.isEmpty() || g.backend(resource).isEmpty()) {
      return refuse(g, ctx, head, t0, resource, Problem.of(HttpResponseStatus.NOT_FOUND, "NOT_A_DATASET",
          "this gateway provides no data set '" + ConsumerExchangeHandler.safe(resource) + "'"), asked);
    }
    String ct = head.headers().get(HttpHeaderNames.CONTENT_TYPE, "").toLowerCase(Locale.ROOT);
    if (!ProviderDatasetStream.matches(format.get(), ct)) {
      return refuse(g, ctx, head, t0, resource, Problem.of(HttpResponseStatus.UNSUPPORTED_MEDIA_TYPE,
          "DATASET_FORMAT_MISMATCH", "the body is not of the data set's format (" + format.get().mediaType() + ")"), asked);
    }
    String purpose = head.headers().get(ConsumerExchangeHandler.PURPOSE_HEADER);
    if (purpose == null || purpose.isEmpty()) {
      return refuse(g, ctx, head, t0, resource, Problem.of(HttpResponseStatus.BAD_REQUEST, "PURPOSE_REQUIRED",
          "every push must state its purpose in " + ConsumerExchangeHandler.PURPOSE_HEADER), asked);
    }
    List<String> to = q.parameters().getOrDefault("to", List.of());
    Set<PartyId> receivers = new LinkedHashSet<>();
    try {
      for (String t : to) {
        receivers.add(PartyId.parse(t));
      }
    } catch (IllegalArgumentException e) {
      return refuse(g, ctx, head, t0, resource, Problem.of(HttpResponseStatus.BAD_REQUEST, "MALFORMED_RECEIVER",
          "every 'to' must be a party id"), asked);
    }
    if (receivers.isEmpty() || receivers.size() > DatasetPush.MAX_RECEIVERS || receivers.size() != to.size()) {
      return refuse(g, ctx, head, t0, resource, Problem.of(HttpResponseStatus.BAD_REQUEST, "RECEIVERS_INVALID",
          "name 1 to " + DatasetPush.MAX_RECEIVERS + " distinct receivers with ?to=<party>"), asked);
    }
    if (receivers.contains(g.identity().party())) {
      return refuse(g, ctx, head, t0, resource, Problem.of(HttpResponseStatus.BAD_REQUEST, "RECEIVERS_INVALID",
          "a gateway does not push to its own party"), asked);
    }
    if (head.headers().contains(HttpHeaderNames.EXPECT)
        && !HttpHeaderValues.CONTINUE.contentEqualsIgnoreCase(head.headers().get(HttpHeaderNames.EXPECT))) {
      return refuse(g, ctx, head, t0, resource, DatasetPush.expectationFailed(), asked);
    }
    ctx.channel().config().setAutoRead(false);
    PushSender s = new PushSender(g, ctx, head, t0, app.get(), resource, purpose, format.get(), asked);
    ctx.channel().closeFuture().addListener(f -> s.inactive());
    for (PartyId p : receivers) {
      s.legs.add(s.new Leg(p));
    }
    java.util.concurrent.Executor stateCalls = g.stateCalls();
    if (stateCalls == null) {
      s.decideAll();
    } else {
      // with a remote shared state the decisions may wait for it: never on the event loop
      try {
        stateCalls.execute(() -> {
          s.decideAll();
        });
      } catch (java.util.concurrent.RejectedExecutionException e) {
        s.legs.forEach(l -> l.refused("STATE_UNAVAILABLE", null));
        s.connectAll();
      }
    }
    return s;
  }

  /** Refuses the push as a whole before its body is read: audited, answered, the connection closed. */
  private static DatasetPush.Session refuse(GatewayContext g, ChannelHandlerContext ctx, HttpRequest head, long t0,
      String resource, Problem p, Requested asked) {
    ExchangeEvent e = new ExchangeEvent(g.clock().instant(), "-", ExchangeEvent.Direction.REQUEST_OUT,
        g.identity().party().toString(), "-", ConsumerExchangeHandler.safe(resource), "-", "", false, List.of(),
        List.of(), List.of("PUSH", p.code()), "", Exchanges.digest(g, new byte[0]), 0, p.status().code(), p.code(),
        DatasetPush.elapsed(t0));
    DatasetPush.answer(g, ctx, head, asked.on(e), p.toResponse());
    return new DatasetPush.Drain(ctx);
  }

  /**
   * Decides every receiver (may run on a state worker), then, on the loop, applies the decisions and
   * opens the permitted receivers. The app may have gone meanwhile: a receiver it cut off keeps that
   * result (audited once), whatever its decision.
   */
  private void decideAll() {
    List<Runnable> decided = new ArrayList<>(legs.size());
    for (Leg l : legs) {
      decided.add(l.decide());
    }
    ctx.executor().execute(() -> {
      decided.forEach(Runnable::run);
      connectAll();
    });
  }

  private void connectAll() {
    for (Leg l : legs) {
      if (l.result == null) {
        connecting++;
        l.connect();
      }
    }
    if (connecting == 0) {
      begin();
    }
  }

  private void connected() {
    if (--connecting == 0) {
      begin();
    }
  }

  /** Every receiver is connected or out: the app's body is read now (or not at all if nobody takes it). */
  private void begin() {
    if (finished) {
      return;
    }
    begun = true;
    if (active() == 0) {
      finish();
      return;
    }
    DatasetPush.expectation(ctx, head);
    List<HttpContent> first = new ArrayList<>(early);
    early.clear();
    if (first.isEmpty()) {
      readApp();
    }
    for (HttpContent c : first) {
      content(c);
    }
  }

  private void releaseEarly() {
    early.forEach(ReferenceCountUtil::release);
    early.clear();
  }

  private int active() {
    int n = 0;
    for (Leg l : legs) {
      if (l.sending()) {
        n++;
      }
    }
    return n;
  }

  private int pendingWrites() {
    int n = 0;
    for (Leg l : legs) {
      n += l.pending;
    }
    return n;
  }

  /** Asks the app for the next piece, with a deadline for it to arrive. */
  private void readApp() {
    if (finished || bodyDone || reading) {
      return;
    }
    reading = true;
    long now = System.nanoTime();
    progress.waiting(now);
    armApp(now);
    ctx.read();
  }

  /**
   * While waiting for the app: the idle timeout (no piece for the request timeout) and the minimum
   * progress (docs/return-flow.md "Slow uploads"), whichever comes first.
   */
  private void armApp(long now) {
    long idle = g.limits().requestTimeout().toNanos();
    appTimer = ctx.executor().schedule(() -> {
      appTimer = null;
      if (finished || !reading) {
        return;
      }
      long t = System.nanoTime();
      switch (progress.check(t, idle)) {
        case IDLE -> abort("APP_TIMEOUT");
        case TOO_SLOW -> abort("APP_TOO_SLOW");
        case GOING -> armApp(t);
      }
    }, progress.nextCheck(now, idle), TimeUnit.NANOSECONDS);
  }

  @Override
  public void content(HttpContent c) {
    if (!begun && !finished) {
      early.add(c);
      return;
    }
    try {
      if (finished || bodyDone) {
        // answered early (every receiver out): the rest is dropped, up to a bound
        drained += c.content().readableBytes();
        if (drained > DatasetPush.MAX_DRAIN_BYTES) {
          ctx.close();
        }
        return;
      }
      reading = false;
      if (appTimer != null) {
        appTimer.cancel(false);
        appTimer = null;
      }
      if (!progress.arrived(System.nanoTime(), c.content().readableBytes())) {
        abort("APP_TOO_SLOW");
        return;
      }
      ByteBuf in = c.content();
      while (in.isReadable()) {
        int n = Math.min(in.readableBytes(), piece.length);
        in.readBytes(piece, 0, n);
        for (Leg l : legs) {
          l.feed(piece, 0, n);
        }
      }
      if (c instanceof LastHttpContent) {
        bodyDone = true;
        for (Leg l : legs) {
          l.end();
        }
      } else {
        for (Leg l : legs) {
          l.flush(false);
        }
      }
    } finally {
      c.release();
    }
    progress();
  }

  /** After a piece was handled or a write finished: read on, or answer once every receiver is done. */
  private void progress() {
    if (finished) {
      return;
    }
    if (!begun) {
      if (connecting == 0 && legs.stream().allMatch(l -> l.result != null)) {
        finish();
      }
      return;
    }
    if (legs.stream().allMatch(l -> l.result != null)) {
      finish();
      return;
    }
    if (active() == 0 && !bodyDone) {
      finish(); // nobody takes the rest: answered now, the connection closed
      return;
    }
    if (!bodyDone && pendingWrites() == 0) {
      readApp();
    }
  }

  @Override
  public void inactive() {
    abort("APP_CLOSED");
  }

  /** The app's side failed: every receiver still open is cut off (none gets a complete stream). */
  private void abort(String reason) {
    if (finished) {
      return;
    }
    finished = true;
    LOG.atWarn().addKeyValue("event", "dataset_push_interrupted").addKeyValue("resource", resource)
        .addKeyValue("reason", reason).log("data set push interrupted on the app's side; no receiver gets a complete stream");
    for (Leg l : legs) {
      if (l.result == null) {
        l.fail(reason);
      }
    }
    releaseEarly();
    g.inFlightDone();
    ctx.close();
  }

  /** Every receiver has its result: audited, then the app's answer. */
  private void finish() {
    if (finished) {
      return;
    }
    finished = true;
    releaseEarly();
    if (appTimer != null) {
      appTimer.cancel(false);
      appTimer = null;
    }
    for (Leg l : legs) {
      if (l.result == null) {
        l.fail("RECEIVER_ABANDONED");
      }
    }
    boolean close = !HttpUtil.isKeepAlive(head) || g.draining();
    CompletableFuture<?>[] audits = legs.stream().map(l -> l.audit).toArray(CompletableFuture<?>[]::new);
    CompletableFuture.allOf(audits).whenComplete((x, err) -> ctx.executor().execute(() -> {
      FullHttpResponse resp;
      if (err != null) {
        g.metrics().auditFailure();
        resp = Problem.of(HttpResponseStatus.SERVICE_UNAVAILABLE, "AUDIT_UNAVAILABLE",
            "the push could not be audited").toResponse();
      } else {
        ObjectNode o = DatasetPush.JSON.createObjectNode().put("resource", resource);
        ArrayNode a = o.putArray("results");
        legs.forEach(l -> a.add(java.util.Objects.requireNonNull(l.result).json()));
        byte[] b;
        try {
          b = DatasetPush.JSON.writeValueAsBytes(o);
        } catch (IOException e) {
          b = new byte[0];
        }
        resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.wrappedBuffer(b));
        resp.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
        resp.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, b.length);
      }
      boolean closing = close || err != null;
      if (closing) {
        resp.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      }
      g.inFlightDone();
      if (!ctx.channel().isActive()) {
        resp.release();
        return;
      }
      var wf = ctx.writeAndFlush(resp);
      if (closing) {
        wf.addListener(ChannelFutureListener.CLOSE);
      } else {
        ctx.channel().config().setAutoRead(true); // and the rest of a body answered early is dropped
      }
    }));
  }

  /** One receiver: its decision, its envelope, its connection, its result. */
  private final class Leg extends ChannelInboundHandlerAdapter {
    final PartyId to;
    @Nullable PartyCertificate cert;
    @Nullable URI gateway;
    @Nullable Verdict verdict;
    @Nullable Channel ch;
    @Nullable SealingStream sealing;
    @Nullable DatasetRecords records;
    final ByteBufOutput sealed = new ByteBufOutput(ctx.alloc());
    @Nullable Result result;
    /** Writes to this receiver not yet completed. */
    int pending;
    boolean ended;
    @Nullable ScheduledFuture<?> timer;
    @Nullable HttpResponse answerHead;
    @Nullable ByteBuf answerBody;
    CompletableFuture<Void> audit = CompletableFuture.completedFuture(null);

    Leg(PartyId to) {
      this.to = to;
    }

    /** Still being sent its envelope. */
    boolean sending() {
      return result == null && ch != null && !ended;
    }

    /**
     * Unknown receiver, incident, policy (may run on a state worker, so it changes nothing): returns
     * what applies the decision, to run on the loop; it does nothing once the leg has its result.
     */
    Runnable decide() {
      Optional<PartyCertificate> c = g.encryptionCertificate(to);
      Optional<URI> gw = g.pushReceiver(to);
      if (c.isEmpty() || gw.isEmpty()) {
        return unlessDone(() -> refused("UNKNOWN_RECEIVER", null));
      }
      Problem incident = Exchanges.incident(g.incidents(), resource, to, g.identity().party());
      if (incident != null) {
        return unlessDone(() -> refused(incident.code(), null));
      }
      Verdict v;
      try {
        v = g.policy().decidePush(to, resource, purpose);
      } catch (RuntimeException e) {
        v = Verdict.deny("POLICY_ERROR", "the policy failed", "");
      }
      Verdict decided = v;
      if (!v.isPermit()) {
        return unlessDone(() -> refused(decided.reasons().isEmpty() ? "DENIED" : decided.reasons().get(0), decided));
      }
      return unlessDone(() -> {
        verdict = decided;
        cert = c.get();
        gateway = gw.get();
      });
    }

    private Runnable unlessDone(Runnable apply) {
      return () -> {
        if (result == null) {
          apply.run();
        }
      };
    }

    /** Starts the envelope and opens the connection to the receiver's gateway (on the loop). */
    void connect() {
      Verdict v = java.util.Objects.requireNonNull(verdict);
      SealingStream s;
      try {
        s = g.sealer().sealingStream(SealRequest.builder()
            .recipient(java.util.Objects.requireNonNull(cert))
            .resource(resource)
            .purpose(purpose)
            .contentType(format.mediaType())
            .build(), sealed);
      } catch (EnvelopeException | IOException | RuntimeException e) {
        sealed.discard();
        done(new Result(to.toString(), "REFUSED", "NOT_SEALABLE", null, 0, null), 403);
        connected();
        return;
      }
      sealing = s;
      records = DatasetRecords.forVerdict(format, v, s);
      URI target = java.util.Objects.requireNonNull(gateway).resolve(DatasetPush.PEER_PATH);
      g.peerPool().openStream(ctx.channel().eventLoop(), target, to, this).addListener(f -> {
        if (!f.isSuccess()) {
          BackendPool.UpstreamException ue = f.cause() instanceof BackendPool.UpstreamException
              ? (BackendPool.UpstreamException) f.cause() : null;
          fail(ue != null && ue.isPeerMismatch() ? "RECEIVER_MISMATCH" : "RECEIVER_UNAVAILABLE");
          connected();
          return;
        }
        Channel c = (Channel) f.getNow();
        if (result != null || finished) {
          c.close();
          connected();
          return;
        }
        ch = c;
        DefaultHttpRequest out = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, target.getRawPath());
        out.headers().set(HttpHeaderNames.HOST, target.getHost() + ":" + (target.getPort() > 0 ? target.getPort() : 443));
        out.headers().set(HttpHeaderNames.CONTENT_TYPE, ProviderDatasetStream.MEDIA_TYPE);
        out.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        out.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        c.write(out);
        c.read(); // an early refusal by the receiving gateway is seen while sending
        flush(false);
        connected();
      });
    }

    void feed(byte[] b, int off, int len) {
      if (!sending()) {
        return;
      }
      DatasetRecords rs = java.util.Objects.requireNonNull(records);
      try {
        rs.feed(b, off, len);
        if (rs.releasedBytes() > maxBytes) {
          fail("TOO_LARGE");
        }
      } catch (DatasetRecords.DatasetException e) {
        LOG.atWarn().addKeyValue("event", "dataset_record_refused").addKeyValue("resource", resource)
            .addKeyValue("receiver", to.toString()).addKeyValue("reason", e.code()).addKeyValue("records", rs.records())
            .log("data set push stopped for a receiver: a record cannot be released to it");
        fail(e.code());
      } catch (IOException | RuntimeException e) {
        fail("NOT_SEALABLE");
      }
    }

    /** Writes what was sealed since the last call; with {@code last} the terminating chunk too. */
    void flush(boolean last) {
      Channel c = ch;
      if (c == null || result != null) {
        return;
      }
      ByteBuf b = sealed.take();
      if (b == null && !last) {
        return;
      }
      HttpContent chunk = last ? (b == null ? LastHttpContent.EMPTY_LAST_CONTENT : new io.netty.handler.codec.http.DefaultLastHttpContent(b))
          : new DefaultHttpContent(b);
      pending++;
      if (timer == null) {
        timer = receiverTimeout();
      }
      c.writeAndFlush(chunk).addListener(f -> {
        pending--;
        if (!f.isSuccess() && result == null) {
          fail("RECEIVER_UNAVAILABLE");
        } else if (pending == 0 && !ended && timer != null) {
          timer.cancel(false);
          timer = null;
        } else if (pending == 0 && ended && result == null) {
          awaitAnswer();
        }
        progress();
      });
    }

    /** The app's body ended: the last segment and the signature go out; the receiver's answer is awaited. */
    void end() {
      if (!sending()) {
        return;
      }
      try {
        java.util.Objects.requireNonNull(records).end();
        java.util.Objects.requireNonNull(sealing).finish();
      } catch (DatasetRecords.DatasetException e) {
        fail(e.code());
        return;
      } catch (IOException | RuntimeException e) {
        fail("NOT_SEALABLE");
        return;
      }
      if (java.util.Objects.requireNonNull(records).releasedBytes() > maxBytes) {
        fail("TOO_LARGE");
        return;
      }
      // ended first: the end's write may complete at once, and its answer must still be awaited
      ended = true;
      flush(true);
    }

    /**
     * The end is written: the receiver's answer is awaited for at most the backend timeout (a
     * receiving gateway that never answers must not hold the push, and the app, for ever).
     */
    private void awaitAnswer() {
      if (timer != null) {
        timer.cancel(false);
      }
      timer = receiverTimeout();
    }

    /** Cuts this receiver off ({@code RECEIVER_TIMEOUT}) unless cancelled within the backend timeout. */
    private ScheduledFuture<?> receiverTimeout() {
      return ctx.executor().schedule(() -> {
        timer = null;
        if (result == null) {
          fail("RECEIVER_TIMEOUT");
          progress();
        }
      }, g.limits().backendTimeout().toNanos(), TimeUnit.NANOSECONDS);
    }

    @Override
    public void channelRead(ChannelHandlerContext c, Object msg) {
      try {
        if (result != null) {
          return;
        }
        if (msg instanceof HttpResponse) {
          answerHead = (HttpResponse) msg;
          answerBody = c.alloc().buffer(256);
        }
        ByteBuf body = answerBody;
        if (msg instanceof HttpContent && body != null) {
          ByteBuf in = ((HttpContent) msg).content();
          body.writeBytes(in, Math.min(in.readableBytes(), Math.max(0, MAX_ANSWER_BYTES - body.readableBytes())));
          if (msg instanceof LastHttpContent) {
            answered();
            return;
          }
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
      if (result == null) {
        c.read();
      }
    }

    /** The receiving gateway answered: its verdict on the whole stream (or an early refusal). */
    private void answered() {
      HttpResponse h = java.util.Objects.requireNonNull(answerHead);
      ByteBuf body = java.util.Objects.requireNonNull(answerBody);
      answerBody = null;
      FullHttpResponse full = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, h.status(), body);
      full.headers().set(h.headers());
      try {
        int status = h.status().code();
        if (status == 200 && ended && pending == 0) {
          String got = receivedDigest(full);
          byte[] sent = java.util.Objects.requireNonNull(sealing).payloadDigest();
          String label = StreamDigest.label(g, sent);
          long bytes = java.util.Objects.requireNonNull(records).releasedBytes();
          String id = java.util.Objects.requireNonNull(sealing).header().id().toString();
          closeLeg();
          done(label.equals(got) ? new Result(to.toString(), "DELIVERED", "OK", id, bytes, label)
              : new Result(to.toString(), "FAILED", "DIGEST_MISMATCH", id, bytes, label), sent, status);
        } else {
          fail(status == 200 ? "RECEIVER_ANSWERED_EARLY" : Exchanges.providerProblem(full).code(), status);
        }
      } finally {
        full.release();
      }
      progress();
    }

    @Override
    public void channelInactive(ChannelHandlerContext c) {
      if (result == null && c.channel() == ch) {
        fail("RECEIVER_UNAVAILABLE");
        progress();
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext c, Throwable cause) {
      c.close();
    }

    private void closeLeg() {
      if (timer != null) {
        timer.cancel(false);
        timer = null;
      }
      if (answerBody != null) {
        answerBody.release();
        answerBody = null;
      }
      if (ch != null) {
        ch.close();
      }
    }

    void fail(String code) {
      fail(code, 502);
    }

    /** Cut off: no terminating chunk reaches the receiver, so its backend never sees a complete request. */
    void fail(String code, int status) {
      if (result != null) {
        return;
      }
      closeLeg();
      sealed.discard();
      if (sealing != null) {
        sealing.close();
      }
      LOG.atWarn().addKeyValue("event", "dataset_push_failed").addKeyValue("resource", resource)
          .addKeyValue("receiver", to.toString()).addKeyValue("reason", code)
          .log("data set push to a receiver failed; it gets no complete stream");
      DatasetRecords rs = records;
      SealingStream s = sealing;
      long bytes = rs == null ? 0 : rs.releasedBytes();
      done(new Result(to.toString(), "FAILED", code, s == null ? null : s.header().id().toString(), bytes, null),
          s == null ? Exchanges.digest(g, new byte[0]) : s.payloadDigest(), status);
    }

    /** Nothing is sent to this receiver. */
    void refused(String code, @Nullable Verdict v) {
      verdict = v;
      LOG.atWarn().addKeyValue("event", "dataset_push_refused").addKeyValue("resource", resource)
          .addKeyValue("receiver", to.toString()).addKeyValue("reason", code)
          .log("data set push refused for a receiver; nothing sent to it");
      done(new Result(to.toString(), "REFUSED", code, null, 0, null), code.equals("UNKNOWN_RECEIVER") ? 404 : 403);
    }

    private void done(Result r, int status) {
      done(r, Exchanges.digest(g, new byte[0]), status);
    }

    /** The result, audited (the app's answer waits for every record). */
    private void done(Result r, byte[] d, int status) {
      result = r;
      Verdict v = verdict;
      boolean ok = r.status().equals("DELIVERED");
      SealingStream s = sealing;
      ExchangeEvent e = new ExchangeEvent(g.clock().instant(), s == null ? "-" : s.header().id().toString(),
          ExchangeEvent.Direction.REQUEST_OUT, g.identity().party().toString(), to.toString(), resource, purpose, "",
          v != null && v.isPermit(), v == null ? List.of() : v.ruleIds(), v == null ? List.of() : v.obligations(),
          ok ? List.of("PUSH") : List.of("PUSH", r.code()), v == null ? "" : v.policyVersion(), d, r.bytes(), status,
          ok ? "OK" : r.code(), DatasetPush.elapsed(t0));
      if (s != null) {
        e = e.withTransfer(new ExchangeEvent.Transfer(records == null ? -1 : records.records(), s.segments(), ok));
      }
      e = asked.on(e);
      g.metrics().exchange(e);
      try {
        audit = g.auditor().record(e);
      } catch (RuntimeException ex) {
        audit = CompletableFuture.failedFuture(ex);
      }
      if (ok) {
        LOG.atInfo().addKeyValue("event", "dataset_pushed").addKeyValue("resource", resource)
            .addKeyValue("receiver", to.toString()).addKeyValue("envelope_id", r.envelopeId())
            .addKeyValue("bytes", r.bytes()).log("data set pushed");
      }
    }
  }

  private static @Nullable String receivedDigest(FullHttpResponse resp) {
    try {
      JsonNode n = DatasetPush.JSON.readTree(ByteBufUtil.getBytes(resp.content()));
      JsonNode d = n == null ? null : n.get("digest");
      return d == null || !d.isTextual() ? null : d.asText();
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }
}
