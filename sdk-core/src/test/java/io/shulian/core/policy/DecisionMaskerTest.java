package io.shulian.core.policy;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shulian.core.policy.mask.Masker;
import org.junit.jupiter.api.Test;

/** Nothing a DENY gives out can mask (and so release) a record. */
class DecisionMaskerTest {
  static Decision deny() throws Exception {
    PolicyEngine e = PolicyEngine.builder(PolicyFixtures.exampleSet()).build();
    Decision d = e.decide(PolicyRequest.builder().subject(PolicyFixtures.CIVIL).resource("security.case-records")
        .purpose("social-assistance-review").build());
    org.assertj.core.api.Assertions.assertThat(d.isPermit()).isFalse();
    return d;
  }

  @Test
  void maskerFromDenyObligations_refused() throws Exception {
    Decision d = deny();
    assertThatThrownBy(() -> Masker.builder().fields(d.obligations().masks()).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("DENY");
  }
}
