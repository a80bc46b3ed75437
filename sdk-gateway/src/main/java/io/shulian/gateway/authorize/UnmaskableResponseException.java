package io.shulian.gateway.authorize;

/**
 * A response filter could not apply the obligations to a response, so the response must not be
 * released. Carries the masker's reason code ({@code SHAPE_MISMATCH}, {@code ALIASED_FIELD},
 * {@code DUPLICATE_FIELD}, {@code INVALID_JSON}, ...) for the audit record; never payload data.
 */
public final class UnmaskableResponseException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String code;

  public UnmaskableResponseException(String code, String message) {
    super(message, null, false, false);
    this.code = code;
  }

  /** Returns the masker's reason code. */
  public String code() {
    return code;
  }
}
