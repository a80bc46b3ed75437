package io.shulian.gateway.state;

import io.shulian.core.ErrorCode;
import io.shulian.core.ShulianException;

/** The gateway state directory cannot be used; {@link #reason()} says why. */
public final class StateException extends ShulianException {
  private static final long serialVersionUID = 1L;

  /** Why the state cannot be used. */
  public enum Reason implements ErrorCode {
    /** A journal file is damaged somewhere other than its torn last group (never silently reset). */
    CORRUPT,
    /** Another gateway process holds the state directory. */
    LOCKED,
    /** The state directory cannot be read or written. */
    UNAVAILABLE,
    /** More unexpired replay ids or grants than the configured bound. */
    FULL,
    /** The shared state's server refuses a command the gateway needs (a Redis ACL user without it). */
    NOT_PERMITTED;

    /** Returns {@code STATE_} and the name, e.g. {@code STATE_LOCKED}. */
    @Override
    public String wireName() {
      return "STATE_" + name();
    }
  }

  StateException(Reason reason, String message) {
    super(reason, message);
  }

  StateException(Reason reason, String message, Throwable cause) {
    super(reason, message, cause);
  }

  public Reason reason() {
    return (Reason) errorCode();
  }
}
