package io.shulian.core.internal.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.shulian.core.keys.KeyAlgorithm;
import java.math.BigInteger;
import java.util.Base64;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.junit.jupiter.api.Test;

/**
 * RFC 7518 Appendix C (ECDH-ES key agreement on P-256 for A128GCM) through {@link
 * KeyAgreements#p256SharedSecret} and {@link ConcatKdf}. The example uses apu "Alice" and apv
 * "Bob", which Shulian never sends, so the KDF is checked through the form that takes them.
 */
class EcdhP256RfcVectorsTest {

  private static final JsonNode V = Wycheproof.readJson("/vectors/rfc/rfc7518_c_ecdh_es_p256.json");
  private static final Base64.Decoder B64 = Base64.getUrlDecoder();

  @Test
  void agreeAndDerive_rfc7518AppendixC_matchPublishedZAndKey() throws Exception {
    JsonNode alice = V.get("alice");
    JsonNode bob = V.get("bob");
    byte[] z = new byte[32];
    for (int i = 0; i < 32; i++) {
      z[i] = (byte) V.get("z").get(i).asInt();
    }
    VectorTally tally = new VectorTally("rfc7518_c_ecdh_es_p256.json");

    // Recipient (Bob) with the sender's ephemeral key, and the sender (Alice) with Bob's key.
    assertThat(KeyAgreements.p256SharedSecret(priv(bob), b(alice, "x"), b(alice, "y"))).isEqualTo(z);
    assertThat(KeyAgreements.p256SharedSecret(priv(alice), b(bob, "x"), b(bob, "y"))).isEqualTo(z);

    byte[] key =
        ConcatKdf.deriveDirect(
            z,
            V.get("enc").asText(),
            V.get("keyBits").asInt(),
            B64.decode(V.get("apu").asText()),
            B64.decode(V.get("apv").asText()));
    assertThat(key).isEqualTo(B64.decode(V.get("derivedKey").asText()));
    // Without apu/apv (what Shulian sends) the key must differ: the parties are bound in.
    assertThat(ConcatKdf.deriveDirect(z, "A128GCM", 128)).isNotEqualTo(key);
    tally.ran(Wycheproof.Result.VALID);
    tally.assertAllPassed();
  }

  @Test
  void decapsulate_rfc7518AppendixCEpkWithFlippedY_isInvalidPoint() {
    JsonNode alice = V.get("alice");
    byte[] y = b(alice, "y");
    y[31] ^= 1;
    KeyAgreements.P256Decrypter d = new KeyAgreements.P256Decrypter(priv(V.get("bob")));
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> d.decapsulate(new Epk("EC", "P-256", b(alice, "x"), y), new byte[0], "A256GCM"))
        .isInstanceOf(CryptoFailure.class)
        .extracting(e -> ((CryptoFailure) e).kind())
        .isEqualTo(CryptoFailure.Kind.INVALID_POINT);
  }

  private static byte[] b(JsonNode key, String field) {
    return B64.decode(key.get(field).asText());
  }

  private static ECPrivateKeyParameters priv(JsonNode key) {
    return new ECPrivateKeyParameters(new BigInteger(1, b(key, "d")), KeyCodec.domain(KeyAlgorithm.P256));
  }
}
