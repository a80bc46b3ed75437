package io.shulian.spring.boot.actuate;

import io.shulian.core.keys.PartyIdentity;
import io.shulian.spring.boot.ShulianAutoConfiguration;
import io.shulian.spring.boot.ShulianProperties;
import io.shulian.spring.boot.ShulianTrust;
import io.shulian.spring.boot.client.ShulianGatewayClient;
import java.time.Clock;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.health.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The {@code shulian} health indicator, with Actuator, for whatever of identity, trust and gateway
 * client the application has (the meters: {@link ShulianMetersAutoConfiguration}). Spring Boot 3's
 * variant; src/boot4/java has Boot 4's.
 */
@AutoConfiguration(after = ShulianAutoConfiguration.class)
public class ShulianActuatorAutoConfiguration {

  /** The health indicator, with Actuator on the class path. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(HealthIndicator.class)
  static class Health {
    /** Nested so that the Actuator annotation is read only when Actuator is there. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnEnabledHealthIndicator("shulian")
    static class Enabled {
      @Bean
      @ConditionalOnMissingBean(name = "shulianHealthIndicator")
      ShulianHealthIndicator shulianHealthIndicator(ObjectProvider<PartyIdentity> identity,
          ObjectProvider<ShulianTrust> trust, ObjectProvider<ShulianGatewayClient> gateway,
          ShulianProperties properties) {
        return new ShulianHealthIndicator(identity.getIfAvailable(), trust.getIfAvailable(), gateway.getIfAvailable(),
            properties.gateway().connectTimeout(), Clock.systemUTC());
      }
    }
  }
}
