package io.shulian.core.policy;

/**
 * Thrown by a shared state (a {@link GrantUseCounter}, or as the cause of a {@link
 * io.shulian.core.envelope.ReplayStateUnavailableException}) whose primary applied a write but
 * fewer of its replicas than required acknowledged it in time: the write may be lost by a
 * failover, so what depends on it is refused (fail closed). The write itself is not undone — a
 * grant use stays counted, an envelope id stays recorded.
 */
public final class StateNotReplicatedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int acknowledged;
  private final int required;

  public StateNotReplicatedException(String message, int acknowledged, int required) {
    super(message);
    this.acknowledged = acknowledged;
    this.required = required;
  }

  /** How many replicas acknowledged the write in time. */
  public int acknowledged() {
    return acknowledged;
  }

  /** How many replicas were required to. */
  public int required() {
    return required;
  }
}
