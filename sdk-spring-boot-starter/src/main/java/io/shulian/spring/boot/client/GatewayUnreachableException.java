package io.shulian.spring.boot.client;

import java.util.List;

/**
 * The consumer gateway gave no answer: connection refused, reset or timed out (code {@code
 * GATEWAY_UNREACHABLE}, status 0). Whether the request reached the provider is unknown.
 */
public final class GatewayUnreachableException extends GatewayException {
  private static final long serialVersionUID = 1L;

  /** The code of every instance. */
  public static final String CODE = "GATEWAY_UNREACHABLE";

  GatewayUnreachableException(String message, Throwable cause) {
    super(0, CODE, List.of(), message, cause);
  }
}
