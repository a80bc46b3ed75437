package io.shulian.core.catalog;

import io.shulian.core.internal.access.CoreAccess;
import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.shulian.core.internal.yaml.LocatedTree;
import io.shulian.core.testing.FuzzSeeds;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Fuzz target for {@link Catalog#parse} (YAML or JSON through {@link LocatedTree}): whatever bytes
 * arrive, it returns a catalog or throws an {@link InvalidDocumentException} with at least one
 * located problem; any other exception, a hang or an out-of-memory fails. A catalog it accepts
 * must survive a round trip: its canonical JSON parses to an equal catalog with the same content
 * hash. A normal build replays the seeds in {@code CatalogFuzzTestInputs/} (the example catalog as
 * YAML and JSON, and small variants); {@code JAZZER_FUZZ=1} fuzzes it (docs/fuzzing.md).
 */
class CatalogFuzzTest {
  @FuzzTest(maxDuration = "30s")
  void parse_arbitraryBytes_throwsOnlyInvalidDocumentAndReparsesEqual(byte[] data) {
    Catalog c;
    try {
      c = Catalog.parse("fuzz.yaml", data);
    } catch (InvalidDocumentException expected) {
      assertThat(expected.problems()).isNotEmpty();
      return;
    }
    assertReparsesEqual(c);
  }

  /** The seeds still reach the round trip: every seed but the one with an anchor is a valid catalog. */
  @Test
  void seeds_validCatalogs_parseAndReparseEqual() throws Exception {
    Map<String, byte[]> seeds = FuzzSeeds.of(getClass(), "parse_arbitraryBytes_throwsOnlyInvalidDocumentAndReparsesEqual");
    for (Map.Entry<String, byte[]> s : seeds.entrySet()) {
      if (!s.getKey().startsWith("anchor") && !s.getKey().startsWith("crash-")) {
        assertReparsesEqual(Catalog.parse(s.getKey(), s.getValue()));
      }
    }
    assertThat(Catalog.parse("a", seeds.get("example.yaml")).contentHash())
        .isEqualTo(Catalog.parse("b", seeds.get("example.json")).contentHash());
  }

  static void assertReparsesEqual(Catalog c) {
    Catalog again;
    try {
      again = Catalog.parse("canonical.json", LocatedTree.canonicalJson(CoreAccess.catalogs().tree(c)));
    } catch (InvalidDocumentException e) {
      throw new AssertionError("an accepted catalog's canonical JSON is refused: " + e.getMessage(), e);
    }
    assertThat(again.version()).isEqualTo(c.version());
    assertThat(again.purposes()).isEqualTo(c.purposes());
    assertThat(again.resources()).isEqualTo(c.resources());
    assertThat(again.contentHash()).isEqualTo(c.contentHash());
    assertThat(CatalogDiff.between(c, again).isEmpty()).isTrue();
  }
}
