package io.shulian.core.internal.crypto;

/** A cryptographic check failed on untrusted input; the caller maps the kind to a public error. */
public final class CryptoFailure extends Exception {
  private static final long serialVersionUID = 1L;

  /** What failed. */
  public enum Kind {
    /** A public key or point offered by the peer is not on the curve, of small order, or malformed. */
    INVALID_POINT,
    /** Authenticated decryption failed: wrong key, modified ciphertext, tag or associated data. */
    DECRYPTION_FAILED
  }

  private final Kind kind;

  public CryptoFailure(Kind kind, String message) {
    super(message, null, false, false);
    this.kind = kind;
  }

  /** Returns the message given at construction; never null (the kind if there was none). */
  @Override
  public String getMessage() {
    String m = super.getMessage();
    return m != null ? m : kind.name();
  }

  public Kind kind() {
    return kind;
  }
}
