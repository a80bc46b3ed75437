package io.shulian.core.internal.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Base64;
import org.bouncycastle.math.ec.rfc7748.X25519;
import org.junit.jupiter.api.Test;

/** RFC 8037 Appendix A.6 (ECDH-ES with X25519) through {@link KeyAgreements}. */
class X25519RfcVectorsTest {

  private static final JsonNode V = Wycheproof.readJson("/vectors/rfc/rfc8037_a6_ecdh_es_x25519.json");
  private static final Base64.Decoder B64 = Base64.getUrlDecoder();

  @Test
  void sharedSecret_rfc8037AppendixA6_matchesOnBothSides() throws Exception {
    byte[] bobSk = Wycheproof.hex(V.get("bobPrivateKeyHex"));
    byte[] bobPk = B64.decode(V.get("bobPublicKeyB64").asText());
    byte[] esk = Wycheproof.hex(V.get("ephemeralPrivateKeyHex"));
    byte[] epk = B64.decode(V.get("ephemeralPublicKeyB64").asText());
    byte[] z = Wycheproof.hex(V.get("sharedSecretHex"));

    // The vector's keys belong together (guards the vendored data, not our code).
    byte[] derived = new byte[32];
    X25519.generatePublicKey(bobSk, 0, derived, 0);
    assertThat(derived).isEqualTo(bobPk);
    X25519.generatePublicKey(esk, 0, derived, 0);
    assertThat(derived).isEqualTo(epk);

    VectorTally tally = new VectorTally("rfc8037_a6_ecdh_es_x25519.json");
    // Sender side (what X25519Recipient computes) and recipient side (X25519Decrypter).
    assertThat(KeyAgreements.x25519SharedSecret(esk, bobPk)).isEqualTo(z);
    assertThat(KeyAgreements.x25519SharedSecret(bobSk, epk)).isEqualTo(z);
    byte[] cek =
        new KeyAgreements.X25519Decrypter(bobSk)
            .decapsulate(new Epk("OKP", "X25519", epk, null), new byte[0], "A256GCM");
    assertThat(cek).isEqualTo(ConcatKdf.deriveDirect(z, "A256GCM", 256));
    tally.ran(Wycheproof.Result.VALID);
    tally.assertAllPassed();
  }

  @Test
  void decapsulate_epkOfWrongLength_isInvalidPoint() {
    byte[] bobSk = Wycheproof.hex(V.get("bobPrivateKeyHex"));
    byte[] epk = B64.decode(V.get("ephemeralPublicKeyB64").asText());
    KeyAgreements.X25519Decrypter d = new KeyAgreements.X25519Decrypter(bobSk);
    for (byte[] bad : new byte[][] {java.util.Arrays.copyOf(epk, 31), java.util.Arrays.copyOf(epk, 33)}) {
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () -> d.decapsulate(new Epk("OKP", "X25519", bad, null), new byte[0], "A256GCM"))
          .isInstanceOf(CryptoFailure.class)
          .extracting(e -> ((CryptoFailure) e).kind())
          .isEqualTo(CryptoFailure.Kind.INVALID_POINT);
    }
  }
}
