package io.shulian.core.envelope;

/** Thrown when an envelope with this id was already opened. */
public final class ReplayedEnvelopeException extends EnvelopeException {
  private static final long serialVersionUID = 1L;

  public ReplayedEnvelopeException(String message) {
    super(Reason.REPLAYED, message);
  }

  public ReplayedEnvelopeException(String message, Throwable cause) {
    super(Reason.REPLAYED, message, cause);
  }
}
