package io.shulian.core.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.shulian.core.catalog.Endpoint;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Writing at a provider is its own action: only a PERMIT that names {@code write} allows it. */
class WriteActionTest {
  static final String PROP = "housing.property-registry";

  static Decision decide(String rules, Action action, String resource) throws Exception {
    PolicySet set = rules == null ? PolicySet.derivedOnly(PolicyFixtures.exampleSet().catalog())
        : PolicySet.parse(PolicyFixtures.exampleSet().catalog(), "p.yaml",
            ("version: \"1\"\nrules:\n" + rules).getBytes(StandardCharsets.UTF_8));
    return PolicyEngine.builder(set).build().decide(PolicyRequest.builder()
        .subject(PolicyFixtures.CIVIL).resource(resource).action(action).purpose("social-assistance-review").build());
  }

  static String rule(String id, String effect, String actions) {
    return "  - id: " + id + "\n    effect: " + effect + "\n    subject: \"*\"\n    action: " + actions
        + "\n    resource: " + PROP + "\n    basis: b\n";
  }

  @Test
  void derivedUnconditionalRule_permitsQuery_neverWrite() throws Exception {
    assertThat(decide(null, Action.QUERY, PROP).isPermit()).isTrue();
    assertThat(decide(null, Action.WRITE, PROP).isPermit()).isFalse();
  }

  @Test
  void permitStar_coversReadsButNotWrite() throws Exception {
    String r = rule("all", "permit", "\"*\"");
    assertThat(decide(r, Action.EXPORT, PROP).isPermit()).isTrue();
    assertThat(decide(r, Action.WRITE, PROP).isPermit()).isFalse();
  }

  @Test
  void permitNamingWrite_permitsWrite() throws Exception {
    assertThat(decide(rule("w", "permit", "[write]"), Action.WRITE, PROP).isPermit()).isTrue();
  }

  @Test
  void forbidStar_forbidsWriteEvenWhenAPermitNamesIt() throws Exception {
    Decision d = decide(rule("w", "permit", "[write]") + rule("nothing", "forbid", "\"*\""), Action.WRITE, PROP);
    assertThat(d.isPermit()).isFalse();
  }

  @Test
  void notSharedResource_forbidsWrite() throws Exception {
    assertThat(decide(null, Action.WRITE, "security.case-records").isPermit()).isFalse();
  }

  @Test
  void endpointActionNames_areThePolicyActions() {
    List<String> endpointActions = new ArrayList<>(Endpoint.READ_ACTIONS);
    endpointActions.add(Endpoint.WRITE);
    List<String> policyActions = new ArrayList<>();
    for (Action a : Action.values()) {
      policyActions.add(a.wireName());
    }
    assertThat(endpointActions).containsExactlyElementsOf(policyActions);
    assertThat(Action.fromWireName(Endpoint.WRITE).writes()).isTrue();
    assertThat(Action.fromWireName(Endpoint.DEFAULT_READ)).isEqualTo(Action.QUERY);
  }
}
