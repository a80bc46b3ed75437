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
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * What the {@code shulian} health indicator reports, independent of the Actuator API (which moved
 * packages between Spring Boot 3 and 4: each has its own {@code ShulianHealthIndicator} over this).
 * DOWN when the signing certificate is outside its validity, when the trust is stale (a bundle past
 * valid-until plus grace, a pinned certificate expired), or when the consumer gateway does not
 * accept a TCP connection. The check connects without sending a request, so it writes no audit
 * record.
 */
public final class ShulianHealthCheck {
  /** The outcome: up or down, and the details in a stable order. */
  public record Result(boolean up, Map<String, Object> details) {
    public Result {
      details = Collections.unmodifiableMap(new LinkedHashMap<>(details));
    }
  }

  private final @Nullable PartyIdentity identity;
  private final @Nullable ShulianTrust trust;
  private final @Nullable ShulianGatewayClient gateway;
  private final Duration connectTimeout;
  private final Clock clock;

  /**
   * Creates the check; a part the application does not configure is left out.
   *
   * @param connectTimeout how long the gateway may take to accept a connection
   */
  public ShulianHealthCheck(@Nullable PartyIdentity identity, @Nullable ShulianTrust trust,
      @Nullable ShulianGatewayClient gateway, Duration connectTimeout, Clock clock) {
    this.identity = identity;
    this.trust = trust;
    this.gateway = gateway;
    this.connectTimeout = connectTimeout;
    this.clock = clock;
  }

  /** Checks keys, trust and the gateway now. */
  public Result check() {
    boolean up = true;
    Map<String, Object> details = new LinkedHashMap<>();
    Instant now = clock.instant();
    PartyIdentity id = identity;
    if (id != null) {
      Instant notAfter = id.signingCertificate().notAfter();
      boolean valid = !now.isBefore(id.signingCertificate().notBefore()) && !now.isAfter(notAfter);
      details.put("party", id.party().toString());
      details.put("suite", id.suite().name());
      details.put("keysLoaded", true);
      details.put("signingCertificateNotAfter", notAfter.toString());
      up &= valid;
    }
    ShulianTrust t = trust;
    if (t != null) {
      Optional<Instant> until = t.freshUntil();
      boolean fresh = t.isFresh();
      details.put("trust", t.kind().name().toLowerCase(java.util.Locale.ROOT));
      details.put("trustFresh", fresh);
      until.ifPresent(u -> details.put("trustFreshUntil", u.toString()));
      t.bundleVersion().ifPresent(v -> details.put("bundleVersion", v));
      up &= fresh;
    }
    ShulianGatewayClient g = gateway;
    if (g != null) {
      boolean reachable = reachable(g.gatewayUrl());
      details.put("gateway", g.gatewayUrl().toString());
      details.put("gatewayReachable", reachable);
      up &= reachable;
    }
    return new Result(up, details);
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
