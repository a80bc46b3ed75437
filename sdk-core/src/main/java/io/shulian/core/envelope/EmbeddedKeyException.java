package io.shulian.core.envelope;

/** Thrown when the envelope offers its own keys (jwk, jku, x5u, x5c): keys come only from configured trust. */
public final class EmbeddedKeyException extends EnvelopeException {
  private static final long serialVersionUID = 1L;

  public EmbeddedKeyException(String message) {
    super(message);
  }

  public EmbeddedKeyException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public Reason reason() {
    return Reason.EMBEDDED_KEY_REFUSED;
  }
}
