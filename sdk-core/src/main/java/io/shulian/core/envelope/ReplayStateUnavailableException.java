package io.shulian.core.envelope;

/**
 * Thrown by a {@link ReplayCache} that cannot record an envelope id: it is full of ids that have
 * not expired yet, or its durable store failed. The envelope is refused rather than an earlier id
 * forgotten (fail closed); the envelope itself may be fine, so it can be sent again later.
 */
public final class ReplayStateUnavailableException extends EnvelopeException {
  private static final long serialVersionUID = 1L;

  public ReplayStateUnavailableException(String message) {
    super(Reason.REPLAY_STATE_UNAVAILABLE, message);
  }

  public ReplayStateUnavailableException(String message, Throwable cause) {
    super(Reason.REPLAY_STATE_UNAVAILABLE, message, cause);
  }
}
