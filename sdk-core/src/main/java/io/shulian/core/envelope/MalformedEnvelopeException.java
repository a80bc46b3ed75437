package io.shulian.core.envelope;

/** Thrown when the envelope is not a well-formed compact JWE holding a compact JWS, or its header JSON is invalid, too deep, or lacks a required field. */
public final class MalformedEnvelopeException extends EnvelopeException {
  private static final long serialVersionUID = 1L;

  public MalformedEnvelopeException(String message) {
    super(Reason.MALFORMED, message);
  }

  public MalformedEnvelopeException(String message, Throwable cause) {
    super(Reason.MALFORMED, message, cause);
  }
}
