package io.shulian.gateway.pipeline;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.shulian.core.party.PartyId;
import io.shulian.gateway.seal.ProviderExchangeHandler;
import java.security.cert.X509Certificate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * After the TLS handshake, records which party the client certificate speaks for; then removes
 * itself. A connection whose peer cannot be identified is closed.
 */
final class PeerHandler extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(PeerHandler.class);
  private final GatewayContext g;

  PeerHandler(GatewayContext g) {
    this.g = g;
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt instanceof SslHandshakeCompletionEvent) {
      SslHandshakeCompletionEvent e = (SslHandshakeCompletionEvent) evt;
      g.metrics().inboundHandshake(e.isSuccess());
      if (!e.isSuccess()) {
        log.info("TLS handshake from {} failed: {}", ctx.channel().remoteAddress(), e.cause().getMessage());
        ctx.close();
        return;
      }
      try {
        SslHandler ssl = ctx.pipeline().get(SslHandler.class);
        X509Certificate[] chain = io.shulian.gateway.authenticate.GatewayTls.x509(ssl.engine().getSession().getPeerCertificates());
        PartyId peer = g.peers().verify(chain);
        ctx.channel().attr(ProviderExchangeHandler.PEER).set(peer);
        g.peerConnected(ctx.channel(), chain);
        ctx.pipeline().remove(this);
      } catch (Exception ex) {
        log.info("TLS peer {} refused: {}", ctx.channel().remoteAddress(), ex.getMessage());
        ctx.close();
        return;
      }
    }
    super.userEventTriggered(ctx, evt);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }
}
