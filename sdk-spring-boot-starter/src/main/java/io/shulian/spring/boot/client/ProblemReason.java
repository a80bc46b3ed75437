package io.shulian.spring.boot.client;

import java.util.Objects;

/**
 * One reason of a gateway refusal: a stable UPPER_SNAKE code (e.g. {@code PURPOSE_NOT_ALLOWED})
 * and the gateway's fixed message for it.
 *
 * @param code the stable code
 * @param message the gateway's message, for people
 */
public record ProblemReason(String code, String message) {
  /** Checks that neither part is null. */
  public ProblemReason {
    Objects.requireNonNull(code, "code");
    Objects.requireNonNull(message, "message");
  }
}
