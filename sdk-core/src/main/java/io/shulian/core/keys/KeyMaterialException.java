package io.shulian.core.keys;

import io.shulian.core.ErrorCode;
import io.shulian.core.ShulianException;

/**
 * Key material could not be used: a malformed PKCS#12 or PEM file, a wrong password, a
 * certificate without a party id, or a key of the wrong algorithm. The message never contains key
 * bytes or the password.
 */
public final class KeyMaterialException extends ShulianException {
  private static final long serialVersionUID = 1L;

  /** Why key material was refused; one reason today, an enum like every area's. */
  public enum Reason implements ErrorCode {
    /** Malformed, wrongly protected, or not usable for the use at hand. */
    BAD_KEY_MATERIAL
  }

  public KeyMaterialException(String message) {
    super(Reason.BAD_KEY_MATERIAL, message);
  }

  public KeyMaterialException(String message, Throwable cause) {
    super(Reason.BAD_KEY_MATERIAL, message, cause);
  }

  /** Describes an I/O failure in a few words, without repeating the path. */
  static String describe(java.io.IOException e) {
    if (e instanceof java.nio.file.NoSuchFileException) {
      return "no such file";
    }
    if (e instanceof java.nio.file.AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof io.shulian.core.io.BoundedRead.TooLargeException
        || e instanceof io.shulian.core.io.BoundedRead.NotPemException) {
      return java.util.Objects.requireNonNullElse(e.getMessage(), e.getClass().getSimpleName());
    }
    return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + e.getMessage());
  }

  /** Returns why; {@link #code()} is its wire name. */
  public Reason reason() {
    return (Reason) errorCode();
  }
}
