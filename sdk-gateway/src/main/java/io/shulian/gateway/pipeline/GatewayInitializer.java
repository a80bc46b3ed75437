package io.shulian.gateway.pipeline;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslContext;
import io.shulian.gateway.inbound.ConnectionLimiter;
import io.shulian.gateway.inbound.HttpInbound;
import io.shulian.gateway.seal.ConsumerExchangeHandler;
import io.shulian.gateway.seal.ProviderExchangeHandler;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/** Owns the handler order of the consumer and provider listeners (see the package diagram). */
public final class GatewayInitializer extends ChannelInitializer<SocketChannel> {
  /** Which listener this initializer serves. */
  public enum Role {
    CONSUMER,
    PROVIDER,
    PASSTHROUGH
  }

  private final Role role;
  private final GatewayContext g;
  private final ConnectionLimiter limiter;
  private final @Nullable SslContext tls;
  private final ConsumerExchangeHandler consumer;
  private final ProviderExchangeHandler provider;
  private final EdgeAudit edge;
  private io.netty.channel.@Nullable ChannelHandler passthrough;

  public GatewayInitializer(Role role, GatewayContext g, @Nullable SslContext tls) {
    this.role = role;
    this.g = g;
    this.tls = tls;
    this.limiter = new ConnectionLimiter(g.limits().maxConnections());
    this.consumer = new ConsumerExchangeHandler(g);
    this.provider = new ProviderExchangeHandler(g);
    this.edge = new EdgeAudit(g, role);
    if (role == Role.PROVIDER && tls == null) {
      throw new IllegalArgumentException("the provider listener requires mutual TLS");
    }
  }

  /** Pass-through listener: forwards every request to one upstream. */
  public static GatewayInitializer passthrough(GatewayContext g, java.net.URI upstream) {
    GatewayInitializer i = new GatewayInitializer(Role.PASSTHROUGH, g, null);
    i.passthrough = new io.shulian.gateway.forward.PassthroughHandler(g.backendPool(), upstream);
    return i;
  }

  public ConnectionLimiter limiter() {
    return limiter;
  }

  @Override
  protected void initChannel(SocketChannel ch) {
    ChannelPipeline p = ch.pipeline();
    p.addLast("limiter", limiter);
    if (tls != null) {
      p.addLast("tls", tls.newHandler(ch.alloc()));
      if (role == Role.PROVIDER) {
        p.addLast("peer", new PeerHandler(g));
      }
    }
    // the provider's requests are envelopes: the largest one for the shared body limit
    // a data set push streams its body past the aggregator (docs/return-flow.md "Push")
    boolean peer = role == Role.PROVIDER;
    java.util.function.Predicate<io.netty.handler.codec.http.HttpRequest> streamed = role == Role.PASSTHROUGH
        ? r -> false : r -> ConsumerExchangeHandler.pushStreamed(r, peer);
    HttpInbound.install(p, g.limits(), role == Role.PROVIDER ? g.maxEnvelopeBytes() : g.limits().maxBodyBytes(), edge,
        streamed);
    switch (role) {
      case CONSUMER:
        p.addLast("push", ConsumerExchangeHandler.pushInbound(g, false));
        p.addLast("consumer-exchange", consumer);
        break;
      case PROVIDER:
        p.addLast("push", ConsumerExchangeHandler.pushInbound(g, true));
        p.addLast("provider-exchange", provider);
        break;
      default:
        p.addLast("passthrough", Objects.requireNonNull(passthrough, "passthrough"));
    }
  }
}
