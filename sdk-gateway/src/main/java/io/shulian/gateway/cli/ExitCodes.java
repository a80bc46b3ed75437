package io.shulian.gateway.cli;

/** Exit codes of the {@code shulian} command: a contract other tools depend on. */
public final class ExitCodes {
  public static final int OK = 0;
  /** Anything else: I/O errors, unusable key material. */
  public static final int FAILURE = 1;
  /** The command line was wrong. */
  public static final int USAGE = 2;
  /** An envelope, certificate, bundle or log was rejected as invalid or untrusted. */
  public static final int REJECTED = 3;
  /** A policy decision was DENY. */
  public static final int DENIED = 4;
  /** {@code shulian assess}: the worst finding is medium (and {@code --fail-on} is medium). */
  public static final int FINDINGS_MEDIUM = 5;
  /** {@code shulian assess}: the worst finding is high (and {@code --fail-on} is at most high). */
  public static final int FINDINGS_HIGH = 6;
  /** {@code shulian assess}: the worst finding is critical. */
  public static final int FINDINGS_CRITICAL = 7;

  private ExitCodes() {}
}
