package io.shulian.core.trust;

import io.shulian.core.ShulianException;

/** A city bundle was refused; {@link #reason()} says why. */
public final class BundleException extends ShulianException {
  private static final long serialVersionUID = 1L;

  /** Why a bundle was refused. */
  public enum Reason {
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
    NOT_RECORDED
  }

  private final Reason reason;

  public BundleException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }

  @Override
  public String code() {
    return "BUNDLE_" + reason.name();
  }
}
