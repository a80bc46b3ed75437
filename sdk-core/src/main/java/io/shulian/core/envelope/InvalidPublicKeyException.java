package io.shulian.core.envelope;

/** Thrown when a public key in the envelope (ephemeral key, SM2 C1) is not a valid point of the suite's curve. */
public final class InvalidPublicKeyException extends EnvelopeException {
  private static final long serialVersionUID = 1L;

  public InvalidPublicKeyException(String message) {
    super(Reason.INVALID_KEY, message);
  }

  public InvalidPublicKeyException(String message, Throwable cause) {
    super(Reason.INVALID_KEY, message, cause);
  }
}
