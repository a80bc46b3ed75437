package io.shulian.gateway.authorize;

import static org.assertj.core.api.Assertions.assertThat;

import io.shulian.core.catalog.Catalog;
import io.shulian.core.party.PartyId;
import io.shulian.core.policy.PolicyEngine;
import io.shulian.core.policy.PolicySet;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** {@link ExchangePolicy#decidePush}: the receiver is the subject and the action is return-flow. */
class CatalogPolicyPushTest {
  static final PartyId DISTRICT = PartyId.parse("440604/11440604MB2C9012D6");
  static final PartyId OTHER_PROVINCE = PartyId.parse("430104/11440604MB2C9012D6");

  static final String CATALOG = "version: \"p\"\npurposes:\n  - {code: p0, name: P0}\n  - {code: p1, name: P1}\n"
      + "resources:\n  - code: r0\n    name: R\n    provider: 440000/11440000MB2C3456PM\n"
      + "    sharing: {type: conditional, conditions: c}\n    purposes: [p0, p1]\n    fields:\n"
      + "      - {name: f0, type: string, classification: general, personalInfo: id-number}\n"
      + "      - {name: f1, type: string, classification: general, personalInfo: none}\n";

  static CatalogPolicy policy(String rules) throws Exception {
    Catalog c = Catalog.parse("catalog.yaml", CATALOG.getBytes(StandardCharsets.UTF_8));
    PolicySet s = PolicySet.parse(c, "rules.yaml", ("version: \"p\"\nrules:\n" + rules).getBytes(StandardCharsets.UTF_8));
    return new CatalogPolicy(PolicyEngine.builder(s).withoutMaskHashKey().build(), new byte[32]);
  }

  static final String RETURN_FLOW_TO_440604 = "  - id: down\n    effect: permit\n    subject: {division: [\"440604\"]}\n"
      + "    action: [return-flow]\n    resource: [r0]\n    conditions: {purpose: [p0]}\n"
      + "    obligations: {mask: {f0: id-number}, audit: full}\n    basis: b\n";

  @Test
  void decidePush_permittedDivision_permitsWithTheRuleAndItsMask() throws Exception {
    Verdict v = policy(RETURN_FLOW_TO_440604).decidePush(DISTRICT, "r0", "p0");

    assertThat(v.isPermit()).as(v.reasons().toString()).isTrue();
    assertThat(v.ruleIds()).contains("down");
    assertThat(v.hasObligations()).isTrue();
  }

  @Test
  void decidePush_otherDivisionOrPurpose_denied() throws Exception {
    CatalogPolicy p = policy(RETURN_FLOW_TO_440604);

    assertThat(p.decidePush(OTHER_PROVINCE, "r0", "p0").isPermit()).isFalse();
    assertThat(p.decidePush(DISTRICT, "r0", "p1").isPermit()).isFalse();
  }

  @Test
  void decidePush_ruleForAnotherAction_doesNotPermitAPush() throws Exception {
    CatalogPolicy p = policy(RETURN_FLOW_TO_440604.replace("action: [return-flow]", "action: [query]"));

    assertThat(p.decidePush(DISTRICT, "r0", "p0").isPermit()).isFalse();
  }

  @Test
  void decidePush_policyWithoutPushDecision_deniesFailClosed() {
    ExchangePolicy permitAll = (h, a, g) -> Verdict.permit(java.util.List.of("all"), "v1");

    Verdict v = permitAll.decidePush(DISTRICT, "r0", "p0");

    assertThat(v.isPermit()).isFalse();
    assertThat(v.reasons()).containsExactly("PUSH_NOT_DECIDABLE");
  }
}
