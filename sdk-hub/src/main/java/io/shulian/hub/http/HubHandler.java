package io.shulian.hub.http;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.shulian.core.keys.Suite;
import io.shulian.core.party.PartyId;
import io.shulian.gateway.authenticate.GatewayTls;
import io.shulian.gateway.authenticate.PeerVerifier;
import io.shulian.gateway.config.ConfigLoader;
import io.shulian.gateway.inbound.Problem;
import io.shulian.hub.access.Operators;
import io.shulian.hub.access.RateLimiter;
import io.shulian.hub.apply.CaseRoutes;
import io.shulian.hub.apply.Desk;
import io.shulian.hub.bundle.BundleBoard;
import io.shulian.hub.bundle.Publisher;
import io.shulian.hub.store.PublishedBundle;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.jspecify.annotations.Nullable;

/**
 * The hub's HTTPS API, one request at a time per connection:
 *
 * <pre>
 * GET  /v1/bundle/{intl|gm}[?after=N&amp;wait=30s]   department (city-CA client certificate) or operator
 * POST /v1/admin/bundle/{intl|gm}                  operator, role security-officer; body: the JWS
 * /v1/applications…, /v1/objections…, GET /v1/openapi.yaml   see {@link CaseRoutes}
 * /v1/catalog/submissions…, /v1/admin/reviews…                see {@link io.shulian.hub.review.ReviewRoutes}
 * /v1/events…, /v1/admin/alerts…                  see {@link io.shulian.hub.events.EventRoutes}
 * /console/…                                       see {@link io.shulian.hub.console.ConsoleRoutes}
 * </pre>
 *
 * An operator is authenticated by a bearer token or, with no {@code Authorization} header, by a
 * console session cookie; a state-changing request authenticated by a session must pass the
 * console's CSRF and origin check first ({@link io.shulian.hub.console.ConsoleRoutes#guard}).
 *
 * Every request first takes a token from its client's bucket ({@link RateLimiter}); none left: 429
 * with Retry-After.
 *
 * Errors are problem+json. A GET answers the newest bundle (ETag = its SHA-256; 304 for a matching
 * If-None-Match); with {@code after} it waits up to {@code wait} (at most the configured maximum)
 * for a newer one and answers 304 if none came.
 */
public final class HubHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
  public static final int MAX_INITIAL_LINE = 4096;
  public static final int MAX_HEADER_BYTES = 8192;
  /** The largest request body: a bundle at its maximum size. */
  public static final int MAX_BODY_BYTES = io.shulian.core.trust.CityBundle.MAX_BUNDLE_BYTES;
  private static final String JOSE = "application/jose";
  private static final String BUNDLE = "/v1/bundle/";
  private static final String ADMIN_BUNDLE = "/v1/admin/bundle/";
  private static final String ADMIN_CASES = "/v1/admin/cases";

  /** Every route the hub serves besides {@link CaseRoutes.Route}, as method and path template. */
  public static final List<String> ROUTES = List.of("GET /v1/bundle/{suite}", "POST /v1/admin/bundle/{suite}",
      "POST /v1/admin/actions", "GET /v1/admin/actions", "DELETE /v1/admin/actions/{actionId}", "GET /v1/admin/cases");

  /** What every connection shares. */
  public record Settings(Duration maxWait, PeerVerifier clients, RateLimiter rates) {}

  private final Settings settings;
  private final BundleBoard board;
  private final Operators operators;
  private final Publisher publisher;
  private final MeterRegistry registry;
  private final CaseRoutes cases;
  private final @Nullable ActionRoutes actions;
  private final io.shulian.hub.review.@Nullable ReviewRoutes reviews;
  private final io.shulian.hub.events.@Nullable EventRoutes events;
  private final io.shulian.hub.console.@Nullable ConsoleRoutes console;
  private BundleBoard.@Nullable Waiter waiting;

  /** With the case routes and the incident-action routes ({@code actions} null: answered 404). */
  public HubHandler(Settings settings, BundleBoard board, Operators operators, Publisher publisher, MeterRegistry registry,
      CaseRoutes cases, io.shulian.hub.action.@Nullable IncidentActions actions, Suite hubSuite,
      io.shulian.hub.review.@Nullable ReviewRoutes reviews, io.shulian.hub.events.@Nullable EventRoutes events,
      io.shulian.hub.console.@Nullable ConsoleRoutes console) {
    this.console = console;
    this.reviews = reviews;
    this.events = events;
    this.settings = settings;
    this.cases = cases;
    this.board = board;
    this.operators = operators;
    this.publisher = publisher;
    this.registry = registry;
    this.actions = actions == null ? null : new ActionRoutes(actions, hubSuite);
  }

  /**
   * Refuses a body the route cannot take before it is read: only a publish has one, of at most
   * {@link #MAX_BODY_BYTES}; a larger or unexpected body is answered 413 and the connection closed.
   * The aggregator behind this enforces the same bound on a chunked body.
   */
  public static final class BodyLimit extends ChannelDuplexHandler {
    /** How long, and how many bytes of, a refused body is read before the connection is closed. */
    static final java.time.Duration LINGER = java.time.Duration.ofSeconds(5);
    static final long LINGER_MAX_BYTES = 4L << 20;
    private boolean discarding;
    private long lingered;

    /**
     * Closing right after the 413 while the client still sends its body makes the client's TCP
     * stack drop the answer (a reset); instead the body is drained for a bounded time and size.
     */
    private void lingerThenClose(ChannelHandlerContext ctx) {
      lingered = 0;
      ctx.executor().schedule(() -> {
        ctx.close();
      }, LINGER.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof HttpRequest) {
        HttpRequest r = (HttpRequest) msg;
        discarding = false;
        boolean publish = r.method().equals(HttpMethod.POST) && path(r.uri()).startsWith(ADMIN_BUNDLE);
        boolean caseBody = CaseRoutes.takesBody(r.method(), path(r.uri()));
        boolean action = ActionRoutes.takesBody(r.method(), path(r.uri()));
        int review = io.shulian.hub.review.ReviewRoutes.maxBody(r.method(), path(r.uri()));
        long declared = HttpUtil.getContentLength(r, -1L);
        boolean hasBody = declared > 0 || HttpUtil.isTransferEncodingChunked(r);
        if (r.decoderResult().isFailure()) {
          discarding = true;
          ReferenceCountUtil.release(msg);
          Problem.of(HttpResponseStatus.BAD_REQUEST, "MALFORMED_REQUEST", "the request could not be parsed")
              .send(ctx, true);
          return;
        }
        long eventMax = io.shulian.hub.events.EventRoutes.maxBody(r.method(), path(r.uri()));
        long consoleMax = io.shulian.hub.console.ConsoleRoutes.maxBody(r.method(), path(r.uri()));
        long max = publish ? MAX_BODY_BYTES : caseBody ? Desk.MAX_BODY_BYTES : action ? ActionRoutes.MAX_BODY_BYTES
            : review > 0 ? review : eventMax > 0 ? eventMax : consoleMax;
        if ((!publish && !caseBody && !action && review == 0 && eventMax == 0 && consoleMax == 0 && hasBody)
            || declared > max) {
          discarding = true;
          ReferenceCountUtil.release(msg);
          Problem.of(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "BODY_TOO_LARGE",
              max > 0 ? "this request's body is at most " + max + " bytes" : "this request takes no body")
              .withHeader(HttpHeaderNames.CONNECTION.toString(), "close").send(ctx, false);
          lingerThenClose(ctx);
          return;
        }
      } else if (discarding) {
        // the refused body is read and dropped, so the client sees the 413 rather than a reset;
        // the connection closes at its end, past LINGER_MAX_BYTES, or after LINGER
        if (msg instanceof io.netty.buffer.ByteBufHolder) {
          lingered += ((io.netty.buffer.ByteBufHolder) msg).content().readableBytes();
        }
        boolean last = msg instanceof io.netty.handler.codec.http.LastHttpContent;
        ReferenceCountUtil.release(msg);
        if (last || lingered > LINGER_MAX_BYTES) {
          ctx.close();
        }
        return;
      }
      ctx.fireChannelRead(msg);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
      if (evt instanceof IdleStateEvent) {
        ctx.close();
        return;
      }
      super.userEventTriggered(ctx, evt);
    }
  }

  static String path(String uri) {
    int q = uri.indexOf('?');
    return q < 0 ? uri : uri.substring(0, q);
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
    if (waiting != null) {
      // a pipelined request behind a parked long-poll would be answered out of order
      problem(ctx, HttpResponseStatus.BAD_REQUEST, "PIPELINING_NOT_SUPPORTED", "one request at a time per connection", true);
      return;
    }
    if (req.decoderResult().isFailure()) {
      problem(ctx, HttpResponseStatus.BAD_REQUEST, "MALFORMED_REQUEST", "the request could not be parsed", true);
      return;
    }
    QueryStringDecoder q = new QueryStringDecoder(req.uri());
    String path;
    try {
      path = q.path();
    } catch (IllegalArgumentException e) {
      // a malformed percent-escape (%u002f, %zz, a cut %): answered, never a dropped connection
      problem(ctx, HttpResponseStatus.BAD_REQUEST, "MALFORMED_REQUEST", "the request target is not a valid URI path", true);
      return;
    }
    Optional<PartyId> party = department(ctx);
    long retry = settings.rates().acquire(client(ctx, req, party));
    if (retry > 0) {
      registry.counter("shulian.hub.requests.limited").increment();
      Problem.of(HttpResponseStatus.TOO_MANY_REQUESTS, "RATE_LIMITED", "too many requests from this client; retry later")
          .withHeader("Retry-After", Long.toString(retry)).send(ctx, false);
      return;
    }
    if (console != null && !console.guard(ctx, req, path)) {
      return;
    }
    if (console != null && io.shulian.hub.console.ConsoleRoutes.serves(path)) {
      console.handle(ctx, req, path(req.uri()), path, bearer(req).orElse(null));
    } else if (CaseRoutes.serves(path)) {
      cases.handle(ctx, req, path, party);
    } else if (reviews != null && io.shulian.hub.review.ReviewRoutes.serves(path)) {
      reviews.handle(ctx, req, path, party, operator(req).orElse(null));
    } else if (path.startsWith(BUNDLE)) {
      if (!req.method().equals(HttpMethod.GET)) {
        methodNotAllowed(ctx, "GET");
        return;
      }
      getBundle(ctx, req, q, path.substring(BUNDLE.length()));
    } else if (path.startsWith(ADMIN_BUNDLE)) {
      if (!req.method().equals(HttpMethod.POST)) {
        methodNotAllowed(ctx, "POST");
        return;
      }
      publish(ctx, req, path.substring(ADMIN_BUNDLE.length()));
    } else if (path.equals(ADMIN_CASES)) {
      if (!req.method().equals(HttpMethod.GET)) {
        methodNotAllowed(ctx, "GET");
        return;
      }
      if (operator(req).isEmpty()) {
        problem(ctx, HttpResponseStatus.UNAUTHORIZED, "UNAUTHENTICATED",
            "listing every department's cases needs an operator token (reviewer or security-officer)", false);
        return;
      }
      cases.handleAdmin(ctx, q, HttpUtil.isKeepAlive(req));
    } else if (actions != null && (path.equals(ActionRoutes.PREFIX) || path.startsWith(ActionRoutes.PREFIX + "/"))) {
      boolean keepAlive = HttpUtil.isKeepAlive(req);
      actions.handle(ctx, req, path, operator(req).orElse(null), (s, body) -> json(ctx, s, body, keepAlive));
    } else if (events != null && io.shulian.hub.events.EventRoutes.serves(path)) {
      boolean keepAlive = HttpUtil.isKeepAlive(req);
      events.handle(ctx, req, path, party, operator(req).orElse(null), (s, body) -> json(ctx, s, body, keepAlive));
    } else {
      problem(ctx, HttpResponseStatus.NOT_FOUND, "NOT_FOUND", "no such resource", false);
    }
  }

  private void getBundle(ChannelHandlerContext ctx, FullHttpRequest req, QueryStringDecoder q, String suiteName) {
    if (department(ctx).isEmpty() && operator(req).isEmpty()) {
      problem(ctx, HttpResponseStatus.UNAUTHORIZED, "UNAUTHENTICATED",
          "present a city-CA TLS client certificate or an operator token", false);
      return;
    }
    Suite suite = suite(suiteName);
    if (suite == null) {
      problem(ctx, HttpResponseStatus.NOT_FOUND, "NOT_FOUND", "no such suite (intl or gm)", false);
      return;
    }
    long after;
    Duration wait;
    try {
      after = longParam(q, "after", -1);
      String w = single(q, "wait");
      wait = w == null ? Duration.ZERO : ConfigLoader.duration(w);
      if (after < -1 || wait == null || wait.compareTo(settings.maxWait()) > 0 || !wait.isZero() && after < 0) {
        throw new IllegalArgumentException();
      }
    } catch (IllegalArgumentException e) {
      problem(ctx, HttpResponseStatus.BAD_REQUEST, "BAD_QUERY",
          "after must be a version (0 or more); wait a duration up to " + settings.maxWait().toSeconds()
              + "s and only with after", false);
      return;
    }
    boolean keepAlive = HttpUtil.isKeepAlive(req);
    Optional<PublishedBundle> now = board.newest(suite);
    if (after < 0) {
      if (now.isEmpty()) {
        problem(ctx, HttpResponseStatus.NOT_FOUND, "NO_BUNDLE", "no bundle of this suite is published yet", false);
        return;
      }
      String inm = req.headers().get(HttpHeaderNames.IF_NONE_MATCH);
      if (inm != null && inm.equals(etag(now.get()))) {
        notModified(ctx, now.get(), keepAlive);
      } else {
        bundle(ctx, now.get(), keepAlive);
      }
      return;
    }
    if (now.isPresent() && now.get().version() > after || wait.isZero()) {
      if (now.isPresent() && now.get().version() > after) {
        bundle(ctx, now.get(), keepAlive);
      } else {
        notModified(ctx, now.orElse(null), keepAlive);
      }
      return;
    }
    // park: the board calls back on the publishing thread; answer on this channel's event loop
    Optional<BundleBoard.Waiter> w = board.park(suite, after, b -> ctx.executor().execute(() -> {
      waiting = null;
      bundle(ctx, b, keepAlive);
    }));
    if (w.isEmpty()) {
      registry.counter("shulian.hub.longpolls.refused").increment();
      Problem.of(HttpResponseStatus.SERVICE_UNAVAILABLE, "TOO_MANY_WAITERS", "too many long-polls; retry later")
          .withHeader("Retry-After", "5").send(ctx, false);
      return;
    }
    waiting = w.get();
    ctx.executor().schedule(() -> {
      BundleBoard.Waiter mine = waiting;
      if (mine != null && mine == w.get() && mine.cancel()) {
        waiting = null;
        notModified(ctx, board.newest(suite).orElse(null), keepAlive);
      }
    }, wait.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void publish(ChannelHandlerContext ctx, FullHttpRequest req, String suiteName) {
    Optional<Operators.Operator> op = operator(req);
    if (op.isEmpty()) {
      problem(ctx, HttpResponseStatus.UNAUTHORIZED, "UNAUTHENTICATED", "an operator token is required", false);
      return;
    }
    if (op.get().role() != Operators.Role.SECURITY_OFFICER) {
      problem(ctx, HttpResponseStatus.FORBIDDEN, "ROLE_NOT_ALLOWED", "publishing a bundle needs the security-officer role",
          false);
      return;
    }
    Suite suite = suite(suiteName);
    if (suite == null) {
      problem(ctx, HttpResponseStatus.NOT_FOUND, "NOT_FOUND", "no such suite (intl or gm)", false);
      return;
    }
    byte[] jws = ByteBufUtil.getBytes(req.content());
    boolean keepAlive = HttpUtil.isKeepAlive(req);
    publisher.publish(suite, jws, op.get().name()).whenComplete((r, e) -> ctx.executor().execute(() -> {
      if (e != null) {
        problem(ctx, HttpResponseStatus.INTERNAL_SERVER_ERROR, "INTERNAL", "publish failed", true);
      } else if (r.published()) {
        registry.counter("shulian.hub.publishes", "outcome", "published").increment();
        json(ctx, HttpResponseStatus.CREATED, "{\"suite\":\"" + suiteName + "\",\"version\":" + r.version()
            + ",\"sha256\":\"" + r.sha256() + "\"}", keepAlive);
      } else {
        registry.counter("shulian.hub.publishes", "outcome", r.code()).increment();
        HttpResponseStatus s = switch (r.code()) {
          case "BUNDLE_INVALID" -> HttpResponseStatus.UNPROCESSABLE_ENTITY;
          case "BUNDLE_NOT_NEWER", "INCIDENT_DROPPED" -> HttpResponseStatus.CONFLICT;
          case "SUITE_NOT_SERVED" -> HttpResponseStatus.NOT_FOUND;
          default -> HttpResponseStatus.SERVICE_UNAVAILABLE;
        };
        problem(ctx, s, r.code(), r.detail(), false);
      }
    }));
  }

  /** Whose bucket a request takes from: the certificate's party, else the operator, else the address. */
  private String client(ChannelHandlerContext ctx, FullHttpRequest req, Optional<PartyId> party) {
    if (party.isPresent()) {
      return "party:" + party.get();
    }
    Optional<Operators.Operator> op = operator(req);
    if (op.isPresent()) {
      return "operator:" + op.get().name();
    }
    java.net.SocketAddress a = ctx.channel().remoteAddress();
    return "address:" + (a instanceof java.net.InetSocketAddress ? ((java.net.InetSocketAddress) a).getAddress().getHostAddress()
        : String.valueOf(a));
  }

  private Optional<PartyId> department(ChannelHandlerContext ctx) {
    SslHandler ssl = ctx.pipeline().get(SslHandler.class);
    if (ssl == null) {
      return Optional.empty();
    }
    try {
      // checked again per request: a publish that revokes it ends a kept-alive connection's access
      return Optional.of(settings.clients().verify(GatewayTls.x509(ssl.engine().getSession().getPeerCertificates())));
    } catch (SSLPeerUnverifiedException | java.security.cert.CertificateException | ClassCastException e) {
      return Optional.empty();
    }
  }

  /** The operator of the request's bearer token or, without an Authorization header, of its console session. */
  private Optional<Operators.Operator> operator(FullHttpRequest req) {
    if (console != null && !req.headers().contains(HttpHeaderNames.AUTHORIZATION)) {
      return console.sessionOperator(req);
    }
    return bearer(req);
  }

  private Optional<Operators.Operator> bearer(FullHttpRequest req) {
    List<String> auth = req.headers().getAll(HttpHeaderNames.AUTHORIZATION);
    if (auth.size() != 1 || !auth.get(0).regionMatches(true, 0, "Bearer ", 0, 7)) {
      return Optional.empty();
    }
    String token = auth.get(0).substring(7).trim();
    if (token.isEmpty() || token.length() > 512) {
      return Optional.empty();
    }
    return operators.authenticate(token);
  }

  private static @Nullable Suite suite(String s) {
    switch (s) {
      case "intl":
        return Suite.INTL;
      case "gm":
        return Suite.GM;
      default:
        return null;
    }
  }

  private static @Nullable String single(QueryStringDecoder q, String name) {
    List<String> v = q.parameters().get(name);
    if (v == null) {
      return null;
    }
    if (v.size() != 1) {
      throw new IllegalArgumentException(name + " given twice");
    }
    return v.get(0);
  }

  private static long longParam(QueryStringDecoder q, String name, long absent) {
    String s = single(q, name);
    if (s == null) {
      return absent;
    }
    if (!s.matches("[0-9]{1,18}")) {
      throw new IllegalArgumentException(name);
    }
    return Long.parseLong(s);
  }

  static String etag(PublishedBundle b) {
    return "\"" + b.sha256() + "\"";
  }

  private static void bundle(ChannelHandlerContext ctx, PublishedBundle b, boolean keepAlive) {
    FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, b.wrap());
    r.headers().set(HttpHeaderNames.CONTENT_TYPE, JOSE)
        .setInt(HttpHeaderNames.CONTENT_LENGTH, b.length())
        .set(HttpHeaderNames.ETAG, etag(b))
        .set(HttpHeaderNames.CACHE_CONTROL, "no-cache")
        .set("X-Shulian-Bundle-Version", Long.toString(b.version()));
    Responses.write(ctx, r, keepAlive);
  }

  private static void notModified(ChannelHandlerContext ctx, @Nullable PublishedBundle b, boolean keepAlive) {
    FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NOT_MODIFIED);
    if (b != null) {
      r.headers().set(HttpHeaderNames.ETAG, etag(b)).set("X-Shulian-Bundle-Version", Long.toString(b.version()));
    }
    r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
    Responses.write(ctx, r, keepAlive);
  }

  private static void json(ChannelHandlerContext ctx, HttpResponseStatus s, String body, boolean keepAlive) {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, s, io.netty.buffer.Unpooled.wrappedBuffer(b));
    r.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json").setInt(HttpHeaderNames.CONTENT_LENGTH, b.length);
    Responses.write(ctx, r, keepAlive);
  }


  private static void methodNotAllowed(ChannelHandlerContext ctx, String allow) {
    Problem.of(HttpResponseStatus.METHOD_NOT_ALLOWED, "METHOD_NOT_ALLOWED", "use " + allow)
        .withHeader("Allow", allow).send(ctx, false);
  }

  private static void problem(ChannelHandlerContext ctx, HttpResponseStatus s, String code, String detail, boolean close) {
    Problem.of(s, code, detail).send(ctx, close);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    BundleBoard.Waiter w = waiting;
    if (w != null) {
      w.cancel();
      waiting = null;
    }
    super.channelInactive(ctx);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }
}
