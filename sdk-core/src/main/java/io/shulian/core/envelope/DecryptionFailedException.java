package io.shulian.core.envelope;

/** Thrown when authenticated decryption failed: not encrypted to our key, or modified. */
public final class DecryptionFailedException extends EnvelopeException {
  private static final long serialVersionUID = 1L;

  public DecryptionFailedException(String message) {
    super(Reason.DECRYPTION_FAILED, message);
  }

  public DecryptionFailedException(String message, Throwable cause) {
    super(Reason.DECRYPTION_FAILED, message, cause);
  }
}
