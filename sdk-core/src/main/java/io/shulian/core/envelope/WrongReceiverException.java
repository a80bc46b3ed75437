package io.shulian.core.envelope;

/** Thrown when the envelope is addressed to another party or key. */
public final class WrongReceiverException extends EnvelopeException {
  private static final long serialVersionUID = 1L;

  public WrongReceiverException(String message) {
    super(message);
  }

  public WrongReceiverException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public Reason reason() {
    return Reason.WRONG_RECEIVER;
  }
}
