package io.shulian.gateway.state;

import io.shulian.core.ShulianException;

/** The gateway state directory cannot be used; {@link #reason()} says why. */
public final class StateException extends ShulianException {
  private static final long serialVersionUID = 1L;

  /** Why the state cannot be used. */
  public enum Reason {
    /** A journal file is damaged somewhere other than its torn last group (never silently reset). */
    CORRUPT,
    /** Another gateway process holds the state directory. */
    LOCKED,
    /** The state directory cannot be read or written. */
    UNAVAILABLE,
    /** More unexpired replay ids or grants than the configured bound. */
    FULL
  }

  private final Reason reason;

  StateException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  StateException(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }

  @Override
  public String code() {
    return "STATE_" + reason.name();
  }
}
