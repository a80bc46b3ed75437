package io.shulian.gateway.evaluate;

import java.time.Instant;
import java.util.Objects;

/**
 * When a sharing application or data objection addressed to a department was submitted and
 * answered (approved, declined, corrected or rejected; withdrawn and expired cases are not answers).
 *
 * @param objection true for a data objection (数据校核), false for a sharing application (共享申请)
 * @param provider the party id the case is addressed to (its organisation is the department)
 */
public record CaseTiming(boolean objection, String provider, Instant submittedAt, Instant answeredAt) {
  public CaseTiming {
    Objects.requireNonNull(provider, "provider");
    Objects.requireNonNull(submittedAt, "submittedAt");
    Objects.requireNonNull(answeredAt, "answeredAt");
    if (answeredAt.isBefore(submittedAt)) {
      throw new IllegalArgumentException("case answered at " + answeredAt + " before it was submitted at " + submittedAt);
    }
  }
}
