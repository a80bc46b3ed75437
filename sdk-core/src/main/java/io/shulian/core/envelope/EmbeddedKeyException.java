package io.shulian.core.envelope;

/** Thrown when the envelope offers its own keys (jwk, jku, x5u, x5c): keys come only from configured trust. */
public final class EmbeddedKeyException extends EnvelopeException {
  private static final long serialVersionUID = 1L;

  public EmbeddedKeyException(String message) {
    super(Reason.EMBEDDED_KEY_REFUSED, message);
  }

  public EmbeddedKeyException(String message, Throwable cause) {
    super(Reason.EMBEDDED_KEY_REFUSED, message, cause);
  }
}
