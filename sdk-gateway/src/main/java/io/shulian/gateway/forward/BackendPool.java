package io.shulian.gateway.forward;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.net.URI;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Keep-alive HTTP/1.1 connections to upstream servers (backends and provider gateways), kept per
 * event loop: a request is sent on a connection owned by the loop of the inbound channel, so no
 * lock is taken and no thread is crossed (the Zuul 2 model). Idle connections close before the
 * upstream's own idle timeout; a request that fails on a reused connection before any response
 * arrived is retried once on a fresh connection if it is idempotent or replay-protected.
 *
 * <p>All methods must be called on the given event loop.
 */
public final class BackendPool {
  private static final AttributeKey<Exchange> CURRENT = AttributeKey.valueOf("shulian.exchange");
  private static final Set<HttpMethod> IDEMPOTENT =
      Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.PUT, HttpMethod.DELETE, HttpMethod.OPTIONS);

  private final Class<? extends SocketChannel> channelClass;
  private final @Nullable SslContext ssl;
  private final Duration idleTimeout;
  private final Duration responseTimeout;
  private final int maxResponseBytes;
  private final @Nullable Consumer<X509Certificate[]> peerCheck;
  private final Map<EventLoop, Map<String, ArrayDeque<Channel>>> idle = new ConcurrentHashMap<>();

  /**
   * @param ssl client TLS context, or null for plain HTTP
   * @param peerCheck called with the server's certificate chain after the handshake; throws to
   *     refuse (e.g. the server is not the party we meant to reach)
   */
  public BackendPool(Class<? extends SocketChannel> channelClass, @Nullable SslContext ssl, Duration idleTimeout,
      Duration responseTimeout, int maxResponseBytes, @Nullable Consumer<X509Certificate[]> peerCheck) {
    this.channelClass = channelClass;
    this.ssl = ssl;
    this.idleTimeout = idleTimeout;
    this.responseTimeout = responseTimeout;
    this.maxResponseBytes = maxResponseBytes;
    this.peerCheck = peerCheck;
  }

  /** Why an upstream exchange failed. */
  public static final class UpstreamException extends Exception {
    private static final long serialVersionUID = 1L;
    private final boolean timeout;

    UpstreamException(String message, boolean timeout) {
      super(message, null, false, false);
      this.timeout = timeout;
    }

    public boolean isTimeout() {
      return timeout;
    }
  }

  /**
   * Sends a request and completes with the full response (which the caller must release). The
   * request is released by this pool. {@code replayProtected} marks requests that are safe to
   * retry although their method is not idempotent (sealed envelopes: the receiver opens each once).
   */
  public Future<FullHttpResponse> send(EventLoop loop, URI target, FullHttpRequest request, boolean replayProtected) {
    Promise<FullHttpResponse> promise = loop.newPromise();
    boolean retryable = replayProtected || IDEMPOTENT.contains(request.method());
    request.headers().set(HttpHeaderNames.HOST, target.getHost() + ":" + port(target));
    HttpUtil.setKeepAlive(request, true);
    // each attempt writes a retained duplicate (own indexes, shared content); the original is
    // released once the exchange is over
    promise.addListener(done -> ReferenceCountUtil.release(request));
    attempt(loop, target, request, promise, retryable);
    return promise;
  }

  private void attempt(EventLoop loop, URI target, FullHttpRequest request, Promise<FullHttpResponse> promise, boolean mayRetry) {
    Channel ch = pollIdle(loop, key(target));
    if (ch != null) {
      dispatch(loop, target, ch, true, request, promise, mayRetry);
      return;
    }
    connect(loop, target).addListener((ChannelFuture f) -> {
      if (!f.isSuccess()) {
        promise.tryFailure(new UpstreamException("cannot connect to upstream", false));
        return;
      }
      dispatch(loop, target, f.channel(), false, request, promise, false);
    });
  }

  private void dispatch(EventLoop loop, URI target, Channel ch, boolean reused, FullHttpRequest request,
      Promise<FullHttpResponse> promise, boolean mayRetry) {
    Exchange ex = new Exchange(promise);
    ch.attr(CURRENT).set(ex);
    ex.timer = loop.schedule(() -> {
      if (ex.fail(new UpstreamException("upstream did not answer within " + responseTimeout, true))) {
        ch.close();
      }
    }, responseTimeout.toNanos(), TimeUnit.NANOSECONDS);
    ex.onStale = () -> {
      if (mayRetry && reused) {
        attempt(loop, target, request, promise, false);
        return true;
      }
      return false;
    };
    ch.writeAndFlush(request.retainedDuplicate()).addListener(w -> {
      if (!w.isSuccess()) {
        // the connection may have closed before this exchange was attached to it, in which case
        // no channelInactive will report it: settle the exchange here
        Exchange current = ch.attr(CURRENT).getAndSet(null);
        if (current != null && !current.promise.isDone()) {
          if (current.timer != null) {
            current.timer.cancel(false);
          }
          if (!current.onStale.getAsBoolean()) {
            current.fail(new UpstreamException("cannot send to upstream", false));
          }
        }
        ch.close();
      }
    });
  }

  private ChannelFuture connect(EventLoop loop, URI target) {
    boolean tls = "https".equalsIgnoreCase(target.getScheme());
    Bootstrap b = new Bootstrap()
        .group(loop)
        .channel(channelClass)
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(responseTimeout.toMillis(), 10_000))
        .handler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            if (tls) {
              if (ssl == null) {
                throw new IllegalStateException("https upstream without a TLS client context");
              }
              SslHandler h = ssl.newHandler(ch.alloc(), target.getHost(), port(target));
              ch.pipeline().addLast("tls", h);
              h.handshakeFuture().addListener(hf -> {
                if (hf.isSuccess() && peerCheck != null) {
                  try {
                    peerCheck.accept(io.shulian.gateway.authenticate.GatewayTls.x509(h.engine().getSession().getPeerCertificates()));
                  } catch (RuntimeException | javax.net.ssl.SSLPeerUnverifiedException e) {
                    Exchange ex = ch.attr(CURRENT).get();
                    if (ex != null) {
                      ex.fail(new UpstreamException("upstream peer is not the expected party", false));
                    }
                    ch.close();
                  }
                }
              });
            }
            ch.pipeline().addLast("codec", new HttpClientCodec(4096, 16384, 65536));
            ch.pipeline().addLast("aggregator", new HttpObjectAggregator(maxResponseBytes));
            ch.pipeline().addLast("idle", new IdleStateHandler(0, 0, idleTimeout.toNanos(), TimeUnit.NANOSECONDS));
            ch.pipeline().addLast("response", new ResponseHandler(loop, key(target)));
          }
        });
    return b.connect(target.getHost(), port(target));
  }

  private @Nullable Channel pollIdle(EventLoop loop, String key) {
    Map<String, ArrayDeque<Channel>> m = idle.get(loop);
    if (m == null) {
      return null;
    }
    ArrayDeque<Channel> q = m.get(key);
    while (q != null && !q.isEmpty()) {
      Channel c = q.pollFirst();
      if (c.isActive()) {
        return c;
      }
    }
    return null;
  }

  private void offerIdle(EventLoop loop, String key, Channel ch) {
    idle.computeIfAbsent(loop, l -> new HashMap<>()).computeIfAbsent(key, k -> new ArrayDeque<>()).addFirst(ch);
  }

  private void removeIdle(EventLoop loop, String key, Channel ch) {
    Map<String, ArrayDeque<Channel>> m = idle.get(loop);
    if (m != null && m.get(key) != null) {
      m.get(key).remove(ch);
    }
  }

  static String key(URI u) {
    return u.getScheme() + "://" + u.getHost() + ":" + port(u);
  }

  static int port(URI u) {
    return u.getPort() > 0 ? u.getPort() : "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
  }

  /** Closes every idle connection (graceful shutdown). */
  public void closeIdle() {
    idle.forEach((loop, m) -> loop.execute(() -> m.values().forEach(q -> {
      q.forEach(Channel::close);
      q.clear();
    })));
  }

  private static final class Exchange {
    final Promise<FullHttpResponse> promise;
    io.netty.util.concurrent.ScheduledFuture<?> timer;
    java.util.function.BooleanSupplier onStale = () -> false;
    boolean gotResponse;

    Exchange(Promise<FullHttpResponse> promise) {
      this.promise = promise;
    }

    boolean fail(Throwable t) {
      if (timer != null) {
        timer.cancel(false);
      }
      return promise.tryFailure(t);
    }

    boolean succeed(FullHttpResponse r) {
      if (timer != null) {
        timer.cancel(false);
      }
      return promise.trySuccess(r);
    }
  }

  private final class ResponseHandler extends SimpleChannelInboundHandler<FullHttpResponse> {
    private final EventLoop loop;
    private final String key;

    ResponseHandler(EventLoop loop, String key) {
      super(false);
      this.loop = loop;
      this.key = key;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse r) {
      Exchange ex = ctx.channel().attr(CURRENT).getAndSet(null);
      if (ex == null) {
        r.release();
        ctx.close();
        return;
      }
      ex.gotResponse = true;
      if (r.decoderResult().isFailure()) {
        r.release();
        ex.fail(new UpstreamException("upstream sent a malformed response", false));
        ctx.close();
        return;
      }
      boolean keepAlive = HttpUtil.isKeepAlive(r);
      if (!ex.succeed(r)) {
        r.release();
      }
      if (keepAlive) {
        offerIdle(loop, key, ctx.channel());
      } else {
        ctx.close();
      }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
      if (evt instanceof IdleStateEvent && ctx.channel().attr(CURRENT).get() == null) {
        ctx.close();
        return;
      }
      super.userEventTriggered(ctx, evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
      removeIdle(loop, key, ctx.channel());
      Exchange ex = ctx.channel().attr(CURRENT).getAndSet(null);
      if (ex != null && !ex.gotResponse) {
        if (ex.timer != null) {
          ex.timer.cancel(false);
        }
        if (!ex.promise.isDone() && !ex.onStale.getAsBoolean()) {
          ex.fail(new UpstreamException("upstream closed the connection without a response", false));
        }
      }
      super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      Exchange ex = ctx.channel().attr(CURRENT).get();
      if (ex != null && cause instanceof io.netty.handler.codec.TooLongFrameException) {
        ctx.channel().attr(CURRENT).set(null);
        ex.fail(new UpstreamException("upstream response is larger than " + maxResponseBytes + " bytes", false));
      }
      ctx.close();
    }
  }
}
