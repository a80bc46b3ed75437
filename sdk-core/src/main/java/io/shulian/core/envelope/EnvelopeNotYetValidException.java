package io.shulian.core.envelope;

/** Thrown when the envelope's issue time is in the future (beyond the allowed clock skew). */
public final class EnvelopeNotYetValidException extends EnvelopeException {
  private static final long serialVersionUID = 1L;

  public EnvelopeNotYetValidException(String message) {
    super(message);
  }

  public EnvelopeNotYetValidException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public Reason reason() {
    return Reason.NOT_YET_VALID;
  }
}
