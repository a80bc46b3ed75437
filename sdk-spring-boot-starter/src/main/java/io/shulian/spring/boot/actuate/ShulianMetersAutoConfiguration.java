package io.shulian.spring.boot.actuate;

import io.micrometer.core.instrument.MeterRegistry;
import io.shulian.core.keys.PartyIdentity;
import io.shulian.spring.boot.ShulianAutoConfiguration;
import io.shulian.spring.boot.ShulianTrust;
import java.time.Clock;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * The {@code shulian.*} meters (with Micrometer), for whatever of identity and trust the
 * application has; also the gateway client's listener. The same on every Spring Boot line.
 */
@AutoConfiguration(after = ShulianAutoConfiguration.class)
@ConditionalOnClass(MeterRegistry.class)
public class ShulianMetersAutoConfiguration {
  @Bean
  @ConditionalOnMissingBean
  ShulianMeters shulianMeters(ObjectProvider<PartyIdentity> identity, ObjectProvider<ShulianTrust> trust) {
    return new ShulianMeters(identity.getIfAvailable(), trust.getIfAvailable(), Clock.systemUTC());
  }
}
