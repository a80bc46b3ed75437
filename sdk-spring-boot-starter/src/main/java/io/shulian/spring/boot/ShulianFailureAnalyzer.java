package io.shulian.spring.boot;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Turns a {@link ShulianConfigurationException} into Spring Boot's "APPLICATION FAILED TO START"
 * report: what is wrong, with which setting, and what to do, instead of a stack trace of bean
 * creation.
 */
public class ShulianFailureAnalyzer extends AbstractFailureAnalyzer<ShulianConfigurationException> {
  @Override
  protected FailureAnalysis analyze(Throwable rootFailure, ShulianConfigurationException cause) {
    return new FailureAnalysis("Shulian is misconfigured: " + cause.getMessage(), action(cause), cause);
  }

  static String action(ShulianConfigurationException e) {
    switch (e.problem()) {
      case WRONG_KEYSTORE_PASSWORD:
        return "The keystore password is wrong. Check the environment variable named by"
            + " shulian.identity.password-env (default SHULIAN_KEY_PASSWORD) or the file named by"
            + " shulian.identity.password-file: it must hold the password the keystore was written with"
            + " (shulian keygen / shulian ca issue).";
      case KEYSTORE_UNREADABLE:
        return "Point shulian.identity.keystore at the department's key.p12 (written by shulian keygen or"
            + " issued by the city CA), readable by this process.";
      case MISSING_SECRET:
        return "Provide the secret in the environment variable or file the setting names. Secrets are"
            + " never read from application properties.";
      case MISSING_TRUST:
        return "Configure whom envelopes are accepted from: shulian.trust.certificates with the peers'"
            + " cert.pem files, or shulian.trust.root (the city root certificate) and shulian.trust.bundle"
            + " (the signed city bundle.jws). See docs/spring-boot.md.";
      case BAD_TRUST:
        return "Check the trust files: certificates must be PEM files of party certificates; a bundle must be"
            + " signed by the configured city root and not expired (fetch a current one from the city hub).";
      case BAD_POLICY:
        return "Check catalog.yaml and policies.yaml in shulian.policy.dir (shulian policy check), and the"
            + " mask hash key (at least 16 bytes) in the variable or file shulian.policy.hash-key-env /"
            + " hash-key-file names when a policy hashes a field.";
      case INVALID_SETTING:
      default:
        return "Correct the setting " + e.setting() + " (docs/spring-boot.md lists every shulian.* property).";
    }
  }
}
