package io.shulian.core.envelope;

/** Thrown when the envelope or its payload is over the configured size limit (checked before parsing). */
public final class EnvelopeTooLargeException extends EnvelopeException {
  private static final long serialVersionUID = 1L;

  public EnvelopeTooLargeException(String message) {
    super(Reason.TOO_LARGE, message);
  }

  public EnvelopeTooLargeException(String message, Throwable cause) {
    super(Reason.TOO_LARGE, message, cause);
  }
}
