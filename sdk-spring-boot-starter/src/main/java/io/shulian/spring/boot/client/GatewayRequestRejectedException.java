package io.shulian.spring.boot.client;

import java.util.List;

/**
 * The request was refused as sent (4xx other than 401 and 403): a bad target, an undeclared
 * endpoint, a body too large, a resource unknown, or the department system's own 4xx ({@link
 * #backendStatus()}). Retrying the same call does not help.
 */
public final class GatewayRequestRejectedException extends GatewayException {
  private static final long serialVersionUID = 1L;
  private final int backendStatus;

  GatewayRequestRejectedException(int status, String code, List<ProblemReason> reasons, int backendStatus,
      String message) {
    super(status, code, reasons, message);
    this.backendStatus = backendStatus;
  }

  /** Returns the status of the provider's department system when the gateway reported it, else 0. */
  public int backendStatus() {
    return backendStatus;
  }
}
