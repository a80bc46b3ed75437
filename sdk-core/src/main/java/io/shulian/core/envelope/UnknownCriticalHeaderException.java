package io.shulian.core.envelope;

/** Thrown when a header lists critical parameters (crit) that Shulian does not understand. */
public final class UnknownCriticalHeaderException extends EnvelopeException {
  private static final long serialVersionUID = 1L;

  public UnknownCriticalHeaderException(String message) {
    super(Reason.UNKNOWN_CRITICAL_HEADER, message);
  }

  public UnknownCriticalHeaderException(String message, Throwable cause) {
    super(Reason.UNKNOWN_CRITICAL_HEADER, message, cause);
  }
}
