package io.shulian.gateway.seal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.shulian.core.catalog.DatasetFormat;
import io.shulian.core.envelope.EnvelopeException;
import io.shulian.core.envelope.EnvelopeHeader;
import io.shulian.core.envelope.SealRequest;
import io.shulian.core.envelope.SealingStream;
import io.shulian.core.envelope.StreamResumption;
import io.shulian.core.keys.PartyCertificate;
import io.shulian.gateway.audit.AccessLog;
import io.shulian.gateway.audit.ExchangeEvent;
import io.shulian.gateway.authorize.Verdict;
import io.shulian.gateway.inbound.Problem;
import io.shulian.gateway.pipeline.GatewayContext;
import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Provider role, for a resource delivered as a data set (docs/return-flow.md): streams the
 * backend's response through record-by-record masking ({@link DatasetRecords}) into a framed
 * envelope ({@link SealingStream}) whose segments go out as the chunked body of the answer to the
 * peer gateway as soon as they are sealed.
 *
 * <p><b>Backpressure.</b> The backend connection has auto-read off and is read again only after
 * what the last piece produced was written to the peer connection: a slow consumer slows the
 * backend read, and what is held is one record, one segment and one socket read.
 *
 * <p><b>Fail closed.</b> Before the response head is sent, every failure is an ordinary refusal
 * (status, problem, audit). After it, a failure (backend cut off, a record that cannot be masked,
 * the limit, a timeout, an unwritable audit) abandons the envelope and closes the peer connection
 * without the terminating chunk: the consumer gateway never sees a last segment or a signature,
 * so nothing is ever presented as complete. One audit record per transfer, written before the
 * terminating chunk leaves; an interrupted transfer is audited as {@code STREAM_INTERRUPTED}.
 *
 * <p>Confined to the event loop of the inbound peer connection (the backend connection is opened
 * on the same loop).
 */
final class ProviderDatasetStream extends UpstreamRelay {
  private static final Logger LOG = LoggerFactory.getLogger(ProviderDatasetStream.class);
  /** Media type of a streamed framed envelope between gateways. */
  static final String MEDIA_TYPE = "application/shulian-framed";

  /** A continuation of a cut transfer: its envelope and the first segment to send. */
  record Resume(StreamResumption resumption, long fromSegment) {}

  /** How the handler refuses before anything was streamed (audited, answered, in-flight released). */
  interface Refusal {
    void refuse(Problem p, @Nullable String reason);
  }

  private final GatewayContext g;
  private final ChannelHandlerContext peer;
  private final EnvelopeHeader request;
  private final Verdict verdict;
  private final PartyCertificate replyTo;
  private final DatasetFormat format;
  private final ExchangeEvent started;
  private final Refusal refusal;
  private final Runnable onDone;
  private final @Nullable Resume resume;
  private final java.util.function.Consumer<StreamResumption> onStarted;
  private final long maxBytes;
  private final ByteBufOutput sealed;
  private final byte[] piece = new byte[16384];
  private @Nullable SealingStream sealing;
  private @Nullable DatasetRecords records;

  /**
   * @param started the audit event of this exchange as it stands (request digest, verdict, what was asked);
   *     its status and outcome are set when the transfer ends
   */
  ProviderDatasetStream(GatewayContext g, ChannelHandlerContext peer, EnvelopeHeader request, Verdict verdict,
      PartyCertificate replyTo, DatasetFormat format, ExchangeEvent started, Refusal refusal, Runnable onDone,
      @Nullable Resume resume, java.util.function.Consumer<StreamResumption> onStarted) {
    super(peer.executor(), g.limits().backendTimeout());
    this.onDone = onDone;
    this.resume = resume;
    this.onStarted = onStarted;
    this.g = g;
    this.peer = peer;
    this.request = request;
    this.verdict = verdict;
    this.replyTo = replyTo;
    this.format = format;
    this.started = started;
    this.refusal = refusal;
    this.maxBytes = g.opener().maxStreamPayloadBytes();
    this.sealed = new ByteBufOutput(peer.alloc());
  }

  /** Opens the backend connection, sends {@code out} (released here) and starts reading. */
  void start(URI base, FullHttpRequest out) {
    peer.channel().closeFuture().addListener(f -> interrupt("CONSUMER_CLOSED"));
    g.backendPool().openStream(peer.channel().eventLoop(), base, null, this).addListener(f -> {
      if (!f.isSuccess()) {
        ReferenceCountUtil.release(out);
        fail(Problem.of(HttpResponseStatus.BAD_GATEWAY, "BACKEND_UNAVAILABLE", "the provider system cannot be reached"),
            null);
        return;
      }
      Channel ch = (Channel) f.getNow();
      upstream = ch;
      if (done) {
        ReferenceCountUtil.release(out);
        ch.close();
        return;
      }
      out.headers().set(HttpHeaderNames.HOST, base.getHost() + ":" + (base.getPort() > 0 ? base.getPort() : 80));
      out.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      ch.writeAndFlush(out).addListener(w -> {
        if (!w.isSuccess()) {
          fail(Problem.of(HttpResponseStatus.BAD_GATEWAY, "BACKEND_UNAVAILABLE", "the provider system cannot be reached"),
              null);
        }
      });
      readMore();
    });
  }

  @Override
  void timedOut() {
    if (!headSent) {
      fail(Problem.of(HttpResponseStatus.GATEWAY_TIMEOUT, "BACKEND_TIMEOUT", "the provider system did not answer in time"),
          null);
    } else {
      interrupt("BACKEND_TIMEOUT");
    }
  }

  @Override
  void onMessage(Object msg) {
    if (msg instanceof HttpResponse) {
      head((HttpResponse) msg);
    }
    if (!done && msg instanceof HttpContent) {
      content((HttpContent) msg);
    }
  }

  private void head(HttpResponse r) {
    if (r.decoderResult().isFailure()) {
      fail(Problem.of(HttpResponseStatus.BAD_GATEWAY, "BACKEND_ERROR", "the provider system sent a malformed response"),
          null);
      return;
    }
    int status = r.status().code();
    String ct = r.headers().get(HttpHeaderNames.CONTENT_TYPE, "").toLowerCase(Locale.ROOT);
    if (status < 200 || status > 299) {
      // as for an ordinary resource under masking: the status is passed on, never the body
      LOG.atInfo().addKeyValue("event", "backend_status").addKeyValue("envelope_id", request.id().toString())
          .addKeyValue("resource", request.resource()).addKeyValue("backend_status", status)
          .addKeyValue("body_released", false).log("backend answered {} for a data set", status);
      fail(ProviderExchangeHandler.backendProblem(status), null);
      return;
    }
    if (!matches(format, ct)) {
      LOG.atWarn().addKeyValue("event", "dataset_format_mismatch").addKeyValue("envelope_id", request.id().toString())
          .addKeyValue("resource", request.resource()).addKeyValue("format", format.wireName())
          .log("backend data set is not of the declared format: not released");
      fail(Problem.of(HttpResponseStatus.BAD_GATEWAY, "DATASET_FORMAT_MISMATCH",
          "the provider system's data set is not of the format the catalog declares"), "NOT_" + format.name());
      return;
    }
    SealRequest reply;
    try {
      reply = SealRequest.builder()
          .recipient(replyTo)
          .resource(request.resource())
          .purpose(request.purpose())
          .classification(request.classification())
          .contentType(format.mediaType())
          .correlationId(request.id())
          // valid as long as it can be continued: an app may resume it from a fresh opener (docs/return-flow.md)
          .ttl(ResumableTransfers.RETENTION)
          .build();
      // every data set envelope can be continued after a cut (the same envelope, docs/return-flow.md)
      SealingStream s = resume == null ? g.sealer().resumableSealingStream(reply, sealed)
          : g.sealer().resumeSealingStream(resume.resumption(), resume.fromSegment(), sealed);
      sealing = s;
      if (resume == null) {
        s.resumption().ifPresent(onStarted);
      }
      records = DatasetRecords.forVerdict(format, verdict, s);
    } catch (IllegalStateException e) {
      // another stream of the envelope is open, or it was destroyed meanwhile
      sealed.discard();
      fail(Problem.of(HttpResponseStatus.CONFLICT, List.of(
          new Problem.Reason("RESUME_REFUSED", "the transfer cannot be continued"),
          new Problem.Reason("RESUME_IN_PROGRESS", "the transfer is still being sent; ask again when it stopped")),
          "the transfer cannot be continued now"), "RESUME_IN_PROGRESS");
      return;
    } catch (EnvelopeException | IOException | IllegalArgumentException e) {
      sealed.discard();
      fail(Problem.of(HttpResponseStatus.BAD_GATEWAY, "RESPONSE_NOT_SEALABLE",
          "the response cannot be sealed for the consumer"), null);
      return;
    }
    DefaultHttpResponse out = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    out.headers().set(HttpHeaderNames.CONTENT_TYPE, MEDIA_TYPE);
    out.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
    out.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    headSent = true;
    peer.write(out);
    flushSealed(false);
  }

  /** Whether a backend content type is the declared format's (parameters ignored). */
  static boolean matches(DatasetFormat f, String contentType) {
    int semi = contentType.indexOf(';');
    String t = (semi < 0 ? contentType : contentType.substring(0, semi)).trim();
    return f == DatasetFormat.CSV ? t.equals("text/csv")
        : t.equals("application/jsonl") || t.equals("application/x-ndjson") || t.equals("application/x-jsonlines")
            || t.equals("application/jsonlines") || t.equals("application/json-lines");
  }

  private void content(HttpContent c) {
    DatasetRecords rs = java.util.Objects.requireNonNull(records);
    SealingStream s = java.util.Objects.requireNonNull(sealing);
    ByteBuf in = c.content();
    try {
      while (in.isReadable()) {
        int n = Math.min(in.readableBytes(), piece.length);
        in.readBytes(piece, 0, n);
        rs.feed(piece, 0, n);
        if (rs.releasedBytes() > maxBytes) {
          interrupt("TOO_LARGE");
          return;
        }
      }
      if (c instanceof LastHttpContent) {
        rs.end();
        if (rs.releasedBytes() > maxBytes) {
          interrupt("TOO_LARGE");
          return;
        }
        s.finish();
        complete();
        return;
      }
    } catch (DatasetRecords.DatasetException e) {
      LOG.atWarn().addKeyValue("event", "dataset_record_refused").addKeyValue("envelope_id", request.id().toString())
          .addKeyValue("resource", request.resource()).addKeyValue("reason", e.code())
          .addKeyValue("records", rs.records()).log("data set stopped: a record cannot be released");
      interrupt(e.code());
      return;
    } catch (StreamResumption.MismatchException e) {
      // the backend's data changed since the segments sent before: never sealed again differently
      LOG.atWarn().addKeyValue("event", "dataset_resume_mismatch").addKeyValue("envelope_id", s.header().id().toString())
          .addKeyValue("resource", request.resource()).addKeyValue("segment", e.segment())
          .log("data set continuation stopped: the backend's data differs from what was sent before");
      interrupt("RESUME_DATA_CHANGED");
      return;
    } catch (IOException | RuntimeException e) {
      interrupt("RESPONSE_NOT_SEALABLE");
      return;
    }
    flushSealed(true);
  }

  /** Writes what was sealed since the last call; reads on from the backend once it is written. */
  private void flushSealed(boolean thenRead) {
    ByteBuf b = sealed.take();
    if (b == null) {
      peer.flush();
      if (thenRead) {
        readMore();
      }
      return;
    }
    peer.writeAndFlush(new DefaultHttpContent(b)).addListener(f -> {
      if (!f.isSuccess()) {
        interrupt("CONSUMER_CLOSED");
      } else if (thenRead || !done) {
        readMore();
      }
    });
  }

  /** The envelope is finished: audit, then the terminating chunk (nothing is complete before the audit). */
  private void complete() {
    done = true;
    onDone.run();
    closeUpstream();
    ByteBuf last = sealed.take();
    if (last != null) {
      peer.write(new DefaultHttpContent(last));
    }
    peer.flush();
    DatasetRecords rs = java.util.Objects.requireNonNull(records);
    SealingStream s = java.util.Objects.requireNonNull(sealing);
    ExchangeEvent e = ended(200, "OK", resume == null ? List.of() : List.of("CONTINUATION"), true);
    LOG.atInfo().addKeyValue("event", "dataset_sent").addKeyValue("envelope_id", s.header().id().toString())
        .addKeyValue("resource", request.resource()).addKeyValue("records", rs.records())
        .addKeyValue("bytes", rs.releasedBytes()).addKeyValue("segments", s.segments()).log("data set streamed");
    java.util.concurrent.CompletableFuture<Void> f;
    try {
      f = g.auditor().record(e).thenCombine(g.stateDurable(), (a, b) -> null);
    } catch (RuntimeException ex) {
      f = java.util.concurrent.CompletableFuture.failedFuture(ex);
    }
    g.metrics().exchange(e);
    f.whenComplete((ok, err) -> peer.executor().execute(() -> {
      g.inFlightDone();
      if (err != null) {
        g.metrics().auditFailure();
        AccessLog.answered(e, 503, "AUDIT_UNAVAILABLE");
        peer.close(); // no terminating chunk: the consumer cannot take the stream as complete
        return;
      }
      AccessLog.answered(e, 200, "OK");
      peer.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(ChannelFutureListener.CLOSE);
    }));
  }

  private ExchangeEvent ended(int status, String outcome, List<String> reasons, boolean complete) {
    DatasetRecords rs = records;
    SealingStream s = sealing;
    ExchangeEvent e = new ExchangeEvent(started.time, started.envelopeId, started.direction, started.sender,
        started.receiver, started.resource, started.purpose, started.grantId, started.permitted,
        started.ruleIds, started.obligations, reasons, started.policyVersion, started.payloadDigest, started.payloadBytes,
        status, outcome, java.time.Duration.between(started.time, g.clock().instant()))
        .withRequest(started.app, started.method, started.path);
    if (rs != null && s != null) {
      e = e.withResponse(s.payloadDigest(), rs.releasedBytes())
          .withTransfer(new ExchangeEvent.Transfer(rs.records(), s.segments(), complete));
    }
    return e;
  }

  /** Refuses before the head was sent. */
  private void fail(Problem p, @Nullable String reason) {
    if (done) {
      return;
    }
    if (headSent) {
      interrupt(reason == null ? p.code() : reason);
      return;
    }
    done = true;
    disarm();
    closeUpstream();
    if (sealing != null) {
      sealing.close();
    }
    try {
      if (peer.channel().isActive()) {
        refusal.refuse(p, reason);
      } else {
        g.inFlightDone();
      }
    } finally {
      onDone.run();
    }
  }

  /** Cuts the transfer off after the head was sent: no terminating chunk, audited as interrupted. */
  private void interrupt(String reason) {
    if (done) {
      return;
    }
    if (!headSent) {
      fail(Problem.of(HttpResponseStatus.BAD_GATEWAY, "BACKEND_ERROR", "the provider system's response was cut off"),
          reason);
      return;
    }
    done = true;
    disarm();
    closeUpstream();
    java.util.Objects.requireNonNull(sealing).close();
    sealed.discard();
    peer.close();
    ExchangeEvent e = ended(200, "STREAM_INTERRUPTED", resume == null ? List.of("STREAM_INTERRUPTED", reason)
        : List.of("STREAM_INTERRUPTED", reason, "CONTINUATION"), false);
    LOG.atWarn().addKeyValue("event", "dataset_interrupted").addKeyValue("envelope_id", request.id().toString())
        .addKeyValue("resource", request.resource()).addKeyValue("reason", reason)
        .addKeyValue("bytes", e.responseBytes).log("data set transfer interrupted; the consumer gets no complete stream");
    auditInterrupted(g, e);
    onDone.run();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (!done) {
      interrupt("BACKEND_CLOSED");
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (!done) {
      interrupt("BACKEND_ERROR");
    }
    ctx.close();
  }
}
