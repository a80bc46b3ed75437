package io.shulian.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A pinned-mode backend declares a data set with {@code delivery: dataset} and its {@code format}. */
class DatasetConfigTest {
  @TempDir Path dir;

  private List<String> problems(String backend, boolean catalog) throws Exception {
    return ConfigProblems.load(dir, "audit: { dir: audit }",
        "provider: { listen: 127.0.0.1:0, " + (catalog ? "policy: { dir: p, hashKeyEnv: K }, " : "")
            + "backends: [ { resource: r, url: \"http://127.0.0.1:1/a\", "
            + (catalog ? "" : "endpoints: [ { method: GET, path: /x, action: return-flow } ], ") + backend + " } ] }")
        .problems();
  }

  @Test
  void delivery_unknownValue_isAProblem() throws Exception {
    assertThat(problems("delivery: stream, format: jsonl", false))
        .anySatisfy(p -> assertThat(p).contains(": provider.backends[0].delivery: 'stream' is not one of response, dataset"));
  }

  @Test
  void datasetWithoutFormat_formatWithoutDataset_unknownFormat_eachAProblem() throws Exception {
    assertThat(problems("delivery: dataset", false))
        .anySatisfy(p -> assertThat(p).contains(": provider.backends[0].format: required with delivery: dataset"));
    assertThat(problems("format: csv", false))
        .anySatisfy(p -> assertThat(p).contains(": provider.backends[0].format: only with delivery: dataset"));
    assertThat(problems("delivery: dataset, format: xml", false))
        .anySatisfy(p -> assertThat(p).contains(": provider.backends[0].format: 'xml' is not one of jsonl, csv"));
  }

  @Test
  void deliveryBesideACatalogPolicy_isAProblem() throws Exception {
    assertThat(problems("delivery: dataset, format: jsonl", true))
        .anySatisfy(p -> assertThat(p).contains(": provider.backends[0]: delivery and format come from the catalog"));
  }

  @Test
  void datasetWithFormat_noDeliveryProblem() throws Exception {
    assertThat(problems("delivery: dataset, format: csv", false)).noneSatisfy(p -> assertThat(p).contains("delivery"))
        .noneSatisfy(p -> assertThat(p).contains("format"));
  }
}
