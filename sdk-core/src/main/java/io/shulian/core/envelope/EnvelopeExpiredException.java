package io.shulian.core.envelope;

/** Thrown when the envelope's expiry is past (beyond the allowed clock skew), or its lifetime is longer than allowed. */
public final class EnvelopeExpiredException extends EnvelopeException {
  private static final long serialVersionUID = 1L;

  public EnvelopeExpiredException(String message) {
    super(Reason.EXPIRED, message);
  }

  public EnvelopeExpiredException(String message, Throwable cause) {
    super(Reason.EXPIRED, message, cause);
  }
}
