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

  private ExitCodes() {}
}
