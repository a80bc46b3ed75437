package io.shulian.gateway.seal;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.shulian.core.catalog.Endpoint;
import io.shulian.core.catalog.EndpointMatch;
import io.shulian.gateway.audit.ExchangeEvent;
import io.shulian.gateway.inbound.Problem;

/**
 * What an audit record says was asked: the calling app (consumer side), the method and the path
 * relative to the resource — normalised when the target was accepted, a printable excerpt of what
 * was sent when it was not. Also the problems both roles answer when a target or endpoint is refused.
 */
record Requested(String app, String method, String path) {
  static final Requested NONE = new Requested("", "", "");
  /** Longest path excerpt kept in an audit record. */
  static final int MAX_EXCERPT = 256;

  ExchangeEvent on(ExchangeEvent e) {
    return this == NONE ? e : e.withRequest(app, method, path);
  }

  /** Keeps printable ASCII, replaces anything else by '?', and cuts at {@link #MAX_EXCERPT} characters. */
  static String excerpt(String raw) {
    StringBuilder b = new StringBuilder(Math.min(raw.length(), MAX_EXCERPT + 1));
    for (int i = 0; i < raw.length() && b.length() < MAX_EXCERPT; i++) {
      char c = raw.charAt(i);
      b.append(c >= 0x21 && c < 0x7f ? c : '?');
    }
    if (raw.length() > MAX_EXCERPT) {
      b.append('…');
    }
    return b.toString();
  }

  /** 400 BAD_TARGET: the target could leave its resource or is not in normal form. */
  static Problem badTarget(IllegalArgumentException e) {
    return Problem.of(HttpResponseStatus.BAD_REQUEST, "BAD_TARGET", "the request target is not accepted: " + e.getMessage());
  }

  /** 405 METHOD_NOT_ALLOWED with {@code Allow}, or 404 UNKNOWN_ENDPOINT, for a request no declared endpoint fits. */
  static Problem notDeclared(EndpointMatch m, String method, String resource) {
    if (m.result() == EndpointMatch.Result.METHOD_NOT_ALLOWED || !Endpoint.METHODS.contains(method)) {
      return Problem.of(HttpResponseStatus.METHOD_NOT_ALLOWED, "METHOD_NOT_ALLOWED",
          "the catalog declares no " + ConsumerExchangeHandler.safe(method) + " endpoint of resource "
              + ConsumerExchangeHandler.safe(resource) + " for this path")
          .withHeader("Allow", String.join(", ", m.allowedMethods()));
    }
    return Problem.of(HttpResponseStatus.NOT_FOUND, "UNKNOWN_ENDPOINT",
        "the catalog declares no endpoint of resource " + ConsumerExchangeHandler.safe(resource) + " for this path");
  }
}
