package io.shulian.core.catalog;

import java.util.Objects;

/**
 * A provider endpoint of a resource: HTTP method and a path template such as
 * {@code /api/fund/{idNumber}}.
 */
public record Endpoint(String method, String pathTemplate) {
  public Endpoint {
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(pathTemplate, "pathTemplate");
  }
}
