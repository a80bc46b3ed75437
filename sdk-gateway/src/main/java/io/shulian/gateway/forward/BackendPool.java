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
import io.shulian.core.party.PartyId;
import io.shulian.gateway.authenticate.GatewayTls;
import io.shulian.gateway.authenticate.PeerVerifier;
import java.net.URI;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keep-alive HTTP/1.1 connections to upstream servers (backends and provider gateways), kept per
 * event loop: a request is sent on a connection owned by the loop of the inbound channel, so no
 * lock is taken and no thread is crossed (the Zuul 2 model). Idle connections close before the
 * upstream's own idle timeout; a request that fails on a reused connection before any response
 * arrived is retried once on a fresh connection if it is idempotent or replay-protected.
 *
 * <p>With a {@link PeerVerifier}, a TLS connection is used only for the party it was opened for:
 * after the handshake the server's certificate must speak for exactly the expected party, else the
 * connection is closed before a byte of the request is written ({@link
 * UpstreamException#isPeerMismatch()}). Connections are pooled per target and party, and {@link
 * #closeUntrusted()} closes those whose server certificate is no longer trusted (revocation).
 *
 * <p>All methods must be called on the given event loop.
 */
public final class BackendPool {
  private static final Logger log = LoggerFactory.getLogger(BackendPool.class);
  private static final AttributeKey<Exchange> CURRENT = AttributeKey.valueOf("shulian.exchange");
  /** The verified server chain of a TLS connection, and the party it was opened for. */
  private static final AttributeKey<X509Certificate[]> PEER_CHAIN = AttributeKey.valueOf("shulian.upstream.chain");
  private static final AttributeKey<PartyId> PEER_PARTY = AttributeKey.valueOf("shulian.upstream.party");
  private static final Set<HttpMethod> IDEMPOTENT =
      Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.PUT, HttpMethod.DELETE, HttpMethod.OPTIONS);

  private final Class<? extends SocketChannel> channelClass;
  private final @Nullable SslContext ssl;
  private final Duration idleTimeout;
  private final Duration responseTimeout;
  private final int maxResponseBytes;
  private final @Nullable PeerVerifier peers;
  private final HandshakeListener handshakes;
  private final Map<EventLoop, Map<String, ArrayDeque<Channel>>> idle = new ConcurrentHashMap<>();
  /** Every connection this pool opened that is still open (it leaves when it closes), for {@link #closeAll()}. */
  private final io.netty.channel.group.ChannelGroup open =
      new io.netty.channel.group.DefaultChannelGroup("shulian-upstream", io.netty.util.concurrent.GlobalEventExecutor.INSTANCE);
  /** Open TLS connections whose server was verified, for {@link #closeUntrusted()}. */
  private final Set<Channel> verified = ConcurrentHashMap.newKeySet();

  /**
   * @param ssl client TLS context, or null for plain HTTP
   * @param peers when set, every https request must name the party it is meant for, and the
   *     server's certificate must speak for exactly that party (see {@link #send(EventLoop, URI,
   *     PartyId, FullHttpRequest, boolean)})
   */
  public BackendPool(Class<? extends SocketChannel> channelClass, @Nullable SslContext ssl, Duration idleTimeout,
      Duration responseTimeout, int maxResponseBytes, @Nullable PeerVerifier peers) {
    this(channelClass, ssl, idleTimeout, responseTimeout, maxResponseBytes, peers, ok -> {});
  }

  /**
   * As {@link #BackendPool(Class, SslContext, Duration, Duration, int, PeerVerifier)}, telling
   * {@code handshakes} how every TLS handshake this pool starts ended (for the metrics).
   */
  public BackendPool(Class<? extends SocketChannel> channelClass, @Nullable SslContext ssl, Duration idleTimeout,
      Duration responseTimeout, int maxResponseBytes, @Nullable PeerVerifier peers, HandshakeListener handshakes) {
    this.handshakes = java.util.Objects.requireNonNull(handshakes, "handshakes");
    this.channelClass = channelClass;
    this.ssl = ssl;
    this.idleTimeout = idleTimeout;
    this.responseTimeout = responseTimeout;
    this.maxResponseBytes = maxResponseBytes;
    this.peers = peers;
  }

  /** Told, on the event loop, how each TLS handshake with an upstream ended; must not block. */
  @FunctionalInterface
  public interface HandshakeListener {
    void handshakeEnded(boolean ok);
  }

  /** Why an upstream exchange failed. */
  public static final class UpstreamException extends Exception {
    private static final long serialVersionUID = 1L;
    private final boolean timeout;
    private final boolean peerMismatch;

    UpstreamException(String message, boolean timeout) {
      this(message, timeout, false);
    }

    private UpstreamException(String message, boolean timeout, boolean peerMismatch) {
      super(message, null, false, false);
      this.timeout = timeout;
      this.peerMismatch = peerMismatch;
    }

    public boolean isTimeout() {
      return timeout;
    }

    /** The TLS server is a trusted party, but not the one the request was meant for; nothing was sent. */
    public boolean isPeerMismatch() {
      return peerMismatch;
    }
  }

  /**
   * Sends a request and completes with the full response (which the caller must release). The
   * request is released by this pool. {@code replayProtected} marks requests that are safe to
   * retry although their method is not idempotent (sealed envelopes: the receiver opens each once).
   */
  public Future<FullHttpResponse> send(EventLoop loop, URI target, FullHttpRequest request, boolean replayProtected) {
    return send(loop, target, null, request, replayProtected);
  }

  /**
   * Sends a request to the gateway of {@code party} (see {@link #send(EventLoop, URI,
   * FullHttpRequest, boolean)}): the request is written only on a connection whose TLS server
   * certificate speaks for exactly that party.
   *
   * @param party the party the https server must be; required when this pool has a peer verifier
   * @throws IllegalArgumentException if this pool verifies peers, the target is https and no party is named
   */
  public Future<FullHttpResponse> send(EventLoop loop, URI target, @Nullable PartyId party, FullHttpRequest request,
      boolean replayProtected) {
    if (peers != null && party == null && isTls(target)) {
      ReferenceCountUtil.release(request);
      throw new IllegalArgumentException("an https request through a verifying pool must name the expected party");
    }
    Promise<FullHttpResponse> promise = loop.newPromise();
    boolean retryable = replayProtected || IDEMPOTENT.contains(request.method());
    request.headers().set(HttpHeaderNames.HOST, target.getHost() + ":" + port(target));
    HttpUtil.setKeepAlive(request, true);
    // each attempt writes a retained duplicate (own indexes, shared content); the original is
    // released once the exchange is over
    promise.addListener(done -> ReferenceCountUtil.release(request));
    attempt(loop, target, peers == null ? null : party, request, promise, retryable);
    return promise;
  }

  private void attempt(EventLoop loop, URI target, @Nullable PartyId party, FullHttpRequest request,
      Promise<FullHttpResponse> promise, boolean mayRetry) {
    String key = key(target, party);
    Channel ch = pollIdle(loop, key);
    if (ch != null) {
      dispatch(loop, target, party, ch, true, request, promise, mayRetry);
      return;
    }
    connect(loop, target, key).addListener((ChannelFuture f) -> {
      if (!f.isSuccess()) {
        promise.tryFailure(new UpstreamException("cannot connect to upstream", false));
        return;
      }
      if (party == null) {
        dispatch(loop, target, null, f.channel(), false, request, promise, false);
        return;
      }
      SslHandler tls = f.channel().pipeline().get(SslHandler.class);
      if (tls == null) {
        promise.tryFailure(new UpstreamException("cannot connect to upstream", false));
        f.channel().close();
        return;
      }
      // nothing is written before the server is known to be the party the request is for
      tls.handshakeFuture().addListener(hf -> {
        if (!hf.isSuccess()) {
          promise.tryFailure(new UpstreamException("TLS handshake with upstream failed", false));
          f.channel().close();
          return;
        }
        UpstreamException refused = verifyPeer(f.channel(), tls, party);
        if (refused != null) {
          promise.tryFailure(refused);
          f.channel().close();
          return;
        }
        dispatch(loop, target, party, f.channel(), false, request, promise, false);
      });
    });
  }

  /**
   * Opens a dedicated connection, never pooled, for one streamed exchange (a data set): the
   * pipeline is {@code [tls] -> codec -> handler}, with no aggregator, so {@code handler} sees the
   * response head and its content piece by piece. The future completes once the connection is up
   * and, for a TLS target, the server's certificate speaks for {@code party} (as for {@link #send});
   * the channel then has auto-read off: the caller writes its request and reads as fast as it can
   * pass the response on (backpressure). The caller closes the channel when done. Revocation
   * ({@link #closeUntrusted()}) closes these connections too.
   *
   * @throws IllegalArgumentException if this pool verifies peers, the target is https and no party is named
   */
  public Future<Channel> openStream(EventLoop loop, URI target, @Nullable PartyId party,
      io.netty.channel.ChannelHandler handler) {
    boolean tls = isTls(target);
    if (peers != null && party == null && tls) {
      throw new IllegalArgumentException("an https stream through a verifying pool must name the expected party");
    }
    Promise<Channel> promise = loop.newPromise();
    Bootstrap b = bootstrap(loop, target, p -> p.addLast("stream", handler));
    b.connect(target.getHost(), port(target)).addListener((ChannelFuture f) -> {
      if (!f.isSuccess()) {
        promise.tryFailure(new UpstreamException("cannot connect to upstream", false));
        return;
      }
      Channel ch = f.channel();
      SslHandler h = ch.pipeline().get(SslHandler.class);
      if (h == null) {
        ch.config().setAutoRead(false);
        promise.trySuccess(ch);
        return;
      }
      // nothing is written before the server is known to be the party the stream is for
      h.handshakeFuture().addListener(hf -> {
        UpstreamException refused = !hf.isSuccess()
            ? new UpstreamException("TLS handshake with upstream failed", false)
            : peers != null && party != null ? verifyPeer(ch, h, party) : null;
        if (refused != null) {
          promise.tryFailure(refused);
          ch.close();
          return;
        }
        ch.config().setAutoRead(false);
        promise.trySuccess(ch);
      });
    });
    return promise;
  }

  /** Returns why the TLS server of {@code ch} may not serve {@code party}, or null (and records its chain). */
  private @Nullable UpstreamException verifyPeer(Channel ch, SslHandler tls, PartyId party) {
    X509Certificate[] chain;
    PartyId actual;
    try {
      chain = GatewayTls.x509(tls.engine().getSession().getPeerCertificates());
      actual = Objects.requireNonNull(peers, "peers").verify(chain); // a party is named only with peers
    } catch (SSLPeerUnverifiedException | CertificateException | RuntimeException e) {
      return new UpstreamException("upstream TLS certificate refused", false);
    }
    if (!actual.equals(party)) {
      log.warn("upstream {} presented a TLS certificate of {}, not of {}: connection closed, nothing sent",
          ch.remoteAddress(), actual, party);
      return new UpstreamException("upstream is " + actual + ", not " + party, false, true);
    }
    ch.attr(PEER_CHAIN).set(chain);
    ch.attr(PEER_PARTY).set(party);
    verified.add(ch);
    ch.closeFuture().addListener(c -> verified.remove(ch));
    return null;
  }

  /**
   * Closes every TLS connection whose server certificate no longer verifies for the party it was
   * opened for (after a revocation list or trust update); safe from any thread.
   *
   * @return how many connections were closed
   */
  public int closeUntrusted() {
    if (peers == null) {
      return 0;
    }
    int closed = 0;
    for (Channel ch : verified) {
      boolean trusted;
      try {
        trusted = ch.attr(PEER_PARTY).get().equals(peers.verify(ch.attr(PEER_CHAIN).get()));
      } catch (CertificateException | RuntimeException e) {
        trusted = false;
      }
      if (!trusted) {
        log.warn("closing the connection to {}: its TLS certificate is no longer trusted", ch.remoteAddress());
        ch.close();
        closed++;
      }
    }
    return closed;
  }

  private void dispatch(EventLoop loop, URI target, @Nullable PartyId party, Channel ch, boolean reused,
      FullHttpRequest request, Promise<FullHttpResponse> promise, boolean mayRetry) {
    Exchange ex = new Exchange(promise);
    ch.attr(CURRENT).set(ex);
    ex.timer = loop.schedule(() -> {
      if (ex.fail(new UpstreamException("upstream did not answer within " + responseTimeout, true))) {
        ch.close();
      }
    }, responseTimeout.toNanos(), TimeUnit.NANOSECONDS);
    ex.onStale = () -> {
      if (mayRetry && reused) {
        attempt(loop, target, party, request, promise, false);
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

  private ChannelFuture connect(EventLoop loop, URI target, String key) {
    return bootstrap(loop, target, p -> {
      p.addLast("aggregator", new HttpObjectAggregator(maxResponseBytes));
      p.addLast("idle", new IdleStateHandler(0, 0, idleTimeout.toNanos(), TimeUnit.NANOSECONDS));
      p.addLast("response", new ResponseHandler(loop, key));
    }).connect(target.getHost(), port(target));
  }

  /** A client bootstrap on {@code loop}: {@code [tls] -> codec}, then what {@code tail} adds. */
  private Bootstrap bootstrap(EventLoop loop, URI target, java.util.function.Consumer<io.netty.channel.ChannelPipeline> tail) {
    boolean tls = isTls(target);
    return new Bootstrap()
        .group(loop)
        .channel(channelClass)
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(responseTimeout.toMillis(), 10_000))
        .handler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            open.add(ch);
            if (tls) {
              if (ssl == null) {
                throw new IllegalStateException("https upstream without a TLS client context");
              }
              SslHandler handler = ssl.newHandler(ch.alloc(), target.getHost(), port(target));
              handler.handshakeFuture().addListener(f -> handshakes.handshakeEnded(f.isSuccess()));
              ch.pipeline().addLast("tls", handler);
            }
            ch.pipeline().addLast("codec", new HttpClientCodec(io.shulian.gateway.inbound.Limits.UPSTREAM_MAX_STATUS_LINE_BYTES,
                io.shulian.gateway.inbound.Limits.UPSTREAM_MAX_HEADER_BYTES, 65536));
            tail.accept(ch.pipeline());
          }
        });
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

  /** Pool key: connections are reused only for the same target and the same expected party. */
  static String key(URI u, @Nullable PartyId party) {
    return u.getScheme() + "://" + u.getHost() + ":" + port(u) + (party == null ? "" : " " + party);
  }

  static boolean isTls(URI u) {
    return "https".equalsIgnoreCase(u.getScheme());
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

  /**
   * Closes every connection this pool opened, idle or in use, pooled or streamed (shutdown: an
   * exchange still waiting on one fails); safe from any thread. The future completes when all are closed.
   */
  public io.netty.channel.group.ChannelGroupFuture closeAll() {
    return open.close();
  }

  private static final class Exchange {
    final Promise<FullHttpResponse> promise;
    io.netty.util.concurrent.@Nullable ScheduledFuture<?> timer;
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
