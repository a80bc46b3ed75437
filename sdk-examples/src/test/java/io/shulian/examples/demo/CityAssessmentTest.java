package io.shulian.examples.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.shulian.core.catalog.Catalog;
import io.shulian.core.policy.PolicySet;
import io.shulian.gateway.assess.Assessment;
import io.shulian.gateway.assess.Finding;
import io.shulian.gateway.assess.SecurityAssessor;
import io.shulian.gateway.assess.Severity;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The demo city's catalog and policies, as its bundle carries them, assessed (安全评估). */
class CityAssessmentTest {
  @Test
  void demoCity_hasNoCriticalOrHighFinding_andTheKnownMediumAndLowOnes() throws Exception {
    Catalog catalog = Catalog.parse("demo catalog", CityDocuments.catalog().getBytes(StandardCharsets.UTF_8));
    PolicySet set = PolicySet.parse(catalog, "demo policies", CityDocuments.policies().getBytes(StandardCharsets.UTF_8));

    Assessment a = SecurityAssessor.builder().policySet(set, CityDocuments.policies()).build().assess();

    assertThat(a.worst()).hasValue(Severity.MEDIUM);
    assertThat(a.findings()).extracting(f -> f.kind() + " " + f.object()).containsExactly(
        "PERSONAL_INFO_UNCONDITIONAL " + CityDocuments.PROPERTY,
        "NOT_SHARED_WITH_ENDPOINTS " + CityDocuments.PETITIONS);
    assertThat(a.findings()).extracting(Finding::severity).containsExactly(Severity.MEDIUM, Severity.LOW);
  }
}
