package io.shulian.core.envelope;

/** Thrown when a JOSE algorithm is outside the allow-list of the suite (none, HMAC, PBES2, RSA, another suite's algorithms, compression). */
public final class DisallowedAlgorithmException extends EnvelopeException {
  private static final long serialVersionUID = 1L;

  public DisallowedAlgorithmException(String message) {
    super(Reason.ALGORITHM_NOT_ALLOWED, message);
  }

  public DisallowedAlgorithmException(String message, Throwable cause) {
    super(Reason.ALGORITHM_NOT_ALLOWED, message, cause);
  }
}
