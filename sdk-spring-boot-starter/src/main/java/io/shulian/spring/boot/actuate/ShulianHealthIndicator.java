package io.shulian.spring.boot.actuate;

import io.shulian.core.keys.PartyIdentity;
import io.shulian.spring.boot.ShulianTrust;
import io.shulian.spring.boot.client.ShulianGatewayClient;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.health.AbstractHealthIndicator;
import org.springframework.boot.actuate.health.Health;

/**
 * Reports the starter's state under {@code /actuator/health/shulian}: DOWN when the signing
 * certificate is outside its validity, when the trust is stale (a bundle past valid-until plus
 * grace, a pinned certificate expired), or when the consumer gateway does not accept a TCP
 * connection. The check connects without sending a request, so it writes no audit record.
 */
public class ShulianHealthIndicator extends AbstractHealthIndicator {
  private final @Nullable PartyIdentity identity;
  private final @Nullable ShulianTrust trust;
  private final @Nullable ShulianGatewayClient gateway;
  private final Duration connectTimeout;
  private final Clock clock;

  /**
   * Creates the indicator; a part the application does not configure is left out.
   *
   * @param connectTimeout how long the gateway may take to accept a connection
   */
  public ShulianHealthIndicator(@Nullable PartyIdentity identity, @Nullable ShulianTrust trust,
      @Nullable ShulianGatewayClient gateway, Duration connectTimeout, Clock clock) {
    super("Shulian health check failed");
    this.identity = identity;
    this.trust = trust;
    this.gateway = gateway;
    this.connectTimeout = connectTimeout;
    this.clock = clock;
  }

  @Override
  protected void doHealthCheck(Health.Builder builder) {
    boolean up = true;
    Instant now = clock.instant();
    PartyIdentity id = identity;
    if (id != null) {
      Instant notAfter = id.signingCertificate().notAfter();
      boolean valid = !now.isBefore(id.signingCertificate().notBefore()) && !now.isAfter(notAfter);
      builder.withDetail("party", id.party().toString())
          .withDetail("suite", id.suite().name())
          .withDetail("keysLoaded", true)
          .withDetail("signingCertificateNotAfter", notAfter.toString());
      up &= valid;
    }
    ShulianTrust t = trust;
    if (t != null) {
      Optional<Instant> until = t.freshUntil();
      boolean fresh = t.isFresh();
      builder.withDetail("trust", t.kind().name().toLowerCase(java.util.Locale.ROOT))
          .withDetail("trustFresh", fresh);
      until.ifPresent(u -> builder.withDetail("trustFreshUntil", u.toString()));
      t.bundleVersion().ifPresent(v -> builder.withDetail("bundleVersion", v));
      up &= fresh;
    }
    ShulianGatewayClient g = gateway;
    if (g != null) {
      boolean reachable = reachable(g.gatewayUrl());
      builder.withDetail("gateway", g.gatewayUrl().toString()).withDetail("gatewayReachable", reachable);
      up &= reachable;
    }
    if (up) {
      builder.up();
    } else {
      builder.down();
    }
  }

  private boolean reachable(URI url) {
    int port = url.getPort() != -1 ? url.getPort() : "https".equals(url.getScheme()) ? 443 : 80;
    String host = url.getHost();
    if (host == null) {
      return false;
    }
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(host, port), (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()));
      return true;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }
}
