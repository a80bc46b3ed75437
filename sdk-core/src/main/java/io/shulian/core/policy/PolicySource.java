package io.shulian.core.policy;

import io.shulian.core.io.BoundedRead;
import io.shulian.core.internal.yaml.LocatedTree;
import io.shulian.core.catalog.Catalog;
import io.shulian.core.catalog.InvalidDocumentException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where a policy set comes from. Today: a directory with {@code catalog.yaml} and
 * {@code policies.yaml}; the signed city bundle will be another implementation, so the engine's
 * loader is this one method.
 */
@FunctionalInterface
public interface PolicySource {
  /**
   * Loads and checks the policy set.
   *
   * @throws InvalidDocumentException listing every problem of the documents
   * @throws IOException if they cannot be read
   */
  PolicySet load() throws InvalidDocumentException, IOException;

  /**
   * Returns a source reading {@code dir/catalog.yaml} and {@code dir/policies.yaml} (the latter
   * optional: without it only the catalog's derived rules apply).
   */
  static PolicySource directory(Path dir) {
    return () -> {
      Path c = dir.resolve("catalog.yaml");
      Path p = dir.resolve("policies.yaml");
      Catalog catalog = Catalog.parse(c.toString(), BoundedRead.file(c, LocatedTree.MAX_BYTES));
      if (!Files.exists(p)) {
        return PolicySet.derivedOnly(catalog);
      }
      return PolicySet.parse(catalog, p.toString(), BoundedRead.file(p, LocatedTree.MAX_BYTES));
    };
  }
}
