package io.shulian.core.policy.mask;

import io.shulian.core.ErrorCode;
import io.shulian.core.ShulianException;

/**
 * The payload could not be masked, so nothing of it may be released: it is not valid JSON, exceeds a
 * limit, or does not have the shape the masked and listed field paths describe. The message names
 * the field path and position, never a value from the payload.
 */
public final class MaskingException extends ShulianException {
  private static final long serialVersionUID = 1L;

  /** Why a payload could not be masked. */
  public enum Reason implements ErrorCode {
    /** Not valid JSON or not valid Unicode text. */
    INVALID_JSON,
    /** Nested deeper than the masker's limit. */
    JSON_TOO_DEEP,
    /** Longer than the masker's limit (a value, a name or the document). */
    JSON_TOO_LARGE,
    /** A value of another type than its path expects. */
    SHAPE_MISMATCH,
    /** An unlisted member named like a masked field. */
    ALIASED_FIELD,
    /** A listed member twice in one object. */
    DUPLICATE_FIELD,
    /** A record without its division, or of another division than required. */
    RECORD_OUTSIDE_DIVISION
  }

  MaskingException(Reason reason, String message) {
    super(reason, message);
  }

  /** Returns why; {@link #code()} is its wire name. */
  public Reason reason() {
    return (Reason) errorCode();
  }
}
