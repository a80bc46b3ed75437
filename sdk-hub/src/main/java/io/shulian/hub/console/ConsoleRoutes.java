package io.shulian.hub.console;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.cookie.Cookie;
import io.netty.handler.codec.http.cookie.ServerCookieDecoder;
import io.shulian.core.audit.AuditDecision;
import io.shulian.core.audit.AuditRecord;
import io.shulian.core.audit.Direction;
import io.shulian.core.audit.HashAlgorithm;
import io.shulian.gateway.inbound.Problem;
import io.shulian.hub.access.Operators;
import io.shulian.hub.access.RateLimiter;
import io.shulian.hub.audit.AuditUnavailableException;
import io.shulian.hub.audit.HubAudit;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The console's routes on the hub's HTTPS listener, and the session side of every other route:
 *
 * <pre>
 * GET  /console/, /console/app.js, /console/console.css, /console/vendor/echarts.min.js   the app (allow-list)
 * POST /console/api/login      {"name","password"}  → 200 {"name","role","csrf"} and the session cookie
 * POST /console/api/logout     session + CSRF       → 204, the session ended on the server
 * GET  /console/api/session    session              → 200 {"name","role","csrf"}
 * GET  /console/api/overview[?days=N]  session or operator token → flows between departments ({@link Overview})
 * GET  /console/api/scorecards?month=YYYY-MM[&amp;zone=Z]  session or operator token → the month's scorecards ({@link Scorecards})
 * </pre>
 *
 * <p>A request without an {@code Authorization} header is authenticated by its session cookie
 * ({@link #sessionOperator}), so the console calls the existing {@code /v1/admin/…} APIs as the
 * logged-in operator, and those APIs audit the operator's name as before. A state-changing request
 * (any method but GET and HEAD) authenticated by a session must carry the session's CSRF token in
 * {@code X-CSRF-Token} and come from this origin ({@code Origin} equal to {@code https://<Host>},
 * or, without {@code Origin}, {@code Sec-Fetch-Site: same-origin}); otherwise it is answered 403
 * {@code CSRF_REFUSED} and audited ({@link #guard}). Bearer-token requests are unaffected.
 *
 * <p>Log-in is rate-limited per name and per address; an unknown name and a wrong password get
 * the same 401 {@code LOGIN_FAILED} after the same Argon2id work. Argon2id runs on this class's
 * own two threads, never on the event loop; a full queue is answered 503. Thread-safe.
 */
public final class ConsoleRoutes implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ConsoleRoutes.class);
  public static final String PREFIX = "/console";
  /**
   * The console's API routes ({@code METHOD path}), the only ones {@link #handle} dispatches: any
   * other path under {@code /console/api/} is 404, another method 405. hub-openapi.yaml documents
   * exactly these (HubOpenApiTest).
   */
  public static final List<String> ROUTES = List.of("POST /console/api/login", "POST /console/api/logout",
      "GET /console/api/session", "GET /console/api/overview", "GET /console/api/scorecards");
  static final String API = "/console/api/";
  /** The largest log-in body. */
  public static final int MAX_BODY_BYTES = 4096;
  static final String CSRF_HEADER = "X-CSRF-Token";
  private static final ObjectMapper JSON = new ObjectMapper(com.fasterxml.jackson.core.JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(2).maxStringLength(1024).build())
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build());

  private final Operators operators;
  private final Sessions sessions;
  private final HubAudit audit;
  private final String hubParty;
  private final StaticFiles files;
  private final Overview overview;
  private final Scorecards scorecards;
  private final RateLimiter perName;
  private final RateLimiter perAddress;
  private final ThreadPoolExecutor work;

  /**
   * @param loginPerName log-in attempts one name may make at once (then one per {@code 30s / that})
   * @param loginPerAddress log-in attempts one address may make at once (likewise)
   */
  public ConsoleRoutes(Operators operators, Sessions sessions, HubAudit audit, String hubParty, Overview overview,
      Scorecards scorecards, int loginPerName, int loginPerAddress) {
    this.operators = operators;
    this.sessions = sessions;
    this.audit = audit;
    this.hubParty = hubParty;
    this.overview = overview;
    this.scorecards = scorecards;
    this.files = StaticFiles.load();
    // a bucket refills completely in 5 minutes
    this.perName = new RateLimiter(loginPerName / 300.0, loginPerName, System::nanoTime);
    this.perAddress = new RateLimiter(loginPerAddress / 300.0, loginPerAddress, System::nanoTime);
    this.work = new ThreadPoolExecutor(2, 2, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(64), r -> {
      Thread t = new Thread(r, "shulian-hub-console");
      t.setDaemon(true);
      return t;
    });
  }

  /** Whether the (decoded) {@code path} is the console's. */
  public static boolean serves(String path) {
    return path.equals(PREFIX) || path.startsWith(PREFIX + "/");
  }

  /** Whether {@code method path} may carry a body, and how large: the log-in (and log-out, empty). */
  public static int maxBody(HttpMethod method, String path) {
    return method.equals(HttpMethod.POST) && (path.equals(API + "login") || path.equals(API + "logout")) ? MAX_BODY_BYTES : 0;
  }

  /** The session named by the request's cookie, if it has no {@code Authorization} header and the session is live. */
  public Optional<Sessions.Session> session(FullHttpRequest req) {
    if (req.headers().contains(HttpHeaderNames.AUTHORIZATION)) {
      return Optional.empty();
    }
    String id = cookie(req);
    return id == null ? Optional.empty() : sessions.find(id);
  }

  /** The operator of the request's live session (see {@link #session}), or empty. */
  public Optional<Operators.Operator> sessionOperator(FullHttpRequest req) {
    return session(req).map(Sessions.Session::operator);
  }

  /**
   * For a state-changing request authenticated by a session: checks its CSRF token and origin.
   * Returns true if the request may go on; otherwise it has answered 403 and audited the refusal.
   */
  public boolean guard(ChannelHandlerContext ctx, FullHttpRequest req, String path) {
    HttpMethod m = req.method();
    if (m.equals(HttpMethod.GET) || m.equals(HttpMethod.HEAD) || path.equals(API + "login")) {
      return true; // the log-in checks the origin itself, and a new log-in must work over a stale session
    }
    Optional<Sessions.Session> s = session(req);
    if (s.isEmpty()) {
      return true; // not authenticated by a session: the route answers 401 itself, or the bearer token decides
    }
    String problem = sameOrigin(req);
    if (problem == null) {
      List<String> tokens = req.headers().getAll(CSRF_HEADER);
      if (tokens.size() != 1 || !s.get().csrfMatches(tokens.get(0))) {
        problem = "the request lacks the session's " + CSRF_HEADER + " header";
      }
    }
    if (problem == null) {
      return true;
    }
    String name = s.get().operator().name();
    LOG.atWarn().addKeyValue("event", "console_csrf_refused").addKeyValue("operator", name).addKeyValue("path", path)
        .log("state-changing console request refused: {}", problem);
    work(ctx, () -> audit.note(record(name, "csrf-refused", m.name(), path, 403, "CSRF_REFUSED")));
    Problem.of(HttpResponseStatus.FORBIDDEN, "CSRF_REFUSED", problem).send(ctx, false);
    return false;
  }

  /** Answers a request whose decoded path {@link #serves}; {@code rawPath} is the path as sent. */
  public void handle(ChannelHandlerContext ctx, FullHttpRequest req, String rawPath, String path,
      Operators.@Nullable Operator bearer) {
    boolean keepAlive = HttpUtil.isKeepAlive(req);
    HttpMethod m = req.method();
    if (!path.startsWith(API)) {
      if (!m.equals(HttpMethod.GET) && !m.equals(HttpMethod.HEAD)) {
        notAllowed(ctx, "GET");
        return;
      }
      if (rawPath.equals(PREFIX)) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.PERMANENT_REDIRECT);
        r.headers().set(HttpHeaderNames.LOCATION, PREFIX + "/").setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
        io.shulian.hub.http.Responses.write(ctx, r, keepAlive);
        return;
      }
      StaticFiles.File f = files.get(rawPath);
      if (f == null) {
        Problem.of(HttpResponseStatus.NOT_FOUND, "NOT_FOUND", "no such console file").send(ctx, false);
        return;
      }
      FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
          m.equals(HttpMethod.HEAD) ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(f.bytes()));
      r.headers().set(HttpHeaderNames.CONTENT_TYPE, f.contentType()).setInt(HttpHeaderNames.CONTENT_LENGTH, f.bytes().length);
      io.shulian.hub.http.Responses.write(ctx, r, keepAlive);
      return;
    }
    List<String> methods = ROUTES.stream().filter(r -> r.endsWith(" " + path)).map(r -> r.substring(0, r.indexOf(' ')))
        .toList();
    if (methods.isEmpty()) {
      Problem.of(HttpResponseStatus.NOT_FOUND, "NOT_FOUND", "no such console resource").send(ctx, false);
      return;
    }
    if (!methods.contains(m.name())) {
      notAllowed(ctx, String.join(", ", methods));
      return;
    }
    String route = path.substring(API.length());
    switch (route) {
      case "login":
        login(ctx, req, keepAlive);
        return;
      case "logout":
        logout(ctx, req, path, keepAlive);
        return;
      case "session":
        Optional<Sessions.Session> s = session(req);
        if (s.isEmpty()) {
          Problem.of(HttpResponseStatus.UNAUTHORIZED, "UNAUTHENTICATED", "log in first").send(ctx, false);
        } else {
          json(ctx, HttpResponseStatus.OK, who(s.get()).toString(), keepAlive, null);
        }
        return;
      case "overview":
        if (!readable(ctx, req, bearer)) {
          return;
        }
        int days;
        try {
          days = days(new QueryStringDecoder(req.uri()));
        } catch (IllegalArgumentException e) {
          Problem.of(HttpResponseStatus.BAD_REQUEST, "BAD_QUERY", "days is a whole number from 1 to 366").send(ctx, false);
          return;
        }
        work(ctx, () -> {
          String body;
          try {
            body = overview.read(days).toString();
          } catch (java.sql.SQLException e) {
            ctx.executor().execute(() -> Problem.of(HttpResponseStatus.SERVICE_UNAVAILABLE, "DATABASE_UNAVAILABLE",
                "the database did not answer").send(ctx, false));
            return;
          }
          ctx.executor().execute(() -> json(ctx, HttpResponseStatus.OK, body, keepAlive, null));
        });
        return;
      case "scorecards":
        if (!readable(ctx, req, bearer)) {
          return;
        }
        YearMonth month;
        ZoneId zone;
        try {
          QueryStringDecoder q = new QueryStringDecoder(req.uri());
          month = month(q);
          zone = zone(q);
        } catch (IllegalArgumentException e) {
          Problem.of(HttpResponseStatus.BAD_REQUEST, "BAD_QUERY", "month is required as YYYY-MM (years 2000 to 2999);"
              + " zone, if given, is a region id such as Asia/Shanghai").send(ctx, false);
          return;
        }
        work(ctx, () -> {
          String body;
          try {
            body = scorecards.read(month, zone).toString();
          } catch (java.sql.SQLException e) {
            ctx.executor().execute(() -> Problem.of(HttpResponseStatus.SERVICE_UNAVAILABLE, "DATABASE_UNAVAILABLE",
                "the database did not answer").send(ctx, false));
            return;
          } catch (Scorecards.UnreadableException e) {
            LOG.atError().addKeyValue("event", "console_scorecards_unreadable").log("scorecards not computed: {}: {}",
                e.getMessage(), String.valueOf(e.getCause()));
            ctx.executor().execute(() -> Problem.of(HttpResponseStatus.INTERNAL_SERVER_ERROR, "STORED_DATA_UNREADABLE",
                "what the hub stores does not read; see the hub's log").send(ctx, false));
            return;
          }
          ctx.executor().execute(() -> json(ctx, HttpResponseStatus.OK, body, keepAlive, null));
        });
        return;
      default:
        Problem.of(HttpResponseStatus.NOT_FOUND, "NOT_FOUND", "no such console resource").send(ctx, false);
    }
  }

  /** For a read-only console API route: true if an operator (token or session, any role) asks; otherwise it has answered 401. */
  private boolean readable(ChannelHandlerContext ctx, FullHttpRequest req, Operators.@Nullable Operator bearer) {
    if (bearer == null && sessionOperator(req).isEmpty()) {
      Problem.of(HttpResponseStatus.UNAUTHORIZED, "UNAUTHENTICATED", "log in or present an operator token")
          .send(ctx, false);
      return false;
    }
    return true;
  }

  /** The {@code month} parameter: exactly one, {@code YYYY-MM} with a year from 2000 to 2999. */
  static YearMonth month(QueryStringDecoder q) {
    List<String> v = q.parameters().get("month");
    if (v == null || v.size() != 1 || !v.get(0).matches("2[0-9]{3}-(0[1-9]|1[0-2])")) {
      throw new IllegalArgumentException();
    }
    return YearMonth.parse(v.get(0));
  }

  /** The optional {@code zone} parameter (at most one, a region id); Asia/Shanghai, as for {@code shulian evaluate}, without. */
  static ZoneId zone(QueryStringDecoder q) {
    List<String> v = q.parameters().get("zone");
    if (v == null) {
      return ZoneId.of("Asia/Shanghai");
    }
    if (v.size() != 1 || !v.get(0).matches("[A-Za-z][A-Za-z0-9_+-]{0,30}(/[A-Za-z0-9_+-]{1,30}){0,2}")) {
      throw new IllegalArgumentException();
    }
    try {
      return ZoneId.of(v.get(0));
    } catch (java.time.DateTimeException e) {
      throw new IllegalArgumentException(e);
    }
  }

  private void login(ChannelHandlerContext ctx, FullHttpRequest req, boolean keepAlive) {
    String origin = sameOrigin(req);
    String address = address(ctx);
    if (origin != null) {
      work(ctx, () -> audit.note(record("-", "login", "POST", API + "login", 403, "CSRF_REFUSED")));
      Problem.of(HttpResponseStatus.FORBIDDEN, "CSRF_REFUSED", origin).send(ctx, false);
      return;
    }
    String name;
    char[] password;
    try {
      JsonNode n = JSON.readTree(ByteBufUtil.getBytes(req.content()));
      if (n == null || !n.isObject() || n.size() != 2 || !n.path("name").isTextual() || !n.path("password").isTextual()) {
        throw new IllegalArgumentException();
      }
      name = n.get("name").asText();
      password = n.get("password").asText().toCharArray();
      if (name.isEmpty() || name.length() > 128 || password.length == 0 || password.length > 512) {
        throw new IllegalArgumentException();
      }
    } catch (java.io.IOException | IllegalArgumentException e) {
      Problem.of(HttpResponseStatus.BAD_REQUEST, "MALFORMED_LOGIN",
          "send {\"name\": \"…\", \"password\": \"…\"} (name up to 128, password up to 512 characters)").send(ctx, false);
      return;
    }
    long retry = Math.max(perAddress.acquire(address), perName.acquire(name));
    String shown = printable(name);
    if (retry > 0) {
      Arrays.fill(password, '\0');
      LOG.atWarn().addKeyValue("event", "console_login_limited").addKeyValue("operator", shown)
          .addKeyValue("address", address).log("console log-in rate-limited");
      work(ctx, () -> audit.note(record(shown, "login", "POST", API + "login", 429, "LOGIN_RATE_LIMITED")));
      Problem.of(HttpResponseStatus.TOO_MANY_REQUESTS, "LOGIN_RATE_LIMITED", "too many log-in attempts; retry later")
          .withHeader("Retry-After", Long.toString(retry)).send(ctx, false);
      return;
    }
    String previous = cookie(req);
    boolean queued = work(ctx, () -> {
      Optional<Operators.Operator> op;
      try {
        op = operators.login(name, password);
      } finally {
        Arrays.fill(password, '\0');
      }
      if (op.isEmpty()) {
        LOG.atWarn().addKeyValue("event", "console_login_failed").addKeyValue("operator", shown)
            .addKeyValue("address", address).log("console log-in failed");
        audit.note(record(shown, "login", "POST", API + "login", 401, "LOGIN_FAILED"));
        ctx.executor().execute(() -> Problem.of(HttpResponseStatus.UNAUTHORIZED, "LOGIN_FAILED",
            "the name or the password is wrong").send(ctx, false));
        return;
      }
      // a new session at every log-in: a session id planted before it is never promoted
      if (previous != null) {
        sessions.end(previous);
      }
      try {
        audit.append(record(op.get().name(), "login", "POST", API + "login", 200, "LOGIN"));
      } catch (AuditUnavailableException e) {
        ctx.executor().execute(() -> Problem.of(HttpResponseStatus.SERVICE_UNAVAILABLE, AuditUnavailableException.CODE,
            "the hub's audit log is not writable; log-in refused").send(ctx, false));
        return;
      }
      Optional<Sessions.Session> s = sessions.create(op.get());
      if (s.isEmpty()) {
        ctx.executor().execute(() -> Problem.of(HttpResponseStatus.SERVICE_UNAVAILABLE, "TOO_MANY_SESSIONS",
            "too many console sessions; retry later").send(ctx, false));
        return;
      }
      LOG.atInfo().addKeyValue("event", "console_login").addKeyValue("operator", op.get().name())
          .addKeyValue("role", op.get().role().configName()).log("console log-in");
      String cookie = Sessions.COOKIE + "=" + s.get().id() + "; Path=/; Secure; HttpOnly; SameSite=Strict";
      ctx.executor().execute(() -> json(ctx, HttpResponseStatus.OK, who(s.get()).toString(), keepAlive, cookie));
    });
    if (!queued) {
      Arrays.fill(password, '\0');
    }
  }

  private void logout(ChannelHandlerContext ctx, FullHttpRequest req, String path, boolean keepAlive) {
    // guard() has checked the CSRF token and origin of a live session's request
    Optional<Sessions.Session> s = session(req);
    String clear = Sessions.COOKIE + "=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0";
    if (s.isEmpty()) {
      json(ctx, HttpResponseStatus.OK, "{\"loggedOut\":false}", keepAlive, clear);
      return;
    }
    sessions.end(s.get().id());
    String name = s.get().operator().name();
    LOG.atInfo().addKeyValue("event", "console_logout").addKeyValue("operator", name).log("console log-out");
    work(ctx, () -> {
      audit.note(record(name, "logout", "POST", path, 200, "LOGOUT"));
      ctx.executor().execute(() -> json(ctx, HttpResponseStatus.OK, "{\"loggedOut\":true}", keepAlive, clear));
    });
  }

  /** Null if the request comes from this origin, else why not. */
  static @Nullable String sameOrigin(FullHttpRequest req) {
    List<String> origins = req.headers().getAll(HttpHeaderNames.ORIGIN);
    String host = req.headers().get(HttpHeaderNames.HOST);
    String site = req.headers().get("Sec-Fetch-Site");
    if (site != null && !site.equalsIgnoreCase("same-origin")) {
      return "the request comes from another site (Sec-Fetch-Site: " + printable(site) + ")";
    }
    if (origins.size() > 1) {
      return "more than one Origin header";
    }
    if (origins.isEmpty()) {
      return site == null ? "the request has neither Origin nor Sec-Fetch-Site" : null;
    }
    if (host == null || !origins.get(0).equalsIgnoreCase("https://" + host)) {
      return "the request's Origin is not this console's";
    }
    return null;
  }

  private static @Nullable String cookie(FullHttpRequest req) {
    List<String> found = new ArrayList<>();
    for (String h : req.headers().getAll(HttpHeaderNames.COOKIE)) {
      for (Cookie c : ServerCookieDecoder.STRICT.decodeAll(h)) {
        if (c.name().equals(Sessions.COOKIE)) {
          found.add(c.value());
        }
      }
    }
    // two session cookies (one planted by a sibling site) are ambiguous: neither counts
    return found.size() == 1 ? found.get(0) : null;
  }

  private static ObjectNode who(Sessions.Session s) {
    ObjectNode o = JSON.createObjectNode();
    o.put("name", s.operator().name()).put("role", s.operator().role().configName()).put("csrf", s.csrf());
    return o;
  }

  private static int days(QueryStringDecoder q) {
    List<String> v = q.parameters().get("days");
    if (v == null) {
      return 14;
    }
    if (v.size() != 1 || !v.get(0).matches("[0-9]{1,3}")) {
      throw new IllegalArgumentException();
    }
    int d = Integer.parseInt(v.get(0));
    if (d < 1 || d > 366) {
      throw new IllegalArgumentException();
    }
    return d;
  }

  /** {@code s} with control characters replaced and cut to 128 characters (for logs and audit records). */
  static String printable(String s) {
    StringBuilder b = new StringBuilder();
    s.codePoints().limit(128).forEach(c -> b.appendCodePoint(Character.isISOControl(c) ? '?' : c));
    return b.toString();
  }

  private static String address(ChannelHandlerContext ctx) {
    java.net.SocketAddress a = ctx.channel().remoteAddress();
    return a instanceof java.net.InetSocketAddress ? ((java.net.InetSocketAddress) a).getAddress().getHostAddress()
        : String.valueOf(a);
  }

  private AuditRecord record(String by, String purpose, String method, String path, int status, String code) {
    byte[] body = new byte[0];
    return AuditRecord.builder()
        .time(Instant.now())
        .envelopeId("hub-console-" + java.util.UUID.randomUUID())
        .direction(Direction.REQUEST_IN)
        .sender(by.isEmpty() ? "-" : by)
        .receiver(hubParty)
        .resource("console")
        .purpose(purpose)
        .decision(status < 300 ? AuditDecision.permit() : AuditDecision.deny(code))
        .payloadDigest(HashAlgorithm.SHA_256, HubAudit.sha256(body))
        .payloadBytes(0)
        .status(status)
        .outcome(code)
        .latency(Duration.ZERO)
        .app("console")
        .request(method, path)
        .build();
  }

  /** Runs {@code r} on the console's threads; returns false (and answers 503) if they are saturated or stopped. */
  private boolean work(ChannelHandlerContext ctx, Runnable r) {
    try {
      work.execute(() -> {
        try {
          r.run();
        } catch (RuntimeException e) {
          LOG.atError().addKeyValue("event", "console_failed").log("console request failed: {}", e.toString());
          ctx.executor().execute(() -> Problem.of(HttpResponseStatus.INTERNAL_SERVER_ERROR, "INTERNAL",
              "the request failed").send(ctx, true));
        }
      });
      return true;
    } catch (RejectedExecutionException e) {
      Problem.of(HttpResponseStatus.SERVICE_UNAVAILABLE, "CONSOLE_BUSY", "the console is busy; retry later")
          .withHeader("Retry-After", "1").send(ctx, false);
      return false;
    }
  }

  private static void notAllowed(ChannelHandlerContext ctx, String allow) {
    Problem.of(HttpResponseStatus.METHOD_NOT_ALLOWED, "METHOD_NOT_ALLOWED", "use " + allow).withHeader("Allow", allow)
        .send(ctx, false);
  }

  private static void json(ChannelHandlerContext ctx, HttpResponseStatus s, String body, boolean keepAlive,
      @Nullable String setCookie) {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, s, Unpooled.wrappedBuffer(b));
    r.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json").setInt(HttpHeaderNames.CONTENT_LENGTH, b.length);
    if (setCookie != null) {
      r.headers().set(HttpHeaderNames.SET_COOKIE, setCookie);
    }
    io.shulian.hub.http.Responses.write(ctx, r, keepAlive);
  }


  @Override
  public void close() {
    work.shutdownNow();
  }
}
