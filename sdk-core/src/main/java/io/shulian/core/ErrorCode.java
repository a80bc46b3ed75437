package io.shulian.core;

/**
 * A stable, machine-readable reason of a {@link ShulianException}. Each area has its own enum of
 * reasons implementing this interface ({@code EnvelopeException.Reason}, {@code
 * TrustException.Reason}, {@code AuditException.Reason}, ...), so code can switch over an area's
 * reasons exhaustively and still treat every failure alike.
 */
public interface ErrorCode {
  /** Returns the enum constant's name (implemented by {@link Enum#name()}). */
  String name();

  /**
   * Returns the code as it appears outside the process: in problem responses, audit records,
   * metric labels and CLI messages. These strings are documented and stable; by default the name.
   */
  default String wireName() {
    return name();
  }
}
