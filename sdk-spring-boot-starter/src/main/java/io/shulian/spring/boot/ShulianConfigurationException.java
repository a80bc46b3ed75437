package io.shulian.spring.boot;

import java.util.Objects;

/**
 * Thrown while the application context starts when the {@code shulian.*} configuration cannot
 * give a working identity, trust, policy engine or gateway client. {@link ShulianFailureAnalyzer}
 * turns it into a start-up report that names the setting and what to do. The message names files
 * and settings, never a secret.
 */
public final class ShulianConfigurationException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** What is wrong, for the failure report's advice. */
  public enum Problem {
    /** The keystore file is missing, unreadable or not a Shulian PKCS#12 identity. */
    KEYSTORE_UNREADABLE,
    /** The keystore password does not open the keystore. */
    WRONG_KEYSTORE_PASSWORD,
    /** An environment variable or file that should hold a secret is not set, empty or unreadable. */
    MISSING_SECRET,
    /** No trust (neither pinned certificates nor a city root and bundle) is configured. */
    MISSING_TRUST,
    /** The configured trust material cannot be read or does not verify. */
    BAD_TRUST,
    /** The catalog and policies cannot be loaded. */
    BAD_POLICY,
    /** A setting is out of range or contradicts another. */
    INVALID_SETTING
  }

  private final Problem problem;
  private final String setting;

  /**
   * Creates the exception.
   *
   * @param problem what is wrong
   * @param setting the property to look at, e.g. {@code shulian.identity.keystore}
   * @param message what failed, for the operator (no secrets)
   * @param cause the underlying failure, or null
   */
  public ShulianConfigurationException(Problem problem, String setting, String message,
      @org.jspecify.annotations.Nullable Throwable cause) {
    super(setting + ": " + message, cause);
    this.problem = Objects.requireNonNull(problem);
    this.setting = Objects.requireNonNull(setting);
  }

  /** Returns what is wrong. */
  public Problem problem() {
    return problem;
  }

  /** Returns the property to look at. */
  public String setting() {
    return setting;
  }
}
