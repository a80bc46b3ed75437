package io.shulian.core.trust;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Signed bundle content that {@link CityBundle.Draft} can never produce: the parser refuses it, so
 * that what verifies is what a CA can write (and an extension's text is always JSON). Found by
 * {@code CityBundleFuzzTest}; the payloads are signed by its stored test CA.
 */
class CityBundleContentTest {
  private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
  private static final Map<String, CityAuthority> CAS = BundleFuzzFixtures.authorities();
  private static final Instant NOW = BundleFuzzFixtures.signedAt().plus(Duration.ofHours(1));

  private static ObjectNode seed(String name) throws Exception {
    return (ObjectNode) JSON.readTree(BundleFuzzFixtures.seeds(BundleFuzzFixtures.PAYLOAD).get(name));
  }

  private static CityBundle verify(ObjectNode payload) throws BundleException {
    String jws = CAS.get("intl").signJws(payload.toString().getBytes(StandardCharsets.UTF_8));
    return CityBundle.verify(jws.getBytes(StandardCharsets.US_ASCII), List.of(CAS.get("intl").root()), NOW, Duration.ZERO);
  }

  @Test
  void verify_seedPayload_verifies() throws Exception {
    assertThat(verify(seed("full.json")).parties()).hasSize(2);
  }

  @Test
  void verify_extensionNameTheDraftRefuses_malformed() throws Exception {
    ObjectNode p = seed("minimal.json");
    p.putObject("extensions").put("Catalog copy", 1);

    assertThatThrownBy(() -> verify(p))
        .isInstanceOfSatisfying(BundleException.class, e -> assertThat(e.reason()).isEqualTo(BundleException.Reason.MALFORMED))
        .hasMessageContaining("extension name");
  }

  @Test
  void verify_partyListedTwice_malformed() throws Exception {
    ObjectNode p = seed("full.json");
    ArrayNode parties = (ArrayNode) p.get("parties");
    ObjectNode again = parties.get(0).deepCopy();
    again.put("name", "Someone else");
    again.remove("endpoint");
    parties.add(again);

    assertThatThrownBy(() -> verify(p))
        .isInstanceOfSatisfying(BundleException.class, e -> assertThat(e.reason()).isEqualTo(BundleException.Reason.MALFORMED))
        .hasMessageContaining("listed twice");
  }

  @Test
  void verify_extensionNumberBeyondDoubleRange_extensionTextIsJson() throws Exception {
    String payload = seed("minimal.json").toString().replace("\"extensions\":{}",
        "\"extensions\":{\"limits\":[1e400,-1e400,2.5e-400,0.1]}");
    String jws = CAS.get("intl").signJws(payload.getBytes(StandardCharsets.UTF_8));
    CityBundle b = CityBundle.verify(jws.getBytes(StandardCharsets.US_ASCII), List.of(CAS.get("intl").root()), NOW, Duration.ZERO);

    JsonNode limits = JSON.readTree(b.extension("limits").orElseThrow());
    assertThat(limits.get(0).isNumber()).isTrue();
    assertThat(limits.get(0).decimalValue()).isEqualByComparingTo("1e400");
    assertThat(limits.get(1).decimalValue()).isEqualByComparingTo("-1e400");
    assertThat(limits.get(2).decimalValue()).isEqualByComparingTo("2.5e-400");
    assertThat(limits.get(3).decimalValue()).isEqualByComparingTo("0.1");
  }
}
