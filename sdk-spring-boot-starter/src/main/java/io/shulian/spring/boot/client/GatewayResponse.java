package io.shulian.spring.boot.client;

import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A successful (2xx) answer that came through both gateways.
 *
 * @param status the department system's status
 * @param body the body, converted to the requested type; null when there was none
 * @param contentType the body's content type, or null
 * @param envelopeId the id of the response envelope (for the audit trail), or null
 * @param requestEnvelopeId the id of the request envelope, or null
 * @param <T> the body type
 */
public record GatewayResponse<T>(int status, @Nullable T body, @Nullable String contentType,
    @Nullable String envelopeId, @Nullable String requestEnvelopeId) {

  /** Returns the body, or throws if there was none. */
  public T requireBody() {
    T b = body;
    if (b == null) {
      throw new IllegalStateException("the response has no body (status " + status + ")");
    }
    return b;
  }

  /** Returns the response envelope id, if the gateway sent one. */
  public Optional<String> envelope() {
    return Optional.ofNullable(envelopeId);
  }
}
