package io.shulian.examples.casereview;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The service. Its Shulian configuration is three properties in application.properties (keystore,
 * trust, gateway URL) and two environment variables (SHULIAN_KEY_PASSWORD, SHULIAN_API_KEY).
 */
@SpringBootApplication
public class CaseReviewApplication {
  /** Starts the service. */
  public static void main(String[] args) {
    SpringApplication.run(CaseReviewApplication.class, args);
  }
}
