package io.shulian.gateway.pipeline;

import io.netty.channel.ChannelHandlerContext;
import io.shulian.core.party.PartyId;
import io.shulian.gateway.audit.AccessLog;
import io.shulian.gateway.audit.ExchangeEvent;
import io.shulian.gateway.inbound.EdgeRefusals;
import io.shulian.gateway.inbound.Problem;
import io.shulian.gateway.seal.ProviderExchangeHandler;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Audits and counts the requests a listener's HTTP edge refuses: one record per refusal, with the
 * status and code sent, reason {@code EDGE_REFUSED}, and the TLS peer's party on the provider
 * listener. Nothing is released by such a refusal, so the response does not wait for the record;
 * a record that cannot be written counts as an audit failure. The pass-through listener audits
 * nothing (it carries no guarantee) and only counts.
 */
final class EdgeAudit implements EdgeRefusals {
  private static final Logger log = LoggerFactory.getLogger(EdgeAudit.class);
  static final String REASON = "EDGE_REFUSED";

  private final GatewayContext g;
  private final GatewayInitializer.Role role;
  private final String listener;
  /** Digest of the empty payload (nothing of a refused request is kept): SM3 for a GM gateway, else SHA-256. */
  private final byte[] emptyDigest;

  EdgeAudit(GatewayContext g, GatewayInitializer.Role role) {
    this.g = g;
    this.role = role;
    this.listener = role.name().toLowerCase(java.util.Locale.ROOT);
    this.emptyDigest = emptyDigest(g.identity().suite());
  }

  private static byte[] emptyDigest(io.shulian.core.keys.Suite suite) {
    if (suite == io.shulian.core.keys.Suite.GM) {
      org.bouncycastle.crypto.digests.SM3Digest d = new org.bouncycastle.crypto.digests.SM3Digest();
      byte[] out = new byte[d.getDigestSize()];
      d.doFinal(out, 0);
      return out;
    }
    try {
      return java.security.MessageDigest.getInstance("SHA-256").digest();
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void refused(ChannelHandlerContext ctx, Problem p) {
    g.metrics().edgeRefusal(listener, p.code());
    if (role == GatewayInitializer.Role.PASSTHROUGH) {
      return;
    }
    String self = g.identity().party().toString();
    PartyId peer = ctx.channel().attr(ProviderExchangeHandler.PEER).get();
    boolean consumer = role == GatewayInitializer.Role.CONSUMER;
    ExchangeEvent e = new ExchangeEvent(g.clock().instant(), "-",
        consumer ? ExchangeEvent.Direction.REQUEST_OUT : ExchangeEvent.Direction.REQUEST_IN,
        consumer ? self : peer == null ? "-" : peer.toString(), consumer ? "-" : self,
        "-", "-", "", false, List.of(), List.of(), List.of(REASON), "", emptyDigest, 0,
        p.status().code(), p.code(), Duration.ZERO);
    // the refusal is sent whether or not its record is written: logged as sent
    AccessLog.answered(e, p.status().code(), p.code());
    CompletableFuture<Void> f;
    try {
      f = g.auditor().record(e);
    } catch (RuntimeException ex) {
      f = CompletableFuture.failedFuture(ex);
    }
    f.whenComplete((ok, err) -> {
      if (err != null) {
        g.metrics().auditFailure();
        log.warn("edge refusal {} from {} could not be audited: {}", p.code(), ctx.channel().remoteAddress(), err.toString());
      }
    });
  }
}
