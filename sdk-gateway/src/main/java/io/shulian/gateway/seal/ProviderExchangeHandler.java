package io.shulian.gateway.seal;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AttributeKey;
import io.shulian.core.catalog.EndpointMatch;
import io.shulian.core.catalog.RequestTarget;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.shulian.core.envelope.EnvelopeException;
import io.shulian.core.envelope.EnvelopeHeader;
import io.shulian.core.envelope.OpenedEnvelope;
import io.shulian.core.envelope.SealRequest;
import io.shulian.core.envelope.SenderMismatchException;
import io.shulian.core.keys.PartyCertificate;
import io.shulian.core.party.PartyId;
import io.shulian.gateway.audit.ExchangeEvent;
import io.shulian.gateway.authorize.UnmaskableResponseException;
import io.shulian.gateway.authorize.Verdict;
import io.shulian.gateway.forward.BackendPool;
import io.shulian.gateway.inbound.Problem;
import io.shulian.gateway.ops.Tracing;
import io.shulian.gateway.pipeline.GatewayContext;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Provider role: {@code POST /shulian/v1/exchange} from a peer gateway over mutual TLS. Opens the
 * envelope (signature, receiver, expiry, the TLS peer is the envelope's sender, then replay),
 * confines the sealed request target and matches it against the endpoints declared for the
 * resource (whatever the consumer gateway checked), decides policy on the endpoint's action,
 * forwards to the backend over a pooled connection, applies the masking obligations to the
 * response, seals it back to the sender and audits before releasing it.
 */
@ChannelHandler.Sharable
public final class ProviderExchangeHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ProviderExchangeHandler.class);
  /** The party the TLS peer's certificate speaks for, set after the handshake. */
  public static final AttributeKey<PartyId> PEER = AttributeKey.valueOf("shulian.peer");

  private final GatewayContext g;
  /** Data set transfers that may be continued (docs/return-flow.md "Resume"). */
  private final ResumableTransfers resumable;

  public ProviderExchangeHandler(GatewayContext g) {
    this.g = g;
    this.resumable = new ResumableTransfers(g.clock());
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
    long t0 = System.nanoTime();
    g.inFlightStarted();
    java.util.concurrent.Executor stateCalls = g.stateCalls();
    if (stateCalls == null) {
      admit(ctx, req, t0);
      return;
    }
    // the shared state is remote (Redis): opening (replay check) and the policy decision (grant
    // uses, rate limits) wait for it, so they run off the event loop, which meanwhile serves others
    req.retain();
    try {
      stateCalls.execute(() -> {
        try {
          admit(ctx, req, t0);
        } catch (RuntimeException e) {
          LOG.atWarn().addKeyValue("event", "exchange_failed").addKeyValue("error", e.getClass().getSimpleName())
              .log("exchange failed before it reached the backend; connection closed");
          ctx.close();
        } finally {
          req.release();
        }
      });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // every state worker busy and the queue full: the shared state does not keep up, fail closed
      try {
        refuse(ctx, req, t0, null, String.valueOf(ctx.channel().attr(PEER).get()), Problem.of(
            HttpResponseStatus.SERVICE_UNAVAILABLE, "STATE_UNAVAILABLE",
            "the shared state does not keep up; nothing was opened or released"), "STATE_BUSY");
      } finally {
        req.release();
      }
    }
  }

  /** Checks the peer, opens the envelope and decides policy (may wait for the shared state), then forwards. */
  private void admit(ChannelHandlerContext ctx, FullHttpRequest req, long t0) {
    PartyId peer = ctx.channel().attr(PEER).get();
    if (peer == null) {
      refuse(ctx, req, t0, null, "-", Problem.of(HttpResponseStatus.UNAUTHORIZED, "PEER_UNKNOWN",
          "a client certificate of the city trust is required"), null);
      return;
    }
    if (!g.peerStillTrusted(ctx.channel())) {
      // revoked (or its trust gone stale) since the handshake: refused before the envelope is
      // opened; closeUntrustedPeers, which runs right after every trust swap, closes the connection
      refuse(ctx, req, t0, null, peer.toString(), Problem.of(HttpResponseStatus.FORBIDDEN, "PEER_UNTRUSTED",
          "the client certificate is no longer trusted"), null);
      return;
    }
    // (a data set pushed down by an upper-level gateway is streamed past this handler: DatasetPush.Inbound)
    if (req.method() != HttpMethod.POST || !req.uri().equals(Exchanges.EXCHANGE_PATH)) {
      refuse(ctx, req, t0, null, peer.toString(), Problem.of(HttpResponseStatus.NOT_FOUND, "NOT_FOUND",
          "envelopes are posted to " + Exchanges.EXCHANGE_PATH), null);
      return;
    }
    // a suspended sender is refused before its envelope is opened (it takes no replay slot)
    Problem suspended = Exchanges.incident(g.incidents(), null, peer, g.identity().party());
    if (suspended != null) {
      refuse(ctx, req, t0, null, peer.toString(), suspended, null);
      return;
    }
    OpenedEnvelope opened;
    try {
      // The TLS peer must be the envelope's sender, checked inside open before the envelope's id
      // takes its replay slot: an envelope copied in transit and posted by another party is refused
      // without using it up, and the genuine sender can still deliver it (once).
      opened = g.requestOpener().open(ByteBufUtil.getBytes(req.content()), peer);
    } catch (SenderMismatchException e) {
      refuse(ctx, req, t0, e.header(), peer.toString(), Exchanges.problemFor(e), null);
      return;
    } catch (EnvelopeException e) {
      refuse(ctx, req, t0, null, peer.toString(), Exchanges.problemFor(e), e.code(), Requested.NONE,
          Exchanges.notReplicated(e) ? List.of("STATE_NOT_REPLICATED") : List.of());
      return;
    }
    EnvelopeHeader h = opened.header();
    // the bundle may have changed while the envelope was opened: decide on the incidents held now
    Problem incident = Exchanges.incident(g.incidents(), h.resource(), h.sender(), g.identity().party());
    if (incident != null) {
      refuse(ctx, req, t0, h, peer.toString(), incident, null);
      return;
    }
    HttpPayload inner;
    try {
      inner = HttpPayload.parse(opened.payload(), true);
    } catch (IllegalArgumentException e) {
      refuse(ctx, req, t0, h, peer.toString(), Problem.of(HttpResponseStatus.BAD_REQUEST, "MALFORMED_REQUEST",
          "the sealed request is not a valid message/http request"), null);
      return;
    }
    // never trust the peer's gateway: the opened target is confined and matched again, here
    RequestTarget target;
    try {
      target = RequestTarget.parse(inner.target());
    } catch (IllegalArgumentException e) {
      refuse(ctx, req, t0, h, peer.toString(), Requested.badTarget(e), null,
          new Requested("", inner.method(), Requested.excerpt(inner.target())));
      return;
    }
    Requested asked = new Requested("", inner.method(), target.path());
    EndpointMatch m = EndpointMatch.find(g.endpoints(h.resource()), inner.method(), target);
    if (!m.matched()) {
      refuse(ctx, req, t0, h, peer.toString(), Requested.notDeclared(m, inner.method(), h.resource()), null, asked);
      return;
    }
    // the endpoint, not the consumer, says what is done: a write is decided as 'write', never as a query
    String action = m.endpoint().orElseThrow().actionFor(inner.header(HttpPayload.ACTION_HEADER));
    if (action == null) {
      refuse(ctx, req, t0, h, peer.toString(), Problem.of(HttpResponseStatus.BAD_REQUEST, "ACTION_NOT_ALLOWED",
          "this endpoint does not serve the action asked for"), null, asked);
      return;
    }
    // a data set travels only as a stream, and only a data set does (docs/return-flow.md)
    Optional<io.shulian.core.catalog.DatasetFormat> dataset = g.dataset(h.resource());
    boolean streamAsked = ProviderDatasetStream.MEDIA_TYPE.equals(req.headers().get(HttpHeaderNames.ACCEPT));
    if (dataset.isPresent() != streamAsked) {
      refuse(ctx, req, t0, h, peer.toString(), dataset.isPresent()
          ? Problem.of(HttpResponseStatus.NOT_ACCEPTABLE, "DATASET_REQUIRES_STREAM",
              "resource " + h.resource() + " is a data set: ask for it at /dataset/" + h.resource() + "/...")
          : Problem.of(HttpResponseStatus.NOT_ACCEPTABLE, "NOT_A_DATASET",
              "resource " + h.resource() + " is not a data set: ask for it at /exchange/" + h.resource() + "/..."),
          null, asked);
      return;
    }
    // the exchange's span, under the trace context of the opened, signature-checked envelope header
    Span span = g.tracing().start("shulian.provider.exchange", SpanKind.SERVER, h.traceparent().orElse(null));
    span.setAttribute("shulian.resource", h.resource());
    Span policy = g.tracing().child(span, "shulian.policy", SpanKind.INTERNAL);
    Verdict v = g.policy().decide(h, action, inner.header(HttpPayload.GRANT_HEADER));
    Tracing.end(policy, v.isPermit() ? null : "DENIED");
    if (!v.isPermit()) {
      Tracing.end(span, "DENIED");
      // a continuation is decided anew (a grant revoked since stops it) and audited as one
      refuse(ctx, req, t0, h, peer.toString(), Exchanges.denied(v.reasons()), v, asked,
          inner.header(ResumableTransfers.RESUME_HEADER) == null ? List.of() : List.of("CONTINUATION"));
      return;
    }
    if (ctx.channel().eventLoop().inEventLoop()) {
      forward(ctx, req, t0, peer, h, v, asked, inner, target, dataset, span);
      return;
    }
    // back on the connection's event loop for the backend call, sealing and the answer
    req.retain();
    try {
      ctx.channel().eventLoop().execute(() -> {
        try {
          forward(ctx, req, t0, peer, h, v, asked, inner, target, dataset, span);
        } finally {
          req.release();
        }
      });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // the event loop is shutting down: nothing is forwarded (the connection goes with it)
      Tracing.end(span, "SHUTTING_DOWN");
      req.release();
    }
  }

  /** Forwards an admitted exchange to the backend and answers it; on the connection's event loop. */
  private void forward(ChannelHandlerContext ctx, FullHttpRequest req, long t0, PartyId peer, EnvelopeHeader h,
      Verdict v, Requested asked, HttpPayload inner, RequestTarget target,
      Optional<io.shulian.core.catalog.DatasetFormat> dataset, Span span) {
    Optional<URI> backend = g.backend(h.resource());
    if (backend.isEmpty()) {
      Tracing.end(span, "UNKNOWN_RESOURCE");
      refuse(ctx, req, t0, h, peer.toString(), Problem.of(HttpResponseStatus.NOT_FOUND, "UNKNOWN_RESOURCE",
          "this gateway does not serve resource " + h.resource()), v, asked);
      return;
    }
    Optional<PartyCertificate> replyTo = g.encryptionCertificate(h.sender());
    if (replyTo.isEmpty()) {
      Tracing.end(span, "UNKNOWN_CONSUMER");
      refuse(ctx, req, t0, h, peer.toString(), Problem.of(HttpResponseStatus.FORBIDDEN, "UNKNOWN_CONSUMER",
          "no encryption certificate is known for the sender"), v, asked);
      return;
    }
    // a continuation of a cut data set transfer: the same envelope, for the same consumer and request
    String resumeAsked = inner.header(ResumableTransfers.RESUME_HEADER);
    ResumableTransfers.Asked transfer = ResumableTransfers.asked(h.sender(), h.resource(), h.purpose(), inner.method(),
        target.toString(), inner.header(HttpPayload.GRANT_HEADER));
    ProviderDatasetStream.Resume resume = null;
    if (resumeAsked != null) {
      Optional<ResumableTransfers.Continuation> c = dataset.isPresent()
          ? ResumableTransfers.Continuation.parse(resumeAsked) : Optional.empty();
      ResumableTransfers.Result found = c.isEmpty()
          ? ResumableTransfers.refused("RANGE_INVALID", "the continuation asked for is malformed")
          : resumable.find(c.get(), transfer);
      io.shulian.core.envelope.StreamResumption r = found.resumption();
      Problem no = found.problem();
      if (no != null || r == null || c.isEmpty()) {
        Tracing.end(span, "RESUME_REFUSED");
        Problem p = java.util.Objects.requireNonNull(no);
        List<String> codes = new java.util.ArrayList<>();
        codes.add("CONTINUATION");
        p.reasons().forEach(x -> codes.add(x.code()));
        refuse(ctx, req, t0, h, peer.toString(), p, null, asked, codes);
        return;
      }
      resume = new ProviderDatasetStream.Resume(r, c.get().fromSegment());
    }
    URI base = backend.get();
    String path = stripTrailingSlashes(base.getRawPath()) + target;
    FullHttpRequest out = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(inner.method()), path,
        Unpooled.wrappedBuffer(inner.body()));
    for (Map.Entry<String, String> e : inner.headers()) {
      if (!e.getKey().equals(HttpPayload.GRANT_HEADER) && !e.getKey().equals(HttpPayload.ACTION_HEADER)
          && !e.getKey().equals(ResumableTransfers.RESUME_HEADER)) {
        out.headers().add(e.getKey(), e.getValue());
      }
    }
    out.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, inner.body().length);
    out.headers().set("X-Shulian-Consumer", h.sender().toString());
    out.headers().set("X-Shulian-Purpose", h.purpose());
    out.headers().set("X-Shulian-Envelope-Id", h.id().toString());
    Span upstream = g.tracing().child(span, "shulian.backend", SpanKind.CLIENT);
    String tp = Tracing.traceparent(upstream);
    if (tp != null) {
      out.headers().set("traceparent", tp);
    }
    if (dataset.isPresent()) {
      Tracing.end(upstream, null);
      Tracing.end(span, null);
      ExchangeEvent started = asked.on(event(h, h.sender().toString(), v, Exchanges.digest(g, inner.body()),
          inner.body().length, 200, "OK", List.of(), t0));
      req.retain();
      new ProviderDatasetStream(g, ctx, h, v, replyTo.get(), dataset.get(), started,
          (p, reason) -> refuse(ctx, req, t0, h, peer.toString(), p, reason == null ? v : reason, asked),
          req::release, resume, r -> resumable.started(r, transfer)).start(base, out);
      return;
    }
    req.retain();
    g.backendPool().send(ctx.channel().eventLoop(), base, out, false).addListener(f -> {
      Tracing.end(upstream, f.isSuccess() ? null : "BACKEND_UNAVAILABLE");
      try {
        if (!f.isSuccess()) {
          BackendPool.UpstreamException ue = f.cause() instanceof BackendPool.UpstreamException
              ? (BackendPool.UpstreamException) f.cause() : null;
          Problem p = ue != null && ue.isTimeout()
              ? Problem.of(HttpResponseStatus.GATEWAY_TIMEOUT, "BACKEND_TIMEOUT", "the provider system did not answer in time")
              : Problem.of(HttpResponseStatus.BAD_GATEWAY, "BACKEND_UNAVAILABLE", "the provider system cannot be reached");
          refuse(ctx, req, t0, h, peer.toString(), p, v, asked);
          return;
        }
        FullHttpResponse resp = (FullHttpResponse) f.getNow();
        try {
          respond(ctx, req, t0, h, v, asked, replyTo.get(), resp, inner, span);
        } finally {
          resp.release();
        }
      } finally {
        Tracing.end(span, null);
        req.release();
      }
    });
  }

  private void respond(ChannelHandlerContext ctx, FullHttpRequest req, long t0, EnvelopeHeader h, Verdict v,
      Requested asked, PartyCertificate replyTo, FullHttpResponse resp, HttpPayload request, Span span) {
    byte[] body = ByteBufUtil.getBytes(resp.content());
    String ct = resp.headers().get(HttpHeaderNames.CONTENT_TYPE, "").toLowerCase(java.util.Locale.ROOT);
    boolean json = ct.startsWith("application/json") || ct.contains("+json");
    List<Map.Entry<String, String>> headers = new ArrayList<>();
    int status = resp.status().code();
    if (v.hasObligations()) {
      if (!json && body.length > 0) {
        // obligations name fields of JSON records; anything else cannot be masked, so it is not released
        unmaskable(ctx, req, t0, h, v, asked, status, ct, "NOT_JSON");
        return;
      }
      if (body.length > 0) {
        // Any JSON body passes the masker, whatever the status: error bodies can carry records too.
        Span mask = g.tracing().child(span, "shulian.mask", SpanKind.INTERNAL);
        try {
          body = v.responseFilter().apply(body);
          Tracing.end(mask, null);
        } catch (UnmaskableResponseException e) {
          Tracing.end(mask, e.code());
          unmaskable(ctx, req, t0, h, v, asked, status, ct, e.code());
          return;
        } catch (RuntimeException e) {
          Tracing.end(mask, "MASKING_FAILED");
          unmaskable(ctx, req, t0, h, v, asked, status, ct, "MASKING_FAILED");
          return;
        }
        // The masker writes UTF-8 JSON; parameters of the backend's type are not carried.
        headers.add(Map.entry("content-type", maskedContentType(ct)));
      }
      // Headers such as Location, ETag or Last-Modified can carry record data that no mask reaches.
    } else {
      resp.headers().forEach(e -> headers.add(Map.entry(e.getKey(), e.getValue())));
    }
    if (status < 200 || status > 299) {
      logBackendStatus(h, status, ct, true, "-");
    }
    HttpPayload payload = HttpPayload.response(resp.status().code(), headers, body);
    SealRequest reply;
    try {
      reply = SealRequest.builder()
          .recipient(replyTo)
          .resource(h.resource())
          .purpose(h.purpose())
          .classification(h.classification())
          .contentType(HttpPayload.MEDIA_TYPE)
          .correlationId(h.id())
          // the answer carries the provider's span, signed like the request's traceparent
          .traceparent(Tracing.traceparent(span))
          .build();
    } catch (IllegalArgumentException e) {
      notSealable(ctx, req, t0, h, v, asked);
      return;
    }
    byte[] released = body;
    req.retain();
    g.sealBatcher().seal(ctx.channel().eventLoop(), reply, payload.encode(), (sealed, err) -> {
      try {
        if (err != null) {
          notSealable(ctx, req, t0, h, v, asked);
          return;
        }
        // the request record carries the request's payload, the response record what was released
        ExchangeEvent e = asked.on(event(h, h.sender().toString(), v, Exchanges.digest(g, request.body()),
            request.body().length, status, "OK", List.of(), t0)).withResponse(Exchanges.digest(g, released), released.length);
        Exchanges.auditThenRespond(g, ctx, req, e, Exchanges.envelopeResponse(sealed.toByteArray()),
            Tracing.traceparent(span));
      } finally {
        req.release();
      }
    });
  }

  /**
   * Refuses a backend body the obligations cannot be applied to; nothing of it is released. A
   * success (2xx) is {@code 502 UNMASKABLE_RESPONSE}; any other backend status is passed on as the
   * typed problem {@link #backendProblem} says, without the body. Audited with the masker's reason
   * code and logged once.
   */
  private void unmaskable(ChannelHandlerContext ctx, FullHttpRequest req, long t0, EnvelopeHeader h, Verdict v,
      Requested asked, int backendStatus, String contentType, String code) {
    boolean success = backendStatus >= 200 && backendStatus <= 299;
    Problem p = success
        ? Problem.of(HttpResponseStatus.BAD_GATEWAY, "UNMASKABLE_RESPONSE",
            "the provider system's response cannot be masked as the policy requires")
        : backendProblem(backendStatus);
    if (success) {
      LOG.atWarn().addKeyValue("event", "unmaskable_response").addKeyValue("envelope_id", h.id().toString())
          .addKeyValue("resource", h.resource()).addKeyValue("backend_status", backendStatus)
          .addKeyValue("content_type", logSafe(contentType)).addKeyValue("reason", code)
          .log("backend response not released: it cannot be masked as the policy requires");
    } else {
      logBackendStatus(h, backendStatus, contentType, false, code);
    }
    ExchangeEvent e = asked.on(event(h, h.sender().toString(), v, Exchanges.digest(g, new byte[0]),
        req.content().readableBytes(), p.status().code(), p.code(), List.of(p.code(), code), t0));
    Exchanges.auditThenRespond(g, ctx, req, e, p.toResponse());
  }

  /**
   * What a backend status that is not a success becomes when its body is not released: 404 stays
   * {@code 404 BACKEND_NOT_FOUND}; other client errors keep their status as {@code BACKEND_REJECTED},
   * except 401 and 407 (the gateway's own access to the backend failed, which no consumer can fix);
   * those, 1xx, 3xx (redirects are not followed) and every 5xx are {@code 502 BACKEND_ERROR}. The
   * backend's status is the {@code backendStatus} member.
   */
  static Problem backendProblem(int backendStatus) {
    Problem p;
    if (backendStatus == 404) {
      p = Problem.of(HttpResponseStatus.NOT_FOUND, "BACKEND_NOT_FOUND", "the provider system has no such record");
    } else if (backendStatus >= 400 && backendStatus <= 499 && backendStatus != 401 && backendStatus != 407) {
      p = Problem.of(HttpResponseStatus.valueOf(backendStatus), "BACKEND_REJECTED",
          "the provider system refused the request with status " + backendStatus);
    } else {
      p = Problem.of(HttpResponseStatus.BAD_GATEWAY, "BACKEND_ERROR",
          "the provider system answered with status " + backendStatus);
    }
    return p.withMember("backendStatus", backendStatus);
  }

  /** Logs, once per exchange, a backend answer that is not a success (warn for 5xx, info otherwise). */
  private static void logBackendStatus(EnvelopeHeader h, int status, String contentType, boolean bodyReleased, String reason) {
    (status >= 500 ? LOG.atWarn() : LOG.atInfo()).addKeyValue("event", "backend_status")
        .addKeyValue("envelope_id", h.id().toString()).addKeyValue("resource", h.resource())
        .addKeyValue("backend_status", status).addKeyValue("content_type", logSafe(contentType))
        .addKeyValue("body_released", bodyReleased).addKeyValue("reason", reason)
        .log("backend answered {}", status);
  }

  /** A backend-supplied header value fit for a log line: printable ASCII, at most 64 characters. */
  private static String logSafe(String s) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length() && i < 64; i++) {
      char c = s.charAt(i);
      b.append(c >= 0x20 && c < 0x7f ? c : '?');
    }
    return b.length() == 0 ? "-" : b.toString();
  }

  private static final java.util.regex.Pattern JSON_SUFFIX_TYPE =
      java.util.regex.Pattern.compile("application/[a-z0-9.+-]{1,64}\\+json");

  /** Returns the media type of a JSON response without parameters, or application/json. */
  static String maskedContentType(String ct) {
    int semi = ct.indexOf(';');
    String type = (semi < 0 ? ct : ct.substring(0, semi)).trim().toLowerCase(java.util.Locale.ROOT);
    return JSON_SUFFIX_TYPE.matcher(type).matches() ? type : "application/json";
  }

  private void notSealable(ChannelHandlerContext ctx, FullHttpRequest req, long t0, EnvelopeHeader h, Verdict v,
      Requested asked) {
    refuse(ctx, req, t0, h, h.sender().toString(), Problem.of(HttpResponseStatus.BAD_GATEWAY, "RESPONSE_NOT_SEALABLE",
        "the response cannot be sealed for the consumer"), v, asked);
  }

  private ExchangeEvent event(@Nullable EnvelopeHeader h, String peer, @Nullable Verdict v, byte[] digest, long bytes, int status,
      String outcome, List<String> reasons, long t0) {
    return new ExchangeEvent(g.clock().instant(), h == null ? "-" : h.id().toString(), ExchangeEvent.Direction.REQUEST_IN,
        h == null ? peer : h.sender().toString(), g.identity().party().toString(), h == null ? "-" : h.resource(),
        h == null ? "-" : h.purpose(), h == null ? "" : h.grantRef().orElse(""), v != null && v.isPermit() && "OK".equals(outcome),
        v == null ? List.of() : v.ruleIds(), v == null || !"OK".equals(outcome) ? List.of() : v.obligations(),
        reasons, v == null ? "" : v.policyVersion(), digest, bytes, status, outcome,
        Duration.ofNanos(System.nanoTime() - t0));
  }

  private void refuse(ChannelHandlerContext ctx, FullHttpRequest req, long t0, @Nullable EnvelopeHeader h, String peer,
      Problem p, @Nullable Object why) {
    refuse(ctx, req, t0, h, peer, p, why, Requested.NONE);
  }

  private void refuse(ChannelHandlerContext ctx, FullHttpRequest req, long t0, @Nullable EnvelopeHeader h, String peer,
      Problem p, @Nullable Object why, Requested asked) {
    refuse(ctx, req, t0, h, peer, p, why, asked, List.of());
  }

  private void refuse(ChannelHandlerContext ctx, FullHttpRequest req, long t0, @Nullable EnvelopeHeader h, String peer,
      Problem p, @Nullable Object why, Requested asked, List<String> codes) {
    java.util.Set<String> reasons = new java.util.LinkedHashSet<>(codes);
    if (why instanceof String) {
      reasons.add((String) why);
    } else if (why instanceof Verdict && !((Verdict) why).isPermit()) {
      reasons.addAll(((Verdict) why).reasons());
    }
    if (reasons.isEmpty()) {
      reasons.add(p.code());
    }
    Verdict v = why instanceof Verdict ? (Verdict) why : null;
    ExchangeEvent e = event(h, peer, v, Exchanges.digest(g, new byte[0]), req.content().readableBytes(), p.status().code(),
        p.code(), List.copyOf(reasons), t0);
    Exchanges.auditThenRespond(g, ctx, req, asked.on(e), p.toResponse());
  }

  static String stripTrailingSlashes(String p) {
    int end = p.length();
    while (end > 0 && p.charAt(end - 1) == '/') {
      end--;
    }
    return p.substring(0, end);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }
}
