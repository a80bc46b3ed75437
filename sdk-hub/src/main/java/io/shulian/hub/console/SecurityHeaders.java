package io.shulian.hub.console;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;

/**
 * Stamps the browser-hardening headers on every response of the hub's HTTPS listener (the
 * console's pages, its API answers, problem responses, and the JSON admin APIs the console
 * calls): a strict Content-Security-Policy, {@code nosniff}, no referrer, no framing, HSTS, and
 * {@code Cache-Control: no-store} unless the route set its own caching (bundles). Stateless.
 */
@ChannelHandler.Sharable
public final class SecurityHeaders extends ChannelOutboundHandlerAdapter {
  /** Scripts and styles only from the hub's own files; nothing inline, no framing, no plugins. */
  public static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
      + "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
    if (msg instanceof HttpResponse) {
      stamp(((HttpResponse) msg).headers());
    }
    super.write(ctx, msg, promise);
  }

  static void stamp(HttpHeaders h) {
    h.set("Content-Security-Policy", CSP)
        .set("X-Content-Type-Options", "nosniff")
        .set("Referrer-Policy", "no-referrer")
        .set("X-Frame-Options", "DENY")
        .set("Cross-Origin-Opener-Policy", "same-origin")
        .set("Cross-Origin-Resource-Policy", "same-origin")
        .set("Strict-Transport-Security", "max-age=31536000");
    if (!h.contains(HttpHeaderNames.CACHE_CONTROL)) {
      h.set(HttpHeaderNames.CACHE_CONTROL, "no-store");
    }
  }
}
