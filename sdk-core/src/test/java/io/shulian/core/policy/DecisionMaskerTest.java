package io.shulian.core.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shulian.core.policy.mask.Masker;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Nothing a DENY gives out can mask (and so release) a record. */
class DecisionMaskerTest {
  static Decision deny() throws Exception {
    PolicyEngine e = PolicyEngine.builder(PolicyFixtures.exampleSet()).withoutMaskHashKey().build();
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
    PolicyEngine e = PolicyEngine.builder(PolicyFixtures.exampleSet()).withoutMaskHashKey().build();
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
    PolicyEngine e = PolicyEngine.builder(PolicyFixtures.exampleSet()).withoutMaskHashKey().build();
    Decision d = e.decide(PolicyRequest.builder().subject(PolicyFixtures.CIVIL).resource("housing.property-registry")
        .purpose("housing-subsidy-review").build());
    Obligations o = Decision.obligationsFromJson(d.toJson().getBytes(StandardCharsets.UTF_8));
    assertThat(o).isEqualTo(d.obligations());
    assertThat(o.catalogFields()).contains("owner.idNumber", "floorArea");
    assertThat(o.dropUnlisted()).isTrue();
    assertThatThrownBy(() -> Decision.obligationsFromJson(d.toJson().replace("\"dropUnlisted\" : true", "\"dropUnlisted\" : \"no\"")
        .getBytes(StandardCharsets.UTF_8))).isInstanceOf(IllegalArgumentException.class);
  }

  static Masker returnFlow(String subject) throws Exception {
    PolicyEngine e = PolicyEngine.builder(PolicyFixtures.exampleSet()).withoutMaskHashKey().build();
    Decision d = e.decide(PolicyRequest.builder().subject(PolicyFixtures.SUBJECTS.get(subject))
        .resource("province.pension.status").action(Action.RETURN_FLOW).purpose("grassroots-governance").build());
    assertThat(d.isPermit()).as("%s", d).isTrue();
    return d.masker().build();
  }

  static String pension(String division) {
    return "{\"person\":{\"name\":\"张三\",\"idNumber\":\"440604199001011234\"" + (division == null ? "" : ",\"division\":"
        + division) + "},\"enrolled\":true}";
  }

  @Test
  void returnFlow_recordsOfTheRequestersDivision_released() throws Exception {
    Masker district = returnFlow("district");
    String out = new String(district.mask(("[" + pension("\"440604\"") + "," + pension("\"440604003\"") + ","
        + pension("440604003001") + "]").getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8);
    assertThat(out).contains("\"division\":\"440604\"", "\"division\":\"440604003\"", "\"division\":440604003001")
        .doesNotContain("440604199001011234");
  }

  @Test
  void returnFlow_recordOfAnotherDivisionOrWithoutOne_refused() throws Exception {
    Masker district = returnFlow("district");
    Masker town = returnFlow("town");
    String[][] cases = {
      {"district", "[" + pension("\"440604\"") + "," + pension("\"440605\"") + "]"},
      {"district", pension("\"44060\"")},
      {"district", pension("\"4406049\"")},
      {"district", pension("\"440604abc\"")},
      {"district", pension(null)},
      {"district", pension("null")},
      {"district", "{\"enrolled\":true}"},
      {"district", "[" + pension("\"440604\"") + ",{\"person\":null}]"},
      {"district", "{\"person\":{\"division\":[\"440604\"]}}"},
      {"town", pension("\"440604\"")},
      {"town", pension("\"440604002\"")},
    };
    for (String[] c : cases) {
      Masker m = c[0].equals("town") ? town : district;
      assertThatThrownBy(() -> m.mask(c[1].getBytes(StandardCharsets.UTF_8))).as(c[1])
          .isInstanceOf(io.shulian.core.policy.mask.MaskingException.class)
          .satisfies(e -> assertThat(((io.shulian.core.policy.mask.MaskingException) e).code()).as(c[1])
              .isIn("RECORD_OUTSIDE_DIVISION", "SHAPE_MISMATCH"))
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain("440604199001011234"));
    }
  }
}
