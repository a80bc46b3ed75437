package io.shulian.core.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shulian.core.catalog.Catalog;
import io.shulian.core.catalog.InvalidDocumentException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Every mistake in a policy document is refused when it is loaded, with its location. */
class PolicySetTest {
  static final String HEAD = "version: \"1\"\nrules:\n";
  static final String OK = "  - id: r1\n    effect: permit\n    subject: \"*\"\n    action: query\n"
      + "    resource: housing.property-registry\n    basis: b\n";

  static PolicySet parse(String rules) throws Exception {
    return PolicySet.parse(PolicyFixtures.exampleSet().catalog(), "p.yaml", (HEAD + rules).getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void parse_minimalRule_accepted() throws Exception {
    assertThat(parse(OK).explicitRules()).hasSize(1);
  }

  @Test
  void parse_mistakes_refusedAtLoadWithLocation() {
    String[][] cases = {
      {OK + OK, "duplicate rule id 'r1'"},
      {OK.replace("basis: b", "basis: b\n    colour: red"), "p.yaml:9:13: rules[0].colour: unknown key 'colour'"},
      {OK.replace("effect: permit", "effect: allow"), "'allow' is not permit or forbid"},
      {OK.replace("action: query", "action: [query, delete]"), "'delete' is not one of"},
      {OK.replace("resource: housing.property-registry", "resource: nope"), "resource 'nope' is not in the catalog"},
      {OK + "    fields: [salary]\n", "field 'salary' is not a field of resource housing.property-registry"},
      {OK + "    conditions: {weather: sunny}\n", "unknown key 'weather'"},
      {OK + "    conditions: {purpose: [fun]}\n", "purpose 'fun' is not in the catalog's purpose list"},
      {OK + "    conditions: {time: {from: \"25:00\", to: \"08:00\"}}\n", "is not a time of day"},
      {OK + "    conditions: {time: {from: \"18:00\", to: \"08:00\"}}\n", "must be before"},
      {OK + "    conditions: {rate: {max: 0, per: 1m}}\n", "positive integer"},
      {OK + "    conditions: {rate: {max: 5, per: soon}}\n", "not a duration"},
      {OK + "    conditions: {grant: maybe}\n", "the only grant condition is 'required'"},
      {OK + "    conditions: {level: sideways}\n", "'sideways' is not one of upper-to-lower"},
      {OK + "    obligations: {mask: {floorArea: scramble}}\n", "unknown mask function 'scramble'"},
      {OK + "    obligations: {mask: {floorArea: {function: phone, keepMiddle: 2}}}\n", "keepMiddle"},
      {OK + "    obligations: {mask: {salary: phone}}\n", "field 'salary' is not a field"},
      {OK + "    obligations: {drop: [salary]}\n", "field 'salary' is not a field"},
      {OK + "    obligations: {audit: loud}\n", "'loud' is not one of minimal, standard, full"},
      {OK + "    obligations: {unlisted: keep}\n", "'keep' is not 'drop'"},
      {OK.replace("effect: permit", "effect: forbid") + "    obligations: {audit: full}\n", "a forbid rule has no obligations"},
      {OK.replace("effect: permit", "effect: forbid") + "    conditions: {grant: required}\n", "permit rules only"},
      {OK.replace("id: r1", "id: catalog/x"), "reserved"},
      {OK.replace("subject: \"*\"", "subject: {}"), "empty subject"},
      {OK.replace("subject: \"*\"", "subject: {division: [4406]}"), "quoted strings"},
      {OK.replace("subject: \"*\"", "subject: {level: [galaxy]}"), "'galaxy' is not one of province"},
      {OK.replace("subject: \"*\"", "subject: {party: [nobody]}"), "not a party id"},
      {OK.replace("resource: housing.property-registry", "resource: \"*\"") + "    fields: [floorArea]\n", "cannot name fields"},
      {OK.replace("    basis: b\n", ""), "missing required key 'basis'"},
      {"  - id: r1\n    effect: permit\n    effect: forbid\n", "Duplicate field 'effect'"},
    };
    for (String[] c : cases) {
      assertThatThrownBy(() -> parse(c[0])).as(c[1]).isInstanceOf(InvalidDocumentException.class)
          .satisfies(e -> assertThat(((InvalidDocumentException) e).problems().toString()).contains(c[1]));
    }
  }

  @Test
  void parse_unlistedDropObligation_dropsUnlistedMembersOfGeneralData() throws Exception {
    Catalog c = PolicyFixtures.exampleSet().catalog();
    PolicySet s = PolicySet.parse(c, "p.yaml", (HEAD + "  - {id: r1, effect: permit, subject: \"*\", action: query,"
        + " resource: market.enterprise-registry, obligations: {unlisted: drop}, basis: b}\n").getBytes(StandardCharsets.UTF_8));
    Decision d = PolicyEngine.builder(s).build().decide(PolicyRequest.builder().subject(PolicyFixtures.CIVIL)
        .resource("market.enterprise-registry").purpose("business-licensing").build());
    assertThat(d.isPermit()).isTrue();
    assertThat(d.obligations().dropUnlisted()).isTrue();
    assertThat(d.obligations().catalogFields()).contains("enterpriseName", "legalRepresentative");
  }
}
