package io.shulian.hub.apply;

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
import io.shulian.core.party.PartyId;
import io.shulian.gateway.inbound.Problem;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The HTTP side of the {@link Desk}: the routes under {@code /v1/applications} and
 * {@code /v1/objections}, and {@code GET /v1/openapi.yaml}. The route table {@link Route} is the
 * router: a path that matches no template is not one of these routes. Case routes are for
 * departments only (city-CA TLS client certificate); the party is always the certificate's.
 */
public final class CaseRoutes {
  private static final String ID = "{id}";
  private static final Pattern ID_SEGMENT = Pattern.compile("(?:app|obj)-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

  /** Every route served here, as method and path template. */
  public enum Route {
    APPLY("POST", "/v1/applications"),
    LIST_APPLICATIONS("GET", "/v1/applications"),
    SHOW_APPLICATION("GET", "/v1/applications/{id}"),
    APPROVE("POST", "/v1/applications/{id}/approve"),
    DECLINE("POST", "/v1/applications/{id}/decline"),
    WITHDRAW_APPLICATION("POST", "/v1/applications/{id}/withdraw"),
    GRANT("GET", "/v1/applications/{id}/grant"),
    OBJECT("POST", "/v1/objections"),
    LIST_OBJECTIONS("GET", "/v1/objections"),
    SHOW_OBJECTION("GET", "/v1/objections/{id}"),
    ANSWER_OBJECTION("POST", "/v1/objections/{id}/answer"),
    WITHDRAW_OBJECTION("POST", "/v1/objections/{id}/withdraw"),
    OPENAPI("GET", "/v1/openapi.yaml");

    private final String method;
    private final String template;

    Route(String method, String template) {
      this.method = method;
      this.template = template;
    }

    public String method() {
      return method;
    }

    public String template() {
      return template;
    }

    boolean takesBody() {
      return method.equals("POST") && this != WITHDRAW_APPLICATION && this != WITHDRAW_OBJECTION;
    }

    /** The {@code {id}} segment if {@code path} matches this template, "" for a template without one; null if not. */
    @Nullable String match(String path) {
      int i = template.indexOf(ID);
      if (i < 0) {
        return template.equals(path) ? "" : null;
      }
      String head = template.substring(0, i);
      String tail = template.substring(i + ID.length());
      if (!path.startsWith(head) || !path.endsWith(tail) || path.length() <= head.length() + tail.length()) {
        return null;
      }
      String id = path.substring(head.length(), path.length() - tail.length());
      return id.indexOf('/') < 0 ? id : null;
    }
  }

  private final Desk desk;
  private final Executor blocking;
  private final byte[] openApi;

  public CaseRoutes(Desk desk, Executor blocking) {
    this.desk = desk;
    this.blocking = blocking;
    this.openApi = openApiDocument();
  }

  /** The OpenAPI document of the hub's API (served at {@code /v1/openapi.yaml}). */
  public static byte[] openApiDocument() {
    try (InputStream in = CaseRoutes.class.getResourceAsStream("/io/shulian/hub/hub-openapi.yaml")) {
      if (in == null) {
        throw new IllegalStateException("hub-openapi.yaml is missing from the jar");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Whether {@code path} belongs to these routes (with any method). */
  public static boolean serves(String path) {
    for (Route r : Route.values()) {
      if (r.match(path) != null) {
        return true;
      }
    }
    return false;
  }

  /** Whether a {@code method} request to {@code path} may carry a body (of at most {@link Desk#MAX_BODY_BYTES}). */
  public static boolean takesBody(HttpMethod method, String path) {
    for (Route r : Route.values()) {
      if (r.method.equals(method.name()) && r.match(path) != null) {
        return r.takesBody();
      }
    }
    return false;
  }

  /** Answers a request whose path {@link #serves}; {@code party} is the verified client certificate's. */
  public void handle(ChannelHandlerContext ctx, FullHttpRequest req, String path, Optional<PartyId> party) {
    Route route = null;
    String id = "";
    List<String> allowed = new ArrayList<>();
    for (Route r : Route.values()) {
      String m = r.match(path);
      if (m != null) {
        allowed.add(r.method);
        if (r.method.equals(req.method().name())) {
          route = r;
          id = m;
        }
      }
    }
    boolean keepAlive = HttpUtil.isKeepAlive(req);
    if (route == null) {
      String allow = String.join(", ", allowed);
      Problem.of(HttpResponseStatus.METHOD_NOT_ALLOWED, "METHOD_NOT_ALLOWED", "use " + allow).withHeader("Allow", allow)
          .send(ctx, false);
      return;
    }
    if (route == Route.OPENAPI) {
      send(ctx, new Reply(HttpResponseStatus.OK, "application/yaml", new String(openApi, StandardCharsets.UTF_8), null), keepAlive);
      return;
    }
    if (party.isEmpty()) {
      Problem.of(HttpResponseStatus.UNAUTHORIZED, "UNAUTHENTICATED",
          "applications and objections need the department's city-CA TLS client certificate").send(ctx, false);
      return;
    }
    if (!id.isEmpty() && !ID_SEGMENT.matcher(id).matches()) {
      Problem.of(HttpResponseStatus.NOT_FOUND, "NOT_FOUND", "no such case for this party").send(ctx, false);
      return;
    }
    if (req.content().readableBytes() > Desk.MAX_BODY_BYTES) {
      Problem.of(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "BODY_TOO_LARGE", "a case body is at most "
          + Desk.MAX_BODY_BYTES + " bytes").send(ctx, true);
      return;
    }
    if (route.takesBody()) {
      String ct = req.headers().get(HttpHeaderNames.CONTENT_TYPE, "");
      if (!ct.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
        Problem.of(HttpResponseStatus.UNSUPPORTED_MEDIA_TYPE, "UNSUPPORTED_MEDIA_TYPE", "send application/json")
            .send(ctx, false);
        return;
      }
    }
    byte[] body = ByteBufUtil.getBytes(req.content());
    PartyId who = party.get();
    Route r = route;
    String caseId = id;
    run(ctx, () -> dispatch(r, who, caseId, body), keepAlive);
  }

  /**
   * {@code GET /v1/admin/cases?state=…&kind=…&overdue=…} for an operator (the caller has checked
   * the token): each parameter at most once; a bad one is 400 {@code BAD_QUERY}.
   */
  public void handleAdmin(ChannelHandlerContext ctx, io.netty.handler.codec.http.QueryStringDecoder q, boolean keepAlive) {
    CaseState state = null;
    CaseState.Kind kind = null;
    boolean overdue = false;
    try {
      for (java.util.Map.Entry<String, List<String>> e : q.parameters().entrySet()) {
        if (e.getValue().size() != 1) {
          throw new IllegalArgumentException(e.getKey() + " given more than once");
        }
        String v = e.getValue().get(0);
        switch (e.getKey()) {
          case "state" -> state = parse(CaseState.values(), v, "state");
          case "kind" -> kind = parse(CaseState.Kind.values(), v, "kind");
          case "overdue" -> {
            if (!v.equals("true") && !v.equals("false")) {
              throw new IllegalArgumentException("overdue: true or false");
            }
            overdue = v.equals("true");
          }
          default -> throw new IllegalArgumentException("unknown parameter (state, kind, overdue)");
        }
      }
    } catch (IllegalArgumentException e) {
      Problem.of(HttpResponseStatus.BAD_REQUEST, "BAD_QUERY", String.valueOf(e.getMessage())).send(ctx, false);
      return;
    }
    CaseState s = state;
    CaseState.Kind k = kind;
    boolean o = overdue;
    run(ctx, () -> desk.cases(s, k, o), keepAlive);
  }

  private static <E extends Enum<E>> E parse(E[] values, String v, String what) {
    for (E x : values) {
      if (x.name().toLowerCase(java.util.Locale.ROOT).equals(v)) {
        return x;
      }
    }
    List<String> names = new ArrayList<>();
    for (E x : values) {
      names.add(x.name().toLowerCase(java.util.Locale.ROOT));
    }
    throw new IllegalArgumentException(what + ": one of " + names);
  }

  /** Runs {@code work} on the blocking executor and sends its reply on the channel's event loop. */
  private void run(ChannelHandlerContext ctx, java.util.function.Supplier<Reply> work, boolean keepAlive) {
    try {
      blocking.execute(() -> {
        Reply reply;
        try {
          reply = work.get();
        } catch (RuntimeException e) {
          reply = Reply.refuse(HttpResponseStatus.INTERNAL_SERVER_ERROR, "INTERNAL", "the request failed");
        }
        Reply done = reply;
        ctx.executor().execute(() -> send(ctx, done, keepAlive));
      });
    } catch (RejectedExecutionException e) {
      Problem.of(HttpResponseStatus.SERVICE_UNAVAILABLE, "SHUTTING_DOWN", "the hub is stopping").send(ctx, true);
    }
  }

  private Reply dispatch(Route r, PartyId who, String id, byte[] body) {
    switch (r) {
      case APPLY:
        return desk.apply(who, body);
      case LIST_APPLICATIONS:
        return desk.applications(who);
      case SHOW_APPLICATION:
        return desk.application(who, id);
      case APPROVE:
        return desk.approve(who, id, body);
      case DECLINE:
        return desk.decline(who, id, body);
      case WITHDRAW_APPLICATION:
        return desk.withdrawApplication(who, id);
      case GRANT:
        return desk.grant(who, id);
      case OBJECT:
        return desk.object(who, body);
      case LIST_OBJECTIONS:
        return desk.objections(who);
      case SHOW_OBJECTION:
        return desk.objection(who, id);
      case ANSWER_OBJECTION:
        return desk.answerObjection(who, id, body);
      case WITHDRAW_OBJECTION:
        return desk.withdrawObjection(who, id);
      default:
        throw new IllegalStateException(r.name());
    }
  }

  private static void send(ChannelHandlerContext ctx, Reply reply, boolean keepAlive) {
    if (reply.problem() != null) {
      reply.problem().send(ctx, false);
      return;
    }
    byte[] b = reply.body().getBytes(StandardCharsets.UTF_8);
    FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, reply.status(), Unpooled.wrappedBuffer(b));
    r.headers().set(HttpHeaderNames.CONTENT_TYPE, reply.contentType()).setInt(HttpHeaderNames.CONTENT_LENGTH, b.length)
        .set(HttpHeaderNames.CACHE_CONTROL, "no-store");
    io.shulian.hub.http.Responses.write(ctx, r, keepAlive);
  }
}
