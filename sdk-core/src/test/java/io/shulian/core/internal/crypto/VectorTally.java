package io.shulian.core.internal.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Counts the vectors of one file that ran, the ones skipped (with a reason), and the ones on
 * which our code disagreed with the expected result. {@link #assertAllPassed} prints the counts and
 * fails if any vector disagreed or none ran.
 */
final class VectorTally {
  private final String source;
  private final Map<Wycheproof.Result, Integer> ran = new EnumMap<>(Wycheproof.Result.class);
  private final Map<String, Integer> skipped = new TreeMap<>();
  private final Map<String, Integer> notes = new TreeMap<>();
  private final List<String> failures = new ArrayList<>();

  VectorTally(String source) {
    this.source = source;
  }

  void ran(Wycheproof.Result r) {
    ran.merge(r, 1, Integer::sum);
  }

  void ran(Wycheproof.Case c) {
    ran(c.result());
  }

  /** Counts a vector that was not run, with the reason, per expected result. */
  void skipped(Wycheproof.Case c, String reason) {
    skipped.merge(c.result().name().toLowerCase(java.util.Locale.ROOT) + ": " + reason, 1, Integer::sum);
  }

  /** Counts an outcome worth reporting (for example how acceptable vectors were decided). */
  void note(String what) {
    notes.merge(what, 1, Integer::sum);
  }

  void fail(Object vector, String message) {
    failures.add(vector + ": " + message);
  }

  int ranTotal() {
    return ran.values().stream().mapToInt(Integer::intValue).sum();
  }

  String summary() {
    StringBuilder b = new StringBuilder("[vectors] ").append(source).append(": ran");
    for (Wycheproof.Result r : Wycheproof.Result.values()) {
      b.append(' ').append(r.name().toLowerCase(java.util.Locale.ROOT)).append('=')
          .append(ran.getOrDefault(r, 0));
    }
    b.append(" (total ").append(ranTotal()).append(')');
    skipped.forEach((k, v) -> b.append("\n[vectors]   skipped ").append(v).append(" ").append(k));
    notes.forEach((k, v) -> b.append("\n[vectors]   ").append(v).append(" x ").append(k));
    if (!failures.isEmpty()) {
      b.append("\n[vectors]   DISAGREED: ").append(failures.size());
    }
    return b.toString();
  }

  void assertAllPassed() {
    System.out.println(summary());
    assertThat(failures).as("vectors on which our code disagreed, " + source).isEmpty();
    assertThat(ranTotal()).as("vectors run from " + source).isPositive();
  }
}
