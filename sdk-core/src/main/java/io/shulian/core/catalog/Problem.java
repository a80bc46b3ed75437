package io.shulian.core.catalog;

import java.util.Objects;

/**
 * One problem found in a catalog or policy document: where ({@code file:line:column}) and at which
 * path ({@code resources[2].fields[0].classification}) it is, and what is wrong.
 */
public record Problem(String location, String path, String message) {
  public Problem {
    Objects.requireNonNull(location, "location");
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(message, "message");
  }

  /** Returns {@code location: path: message}. */
  @Override
  public String toString() {
    return location + ": " + (path.isEmpty() ? "" : path + ": ") + message;
  }
}
