package io.shulian.gateway.ops;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import java.util.Objects;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The gateway's OpenTelemetry spans (docs/tracing.md), through the OpenTelemetry API only: without
 * a configured SDK every span is a no-op that still carries its parent's context, so a W3C {@code
 * traceparent} is passed on from the app, through the signed envelope header, to the department
 * system unchanged. With an SDK, each hop adds its spans under it.
 *
 * <p>A traceparent is only ever taken from the app (consumer) or from the opened, signature-checked
 * envelope header (provider), never from a peer's plain HTTP header.
 */
public final class Tracing {
  /** No spans recorded; traceparents are still propagated. */
  public static final Tracing NOOP = new Tracing(OpenTelemetry.noop());

  /** A W3C traceparent of version 00, the only one the envelope header accepts. */
  private static final Pattern TRACEPARENT = Pattern.compile("00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})");

  private final Tracer tracer;

  private Tracing(OpenTelemetry otel) {
    this.tracer = otel.getTracer("io.shulian.gateway");
  }

  /** Records spans with {@code otel} (e.g. an SDK with an OTLP exporter). */
  public static Tracing of(OpenTelemetry otel) {
    return new Tracing(Objects.requireNonNull(otel, "otel"));
  }

  /**
   * Starts a span under the trace context of {@code traceparent}, or a new trace when it is null or
   * not a valid version-00 traceparent (a malformed one is ignored, never an error).
   */
  public Span start(String name, SpanKind kind, @Nullable String traceparent) {
    Context parent = Context.root();
    SpanContext sc = parse(traceparent);
    if (sc != null) {
      parent = parent.with(Span.wrap(sc));
    }
    return tracer.spanBuilder(name).setSpanKind(kind).setParent(parent).startSpan();
  }

  /** Starts a child span of {@code parent}. */
  public Span child(Span parent, String name, SpanKind kind) {
    return tracer.spanBuilder(name).setSpanKind(kind).setParent(Context.root().with(parent)).startSpan();
  }

  /** Returns the traceparent that names {@code span} as the parent, or null for an invalid context. */
  public static @Nullable String traceparent(Span span) {
    SpanContext sc = span.getSpanContext();
    if (!sc.isValid()) {
      return null;
    }
    return "00-" + sc.getTraceId() + "-" + sc.getSpanId() + "-" + sc.getTraceFlags().asHex();
  }

  /** Ends {@code span}, marked as an error when {@code code} is not null (a refusal's primary code). */
  public static void end(Span span, @Nullable String code) {
    if (code != null) {
      span.setStatus(StatusCode.ERROR, code);
      span.setAttribute("shulian.code", code);
    }
    span.end();
  }

  static @Nullable SpanContext parse(@Nullable String traceparent) {
    if (traceparent == null) {
      return null;
    }
    java.util.regex.Matcher m = TRACEPARENT.matcher(traceparent);
    if (!m.matches()) {
      return null;
    }
    SpanContext sc = SpanContext.createFromRemoteParent(m.group(1), m.group(2),
        TraceFlags.fromHex(m.group(3), 0), TraceState.getDefault());
    return sc.isValid() ? sc : null;
  }
}
