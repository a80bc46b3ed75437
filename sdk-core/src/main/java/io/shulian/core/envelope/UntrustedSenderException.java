package io.shulian.core.envelope;

/** Thrown when the signer's certificate is unknown, not valid, or does not belong to the claimed sender. */
public final class UntrustedSenderException extends EnvelopeException {
  private static final long serialVersionUID = 1L;

  public UntrustedSenderException(String message) {
    super(Reason.UNTRUSTED_SENDER, message);
  }

  public UntrustedSenderException(String message, Throwable cause) {
    super(Reason.UNTRUSTED_SENDER, message, cause);
  }
}
