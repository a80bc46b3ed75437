package io.shulian.gateway.seal;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.shulian.core.envelope.EnvelopeException;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.shulian.gateway.audit.AccessLog;
import io.shulian.gateway.audit.ExchangeEvent;
import io.shulian.gateway.inbound.Problem;
import io.shulian.gateway.ops.Tracing;
import io.shulian.gateway.pipeline.GatewayContext;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/** Shared steps of both roles: problem mapping, digests, and releasing a response after its audit. */
final class Exchanges {
  static final String ENVELOPE_MEDIA_TYPE = "application/jose";
  static final String EXCHANGE_PATH = "/shulian/v1/exchange";

  private Exchanges() {}

  /**
   * Maps a rejected envelope to what a peer is told: replays, size and time are named; every
   * cryptographic or trust failure is one opaque {@code ENVELOPE_REJECTED}.
   */
  /**
   * The refusal the city bureau's incident actions in force call for, or null: a suspended party
   * (403 {@code PARTY_SUSPENDED}) or a frozen resource (403 {@code RESOURCE_FROZEN}).
   *
   * @param resource the resource asked for, or null if not known yet
   * @param parties the parties taking part (the consumer, the provider); each is checked
   */
  static @org.jspecify.annotations.Nullable Problem incident(io.shulian.core.trust.Incidents in,
      @org.jspecify.annotations.Nullable String resource,
      io.shulian.core.party.PartyId... parties) {
    for (io.shulian.core.party.PartyId p : parties) {
      if (in.isSuspended(p)) {
        return Problem.of(HttpResponseStatus.FORBIDDEN, "PARTY_SUSPENDED",
            "the city data bureau suspended party " + p + "; its exchanges are refused");
      }
    }
    if (resource != null && in.isFrozen(resource)) {
      return Problem.of(HttpResponseStatus.FORBIDDEN, "RESOURCE_FROZEN",
          "the city data bureau froze resource " + resource + "; it is not served");
    }
    return null;
  }

  static Problem problemFor(EnvelopeException e) {
    switch (e.reason()) {
      case REPLAYED:
        return Problem.of(HttpResponseStatus.CONFLICT, "REPLAYED", "this envelope was already received");
      case SENDER_MISMATCH:
        return Problem.of(HttpResponseStatus.FORBIDDEN, "PEER_MISMATCH", "the TLS peer is not the envelope's sender");
      case REPLAY_STATE_UNAVAILABLE:
        if (notReplicated(e)) {
          return Problem.of(HttpResponseStatus.SERVICE_UNAVAILABLE, java.util.List.of(
              new Problem.Reason("STATE_UNAVAILABLE", reasonMessage("STATE_UNAVAILABLE", "")),
              new Problem.Reason("STATE_NOT_REPLICATED", reasonMessage("STATE_NOT_REPLICATED", ""))),
              "the envelope's id was recorded but not replicated in time, so it is not processed; "
                  + "this envelope is now a replay: seal a new one");
        }
        return Problem.of(HttpResponseStatus.SERVICE_UNAVAILABLE, "STATE_UNAVAILABLE",
            "the envelope cannot be recorded as received, so it is not processed; try again later");
      case TOO_LARGE:
        return Problem.of(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "TOO_LARGE", "the envelope is too large");
      case EXPIRED:
      case NOT_YET_VALID:
        return Problem.of(HttpResponseStatus.BAD_REQUEST, "ENVELOPE_NOT_VALID_NOW",
            "the envelope is outside its validity window; check clocks");
      case MALFORMED:
        return Problem.of(HttpResponseStatus.BAD_REQUEST, "MALFORMED_ENVELOPE", "the envelope is malformed");
      default:
        return Problem.of(HttpResponseStatus.BAD_REQUEST, "ENVELOPE_REJECTED", "the envelope was rejected");
    }
  }

  /** True if the shared state recorded the envelope's id but too few of its replicas acknowledged it. */
  static boolean notReplicated(EnvelopeException e) {
    return causedBy(e, io.shulian.core.policy.StateNotReplicatedException.class);
  }

  /** Marks a failure of the gateway state (not of the audit) on the way to the response. */
  private static final class StateUnavailable extends RuntimeException {
    private static final long serialVersionUID = 1L;

    StateUnavailable(Throwable cause) {
      super(cause);
    }
  }

  private static boolean causedBy(Throwable t, Class<? extends Throwable> type) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (type.isInstance(c)) {
        return true;
      }
    }
    return false;
  }

  /** The payload digest for audit: SM3 for a GM gateway, SHA-256 otherwise. */
  static byte[] digest(GatewayContext g, byte[] b) {
    if (g.identity().suite() == io.shulian.core.keys.Suite.GM) {
      org.bouncycastle.crypto.digests.SM3Digest d = new org.bouncycastle.crypto.digests.SM3Digest();
      d.update(b, 0, b.length);
      byte[] out = new byte[d.getDigestSize()];
      d.doFinal(out, 0);
      return out;
    }
    try {
      return MessageDigest.getInstance("SHA-256").digest(b);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static String sha256(byte[] b) {
    try {
      return "sha256:" + Base64.getUrlEncoder().withoutPadding().encodeToString(MessageDigest.getInstance("SHA-256").digest(b));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** What a client is told about a policy reason code: fixed text, never the engine's message (rule and grant ids). */
  private static final java.util.Map<String, String> REASON_MESSAGES = java.util.Map.ofEntries(
      java.util.Map.entry("NO_PERMIT", "no rule permits this request"),
      java.util.Map.entry("DENIED", "the policy denied the request"),
      java.util.Map.entry("NO_PERMISSION", "no permission for this consumer, resource and action"),
      java.util.Map.entry("PURPOSE_NOT_ALLOWED", "the stated purpose is not allowed for this request"),
      java.util.Map.entry("UNKNOWN_PURPOSE", "the stated purpose is not in the city catalog"),
      java.util.Map.entry("UNKNOWN_RESOURCE", "the resource is not in the city catalog"),
      java.util.Map.entry("UNKNOWN_ACTION", "the action is not known"),
      java.util.Map.entry("UNKNOWN_FIELD", "a requested field is not in the catalog"),
      java.util.Map.entry("GRANT_REQUIRED", "this request needs a grant"),
      java.util.Map.entry("NOT_SHARED", "the resource is not shared"),
      java.util.Map.entry("FORBIDDEN", "a rule forbids this request"),
      java.util.Map.entry("FIELD_FORBIDDEN", "a requested field is forbidden"),
      java.util.Map.entry("FIELD_NOT_PERMITTED", "a requested field is not released"),
      java.util.Map.entry("RATE_LIMITED", "the rate limit of the permitting rule is reached"),
      java.util.Map.entry("RATE_STATE_UNAVAILABLE", "the rate limit cannot be counted now; try again later"),
      java.util.Map.entry("GRANT_STATE_UNAVAILABLE", "the use of the grant cannot be recorded now; try again later"),
      java.util.Map.entry("STATE_UNAVAILABLE", "the gateway's shared state does not answer; try again later"),
      java.util.Map.entry("STATE_NOT_REPLICATED", "the gateway's shared state was not replicated in time; send a new request later"),
      java.util.Map.entry("OUTSIDE_TIME_WINDOW", "the permitting rule does not apply at this time"),
      java.util.Map.entry("LEVEL_RELATION_NOT_MET", "the administrative levels of the parties do not fit the rule"),
      java.util.Map.entry("RETURN_FLOW_NOT_DOWNWARD", "return flow goes only to lower levels"),
      java.util.Map.entry("RETURN_FLOW_OUTSIDE_DIVISION", "return flow stays within the provider's division"));

  /** The client text for a reason code; {@code fallback} for a code without fixed text. */
  static String reasonMessage(String code, String fallback) {
    String m = REASON_MESSAGES.get(code);
    if (m != null) {
      return m;
    }
    return code.startsWith("GRANT_") ? "the grant does not fit this request" : fallback;
  }

  /**
   * A policy denial: 403, the reasons deduplicated, the primary code by {@link Problem#primary}. A
   * denial because a grant use or a rate count could not be recorded ({@code *_STATE_UNAVAILABLE})
   * is no verdict on the request: 503 {@code STATE_UNAVAILABLE}, with the reasons after it.
   */
  static Problem denied(java.util.List<String> codes) {
    java.util.List<Problem.Reason> reasons = new java.util.ArrayList<>();
    boolean state = codes.contains("GRANT_STATE_UNAVAILABLE") || codes.contains("RATE_STATE_UNAVAILABLE");
    if (state) {
      reasons.add(new Problem.Reason("STATE_UNAVAILABLE", reasonMessage("STATE_UNAVAILABLE", "")));
    }
    for (String c : codes.isEmpty() ? java.util.List.of("DENIED") : codes) {
      reasons.add(new Problem.Reason(c, reasonMessage(c, "the policy denied the request")));
    }
    return state
        ? Problem.of(HttpResponseStatus.SERVICE_UNAVAILABLE, reasons, "the gateway's shared state does not answer, so nothing was released")
        : Problem.of(HttpResponseStatus.FORBIDDEN, reasons, "access denied by the provider's policy");
  }

  private static final java.util.regex.Pattern PROBLEM_CODE = java.util.regex.Pattern.compile("[A-Z][A-Z0-9_]{0,63}");
  private static final int MAX_RELAYED_REASONS = 16;
  private static final int MAX_PROBLEM_BYTES = 8192;
  private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

  /**
   * Re-issues a provider gateway's refusal for the app: its status (4xx or 5xx), its primary code
   * and its reason codes, where they are well-formed codes, with our own detail and messages. Nothing
   * else the provider wrote reaches the app; anything that is not a problem document becomes {@code
   * 502 PROVIDER_ERROR}. The primary code is chosen again by {@link Problem#primary} from the
   * provider's reasons and code (the provider's own choice, unless it is a summary code); a
   * comma-joined code of older gateways is split into its codes.
   */
  static Problem providerProblem(FullHttpResponse resp) {
    int status = resp.status().code();
    String ct = resp.headers().get(HttpHeaderNames.CONTENT_TYPE, "");
    if (status < 400 || status > 599 || !ct.startsWith(Problem.MEDIA_TYPE)) {
      return Problem.of(HttpResponseStatus.BAD_GATEWAY, "PROVIDER_ERROR", "the provider gateway answered " + status);
    }
    java.util.List<String> codes = new java.util.ArrayList<>();
    int backendStatus = -1;
    if (resp.content().readableBytes() <= MAX_PROBLEM_BYTES) {
      try {
        com.fasterxml.jackson.databind.JsonNode n = JSON.readTree(new io.netty.buffer.ByteBufInputStream(resp.content().duplicate()));
        for (com.fasterxml.jackson.databind.JsonNode r : n.path("reasons")) {
          com.fasterxml.jackson.databind.JsonNode rc = r.path("code");
          if (rc.isTextual()) {
            relayable(rc.textValue(), codes);
          }
        }
        com.fasterxml.jackson.databind.JsonNode bs = n.path("backendStatus");
        if (bs.isInt() && bs.intValue() >= 100 && bs.intValue() <= 599) {
          backendStatus = bs.intValue();
        }
        com.fasterxml.jackson.databind.JsonNode c = n.path("code");
        if (c.isTextual()) {
          for (String part : c.textValue().split(",", MAX_RELAYED_REASONS + 1)) {
            relayable(part, codes);
          }
        }
      } catch (java.io.IOException | RuntimeException e) {
        // not a problem document: the generic code
      }
    }
    if (codes.isEmpty()) {
      codes.add("PROVIDER_ERROR");
    }
    java.util.List<Problem.Reason> reasons = new java.util.ArrayList<>();
    for (String c : codes) {
      reasons.add(new Problem.Reason(c, reasonMessage(c, "reported by the provider gateway")));
    }
    Problem p = Problem.of(HttpResponseStatus.valueOf(status), reasons, "the provider gateway refused the request");
    return backendStatus < 0 ? p : p.withMember("backendStatus", backendStatus);
  }

  private static void relayable(String code, java.util.List<String> codes) {
    String c = code.trim();
    if (PROBLEM_CODE.matcher(c).matches() && !codes.contains(c) && codes.size() < MAX_RELAYED_REASONS) {
      codes.add(c);
    }
  }

  static FullHttpResponse envelopeResponse(byte[] sealed) {
    FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.wrappedBuffer(sealed));
    r.headers().set(HttpHeaderNames.CONTENT_TYPE, ENVELOPE_MEDIA_TYPE);
    r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, sealed.length);
    return r;
  }

  /**
   * Records the event, then (on the channel's loop) writes the response; if the record cannot be
   * made durable, the response is dropped and 503 is sent instead: nothing is released unaudited.
   */
  static void auditThenRespond(GatewayContext g, ChannelHandlerContext ctx, FullHttpRequest request,
      ExchangeEvent event, FullHttpResponse response) {
    auditThenRespond(g, ctx, request, event, response, null);
  }

  /**
   * As above, with the audit append (and the state it waits for) in a {@code shulian.audit} span
   * under {@code traceparent}, the exchange's span; no span without one. The span ends before the
   * answer is written, with {@code AUDIT_UNAVAILABLE} or {@code STATE_UNAVAILABLE} when it failed.
   */
  static void auditThenRespond(GatewayContext g, ChannelHandlerContext ctx, FullHttpRequest request,
      ExchangeEvent event, FullHttpResponse response, @Nullable String traceparent) {
    Span audit = traceparent == null ? Span.getInvalid()
        : g.tracing().start("shulian.audit", SpanKind.INTERNAL, traceparent);
    boolean keepAlive = HttpUtil.isKeepAlive(request);
    CompletableFuture<Void> f;
    try {
      f = g.auditor().record(event);
    } catch (RuntimeException e) {
      f = CompletableFuture.failedFuture(e);
    }
    if (event.direction == ExchangeEvent.Direction.REQUEST_IN) {
      // the replay slot and grant use this exchange took must be durable before its answer leaves,
      // or a restart could serve the same envelope or grant again
      CompletableFuture<Void> state = g.stateDurable();
      f = f.thenCombine(state.exceptionally(e -> {
        throw new java.util.concurrent.CompletionException(new StateUnavailable(e));
      }), (a, b) -> null);
    }
    g.metrics().exchange(event);
    f.whenComplete((ok, err) -> {
      Tracing.end(audit, err == null ? null
          : causedBy(err, StateUnavailable.class) ? "STATE_UNAVAILABLE" : "AUDIT_UNAVAILABLE");
      answer(g, ctx, event, response, keepAlive, err);
    });
  }

  /** Writes the answer (or the 503 of a failed audit) on the channel's loop. */
  private static void answer(GatewayContext g, ChannelHandlerContext ctx, ExchangeEvent event,
      FullHttpResponse response, boolean keepAlive, @Nullable Throwable err) {
    ctx.executor().execute(() -> {
      FullHttpResponse out = response;
      boolean close = !keepAlive || g.draining();
      if (err != null) {
        response.release();
        Problem p;
        if (causedBy(err, StateUnavailable.class)) {
          p = Problem.of(HttpResponseStatus.SERVICE_UNAVAILABLE, "STATE_UNAVAILABLE",
              "the exchange could not be recorded as done, so nothing was released");
        } else {
          g.metrics().auditFailure();
          p = Problem.of(HttpResponseStatus.SERVICE_UNAVAILABLE, "AUDIT_UNAVAILABLE",
              "the exchange could not be audited, so nothing was released");
        }
        out = p.toResponse();
        close = true;
        AccessLog.answered(event, p.status().code(), p.code());
      } else {
        AccessLog.answered(event, event.status, event.outcome);
      }
      if (close) {
        out.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      } else {
        HttpUtil.setKeepAlive(out, true);
      }
      g.inFlightDone();
      if (!ctx.channel().isActive()) {
        out.release();
        return;
      }
      var wf = ctx.writeAndFlush(out);
      if (close) {
        wf.addListener(ChannelFutureListener.CLOSE);
      }
    });
  }
}
