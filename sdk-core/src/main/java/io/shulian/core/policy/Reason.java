package io.shulian.core.policy;

import java.util.Objects;

/**
 * Why a decision came out as it did: a stable code ({@code NOT_SHARED}, {@code GRANT_EXPIRED},
 * {@code PURPOSE_NOT_ALLOWED}, ...) and a message for the operator.
 */
public record Reason(String code, String message) {
  public Reason {
    Objects.requireNonNull(code, "code");
    Objects.requireNonNull(message, "message");
  }

  @Override
  public String toString() {
    return code + ": " + message;
  }
}
