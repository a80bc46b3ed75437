package io.shulian.hub.http;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.shulian.core.keys.Suite;
import io.shulian.gateway.inbound.Problem;
import io.shulian.hub.access.Operators;
import io.shulian.hub.action.IncidentActions;
import io.shulian.hub.store.HubAction;
import java.util.Iterator;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;

/**
 * The incident-action routes under {@value #PREFIX}:
 *
 * <pre>
 * POST   /v1/admin/actions        {"kind","target","reason"[,"suite"]}   security-officer → 201 the action
 * DELETE /v1/admin/actions/{id}   {"reason"}                             security-officer → 200 the lifted action
 * GET    /v1/admin/actions                                               any operator     → 200 the newest 500
 * </pre>
 *
 * Bodies are strict JSON of at most {@value #MAX_BODY_BYTES} bytes; errors are problem+json.
 */
final class ActionRoutes {
  static final String PREFIX = "/v1/admin/actions";
  /** The largest action body. */
  static final int MAX_BODY_BYTES = 16 * 1024;
  private static final Set<String> TAKE = Set.of("kind", "target", "reason", "suite");
  private static final Set<String> LIFT = Set.of("reason");
  private static final ObjectMapper JSON = new ObjectMapper(com.fasterxml.jackson.core.JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(4).maxStringLength(4096).build())
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build());

  private final IncidentActions actions;
  private final Suite defaultSuite;

  ActionRoutes(IncidentActions actions, Suite defaultSuite) {
    this.actions = actions;
    this.defaultSuite = defaultSuite;
  }

  /** Whether {@code method path} is an action route that takes a body. */
  static boolean takesBody(HttpMethod method, String path) {
    return (method.equals(HttpMethod.POST) || method.equals(HttpMethod.DELETE)) && path.startsWith(PREFIX);
  }

  /** Answers a request whose path starts with {@value #PREFIX}; {@code op} is the authenticated operator or null. */
  void handle(ChannelHandlerContext ctx, FullHttpRequest req, String path, Operators.@Nullable Operator op,
      BiConsumer<HttpResponseStatus, String> json) {
    if (op == null) {
      Problem.of(HttpResponseStatus.UNAUTHORIZED, "UNAUTHENTICATED", "an operator token is required").send(ctx, false);
      return;
    }
    String rest = path.substring(PREFIX.length());
    boolean collection = rest.isEmpty() || rest.equals("/");
    if (collection && req.method().equals(HttpMethod.GET)) {
      list(ctx, json);
      return;
    }
    boolean post = collection && req.method().equals(HttpMethod.POST);
    boolean delete = !collection && req.method().equals(HttpMethod.DELETE);
    if (!post && !delete) {
      String allow = collection ? "GET, POST" : "DELETE";
      Problem.of(HttpResponseStatus.METHOD_NOT_ALLOWED, "METHOD_NOT_ALLOWED", "use " + allow).withHeader("Allow", allow)
          .send(ctx, false);
      return;
    }
    if (op.role() != Operators.Role.SECURITY_OFFICER) {
      Problem.of(HttpResponseStatus.FORBIDDEN, "ROLE_NOT_ALLOWED", "incident actions need the security-officer role")
          .send(ctx, false);
      return;
    }
    JsonNode body;
    try {
      body = body(req, post ? TAKE : LIFT);
    } catch (IllegalArgumentException e) {
      Problem.of(HttpResponseStatus.BAD_REQUEST, "MALFORMED_ACTION", String.valueOf(e.getMessage())).send(ctx, false);
      return;
    }
    CompletableFuture<IncidentActions.Outcome> f;
    if (post) {
      HubAction.Kind kind = HubAction.Kind.ofCliName(body.path("kind").asText(""));
      Suite suite = body.has("suite") ? suite(body.path("suite").asText("")) : defaultSuite;
      if (kind == null || suite == null || !body.path("target").isTextual() || !body.path("reason").isTextual()) {
        Problem.of(HttpResponseStatus.BAD_REQUEST, "MALFORMED_ACTION", "give kind (suspend-party, freeze-resource, "
            + "revoke-grant, revoke-cert), target and reason as strings, and optionally suite (intl or gm)").send(ctx, false);
        return;
      }
      f = actions.take(kind, body.get("target").asText(), body.get("reason").asText(), suite, op.name());
    } else {
      String id = rest.substring(1);
      if (!id.matches("[1-9][0-9]{0,17}") || !body.path("reason").isTextual()) {
        Problem.of(HttpResponseStatus.BAD_REQUEST, "MALFORMED_ACTION",
            "DELETE /v1/admin/actions/<id> with a JSON body {\"reason\": \"...\"}").send(ctx, false);
        return;
      }
      f = actions.lift(Long.parseLong(id), body.get("reason").asText(), op.name());
    }
    f.whenComplete((o, e) -> ctx.executor().execute(() -> {
      if (e != null || o == null) {
        Problem.of(HttpResponseStatus.INTERNAL_SERVER_ERROR, "INTERNAL", "the action failed").send(ctx, true);
      } else if (o.done()) {
        HubAction a = o.action();
        json.accept(post ? HttpResponseStatus.CREATED : HttpResponseStatus.OK, a == null ? "{}" : toJson(a).toString());
      } else {
        Problem.of(status(o.code()), o.code(), o.detail()).send(ctx, false);
      }
    }));
  }

  private void list(ChannelHandlerContext ctx, BiConsumer<HttpResponseStatus, String> json) {
    ArrayNode a = JSON.createArrayNode();
    try {
      for (HubAction x : actions.list(500)) {
        a.add(toJson(x));
      }
    } catch (java.sql.SQLException e) {
      Problem.of(HttpResponseStatus.SERVICE_UNAVAILABLE, "DATABASE_UNAVAILABLE", "the actions could not be read")
          .send(ctx, false);
      return;
    }
    ObjectNode o = JSON.createObjectNode();
    o.set("actions", a);
    json.accept(HttpResponseStatus.OK, o.toString());
  }

  static HttpResponseStatus status(String code) {
    return switch (code) {
      case "MALFORMED_ACTION" -> HttpResponseStatus.BAD_REQUEST;
      case "ACTION_NOT_FOUND" -> HttpResponseStatus.NOT_FOUND;
      case "ACTION_IN_FORCE", "ACTION_LIFTED", "NOT_LIFTABLE", "NO_BUNDLE", "BUNDLE_NOT_NEWER" -> HttpResponseStatus.CONFLICT;
      case "UNKNOWN_PARTY", "UNKNOWN_CERTIFICATE", "BUNDLE_INVALID", "BUNDLE_NOT_SIGNED" -> HttpResponseStatus.UNPROCESSABLE_ENTITY;
      case "SUITE_NOT_SERVED" -> HttpResponseStatus.NOT_FOUND;
      default -> HttpResponseStatus.SERVICE_UNAVAILABLE;
    };
  }

  private static JsonNode body(FullHttpRequest req, Set<String> allowed) {
    if (req.content().readableBytes() > MAX_BODY_BYTES) {
      throw new IllegalArgumentException("the body is larger than " + MAX_BODY_BYTES + " bytes");
    }
    JsonNode n;
    try {
      n = JSON.readTree(ByteBufUtil.getBytes(req.content()));
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException("the body is not valid JSON within the limits (nesting, size, duplicate keys)");
    }
    if (n == null || !n.isObject()) {
      throw new IllegalArgumentException("the body must be a JSON object");
    }
    for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!allowed.contains(f)) {
        throw new IllegalArgumentException("unknown member '" + f + "' (allowed: " + new java.util.TreeSet<>(allowed) + ")");
      }
    }
    return n;
  }

  private static @Nullable Suite suite(String s) {
    return "intl".equals(s) ? Suite.INTL : "gm".equals(s) ? Suite.GM : null;
  }

  static ObjectNode toJson(HubAction a) {
    ObjectNode o = JSON.createObjectNode();
    o.put("id", a.id());
    o.put("kind", a.kind().cliName());
    o.put("target", a.target());
    o.put("reason", a.reason());
    o.put("suite", a.suite());
    o.put("requestedBy", a.requestedBy());
    o.put("createdAt", a.createdAt().toString());
    if (a.bundleVersion() != null) {
      o.put("bundleVersion", a.bundleVersion());
    }
    o.put("inForce", a.inForce());
    if (a.liftedAt() != null) {
      o.put("liftedAt", String.valueOf(a.liftedAt()));
      o.put("liftedBy", a.liftedBy());
      o.put("liftedBundleVersion", a.liftedBundleVersion());
      o.put("liftReason", a.liftReason());
    }
    return o;
  }
}
