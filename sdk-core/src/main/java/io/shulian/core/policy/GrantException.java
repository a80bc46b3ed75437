package io.shulian.core.policy;

import io.shulian.core.ErrorCode;
import io.shulian.core.ShulianException;

/** A grant token was refused. The reason's name is the code, as in a {@link Decision}. */
public final class GrantException extends ShulianException {
  private static final long serialVersionUID = 1L;

  /** Why a grant was refused. */
  public enum Reason implements ErrorCode {
    GRANT_MALFORMED,
    GRANT_UNTRUSTED,
    GRANT_BAD_SIGNATURE,
    GRANT_NOT_YET_VALID,
    GRANT_EXPIRED,
    GRANT_REVOKED,
    GRANT_USED_UP,
    GRANT_WRONG_CONSUMER,
    GRANT_WRONG_RESOURCE,
    GRANT_WRONG_ISSUER,
    GRANT_WRONG_PURPOSE,
    GRANT_FIELDS_NOT_GRANTED
  }

  public GrantException(Reason reason, String message) {
    super(reason, message);
  }

  /** Returns why; {@link #code()} is its wire name. */
  public Reason reason() {
    return (Reason) errorCode();
  }
}
