package io.shulian.spring.boot.client;

import java.util.List;
import java.util.Objects;

/**
 * A call through the consumer gateway that did not give the application data. The subclass says
 * whose side failed; {@link #code()} is the gateway's stable primary code (docs/gateway.md
 * "Errors"), the same that its audit record and metrics carry. Messages hold codes, the status and
 * the gateway's fixed texts, never a payload, a key or a grant.
 */
public abstract sealed class GatewayException extends RuntimeException
    permits GatewayAccessDeniedException, GatewayRequestRejectedException, GatewayUpstreamException,
        GatewayUnreachableException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final String code;
  private final transient List<ProblemReason> reasons;

  GatewayException(int status, String code, List<ProblemReason> reasons, String message, Throwable cause) {
    super(message, cause);
    this.status = status;
    this.code = Objects.requireNonNull(code);
    this.reasons = List.copyOf(reasons);
  }

  GatewayException(int status, String code, List<ProblemReason> reasons, String message) {
    super(message);
    this.status = status;
    this.code = Objects.requireNonNull(code);
    this.reasons = List.copyOf(reasons);
  }

  /** Returns the HTTP status the gateway answered with, or 0 when there was no answer. */
  public int status() {
    return status;
  }

  /** Returns the stable primary code, e.g. {@code PURPOSE_NOT_ALLOWED} or {@code PROVIDER_UNAVAILABLE}. */
  public String code() {
    return code;
  }

  /** Returns every reason the gateway gave, primary code included (may be empty). */
  public List<ProblemReason> reasons() {
    return reasons == null ? List.of() : reasons;
  }

  /** Returns whether one of the reasons has this code. */
  public boolean hasReason(String reasonCode) {
    return code.equals(reasonCode) || reasons().stream().anyMatch(r -> r.code().equals(reasonCode));
  }
}
