package io.shulian.core.internal.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/**
 * RFC 8032 section 7.1 and RFC 8037 Appendix A.4 through {@link Ed25519Keys}: Ed25519 is
 * deterministic, so our signer must reproduce the published signatures byte for byte.
 */
class Ed25519RfcVectorsTest {

  @Test
  void sign_rfc8032Vectors_reproducePublishedKeysAndSignatures() {
    JsonNode file = Wycheproof.readJson("/vectors/rfc/rfc8032_ed25519.json");
    VectorTally tally = new VectorTally("rfc8032_ed25519.json");
    for (JsonNode t : file.get("tests")) {
      String name = "RFC 8032 " + t.get("name").asText();
      byte[] sk = Wycheproof.hex(t.get("secretKey"));
      byte[] pk = Wycheproof.hex(t.get("publicKey"));
      byte[] msg = Wycheproof.hex(t.get("message"));
      byte[] sig = Wycheproof.hex(t.get("signature"));
      check(tally, name, sk, pk, msg, sig);
      tally.ran(Wycheproof.Result.VALID);
    }
    tally.assertAllPassed();
  }

  @Test
  void sign_rfc8037AppendixA4_reproducesPublishedJwsSignature() {
    JsonNode v = Wycheproof.readJson("/vectors/rfc/rfc8037_a4_ed25519_jws.json");
    Base64.Decoder b64 = Base64.getUrlDecoder();
    // The JWS Signing Input is ASCII(BASE64URL(header) || '.' || BASE64URL(payload)).
    assertThat(new String(b64.decode(v.get("protectedHeaderB64").asText()), StandardCharsets.UTF_8))
        .isEqualTo(v.get("protectedHeader").asText());
    assertThat(new String(b64.decode(v.get("payloadB64").asText()), StandardCharsets.UTF_8))
        .isEqualTo(v.get("payload").asText());
    byte[] signingInput =
        (v.get("protectedHeaderB64").asText() + "." + v.get("payloadB64").asText())
            .getBytes(StandardCharsets.US_ASCII);
    VectorTally tally = new VectorTally("rfc8037_a4_ed25519_jws.json");
    check(
        tally,
        "RFC 8037 A.4",
        b64.decode(v.get("d").asText()),
        b64.decode(v.get("x").asText()),
        signingInput,
        b64.decode(v.get("signature").asText()));
    tally.ran(Wycheproof.Result.VALID);
    tally.assertAllPassed();
  }

  private static void check(VectorTally tally, String name, byte[] sk, byte[] pk, byte[] msg, byte[] sig) {
    Ed25519Keys.Sign signer = new Ed25519Keys.Sign(sk);
    if (!java.util.Arrays.equals(signer.publicKey(), pk)) {
      tally.fail(name, "derived public key differs");
    }
    if (!java.util.Arrays.equals(signer.sign(msg, 0, msg.length), sig)) {
      tally.fail(name, "signature differs from the published one");
    }
    Ed25519Keys.Verify verifier = new Ed25519Keys.Verify(pk);
    if (!verifier.verify(msg, 0, msg.length, sig)) {
      tally.fail(name, "published signature rejected");
    }
    for (int bit = 0; bit < sig.length * 8; bit++) {
      byte[] bad = sig.clone();
      bad[bit / 8] ^= (byte) (1 << (bit % 8));
      if (verifier.verify(msg, 0, msg.length, bad)) {
        tally.fail(name, "signature with bit " + bit + " flipped accepted");
      }
    }
    byte[] longer = java.util.Arrays.copyOf(msg, msg.length + 1);
    if (verifier.verify(longer, 0, longer.length, sig)) {
      tally.fail(name, "signature accepted for an extended message");
    }
  }
}
