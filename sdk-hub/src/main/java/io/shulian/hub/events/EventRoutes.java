package io.shulian.hub.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.shulian.core.audit.AuditDecision;
import io.shulian.core.audit.AuditRecord;
import io.shulian.core.audit.Direction;
import io.shulian.core.audit.HashAlgorithm;
import io.shulian.core.party.PartyId;
import io.shulian.gateway.inbound.Problem;
import io.shulian.hub.access.Operators;
import io.shulian.hub.alert.Alert;
import io.shulian.hub.alert.Alerts;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The HTTP side of the collector and the alerts:
 *
 * <pre>
 * POST /v1/events                         department: a batch of its own gateway's audit log
 * GET  /v1/events/logs/{logId}            department: where its log stands at the hub (resume point)
 * GET  /v1/admin/alerts[?state=open]      any operator
 * POST /v1/admin/alerts/{id}/acknowledge  operator, role security-officer; body {"note": "…"}
 * POST /v1/admin/alerts/{id}/close        operator, role security-officer; body {"note": "…"}
 * </pre>
 *
 * Database work runs on {@code blocking}, never on the event loop. Acknowledging and closing are
 * recorded in the hub's audit log.
 */
public final class EventRoutes {
  public static final String EVENTS = "/v1/events";
  private static final String LOGS = "/v1/events/logs/";
  private static final String ALERTS = "/v1/admin/alerts";
  private static final Pattern ALERT_MOVE = Pattern.compile("/v1/admin/alerts/([0-9]{1,18})/(acknowledge|close)");
  /** The body of an acknowledge or close. */
  public static final int MAX_NOTE_BODY_BYTES = 4096;
  /** Every route served here, as method and path template. */
  public static final List<String> ROUTES = List.of("POST /v1/events", "GET /v1/events/logs/{logId}",
      "GET /v1/admin/alerts", "POST /v1/admin/alerts/{id}/acknowledge", "POST /v1/admin/alerts/{id}/close");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Collector collector;
  private final Alerts alerts;
  private final io.shulian.hub.audit.HubAudit audit;
  private final String hubParty;
  private final Executor blocking;
  private final MeterRegistry registry;

  public EventRoutes(Collector collector, Alerts alerts, io.shulian.hub.audit.HubAudit audit, String hubParty, Executor blocking,
      MeterRegistry registry) {
    this.collector = collector;
    this.alerts = alerts;
    this.audit = audit;
    this.hubParty = hubParty;
    this.blocking = blocking;
    this.registry = registry;
  }

  /** Whether {@code path} belongs to these routes. */
  public static boolean serves(String path) {
    return path.equals(EVENTS) || path.startsWith(LOGS) || path.equals(ALERTS) || path.startsWith(ALERTS + "/");
  }

  /** The largest body a {@code method} request to {@code path} may carry (0: none). */
  public static long maxBody(HttpMethod method, String path) {
    if (!method.equals(HttpMethod.POST)) {
      return 0;
    }
    if (path.equals(EVENTS)) {
      return Collector.MAX_BODY_BYTES;
    }
    return ALERT_MOVE.matcher(path).matches() ? MAX_NOTE_BODY_BYTES : 0;
  }

  /** Answers a request whose path {@link #serves}. */
  public void handle(ChannelHandlerContext ctx, FullHttpRequest req, String path, Optional<PartyId> party,
      Operators.@Nullable Operator operator, BiConsumer<HttpResponseStatus, String> json) {
    HttpMethod m = req.method();
    if (path.equals(EVENTS)) {
      if (!m.equals(HttpMethod.POST)) {
        notAllowed(ctx, "POST");
      } else if (party.isEmpty()) {
        unauthenticated(ctx, "shipping events needs the department's city-CA TLS client certificate");
      } else {
        byte[] body = ByteBufUtil.getBytes(req.content());
        PartyId who = party.get();
        run(ctx, () -> {
          Collector.Result r = collector.ingest(who, body);
          registry.counter("shulian.hub.event.batches", "outcome",
              String.valueOf(r.code() == null ? "accepted" : r.code()).toLowerCase(Locale.ROOT)).increment();
          return r;
        }, json);
      }
    } else if (path.startsWith(LOGS)) {
      if (!m.equals(HttpMethod.GET)) {
        notAllowed(ctx, "GET");
      } else if (party.isEmpty()) {
        unauthenticated(ctx, "the log cursor needs the department's city-CA TLS client certificate");
      } else {
        String logId = path.substring(LOGS.length());
        PartyId who = party.get();
        run(ctx, () -> collector.cursor(who, logId).map(Collector.Result::ok)
            .orElse(Collector.Result.refuse(404, "LOG_UNKNOWN", "no such log of this party: ship it from seq 0")), json);
      }
    } else if (path.equals(ALERTS)) {
      if (!m.equals(HttpMethod.GET)) {
        notAllowed(ctx, "GET");
      } else if (operator == null) {
        unauthenticated(ctx, "an operator token is required");
      } else {
        Alert.State state;
        try {
          List<String> s = new QueryStringDecoder(req.uri()).parameters().get("state");
          state = s == null ? null : s.size() != 1 ? badState() : Alert.State.valueOf(s.get(0).toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
          Problem.of(HttpResponseStatus.BAD_REQUEST, "BAD_QUERY", "state is open, acknowledged or closed").send(ctx, false);
          return;
        }
        Alert.State st = state;
        run(ctx, () -> {
          ObjectNode o = JSON.createObjectNode();
          ArrayNode a = o.putArray("alerts");
          alerts.list(st, 500).forEach(x -> a.add(Alerts.toJson(x)));
          return Collector.Result.ok(o.toString());
        }, json);
      }
    } else {
      Matcher mm = ALERT_MOVE.matcher(path);
      if (!mm.matches()) {
        Problem.of(HttpResponseStatus.NOT_FOUND, "NOT_FOUND", "no such resource").send(ctx, false);
      } else if (!m.equals(HttpMethod.POST)) {
        notAllowed(ctx, "POST");
      } else if (operator == null) {
        unauthenticated(ctx, "an operator token is required");
      } else if (operator.role() != Operators.Role.SECURITY_OFFICER) {
        Problem.of(HttpResponseStatus.FORBIDDEN, "ROLE_NOT_ALLOWED", "acknowledging and closing alerts needs the"
            + " security-officer role").send(ctx, false);
      } else {
        long id = Long.parseLong(mm.group(1));
        Alert.State to = mm.group(2).equals("close") ? Alert.State.CLOSED : Alert.State.ACKNOWLEDGED;
        String note;
        try {
          note = note(ByteBufUtil.getBytes(req.content()));
        } catch (IllegalArgumentException e) {
          Problem.of(HttpResponseStatus.BAD_REQUEST, "MALFORMED_BODY", String.valueOf(e.getMessage())).send(ctx, false);
          return;
        }
        String by = operator.name();
        run(ctx, () -> move(id, to, by, note, path), json);
      }
    }
  }

  private static Alert.State badState() {
    throw new IllegalArgumentException("state given twice");
  }

  /** Reads {@code {"note": "…"}}: 1 to 500 printable characters. */
  static String note(byte[] body) {
    JsonNode n;
    try {
      n = JSON.readTree(body);
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException("the body is not JSON: send {\"note\": \"…\"}");
    }
    if (n == null || !n.isObject() || n.size() != 1 || !n.hasNonNull("note") || !n.get("note").isTextual()) {
      throw new IllegalArgumentException("send exactly {\"note\": \"…\"}");
    }
    String s = n.get("note").asText();
    if (s.isBlank() || s.length() > 500 || s.chars().anyMatch(Character::isISOControl)) {
      throw new IllegalArgumentException("note: 1 to 500 characters, no control characters");
    }
    return s;
  }

  private Collector.Result move(long id, Alert.State to, String by, String note, String path) throws Exception {
    String done = to == Alert.State.CLOSED ? "ALERT_CLOSED" : "ALERT_ACKNOWLEDGED";
    // the record of the move is appended inside its transaction, before the commit: no record, no move
    Alerts.Move r;
    try {
      r = audit.commitWith(moveRecord(id, to, by, note, path, 200, done), before -> alerts.move(id, to, by, note,
          c -> before.append()), m -> m == Alerts.Move.MOVED);
    } catch (io.shulian.hub.audit.AuditUnavailableException e) {
      return Collector.Result.refuse(503, io.shulian.hub.audit.AuditUnavailableException.CODE,
          "the hub's audit log is not writable; nothing was changed");
    }
    switch (r) {
      case MOVED:
        return Collector.Result.ok(Alerts.toJson(alerts.get(id).orElseThrow()).toString());
      case NOT_FOUND:
        audit.note(moveRecord(id, to, by, note, path, 404, "ALERT_NOT_FOUND"));
        return Collector.Result.refuse(404, "ALERT_NOT_FOUND", "no alert " + id);
      default:
        audit.note(moveRecord(id, to, by, note, path, 409, "ILLEGAL_TRANSITION"));
        return Collector.Result.refuse(409, "ILLEGAL_TRANSITION", "alert " + id + " is closed, or acknowledged already");
    }
  }

  private AuditRecord moveRecord(long id, Alert.State to, String by, String note, String path, int status, String code) {
    byte[] body = note.getBytes(StandardCharsets.UTF_8);
    return AuditRecord.builder()
        .time(Instant.now())
        .envelopeId("hub-alert-" + java.util.UUID.randomUUID())
        .direction(Direction.REQUEST_IN)
        .sender(by)
        .receiver(hubParty)
        .resource("alert/" + id)
        .purpose(to == Alert.State.CLOSED ? "close" : "acknowledge")
        .decision(status == 200 ? AuditDecision.permit() : AuditDecision.deny(code))
        .payloadDigest(HashAlgorithm.SHA_256, io.shulian.hub.audit.HubAudit.sha256(body))
        .payloadBytes(body.length)
        .status(status)
        .outcome(code)
        .latency(Duration.ZERO)
        .app(by)
        .request("POST", path)
        .build();
  }

  @FunctionalInterface
  private interface Work {
    Collector.Result run() throws Exception;
  }

  private void run(ChannelHandlerContext ctx, Work w, BiConsumer<HttpResponseStatus, String> json) {
    try {
      blocking.execute(() -> {
        Collector.Result r;
        try {
          r = w.run();
        } catch (java.sql.SQLException e) {
          r = Collector.Result.refuse(503, "DATABASE_UNAVAILABLE", "the database did not answer");
        } catch (Exception | StackOverflowError e) {
          r = Collector.Result.refuse(500, "INTERNAL", "the request failed");
        }
        Collector.Result done = r;
        ctx.executor().execute(() -> {
          if (done.accepted()) {
            json.accept(HttpResponseStatus.valueOf(done.status()), done.body());
          } else {
            Problem.of(HttpResponseStatus.valueOf(done.status()), String.valueOf(done.code()), done.detail()).send(ctx, false);
          }
        });
      });
    } catch (RejectedExecutionException e) {
      Problem.of(HttpResponseStatus.SERVICE_UNAVAILABLE, "SHUTTING_DOWN", "the hub is stopping").send(ctx, true);
    }
  }

  private static void notAllowed(ChannelHandlerContext ctx, String allow) {
    Problem.of(HttpResponseStatus.METHOD_NOT_ALLOWED, "METHOD_NOT_ALLOWED", "use " + allow).withHeader("Allow", allow)
        .send(ctx, false);
  }

  private static void unauthenticated(ChannelHandlerContext ctx, String detail) {
    Problem.of(HttpResponseStatus.UNAUTHORIZED, "UNAUTHENTICATED", detail).send(ctx, false);
  }
}
