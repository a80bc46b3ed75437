package io.shulian.core.trust;

import io.shulian.core.ErrorCode;
import io.shulian.core.ShulianException;

/** A certificate is not trusted for the use at hand; {@link #reason()} says why. */
public final class TrustException extends ShulianException {
  private static final long serialVersionUID = 1L;

  /** Why a certificate was not trusted. */
  public enum Reason implements ErrorCode {
    /** No trusted certificate has this key id. */
    UNKNOWN_KEY,
    /** The certificate's validity ended. */
    EXPIRED,
    /** The certificate's validity has not begun. */
    NOT_YET_VALID,
    /** The certificate does not chain to a trusted root. */
    UNKNOWN_ISSUER,
    /** The certificate was revoked. */
    REVOKED,
    /** The key usage does not allow the use at hand. */
    WRONG_USAGE,
    /** The certificate belongs to another party than the one claimed. */
    PARTY_MISMATCH,
    /** The revocation list is past its next update and the grace period. */
    STALE_CRL,
    /** The city bundle is past its valid-until and the grace period (or none is loaded yet). */
    STALE_BUNDLE,
    /** The trust material itself (bundle, CRL) is invalid. */
    BAD_TRUST_MATERIAL
  }

  public TrustException(Reason reason, String message) {
    super(reason, message);
  }

  public TrustException(Reason reason, String message, Throwable cause) {
    super(reason, message, cause);
  }

  /** Returns why; {@link #code()} is its wire name. */
  public Reason reason() {
    return (Reason) errorCode();
  }
}
