package io.shulian.core.envelope;

/** Thrown when the envelope's issue time is in the future (beyond the allowed clock skew). */
public final class EnvelopeNotYetValidException extends EnvelopeException {
  private static final long serialVersionUID = 1L;

  public EnvelopeNotYetValidException(String message) {
    super(Reason.NOT_YET_VALID, message);
  }

  public EnvelopeNotYetValidException(String message, Throwable cause) {
    super(Reason.NOT_YET_VALID, message, cause);
  }
}
