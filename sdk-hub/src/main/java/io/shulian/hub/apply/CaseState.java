package io.shulian.hub.apply;

import java.util.Locale;

/**
 * The one state machine of applications and objections: a case is {@link #SUBMITTED} until it is
 * answered, withdrawn or expires, and never leaves a final state.
 */
public enum CaseState {
  SUBMITTED(null),
  /** An application approved with a grant the provider issued. */
  APPROVED(Kind.APPLICATION),
  /** An application declined with a reason. */
  DECLINED(Kind.APPLICATION),
  /** An application whose period ended before it was answered. */
  EXPIRED(Kind.APPLICATION),
  /** An objection the provider corrected. */
  CORRECTED(Kind.OBJECTION),
  /** An objection the provider rejected with a reason. */
  REJECTED(Kind.OBJECTION),
  /** Withdrawn by the consumer before an answer. */
  WITHDRAWN(null);

  /** What a case is. */
  public enum Kind {
    APPLICATION,
    OBJECTION
  }

  private final @org.jspecify.annotations.Nullable Kind only;

  CaseState(@org.jspecify.annotations.Nullable Kind only) {
    this.only = only;
  }

  /** Whether a case of {@code kind} in this state may move to {@code next}. */
  public boolean canMoveTo(Kind kind, CaseState next) {
    return this == SUBMITTED && next != SUBMITTED && (next.only == null || next.only == kind);
  }

  public boolean isFinal() {
    return this != SUBMITTED;
  }

  /** The lower-case name used in JSON and metrics. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
