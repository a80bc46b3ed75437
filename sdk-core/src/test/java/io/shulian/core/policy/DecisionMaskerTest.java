package io.shulian.core.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shulian.core.policy.mask.Masker;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Nothing a DENY gives out can mask (and so release) a record. */
class DecisionMaskerTest {
  static Decision deny() throws Exception {
    PolicyEngine e = PolicyEngine.builder(PolicyFixtures.exampleSet()).build();
    Decision d = e.decide(PolicyRequest.builder().subject(PolicyFixtures.CIVIL).resource("security.case-records")
        .purpose("social-assistance-review").build());
    assertThat(d.isPermit()).isFalse();
    return d;
  }

  @Test
  void maskerFromDenyObligations_refused() throws Exception {
    Decision d = deny();
    assertThatThrownBy(() -> Masker.builder().fields(d.obligations().masks()).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("DENY");
  }

  @Test
  void masker_fromDeny_refused() throws Exception {
    Decision d = deny();
    assertThatThrownBy(d::masker).isInstanceOf(IllegalStateException.class).hasMessageContaining("NOT_SHARED");
  }

  @Test
  void masker_fromPermit_masksAndKeepsToCatalogFields() throws Exception {
    PolicyEngine e = PolicyEngine.builder(PolicyFixtures.exampleSet()).build();
    Decision d = e.decide(PolicyRequest.builder().subject(PolicyFixtures.CIVIL).resource("housing.property-registry")
        .purpose("housing-subsidy-review").build());
    assertThat(d.isPermit()).isTrue();
    assertThat(d.obligations().dropUnlisted()).as("the registry has important fields").isTrue();
    Masker m = d.masker().build();
    String in = "{\"data\":{\"owner\":{\"idNumber\":\"440604199001011234\"}},\"owner\":{\"name\":\"张三\","
        + "\"idNumber\":\"440604199001011234\"},\"floorArea\":88.50}";
    assertThat(new String(m.mask(in.getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8))
        .isEqualTo("{\"owner\":{\"name\":\"张*\",\"idNumber\":\"440604********1234\"},\"floorArea\":88.50}");
  }

  @Test
  void obligationsFromJson_roundTripsFieldsAndProjection() throws Exception {
    PolicyEngine e = PolicyEngine.builder(PolicyFixtures.exampleSet()).build();
    Decision d = e.decide(PolicyRequest.builder().subject(PolicyFixtures.CIVIL).resource("housing.property-registry")
        .purpose("housing-subsidy-review").build());
    Obligations o = Decision.obligationsFromJson(d.toJson().getBytes(StandardCharsets.UTF_8));
    assertThat(o).isEqualTo(d.obligations());
    assertThat(o.catalogFields()).contains("owner.idNumber", "floorArea");
    assertThat(o.dropUnlisted()).isTrue();
    assertThatThrownBy(() -> Decision.obligationsFromJson(d.toJson().replace("\"dropUnlisted\" : true", "\"dropUnlisted\" : \"no\"")
        .getBytes(StandardCharsets.UTF_8))).isInstanceOf(IllegalArgumentException.class);
  }
}
