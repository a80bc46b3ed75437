package io.shulian.core.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shulian.core.envelope.Classification;
import io.shulian.core.policy.PolicySet;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class CatalogTest {
  static final Path EXAMPLES = Path.of("..", "docs", "examples");

  static Catalog parse(String yaml) throws InvalidDocumentException {
    return Catalog.parse("c.yaml", yaml.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void load_documentedExamples_valid() throws Exception {
    Catalog c = Catalog.load(EXAMPLES.resolve("catalog.yaml"));
    assertThat(c.resources()).hasSize(5);
    assertThat(c.resource("housing.provident-fund.balance").orElseThrow().sharingType()).isEqualTo(SharingType.CONDITIONAL);
    assertThat(c.resource("housing.provident-fund.balance").orElseThrow().field("bankCard").orElseThrow().classification())
        .isEqualTo(Classification.CORE);
    assertThat(c.resource("security.case-records").orElseThrow().legalBasis()).contains("刑事诉讼法");
    PolicySet p = PolicySet.parse(c, "policies.yaml", Files.readAllBytes(EXAMPLES.resolve("policies.yaml")));
    assertThat(p.explicitRules()).hasSize(6);
    assertThat(p.derivedRules()).hasSize(5);
    assertThat(p.versionHash()).matches("sha256:[0-9a-f]{64}");
  }

  @Test
  void contentHash_sameContentOtherLayout_equal() throws Exception {
    String a = "version: \"1\"\npurposes: [{code: p, name: P}]\nresources:\n  - code: r\n    name: R\n"
        + "    provider: 440600/11440600MB2C1234HN\n    sharing: {type: unconditional}\n    purposes: [p]\n"
        + "    fields: [{name: f, type: string, classification: general}]\n";
    String b = "{\"resources\": [{\"fields\": [{\"classification\": \"general\", \"type\": \"string\", \"name\": \"f\"}],"
        + " \"purposes\": [\"p\"], \"sharing\": {\"type\": \"unconditional\"}, \"provider\": \"440600/11440600MB2C1234HN\","
        + " \"name\": \"R\", \"code\": \"r\"}], \"purposes\": [{\"name\": \"P\", \"code\": \"p\"}], \"version\": \"1\"}";
    assertThat(parse(a).contentHash()).isEqualTo(parse(b).contentHash());
    assertThat(parse(a.replace("name: R", "name: R2")).contentHash()).isNotEqualTo(parse(a).contentHash());
  }

  @Test
  void parse_badDocuments_everyProblemLocated() {
    String[][] cases = {
      {"", "empty"},
      {"- a\n- b\n", "must be a mapping"},
      {"version: 1\npurposes: []\nresources: []\nextra: 1\n", "unknown key 'extra'"},
      {"version: \"1\"\npurposes: [{code: p, name: P}, {code: p, name: Q}]\nresources: []\n", "duplicate purpose code 'p'"},
      {"version: \"1\"\npurposes: [{code: P!, name: P}]\nresources: []\n", "not a valid code"},
      {"version: \"1\"\npurposes: []\nresources: {}\n", "must be a sequence"},
      {"version: \"1\"\npurposes: []\nresources: []\n" + "x".repeat(10) + ": [", "not well-formed"},
      {"version: \"1\"\npurposes: &a [x]\nresources: *a\n", "YAML"},
    };
    for (String[] c : cases) {
      assertThatThrownBy(() -> parse(c[0])).as(c[1]).isInstanceOf(InvalidDocumentException.class)
          .satisfies(e -> assertThat(((InvalidDocumentException) e).problems().toString()).contains(c[1]));
    }
  }

  @Test
  void parse_fieldsAndSharing_checked() {
    String base = "version: \"1\"\npurposes: [{code: p, name: P}]\nresources:\n  - code: r\n    name: R\n"
        + "    provider: 440600/11440600MB2C1234HN\n    purposes: [p]\n";
    String[][] cases = {
      {"    sharing: {type: conditional}\n    fields: [{name: f, type: string, classification: general}]\n",
          "must state its conditions"},
      {"    sharing: {type: unconditional}\n    fields: []\n", "at least one field"},
      {"    sharing: {type: unconditional}\n    fields: [{name: a, type: string, classification: general},"
          + " {name: a.b, type: string, classification: general}]\n", "is a parent of"},
      {"    sharing: {type: unconditional}\n    fields: [{name: \"a..b\", type: string, classification: general}]\n",
          "is not a field path"},
      {"    sharing: {type: unconditional}\n    fields: [{name: a, type: string, classification: general, personalInfo: dna}]\n",
          "'dna' is not one of"},
      {"    sharing: {type: unconditional}\n    fields: [{name: a, type: string, classification: 3}]\n", "must be a string"},
      {"    sharing: {type: unconditional}\n    fields: [{name: a, type: string, classification: general}]\n"
          + "    endpoints: [{method: TRACE, path: x}]\n", "'TRACE' is not one of"},
      {"    sharing: {type: unconditional}\n    fields: [{name: a, type: string, classification: general}]\n"
          + "    endpoints: [{method: GET, path: \"/api/../fund\"}]\n", "c.yaml:10:37: resources[0].endpoints[0].path: '/api/../fund' has a dot segment"},
      {"    sharing: {type: unconditional}\n    fields: [{name: a, type: string, classification: general}]\n"
          + "    endpoints: [{method: GET, path: \"/{id}x\"}]\n", "neither a literal"},
      {"    sharing: {type: unconditional}\n    fields: [{name: a, type: string, classification: general}]\n"
          + "    endpoints: [{method: POST, path: /r, action: query}]\n", "endpoints[0].action: a POST endpoint writes"},
      {"    sharing: {type: unconditional}\n    fields: [{name: a, type: string, classification: general}]\n"
          + "    endpoints: [{method: GET, path: /r, action: delete}]\n", "'delete' is not one of query, subscribe"},
      {"    sharing: {type: unconditional}\n    fields: [{name: a, type: string, classification: general}]\n"
          + "    endpoints: [{method: GET, path: \"/{a}\"}, {method: GET, path: \"/{b}\"}]\n", "duplicate endpoint GET /{}"},
      {"    sharing: {type: unconditional}\n    fields: [{name: a, type: string, classification: general}]\n"
          + "    endpoints: [{method: GET, path: /r, verb: x}]\n", "unknown key 'verb'"},
    };
    for (String[] c : cases) {
      assertThatThrownBy(() -> parse(base + c[0])).as(c[1]).isInstanceOf(InvalidDocumentException.class)
          .satisfies(e -> assertThat(((InvalidDocumentException) e).problems().toString()).contains(c[1]));
    }
  }

  @Test
  void parse_endpointsWithActions_kept() throws Exception {
    Catalog c = parse("version: \"1\"\npurposes: [{code: p, name: P}]\nresources:\n  - code: r\n    name: R\n"
        + "    provider: 440600/11440600MB2C1234HN\n    purposes: [p]\n    sharing: {type: unconditional}\n"
        + "    fields: [{name: a, type: string, classification: general}]\n"
        + "    endpoints: [{method: GET, path: \"/{id}\"}, {method: GET, path: /all, action: export},"
        + " {method: POST, path: /, action: write}]\n");
    assertThat(c.resource("r").orElseThrow().endpoints()).containsExactly(new Endpoint("GET", "/{id}"),
        new Endpoint("GET", "/all", "export"), new Endpoint("POST", "/", "write"));
  }

  static final String DATASET_BASE = "version: \"1\"\npurposes: [{code: p, name: P}]\nresources:\n  - code: r\n    name: R\n"
      + "    provider: 440600/11440600MB2C1234HN\n    purposes: [p]\n    sharing: {type: unconditional}\n"
      + "    fields: [{name: a, type: string, classification: general}]\n";

  @Test
  void parse_datasetDelivery_keptWithItsFormat() throws Exception {
    assertThat(parse(DATASET_BASE + "    delivery: dataset\n    format: jsonl\n").resource("r").orElseThrow().dataset())
        .isEqualTo(DatasetFormat.JSONL);
    assertThat(parse(DATASET_BASE + "    delivery: dataset\n    format: csv\n").resource("r").orElseThrow().dataset())
        .isEqualTo(DatasetFormat.CSV);
    assertThat(parse(DATASET_BASE + "    delivery: response\n").resource("r").orElseThrow().isDataset()).isFalse();
    assertThat(parse(DATASET_BASE).resource("r").orElseThrow().isDataset()).isFalse();
  }

  @Test
  void parse_datasetWithoutFormatOrFormatWithoutDataset_refused() {
    String[][] cases = {
      {"    delivery: dataset\n", "a data set must declare its \"format\""},
      {"    delivery: dataset\n    format: xml\n", "'xml' is not one of jsonl, csv"},
      {"    format: jsonl\n", "a format is declared only for"},
      {"    delivery: response\n    format: csv\n", "a format is declared only for"},
      {"    delivery: stream\n", "'stream' is not one of response, dataset"},
    };
    for (String[] c : cases) {
      assertThatThrownBy(() -> parse(DATASET_BASE + c[0])).as(c[1]).isInstanceOf(InvalidDocumentException.class)
          .satisfies(e -> assertThat(((InvalidDocumentException) e).problems().toString()).contains(c[1]));
    }
  }

  @Test
  void diff_sameCatalog_empty() throws Exception {
    Catalog c = Catalog.load(EXAMPLES.resolve("catalog.yaml"));
    assertThat(CatalogDiff.between(c, c).isEmpty()).isTrue();
  }
}
