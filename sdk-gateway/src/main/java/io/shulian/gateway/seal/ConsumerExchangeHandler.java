package io.shulian.gateway.seal;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.shulian.core.catalog.Endpoint;
import io.shulian.core.catalog.EndpointMatch;
import io.shulian.core.catalog.RequestTarget;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.shulian.core.envelope.EnvelopeException;
import io.shulian.core.envelope.OpenedEnvelope;
import io.shulian.core.envelope.SealRequest;
import io.shulian.core.envelope.SealedEnvelope;
import io.shulian.gateway.audit.ExchangeEvent;
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
 * Consumer role: {@code <METHOD> /exchange/<resource>/<path>} from a department app, with
 * {@code X-Shulian-Purpose} (and optionally {@code X-Shulian-Grant}). Authenticates the app,
 * confines the target ({@link RequestTarget}: nothing that could leave the resource is sealed),
 * resolves the provider, checks the endpoint when the catalog is known, seals the request, sends it
 * over mutual TLS, opens the response envelope and returns the response with
 * {@code X-Shulian-Envelope-Id}. Every outcome is audited with the app, method and path.
 */
@ChannelHandler.Sharable
public final class ConsumerExchangeHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
  static final String PREFIX = "/exchange/";
  public static final String API_KEY_HEADER = "X-Api-Key";
  public static final String PURPOSE_HEADER = "X-Shulian-Purpose";
  public static final String GRANT_HEADER = "X-Shulian-Grant";
  public static final String ENVELOPE_ID_HEADER = "X-Shulian-Envelope-Id";
  public static final String REQUEST_ENVELOPE_ID_HEADER = "X-Shulian-Request-Envelope-Id";

  /** A provider's {@code Allow} list passed on with its 405: methods only. */
  private static final java.util.regex.Pattern ALLOW_VALUE = java.util.regex.Pattern.compile("[A-Z]{1,16}(, ?[A-Z]{1,16}){0,15}");
  private static final java.util.regex.Pattern TRACEPARENT =
      java.util.regex.Pattern.compile("[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}");

  private final GatewayContext g;

  /**
   * The handler that takes streamed data set pushes (docs/return-flow.md "Push") on the app
   * listener ({@code peer} false) or the peer listener; one per connection, in front of the
   * exchange handler.
   */
  public static io.netty.channel.ChannelHandler pushInbound(GatewayContext g, boolean peer) {
    return new DatasetPush.Inbound(g, peer);
  }

  /** Whether a request head is a push whose body is streamed, not aggregated, on that listener. */
  public static boolean pushStreamed(io.netty.handler.codec.http.HttpRequest r, boolean peer) {
    return DatasetPush.streamed(r, peer);
  }

  public ConsumerExchangeHandler(GatewayContext g) {
    this.g = g;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
    long t0 = System.nanoTime();
    g.inFlightStarted();
    String method = req.method().name();
    String uri = req.uri();
    Optional<String> app = g.apiKeys().authenticate(req.headers().get(API_KEY_HEADER));
    if (app.isEmpty()) {
      refuse(ctx, req, t0, "-", Problem.of(HttpResponseStatus.UNAUTHORIZED, "UNKNOWN_APP",
          "missing or unknown " + API_KEY_HEADER), new Requested("", safe(method), Requested.excerpt(uri)));
      return;
    }
    if (uri.startsWith(DatasetPush.PREFIX)) {
      // pushes are POSTs, streamed past this handler (DatasetPush.Inbound); anything else is no route
      refuse(ctx, req, t0, "-", Problem.of(HttpResponseStatus.NOT_FOUND, "NOT_FOUND",
          "data sets are pushed with POST /dataset-push/<resource>?to=<party>"),
          new Requested(app.get(), safe(method), Requested.excerpt(uri)));
      return;
    }
    // parse once, at the edge: the whole target must be confined and normal before anything is read from it
    RequestTarget full;
    try {
      full = RequestTarget.parse(uri);
    } catch (IllegalArgumentException e) {
      String written = writtenResource(uri);
      refuse(ctx, req, t0, written, Requested.badTarget(e),
          new Requested(app.get(), safe(method), Requested.excerpt(afterResource(uri, written))));
      return;
    }
    if (full.segments().size() < 2 || !(full.rawSegment(0).equals("exchange") || full.rawSegment(0).equals("dataset"))
        || full.rawSegment(1).isEmpty()) {
      refuse(ctx, req, t0, "-", Problem.of(HttpResponseStatus.NOT_FOUND, "NOT_FOUND",
          "requests go to /exchange/<resource>/<path> (data sets: /dataset/<resource>/<path>)"),
          new Requested(app.get(), safe(method), Requested.excerpt(uri)));
      return;
    }
    // a data set is streamed back (docs/return-flow.md); the provider refuses a mismatch either way
    boolean dataset = full.rawSegment(0).equals("dataset");
    String resource = full.rawSegment(1);
    RequestTarget target = full.below(2);
    Requested asked = new Requested(app.get(), safe(method), Requested.excerpt(target.path()));
    Optional<Route> route = g.route(resource);
    if (route.isEmpty()) {
      refuse(ctx, req, t0, resource, Problem.of(HttpResponseStatus.NOT_FOUND, "UNKNOWN_RESOURCE",
          "no provider serves resource '" + safe(resource) + "' in the city catalog"), asked);
      return;
    }
    // the bureau's incident actions: a suspended consumer or provider, a frozen resource (checked again by the provider)
    Problem incident = Exchanges.incident(g.incidents(), resource, g.identity().party(), route.get().provider());
    if (incident != null) {
      refuse(ctx, req, t0, resource, incident, asked);
      return;
    }
    if (route.get().endpoints().isPresent()) {
      // the provider gateway checks again; refusing here keeps undeclared requests off the network
      EndpointMatch m = EndpointMatch.find(route.get().endpoints().get(), method, target);
      if (!m.matched()) {
        refuse(ctx, req, t0, resource, Requested.notDeclared(m, method, resource), asked);
        return;
      }
    } else if (!Endpoint.METHODS.contains(method)) {
      // without the catalog, still never carry a method no endpoint can declare (PROPFIND, TRACE, CONNECT ...)
      refuse(ctx, req, t0, resource, Requested.notDeclared(EndpointMatch.find(List.of(), method, target), method, resource),
          asked);
      return;
    }
    String purpose = req.headers().get(PURPOSE_HEADER);
    if (purpose == null || purpose.isEmpty()) {
      refuse(ctx, req, t0, resource, Problem.of(HttpResponseStatus.BAD_REQUEST, "PURPOSE_REQUIRED",
          "every request must state its purpose in " + PURPOSE_HEADER), asked);
      return;
    }
    String grant = req.headers().get(GRANT_HEADER);
    // an app continuing a data set it has the first bytes of (docs/return-flow.md "Resume by the app")
    ConsumerDatasetStream.AppResume appResume = null;
    String resumeFrom = req.headers().get(ConsumerDatasetStream.AppResume.HEADER);
    if (dataset && resumeFrom != null) {
      Optional<ConsumerDatasetStream.AppResume> ar = ConsumerDatasetStream.AppResume.parse(resumeFrom);
      if (ar.isEmpty() || req.headers().getAll(ConsumerDatasetStream.AppResume.HEADER).size() != 1) {
        refuse(ctx, req, t0, resource, Problem.of(HttpResponseStatus.BAD_REQUEST, "RESUME_MALFORMED",
            ConsumerDatasetStream.AppResume.HEADER + " must be <envelope id>;bytes=<n>;sha256=<base64url>"), asked);
        return;
      }
      appResume = ar.get();
    }
    List<Map.Entry<String, String>> headers = new ArrayList<>();
    req.headers().forEach(h -> {
      // only the gateway itself asks for the continuation of a cut data set transfer
      if (!h.getKey().equalsIgnoreCase(ResumableTransfers.RESUME_HEADER)
          && !h.getKey().equalsIgnoreCase(ConsumerDatasetStream.AppResume.HEADER)) {
        headers.add(Map.entry(h.getKey(), h.getValue()));
      }
    });
    HttpPayload payload;
    SealRequest request;
    Span exchange = Span.getInvalid();
    try {
      payload = HttpPayload.request(method, target.toString(), appResume == null ? headers
          : withHeader(headers, ResumableTransfers.RESUME_HEADER, appResume.continuation()), ByteBufUtil.getBytes(req.content()));
      SealRequest.Builder sr = SealRequest.builder()
          .recipient(route.get().encryptionCertificate())
          .resource(resource)
          .purpose(purpose)
          .contentType(HttpPayload.MEDIA_TYPE)
          .grantRef(grant == null ? null : Grants.reference(grant));
      String tp = req.headers().get("traceparent");
      // the exchange's span, under the app's trace; its context is sealed into the signed header
      exchange = g.tracing().start("shulian.consumer.exchange", SpanKind.SERVER,
          tp != null && TRACEPARENT.matcher(tp).matches() ? tp : null);
      exchange.setAttribute("shulian.resource", resource);
      sr.traceparent(Tracing.traceparent(exchange));
      request = sr.build();
    } catch (IllegalArgumentException e) {
      Tracing.end(exchange, "MALFORMED_REQUEST");
      refuse(ctx, req, t0, resource, malformed(e), asked);
      return;
    }
    Route r = route.get();
    ConsumerDatasetStream.AppResume resumeAsked = appResume;
    Span span = exchange;
    Span seal = g.tracing().child(span, "shulian.seal", SpanKind.INTERNAL);
    req.retain();
    g.sealBatcher().seal(ctx.channel().eventLoop(), request, payload.encode(), (sealed, err) -> {
      Tracing.end(seal, err == null ? null : "NOT_SEALABLE");
      if (err != null) {
        Tracing.end(span, "NOT_SEALABLE");
      }
      try {
        if (err instanceof IllegalArgumentException) {
          refuse(ctx, req, t0, resource, malformed((IllegalArgumentException) err), asked);
        } else if (err instanceof EnvelopeException
            && ((EnvelopeException) err).reason() == EnvelopeException.Reason.TOO_LARGE) {
          refuse(ctx, req, t0, resource,
              Problem.of(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "TOO_LARGE", "the request body is too large"), asked);
        } else if (err != null) {
          String code = err instanceof EnvelopeException ? ((EnvelopeException) err).code() : "NOT_SEALABLE";
          refuse(ctx, req, t0, resource, Problem.of(HttpResponseStatus.INTERNAL_SERVER_ERROR, code,
              "the request cannot be sealed for this provider"), asked);
        } else if (dataset) {
          req.retain();
          new ConsumerDatasetStream(g, ctx, req, r, sealed,
              (status, outcome) -> event(t0, sealed, payload, asked, status, outcome),
              (response, outcome) -> finish(ctx, req, t0, sealed, payload, asked, response, outcome, null),
              continuation -> g.sealer().seal(request, HttpPayload.request(payload.method(), payload.target(),
                  withHeader(headers, ResumableTransfers.RESUME_HEADER, continuation), payload.body()).encode()),
              resumeAsked)
              .start();
        } else {
          send(ctx, req, t0, r, sealed, payload, asked, span);
        }
      } finally {
        req.release();
      }
    });
  }

  private static List<Map.Entry<String, String>> withHeader(List<Map.Entry<String, String>> headers, String name,
      String value) {
    List<Map.Entry<String, String>> out = new ArrayList<>(headers);
    out.add(Map.entry(name, value));
    return out;
  }

    private static Problem malformed(IllegalArgumentException e) {
    return Problem.of(HttpResponseStatus.BAD_REQUEST, "MALFORMED_REQUEST", "the request cannot be sealed: " + e.getMessage());
  }

  /** Sends the sealed request to the provider gateway and handles its answer. */
  private void send(ChannelHandlerContext ctx, FullHttpRequest req, long t0, Route r, SealedEnvelope sealed,
      HttpPayload payload, Requested asked, Span span) {
    URI endpoint = r.endpoint().resolve(Exchanges.EXCHANGE_PATH);
    byte[] env = sealed.toByteArray();
    FullHttpRequest out = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, endpoint.getRawPath(),
        Unpooled.wrappedBuffer(env));
    out.headers().set(HttpHeaderNames.CONTENT_TYPE, Exchanges.ENVELOPE_MEDIA_TYPE);
    out.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, env.length);
    req.retain();
    g.peerPool().send(ctx.channel().eventLoop(), endpoint, r.provider(), out, true).addListener(f -> {
      Tracing.end(span, f.isSuccess() ? null : "PROVIDER_UNAVAILABLE");
      try {
        if (!f.isSuccess()) {
          BackendPool.UpstreamException ue = f.cause() instanceof BackendPool.UpstreamException
              ? (BackendPool.UpstreamException) f.cause() : null;
          Problem p = ue != null && ue.isTimeout()
              ? Problem.of(HttpResponseStatus.GATEWAY_TIMEOUT, "PROVIDER_TIMEOUT", "the provider gateway did not answer in time")
              : ue != null && ue.isPeerMismatch()
              ? Problem.of(HttpResponseStatus.BAD_GATEWAY, "PROVIDER_MISMATCH",
                  "the gateway at the provider's endpoint is not the provider of this resource")
              : Problem.of(HttpResponseStatus.BAD_GATEWAY, "PROVIDER_UNAVAILABLE", "the provider gateway cannot be reached");
          finish(ctx, req, t0, sealed, payload, asked, p.toResponse(), p.code(), null);
          return;
        }
        @SuppressWarnings("unchecked")
        FullHttpResponse resp = (FullHttpResponse) f.getNow();
        try {
          onProviderResponse(ctx, req, t0, sealed, payload, asked, resp);
        } finally {
          resp.release();
        }
      } finally {
        req.release();
      }
    });
  }

  private void onProviderResponse(ChannelHandlerContext ctx, FullHttpRequest req, long t0, SealedEnvelope sealed,
      HttpPayload payload, Requested asked, FullHttpResponse resp) {
    String ct = resp.headers().get(HttpHeaderNames.CONTENT_TYPE, "");
    if (resp.status().code() != 200 || !ct.startsWith(Exchanges.ENVELOPE_MEDIA_TYPE)) {
      // the provider refused: pass on its status and code, in our own words
      FullHttpResponse pass = Exchanges.providerProblem(resp).toResponse();
      String allow = resp.headers().get(HttpHeaderNames.ALLOW);
      if (pass.status().code() == 405 && allow != null && ALLOW_VALUE.matcher(allow).matches()) {
        pass.headers().set(HttpHeaderNames.ALLOW, allow);
      }
      pass.headers().set(REQUEST_ENVELOPE_ID_HEADER, sealed.header().id().toString());
      finish(ctx, req, t0, sealed, payload, asked, pass, "PROVIDER_REFUSED_" + resp.status().code(), null);
      return;
    }
    OpenedEnvelope opened;
    // under the exchange's span, whose context the request envelope carries
    Span open = g.tracing().start("shulian.open", SpanKind.INTERNAL, sealed.header().traceparent().orElse(null));
    try {
      opened = g.opener().open(ByteBufUtil.getBytes(resp.content()));
      Tracing.end(open, null);
    } catch (EnvelopeException e) {
      Tracing.end(open, e.code());
      Problem p = Problem.of(HttpResponseStatus.BAD_GATEWAY, "BAD_RESPONSE_ENVELOPE",
          "the provider's response envelope was rejected");
      finish(ctx, req, t0, sealed, payload, asked, p.toResponse(), "RESPONSE_" + e.code(), null);
      return;
    }
    if (!opened.header().correlationId().map(sealed.header().id()::equals).orElse(false)
        || !opened.header().sender().equals(sealed.header().receiver())) {
      Problem p = Problem.of(HttpResponseStatus.BAD_GATEWAY, "BAD_RESPONSE_ENVELOPE",
          "the provider's response does not answer this request");
      finish(ctx, req, t0, sealed, payload, asked, p.toResponse(), "RESPONSE_MISMATCH", null);
      return;
    }
    HttpPayload r;
    try {
      r = HttpPayload.parse(opened.payload(), false);
    } catch (IllegalArgumentException e) {
      Problem p = Problem.of(HttpResponseStatus.BAD_GATEWAY, "BAD_RESPONSE_ENVELOPE", "the provider's response is malformed");
      finish(ctx, req, t0, sealed, payload, asked, p.toResponse(), "RESPONSE_MALFORMED", null);
      return;
    }
    FullHttpResponse out = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(r.status()),
        Unpooled.wrappedBuffer(r.body()));
    for (Map.Entry<String, String> h : r.headers()) {
      out.headers().add(h.getKey(), h.getValue());
    }
    out.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, r.body().length);
    out.headers().set(ENVELOPE_ID_HEADER, opened.header().id().toString());
    out.headers().set(REQUEST_ENVELOPE_ID_HEADER, sealed.header().id().toString());
    finish(ctx, req, t0, sealed, payload, asked, out, "OK", r.body());
  }

  /** Audits the exchange, then answers; {@code released} is the response body the app gets, null if none. */
  private void finish(ChannelHandlerContext ctx, FullHttpRequest req, long t0, SealedEnvelope sealed, HttpPayload payload,
      Requested asked, FullHttpResponse response, String outcome, byte @Nullable [] released) {
    ExchangeEvent e = event(t0, sealed, payload, asked, response.status().code(), outcome);
    if (released != null) {
      e = e.withResponse(Exchanges.digest(g, released), released.length);
    }
    // under the exchange's span, whose context the request envelope carries
    Exchanges.auditThenRespond(g, ctx, req, e, response, sealed.header().traceparent().orElse(null));
  }

  /** The audit event of an exchange whose request was sealed, before any response is added. */
  private ExchangeEvent event(long t0, SealedEnvelope sealed, HttpPayload payload, Requested asked, int status,
      String outcome) {
    var h = sealed.header();
    ExchangeEvent e = new ExchangeEvent(g.clock().instant(), h.id().toString(), ExchangeEvent.Direction.REQUEST_OUT,
        h.sender().toString(), h.receiver().toString(), h.resource(), h.purpose(), h.grantRef().orElse(""),
        "OK".equals(outcome), List.of(), List.of(), "OK".equals(outcome) ? List.of() : List.of(outcome), "",
        Exchanges.digest(g, payload.body()), payload.body().length, status, outcome,
        Duration.ofNanos(System.nanoTime() - t0));
    return asked.on(e);
  }

  private void refuse(ChannelHandlerContext ctx, FullHttpRequest req, long t0, String resource, Problem p, Requested asked) {
    ExchangeEvent e = new ExchangeEvent(g.clock().instant(), "-", ExchangeEvent.Direction.REQUEST_OUT,
        g.identity().party().toString(), "-", safe(resource), safe(String.valueOf(req.headers().get(PURPOSE_HEADER))),
        "", false, List.of(), List.of(), List.of(p.code()), "", Exchanges.digest(g, new byte[0]),
        req.content().readableBytes(), p.status().code(), p.code(), Duration.ofNanos(System.nanoTime() - t0));
    Exchanges.auditThenRespond(g, ctx, req, asked.on(e), p.toResponse());
  }

  /** The resource segment as written in a refused target ({@code -} if there is none), for the audit record. */
  static String writtenResource(String uri) {
    if (!uri.startsWith(PREFIX)) {
      return "-";
    }
    int end = PREFIX.length();
    while (end < uri.length() && uri.charAt(end) != '/' && uri.charAt(end) != '?') {
      end++;
    }
    return safe(uri.substring(PREFIX.length(), end));
  }

  /** What follows the resource segment of a refused target, or all of it if it has no resource segment. */
  static String afterResource(String uri, String resource) {
    String prefix = PREFIX + resource;
    return uri.startsWith(prefix) ? uri.substring(prefix.length()) : uri;
  }

  static String safe(String s) {
    if (s == null) {
      return "-";
    }
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length() && i < 64; i++) {
      char c = s.charAt(i);
      b.append(c >= 0x21 && c < 0x7f && c != '"' ? c : '?');
    }
    return b.length() == 0 ? "-" : b.toString();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }
}
