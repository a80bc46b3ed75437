package io.shulian.gateway.authenticate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ApiKeysTest {
  @Test
  void authenticate_knownKey_returnsApp_unknownOrEmpty_returnsNothing() {
    ApiKeys keys = ApiKeys.of(Map.of("portal", ApiKeys.hash("k1"), "batch", ApiKeys.hash("k2")));

    assertThat(keys.authenticate("k1")).hasValue("portal");
    assertThat(keys.authenticate("k2")).hasValue("batch");
    assertThat(keys.authenticate("k3")).isEmpty();
    assertThat(keys.authenticate("")).isEmpty();
    assertThat(keys.authenticate(null)).isEmpty();
  }

  @Test
  void of_badHash_isRejected() {
    assertThatThrownBy(() -> ApiKeys.of(Map.of("x", "plaintext-key"))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("64 hex");
  }
}
