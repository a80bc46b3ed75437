package io.shulian.core.envelope;

/**
 * Thrown when an envelope verified, but its sender is not the party the caller expected (for a
 * provider gateway: the party of the TLS peer that posted it). It is checked before the replay
 * cache, so an envelope posted by someone else does not use up the sender's replay slot.
 */
public final class SenderMismatchException extends EnvelopeException {
  private static final long serialVersionUID = 1L;

  private final transient EnvelopeHeader header;

  SenderMismatchException(String message, EnvelopeHeader header) {
    super(Reason.SENDER_MISMATCH, message);
    this.header = header;
  }

  /** Returns the envelope's verified header (signature, receiver and time checked; not its replay slot). */
  public EnvelopeHeader header() {
    return header;
  }
}
