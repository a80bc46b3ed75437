package io.shulian.core;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Root of every checked security failure that Shulian reports: a rejected envelope, unusable key
 * material, an untrusted certificate.
 *
 * <p>Every exception carries one {@link ErrorCode} from its area's {@code Reason} enum (the area
 * exception's {@code reason()} returns it typed). Messages are written for the operator: they name
 * what failed and never contain key material, passwords or payload bytes. What a gateway sends
 * back to a remote peer is derived from {@link #code()} only, never from the message, so that a
 * peer cannot learn which cryptographic step failed.
 */
public abstract class ShulianException extends Exception {
  private static final long serialVersionUID = 1L;

  private final ErrorCode errorCode;

  protected ShulianException(ErrorCode errorCode, String message) {
    super(message);
    this.errorCode = Objects.requireNonNull(errorCode, "errorCode");
  }

  protected ShulianException(ErrorCode errorCode, String message, @Nullable Throwable cause) {
    super(message, cause);
    this.errorCode = Objects.requireNonNull(errorCode, "errorCode");
  }

  /** Returns the reason, an enum constant of the area's {@code Reason} type. */
  public ErrorCode errorCode() {
    return errorCode;
  }

  /**
   * Returns the stable, machine-readable code such as {@code BAD_SIGNATURE} or {@code
   * BUNDLE_ROLLBACK}: {@code errorCode().wireName()}.
   */
  public final String code() {
    return errorCode.wireName();
  }

  /** Returns the operator message given at construction; never null (the code if there was none). */
  @Override
  public String getMessage() {
    String m = super.getMessage();
    return m != null ? m : code();
  }
}
