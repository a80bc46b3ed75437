package io.shulian.spring.boot.actuate;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.shulian.core.keys.PartyIdentity;
import io.shulian.spring.boot.ShulianTrust;
import io.shulian.spring.boot.client.ShulianGatewayClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * The starter's meters: {@code shulian.gateway.calls} (a timer per resource, method, status and
 * outcome: {@code ok} or the gateway's primary code in lower case), {@code
 * shulian.identity.expiry} (seconds until the signing certificate expires) and {@code
 * shulian.trust.freshness} (seconds until the trust goes stale; negative once it has).
 */
public class ShulianMeters implements MeterBinder, ShulianGatewayClient.Listener {
  private final @Nullable PartyIdentity identity;
  private final @Nullable ShulianTrust trust;
  private final Clock clock;
  private final AtomicReference<@Nullable MeterRegistry> registry = new AtomicReference<>();

  /** Creates the meters; a part the application does not configure has none. */
  public ShulianMeters(@Nullable PartyIdentity identity, @Nullable ShulianTrust trust, Clock clock) {
    this.identity = identity;
    this.trust = trust;
    this.clock = clock;
  }

  @Override
  public void bindTo(MeterRegistry r) {
    registry.set(r);
    PartyIdentity id = identity;
    if (id != null) {
      r.gauge("shulian.identity.expiry", this, m -> seconds(id.signingCertificate().notAfter()));
    }
    ShulianTrust t = trust;
    if (t != null) {
      r.gauge("shulian.trust.freshness", this, m -> t.freshUntil().map(this::seconds).orElse(Double.NaN));
    }
  }

  private double seconds(Instant until) {
    return Duration.between(clock.instant(), until).toMillis() / 1000.0;
  }

  @Override
  public void onCall(String resource, String method, int status, String outcome, Duration elapsed) {
    MeterRegistry r = registry.get();
    if (r == null) {
      return;
    }
    Timer.builder("shulian.gateway.calls")
        .description("calls through the consumer gateway")
        .tag("resource", resource)
        .tag("method", method.toLowerCase(java.util.Locale.ROOT))
        .tag("status", Integer.toString(status))
        .tag("outcome", outcome)
        .register(r)
        .record(elapsed);
  }
}
