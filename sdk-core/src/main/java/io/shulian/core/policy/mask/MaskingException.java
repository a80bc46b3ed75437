package io.shulian.core.policy.mask;

import io.shulian.core.ShulianException;

/** The payload could not be masked: it is not valid JSON, or nested deeper than allowed. */
public final class MaskingException extends ShulianException {
  private static final long serialVersionUID = 1L;

  private final String code;

  MaskingException(String code, String message) {
    super(message);
    this.code = code;
  }

  /** Returns {@code INVALID_JSON} or {@code JSON_TOO_DEEP}. */
  @Override
  public String code() {
    return code;
  }
}
