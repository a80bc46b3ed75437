package io.shulian.core.trust;

import io.shulian.core.ErrorCode;
import io.shulian.core.ShulianException;

/** A city bundle was refused; {@link #reason()} says why. */
public final class BundleException extends ShulianException {
  private static final long serialVersionUID = 1L;

  /** Why a bundle was refused. */
  public enum Reason implements ErrorCode {
    /** Larger than the size limit (checked before parsing). */
    TOO_LARGE,
    /** Not a compact JWS, not valid bundle JSON, nested too deep, duplicate keys, bad fields. */
    MALFORMED,
    /** The signature does not verify under a trusted root, or uses another algorithm. */
    BAD_SIGNATURE,
    /** Its version is lower than the one held or accepted before (or equal with other content). */
    ROLLBACK,
    /** Past its valid-until plus the grace period. */
    EXPIRED,
    /** Issued in the future. */
    NOT_YET_VALID,
    /** The holder could not record it as the newest accepted bundle, so it is not used (fail closed). */
    NOT_RECORDED;

    /** Returns {@code BUNDLE_} and the name, e.g. {@code BUNDLE_ROLLBACK}. */
    @Override
    public String wireName() {
      return "BUNDLE_" + name();
    }
  }

  public BundleException(Reason reason, String message) {
    super(reason, message);
  }

  /** Returns why; {@link #code()} is its wire name. */
  public Reason reason() {
    return (Reason) errorCode();
  }
}
