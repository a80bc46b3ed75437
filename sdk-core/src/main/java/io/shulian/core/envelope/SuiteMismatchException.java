package io.shulian.core.envelope;

/** Thrown when sender key and recipient key are of different suites; Shulian never downgrades silently. */
public final class SuiteMismatchException extends EnvelopeException {
  private static final long serialVersionUID = 1L;

  public SuiteMismatchException(String message) {
    super(Reason.SUITE_MISMATCH, message);
  }

  public SuiteMismatchException(String message, Throwable cause) {
    super(Reason.SUITE_MISMATCH, message, cause);
  }
}
