package io.shulian.examples.demo;

import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.shulian.core.keys.PartyCertificate;
import io.shulian.core.keys.PartyIdentity;
import io.shulian.gateway.authenticate.GatewayTls;
import io.shulian.gateway.authenticate.PinnedPeerVerifier;
import io.shulian.gateway.forward.BackendPool;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Talks to a provider gateway the way a consumer gateway does — mutual TLS 1.3 with the
 * department's TLS certificate, {@code POST /shulian/v1/exchange} with an envelope — but sends
 * whatever bytes it is given. The demo uses it to show what a provider does with a tampered or a
 * replayed envelope (an attacker on the network, or a faulty peer).
 */
final class DirectPeer implements AutoCloseable {
  private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final BackendPool pool;

  /**
   * @param self the sending department (its TLS key authenticates the connection)
   * @param provider the provider's certificates, pinned for the server side of the handshake
   */
  DirectPeer(PartyIdentity self, List<PartyCertificate> provider) throws Exception {
    pool = new BackendPool(NioSocketChannel.class, GatewayTls.client(self, new PinnedPeerVerifier(provider, Clock.systemUTC())),
        Duration.ofSeconds(5), Duration.ofSeconds(10), 1 << 20, null);
  }

  /** The provider gateway's answer: HTTP status and body (a problem+json document when refused). */
  record Answer(int status, String body) {}

  /** Posts {@code envelope} to the provider gateway at {@code endpoint}. */
  Answer post(URI endpoint, byte[] envelope) throws Exception {
    FullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/shulian/v1/exchange",
        Unpooled.wrappedBuffer(envelope));
    req.headers().set("Content-Type", "application/jose").setInt("Content-Length", envelope.length)
        .set("Host", endpoint.getHost() + ":" + endpoint.getPort());
    URI target = endpoint.resolve("/shulian/v1/exchange");
    EventLoop loop = group.next();
    // BackendPool is confined to its event loop: send from the loop, wait here
    FullHttpResponse resp = loop.submit(() -> pool.send(loop, target, req, false)).get().get(15, TimeUnit.SECONDS);
    try {
      return new Answer(resp.status().code(), resp.content().toString(java.nio.charset.StandardCharsets.UTF_8));
    } finally {
      resp.release();
    }
  }

  @Override
  public void close() {
    // its connection first, in use or not: a loop whose shutdown begins while it runs a task ends
    // without closing its channels (Netty 4.2, quiet period 0), and the provider would keep it open
    pool.closeAll().awaitUninterruptibly(5, TimeUnit.SECONDS);
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
