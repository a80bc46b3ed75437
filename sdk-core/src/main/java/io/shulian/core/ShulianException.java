package io.shulian.core;

/**
 * Root of every checked security failure that Shulian reports: a rejected envelope, unusable key
 * material, an untrusted certificate.
 *
 * <p>Messages are written for the operator: they name what failed and never contain key material
 * or payload bytes. What a gateway sends back to a remote peer is derived from {@link #code()}
 * only, never from the message, so that a peer cannot learn which cryptographic step failed.
 */
public abstract class ShulianException extends Exception {
  private static final long serialVersionUID = 1L;

  protected ShulianException(String message) {
    super(message);
  }

  protected ShulianException(String message, Throwable cause) {
    super(message, cause);
  }

  /** Returns the operator message given at construction; never null (the code if there was none). */
  @Override
  public String getMessage() {
    String m = super.getMessage();
    return m != null ? m : code();
  }

  /** Returns a stable, machine-readable reason code such as {@code BAD_SIGNATURE}. */
  public abstract String code();
}
