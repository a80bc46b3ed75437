package io.shulian.hub.review;

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
import io.shulian.core.catalog.CatalogSubmission;
import io.shulian.core.party.PartyId;
import io.shulian.hub.access.Operators;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The HTTP side of the {@link Registry}:
 *
 * <pre>
 * POST /v1/catalog/submissions              department; body: the signed submission (application/jose)
 * GET  /v1/catalog/submissions[/{id}]       department: its own
 * GET  /v1/admin/reviews[/{id}]             any operator; {id} with the diff
 * POST /v1/admin/reviews/{id}/approve       operator (reviewer or security-officer); no body
 * POST /v1/admin/reviews/{id}/reject        operator (reviewer or security-officer); {"reason": "…"}
 * </pre>
 */
public final class ReviewRoutes {
  /** The largest body: a submission token (the reject body is far smaller). */
  public static final int MAX_BODY_BYTES = CatalogSubmission.MAX_TOKEN_CHARS + 1024;
  private static final int MAX_REASON_BODY = 16 * 1024;
  private static final Pattern ID = Pattern.compile("sub-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
  private static final String SUBMISSIONS = "/v1/catalog/submissions";
  private static final String REVIEWS = "/v1/admin/reviews";

  /** Every route served here, as method and path template. */
  public static final List<String> ROUTES = List.of(
      "POST " + SUBMISSIONS, "GET " + SUBMISSIONS, "GET " + SUBMISSIONS + "/{id}",
      "GET " + REVIEWS, "GET " + REVIEWS + "/{id}", "POST " + REVIEWS + "/{id}/approve", "POST " + REVIEWS + "/{id}/reject");

  private final Registry registry;
  private final Executor blocking;

  public ReviewRoutes(Registry registry, Executor blocking) {
    this.registry = registry;
    this.blocking = blocking;
  }

  /** Whether {@code path} belongs to these routes (with any method). */
  public static boolean serves(String path) {
    return path.equals(SUBMISSIONS) || path.startsWith(SUBMISSIONS + "/") || path.equals(REVIEWS)
        || path.startsWith(REVIEWS + "/");
  }

  /** The largest body a {@code method path} request may carry here (0: none). */
  public static int maxBody(HttpMethod method, String path) {
    if (!method.equals(HttpMethod.POST)) {
      return 0;
    }
    if (path.equals(SUBMISSIONS)) {
      return MAX_BODY_BYTES;
    }
    return path.startsWith(REVIEWS + "/") && path.endsWith("/reject") ? MAX_REASON_BODY : 0;
  }

  /** Answers a request whose path {@link #serves}. */
  public void handle(ChannelHandlerContext ctx, FullHttpRequest req, String path, Optional<PartyId> party,
      Operators.@Nullable Operator op) {
    boolean keepAlive = HttpUtil.isKeepAlive(req);
    boolean department = path.startsWith(SUBMISSIONS);
    String rest = path.substring((department ? SUBMISSIONS : REVIEWS).length());
    String method = req.method().name();
    // route: "" collection, "/{id}", "/{id}/approve", "/{id}/reject"
    String id = "";
    String verb = "";
    if (!rest.isEmpty()) {
      String[] parts = rest.substring(1).split("/", -1);
      if (!rest.startsWith("/") || parts.length > 2 || department && parts.length > 1
          || parts.length == 2 && !parts[1].equals("approve") && !parts[1].equals("reject")) {
        send(ctx, Answer.refuse(HttpResponseStatus.NOT_FOUND, "NOT_FOUND", "no such resource"), keepAlive);
        return;
      }
      id = parts[0];
      verb = parts.length == 2 ? parts[1] : "";
    }
    List<String> allowed = new ArrayList<>();
    if (rest.isEmpty()) {
      allowed.add("GET");
      if (department) {
        allowed.add("POST");
      }
    } else {
      allowed.add(verb.isEmpty() ? "GET" : "POST");
    }
    if (!allowed.contains(method)) {
      String allow = String.join(", ", allowed);
      FullHttpResponse r = response(Answer.refuse(HttpResponseStatus.METHOD_NOT_ALLOWED, "METHOD_NOT_ALLOWED", "use " + allow));
      r.headers().set("Allow", allow);
      io.shulian.hub.http.Responses.write(ctx, r, keepAlive);
      return;
    }
    if (department && party.isEmpty()) {
      send(ctx, Answer.refuse(HttpResponseStatus.UNAUTHORIZED, "UNAUTHENTICATED",
          "catalog submissions need the department's city-CA TLS client certificate"), keepAlive);
      return;
    }
    if (!department && op == null) {
      send(ctx, Answer.refuse(HttpResponseStatus.UNAUTHORIZED, "UNAUTHENTICATED", "an operator token is required"), keepAlive);
      return;
    }
    if (!department && op != null && !verb.isEmpty() && op.role() == Operators.Role.VIEWER) {
      send(ctx, Answer.refuse(HttpResponseStatus.FORBIDDEN, "ROLE_NOT_ALLOWED",
          "approving and rejecting need the reviewer or security-officer role"), keepAlive);
      return;
    }
    if (!id.isEmpty() && !ID.matcher(id).matches()) {
      send(ctx, Answer.refuse(HttpResponseStatus.NOT_FOUND, "NOT_FOUND", "no such submission"), keepAlive);
      return;
    }
    int max = maxBody(req.method(), path);
    if (req.content().readableBytes() > max) {
      send(ctx, Answer.refuse(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "BODY_TOO_LARGE",
          max == 0 ? "this request takes no body" : "this request's body is at most " + max + " bytes"), false);
      return;
    }
    if (department && rest.isEmpty() && method.equals("POST")) {
      String ct = req.headers().get(HttpHeaderNames.CONTENT_TYPE, "").toLowerCase(Locale.ROOT);
      if (!ct.startsWith("application/jose")) {
        send(ctx, Answer.refuse(HttpResponseStatus.UNSUPPORTED_MEDIA_TYPE, "UNSUPPORTED_MEDIA_TYPE",
            "send the signed submission as application/jose (shulian catalog submit)"), keepAlive);
        return;
      }
    }
    byte[] body = ByteBufUtil.getBytes(req.content());
    String caseId = id;
    String v = verb;
    try {
      blocking.execute(() -> {
        java.util.concurrent.CompletableFuture<Answer> f;
        try {
          f = dispatch(department, method, caseId, v, body, party, op);
        } catch (RuntimeException e) {
          f = java.util.concurrent.CompletableFuture.completedFuture(
              Answer.refuse(HttpResponseStatus.INTERNAL_SERVER_ERROR, "INTERNAL", "the request failed"));
        }
        f.whenComplete((a, e) -> ctx.executor().execute(() -> send(ctx, e != null || a == null
            ? Answer.refuse(HttpResponseStatus.INTERNAL_SERVER_ERROR, "INTERNAL", "the request failed") : a, keepAlive)));
      });
    } catch (RejectedExecutionException e) {
      send(ctx, Answer.refuse(HttpResponseStatus.SERVICE_UNAVAILABLE, "SHUTTING_DOWN", "the hub is stopping"), false);
    }
  }

  private java.util.concurrent.CompletableFuture<Answer> dispatch(boolean department, String method, String id, String verb,
      byte[] body, Optional<PartyId> party, Operators.@Nullable Operator op) {
    if (department) {
      PartyId p = party.orElseThrow();
      Answer a = method.equals("POST") ? registry.submit(p, body) : id.isEmpty() ? registry.mine(p) : registry.mine(p, id);
      return java.util.concurrent.CompletableFuture.completedFuture(a);
    }
    String name = java.util.Objects.requireNonNull(op).name();
    switch (verb) {
      case "approve":
        return registry.approve(id, name);
      case "reject":
        return java.util.concurrent.CompletableFuture.completedFuture(registry.reject(id, name, body));
      default:
        return java.util.concurrent.CompletableFuture.completedFuture(id.isEmpty() ? registry.list() : registry.show(id));
    }
  }

  private static FullHttpResponse response(Answer a) {
    byte[] b = a.body().getBytes(StandardCharsets.UTF_8);
    FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, a.status(), Unpooled.wrappedBuffer(b));
    r.headers().set(HttpHeaderNames.CONTENT_TYPE, a.contentType()).setInt(HttpHeaderNames.CONTENT_LENGTH, b.length)
        .set(HttpHeaderNames.CACHE_CONTROL, "no-store");
    return r;
  }

  private static void send(ChannelHandlerContext ctx, Answer a, boolean keepAlive) {
    io.shulian.hub.http.Responses.write(ctx, response(a), keepAlive);
  }

}
