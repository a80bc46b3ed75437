package io.shulian.core.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shulian.core.policy.mask.MissingHashKeyException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * A policy that hashes a field needs the provider's hash key: that is a configuration error found
 * when the engine is built or its policy swapped, naming the rule and field, not an exception while
 * a response is masked.
 */
class MissingHashKeyTest {
  static final byte[] KEY = "0123456789abcdef0123".getBytes(StandardCharsets.US_ASCII);

  @Test
  void build_hashingPolicyWithoutKey_typedErrorNamingRuleAndField() throws Exception {
    PolicySet set = PolicyFixtures.exampleSet(); // docs/examples/policies.yaml hashes owner.idNumber
    assertThatThrownBy(() -> PolicyEngine.builder(set).build())
        .isInstanceOf(MissingHashKeyException.class)
        .hasMessageContaining("rule civil-affairs-property-for-assistance: owner.idNumber")
        .hasMessageContaining("PolicyEngine.Builder.maskHashKey")
        .satisfies(e -> assertThat(((MissingHashKeyException) e).hashedFields())
            .contains("rule civil-affairs-property-for-assistance: owner.idNumber"));
  }

  @Test
  void build_hashingPolicyWithKey_engineMaskerHashes() throws Exception {
    PolicyEngine engine = PolicyEngine.builder(PolicyFixtures.exampleSet()).maskHashKey(KEY)
        .clock(java.time.Clock.fixed(PolicyFixtures.WED10, java.time.ZoneOffset.UTC)).build();
    Decision d = engine.decide(PolicyRequest.builder().subject(PolicyFixtures.CIVIL)
        .resource("housing.property-registry").purpose("social-assistance-review").build());
    assertThat(d.isPermit()).as(d.toString()).isTrue();
    assertThat(d.obligations().masks().get("owner.idNumber").function())
        .isEqualTo(io.shulian.core.policy.mask.MaskFunction.HASH);
    assertThatThrownBy(() -> d.masker().build()).isInstanceOf(MissingHashKeyException.class)
        .hasMessageContaining("field owner.idNumber");
    String in = "{\"owner\":{\"name\":\"张三\",\"idNumber\":\"440604199001011234\"}}";
    String out = new String(engine.masker(d).build().mask(in.getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8);
    assertThat(out).doesNotContain("440604199001011234").doesNotContain("440604********1234").contains("\"idNumber\"");
  }

  @Test
  void build_withoutMaskHashKey_needsNoKey() throws Exception {
    PolicyEngine engine = PolicyEngine.builder(PolicyFixtures.exampleSet()).withoutMaskHashKey().build();
    assertThat(engine.policySet()).isSameAs(PolicyFixtures.exampleSet());
  }

  @Test
  void swap_toHashingPolicyWithoutKey_refusedAndCurrentSetStays() throws Exception {
    PolicySet plain = PolicySet.derivedOnly(PolicyFixtures.exampleSet().catalog());
    PolicyEngine engine = PolicyEngine.builder(plain).build();
    assertThatThrownBy(() -> engine.swap(PolicyFixtures.exampleSet())).isInstanceOf(MissingHashKeyException.class);
    assertThat(engine.policySet()).isSameAs(plain);
  }

  @Test
  void maskHashKey_shorterThan16Bytes_refused() throws Exception {
    assertThatThrownBy(() -> PolicyEngine.builder(PolicyFixtures.exampleSet()).maskHashKey(new byte[15]))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("16");
  }
}
