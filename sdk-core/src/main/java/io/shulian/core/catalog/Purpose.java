package io.shulian.core.catalog;

import java.util.Objects;

/** An entry of the catalog's controlled purpose list, e.g. {@code social-assistance-review}. */
public record Purpose(String code, String name) {
  public Purpose {
    Objects.requireNonNull(code, "code");
    Objects.requireNonNull(name, "name");
  }
}
