package io.shulian.core.policy.mask;

import io.shulian.core.ShulianException;

/**
 * The payload could not be masked, so nothing of it may be released: it is not valid JSON, exceeds a
 * limit, or does not have the shape the masked and listed field paths describe. The message names
 * the field path and position, never a value from the payload.
 */
public final class MaskingException extends ShulianException {
  private static final long serialVersionUID = 1L;

  private final String code;

  MaskingException(String code, String message) {
    super(message);
    this.code = code;
  }

  /**
   * Returns {@code INVALID_JSON}, {@code JSON_TOO_DEEP}, {@code JSON_TOO_LARGE}, {@code SHAPE_MISMATCH}
   * (a value of another type than its path expects), {@code ALIASED_FIELD} (an unlisted member named
   * like a masked field), {@code DUPLICATE_FIELD} (a listed member twice in one object) or {@code
   * RECORD_OUTSIDE_DIVISION} (a record without its division, or of another division than required).
   */
  @Override
  public String code() {
    return code;
  }
}
