package io.shulian.spring.boot.actuate;

import io.shulian.core.keys.PartyIdentity;
import io.shulian.spring.boot.ShulianTrust;
import io.shulian.spring.boot.client.ShulianGatewayClient;
import java.time.Clock;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.health.AbstractHealthIndicator;
import org.springframework.boot.actuate.health.Health;

/**
 * Reports the starter's state under {@code /actuator/health/shulian} (Spring Boot 3's health API;
 * the -Pboot4 build has the same class over Boot 4's): what {@link ShulianHealthCheck} finds.
 */
public class ShulianHealthIndicator extends AbstractHealthIndicator {
  private final ShulianHealthCheck check;

  /**
   * Creates the indicator; a part the application does not configure is left out.
   *
   * @param connectTimeout how long the gateway may take to accept a connection
   */
  public ShulianHealthIndicator(@Nullable PartyIdentity identity, @Nullable ShulianTrust trust,
      @Nullable ShulianGatewayClient gateway, Duration connectTimeout, Clock clock) {
    super("Shulian health check failed");
    this.check = new ShulianHealthCheck(identity, trust, gateway, connectTimeout, clock);
  }

  @Override
  protected void doHealthCheck(Health.Builder builder) {
    ShulianHealthCheck.Result r = check.check();
    builder.withDetails(r.details());
    if (r.up()) {
      builder.up();
    } else {
      builder.down();
    }
  }
}
