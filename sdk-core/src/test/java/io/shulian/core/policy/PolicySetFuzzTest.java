package io.shulian.core.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.shulian.core.catalog.Catalog;
import io.shulian.core.catalog.CatalogResource;
import io.shulian.core.catalog.InvalidDocumentException;
import io.shulian.core.internal.yaml.LocatedTree;
import io.shulian.core.party.PartyId;
import io.shulian.core.testing.FuzzSeeds;
import io.shulian.core.testing.TestParties;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Fuzz target for {@link PolicySet#parse} against the example catalog: whatever bytes arrive, it
 * returns a policy set or throws an {@link InvalidDocumentException} with at least one located
 * problem; any other exception, a hang or an out-of-memory fails. A set it accepts must decide
 * without throwing (every problem is found at load time, never at request time) and survive a
 * round trip: the policy document's canonical JSON parses to a set with the same version hash, the
 * same rules and the same decisions on a fixed list of requests at a fixed instant. A normal build
 * replays the seeds in {@code PolicySetFuzzTestInputs/}; {@code JAZZER_FUZZ=1} fuzzes it
 * (docs/fuzzing.md).
 */
class PolicySetFuzzTest {
  private static final Catalog CATALOG = catalog();
  /** Wednesday 2026-11-25 10:00 in Asia/Shanghai: inside the example time windows. */
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-25T02:00:00Z"), ZoneOffset.UTC);
  private static final List<PolicyRequest> REQUESTS = requests();

  @FuzzTest(maxDuration = "30s")
  void parse_arbitraryBytes_throwsOnlyInvalidDocumentAndReparsesEqual(byte[] data) {
    PolicySet s;
    try {
      s = PolicySet.parse(CATALOG, "fuzz.yaml", data);
    } catch (InvalidDocumentException expected) {
      assertThat(expected.problems()).isNotEmpty();
      return;
    }
    PolicySet again;
    try {
      again = PolicySet.parse(CATALOG, "canonical.json",
          LocatedTree.canonicalJson(LocatedTree.parse("fuzz.yaml", data).root()));
    } catch (InvalidDocumentException | LocatedTree.SyntaxException e) {
      throw new AssertionError("an accepted policy document's canonical JSON is refused: " + e.getMessage(), e);
    }
    assertThat(again.versionHash()).isEqualTo(s.versionHash());
    assertThat(again.version()).isEqualTo(s.version());
    assertThat(again.explicitRules().toString()).isEqualTo(s.explicitRules().toString());
    assertThat(decisions(again)).isEqualTo(decisions(s));
  }

  /** The seeds still reach the round trip: the example and the time-window document are valid. */
  @Test
  void seeds_validDocuments_parse() throws Exception {
    var seeds = FuzzSeeds.of(getClass(), "parse_arbitraryBytes_throwsOnlyInvalidDocumentAndReparsesEqual");
    for (String name : List.of("example.yaml", "example.json", "minimal.yaml", "time-window.yaml")) {
      PolicySet s = PolicySet.parse(CATALOG, name, seeds.get(name));
      assertThat(decisions(s)).hasSameSizeAs(REQUESTS);
    }
    assertThat(decisions(PolicySet.parse(CATALOG, "y", seeds.get("example.yaml"))))
        .anyMatch(Decision::isPermit)
        .isEqualTo(decisions(PolicySet.parse(CATALOG, "j", seeds.get("example.json"))));
  }

  private static List<Decision> decisions(PolicySet s) {
    PolicyEngine e = PolicyEngine.builder(s).withoutMaskHashKey().clock(CLOCK).decisionCacheSize(0).build();
    List<Decision> out = new ArrayList<>();
    for (PolicyRequest r : REQUESTS) {
      out.add(e.decide(r));
    }
    return out;
  }

  private static Catalog catalog() {
    try {
      return Catalog.load(Path.of("..", "docs", "examples", "catalog.yaml"));
    } catch (Exception e) {
      throw new IllegalStateException("the example catalog does not load: " + e.getMessage(), e);
    }
  }

  /** Each resource, by three kinds of subject, for each action, with and without its first field. */
  private static List<PolicyRequest> requests() {
    List<PartyId> subjects = List.of(PartyId.parse("440600/11440600MB2C5678CX"), TestParties.HOUSING, TestParties.DISTRICT);
    List<PolicyRequest> out = new ArrayList<>();
    for (CatalogResource res : CATALOG.all()) {
      for (PartyId subject : subjects) {
        for (Action a : Action.values()) {
          String purpose = res.purposes().isEmpty() ? "statistics" : res.purposes().iterator().next();
          PolicyRequest.Builder b = PolicyRequest.builder().subject(subject).resource(res.code()).action(a).purpose(purpose);
          out.add(b.build());
          out.add(PolicyRequest.builder().subject(subject).resource(res.code()).action(a).purpose(purpose)
              .fields(List.of(res.fields().get(0).name())).build());
        }
      }
    }
    return out;
  }
}
