package io.shulian.core.envelope;

/** Thrown when the envelope is addressed to another party or key. */
public final class WrongReceiverException extends EnvelopeException {
  private static final long serialVersionUID = 1L;

  public WrongReceiverException(String message) {
    super(Reason.WRONG_RECEIVER, message);
  }

  public WrongReceiverException(String message, Throwable cause) {
    super(Reason.WRONG_RECEIVER, message, cause);
  }
}
