package io.shulian.spring.boot.client;

import java.util.List;

/**
 * The gateway refused access (401 or 403): an unknown API key, or the provider's policy denied the
 * request (e.g. {@code PURPOSE_NOT_ALLOWED}, {@code GRANT_REQUIRED}, {@code GRANT_REVOKED}).
 * Retrying the same call does not help.
 */
public final class GatewayAccessDeniedException extends GatewayException {
  private static final long serialVersionUID = 1L;

  GatewayAccessDeniedException(int status, String code, List<ProblemReason> reasons, String message) {
    super(status, code, reasons, message);
  }
}
