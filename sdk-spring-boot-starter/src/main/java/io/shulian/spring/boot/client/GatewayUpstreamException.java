package io.shulian.spring.boot.client;

import java.util.List;

/**
 * The gateway or what stands behind it failed (5xx): the provider gateway or the department system
 * is unavailable, too slow, or answered something that may not be released; or the gateway could
 * not audit ({@code AUDIT_UNAVAILABLE}). A later retry may succeed.
 */
public final class GatewayUpstreamException extends GatewayException {
  private static final long serialVersionUID = 1L;
  private final int backendStatus;

  GatewayUpstreamException(int status, String code, List<ProblemReason> reasons, int backendStatus, String message) {
    super(status, code, reasons, message);
    this.backendStatus = backendStatus;
  }

  /** Returns the status of the provider's department system when the gateway reported it, else 0. */
  public int backendStatus() {
    return backendStatus;
  }
}
