package io.shulian.core.audit;

import io.shulian.core.ErrorCode;
import io.shulian.core.ShulianException;

/**
 * The audit log could not be written, read, or proven. {@link #reason()} says which; the message
 * names the file, position or value that failed and never contains record payloads or keys.
 */
public final class AuditException extends ShulianException {
  private static final long serialVersionUID = 1L;

  /** Why an audit operation failed. */
  public enum Reason implements ErrorCode {
    /** The log cannot be written (disk full, permission, I/O error) or is closed: fail closed. */
    LOG_UNAVAILABLE,
    /** The directory is not an audit log, or a file in it is not of this format. */
    NOT_A_LOG,
    /** The log or proof was written by a newer format version than this code reads. */
    UNSUPPORTED_VERSION,
    /** The log holds damaged or altered data that must not be truncated automatically. */
    LOG_CORRUPT,
    /** A proof or checkpoint is malformed, or belongs to another log. */
    MALFORMED_PROOF,
    /** A proof does not verify: wrong hashes or a bad signature. */
    PROOF_INVALID,
    /** The checkpoint signer is not trusted. */
    UNTRUSTED_SIGNER
  }

  public AuditException(Reason reason, String message) {
    super(reason, message);
  }

  public AuditException(Reason reason, String message, Throwable cause) {
    super(reason, message, cause);
  }

  /** Returns why; {@link #code()} is its wire name. */
  public Reason reason() {
    return (Reason) errorCode();
  }
}
