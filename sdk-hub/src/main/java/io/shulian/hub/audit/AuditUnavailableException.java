package io.shulian.hub.audit;

/**
 * The hub's audit log could not make a record durable: the change it describes must not be
 * committed (the caller rolls back and answers 503 {@value #CODE}).
 */
public final class AuditUnavailableException extends Exception {
  private static final long serialVersionUID = 1L;
  /** The problem code of the refusal. */
  public static final String CODE = "AUDIT_UNAVAILABLE";

  public AuditUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }

  public AuditUnavailableException(String message) {
    super(message);
  }
}
