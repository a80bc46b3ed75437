package io.shulian.core.envelope;

/** Thrown when the sender's signature does not verify. */
public final class BadSignatureException extends EnvelopeException {
  private static final long serialVersionUID = 1L;

  public BadSignatureException(String message) {
    super(Reason.BAD_SIGNATURE, message);
  }

  public BadSignatureException(String message, Throwable cause) {
    super(Reason.BAD_SIGNATURE, message, cause);
  }
}
