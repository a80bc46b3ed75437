package io.shulian.core.internal.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.shulian.core.keys.KeyAlgorithm;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.crypto.digests.SM3Digest;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.params.ParametersWithID;
import org.bouncycastle.crypto.params.ParametersWithRandom;
import org.bouncycastle.crypto.signers.DSAKCalculator;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.crypto.signers.PlainDSAEncoding;
import org.bouncycastle.crypto.signers.SM2Signer;
import org.bouncycastle.util.BigIntegers;
import org.bouncycastle.util.encoders.Hex;
import org.junit.jupiter.api.Test;

/**
 * Shulian's constant-time ECDSA and SM2 signing ({@link EcdsaP256Keys.Sign}, {@link Sm2Keys.Sign})
 * with a given nonce: the published examples byte for byte, and Bouncy Castle's {@link ECDSASigner}
 * and {@link SM2Signer} given the same nonce, on edge-case nonces and private keys.
 */
class EcSigningKnownAnswerTest {
  private static final JsonNode GM = Wycheproof.readJson("/vectors/gm/sm2_sm2p256v1_examples.json");
  private static final ECDomainParameters P256 = KeyCodec.domain(KeyAlgorithm.P256);
  private static final ECDomainParameters SM2 = KeyCodec.domain(KeyAlgorithm.SM2);

  private static BigInteger big(JsonNode n, String field) {
    return new BigInteger(n.get(field).asText(), 16);
  }

  private static int[] limbs(BigInteger x) {
    return org.bouncycastle.math.raw.Nat256.fromBigInteger(x);
  }

  private static byte[] rs(BigInteger r, BigInteger s) {
    byte[] out = new byte[64];
    System.arraycopy(BigIntegers.asUnsignedByteArray(32, r), 0, out, 0, 32);
    System.arraycopy(BigIntegers.asUnsignedByteArray(32, s), 0, out, 32, 32);
    return out;
  }

  /** Keys worth signing with: the ends of the range and seeded random ones. */
  private static List<BigInteger> keys(BigInteger n, BigInteger max) {
    List<BigInteger> out = new ArrayList<>(List.of(BigInteger.ONE, BigInteger.TWO, max, n.subtract(BigInteger.ONE).shiftRight(1)));
    java.util.Random rnd = new java.util.Random(6979);
    for (int i = 0; i < 2; i++) {
      out.add(new BigInteger(255, rnd).add(BigInteger.ONE));
    }
    return out;
  }

  private static List<BigInteger> nonces(BigInteger n) {
    List<BigInteger> out = new ArrayList<>(EdgeScalars.below(n, 4, 13));
    out.remove(BigInteger.ZERO);
    return out;
  }

  @Test
  void sm2Sign_publishedExampleNonce_givesPublishedSignature() {
    JsonNode key = GM.get("key");
    JsonNode sig = GM.get("signature");
    byte[] userId = sig.get("userIdAscii").asText().getBytes(StandardCharsets.US_ASCII);
    Sm2Keys.Sign signer = new Sm2Keys.Sign(new ECPrivateKeyParameters(big(key, "d"), SM2), userId);
    byte[] e = Hex.decode(sig.get("e").asText());
    assertThat(signer.signWithK(e, limbs(big(sig, "k")))).isEqualTo(rs(big(sig, "r"), big(sig, "s")));
  }

  @Test
  void sm2Sign_gbt32918AnnexATestCurveNonce_givesPublishedSignature() {
    JsonNode t = GM.get("testCurveSignature");
    org.bouncycastle.math.ec.ECCurve curve =
        new org.bouncycastle.math.ec.ECCurve.Fp(big(t, "p"), big(t, "a"), big(t, "b"), big(t, "n"), BigInteger.ONE);
    ECDomainParameters dom = new ECDomainParameters(curve, curve.validatePoint(big(t, "gx"), big(t, "gy")), big(t, "n"));
    byte[] userId = t.get("userIdAscii").asText().getBytes(StandardCharsets.US_ASCII);
    byte[] msg = t.get("messageAscii").asText().getBytes(StandardCharsets.US_ASCII);
    Sm2Keys.Sign signer = new Sm2Keys.Sign(new ECPrivateKeyParameters(big(t, "d"), dom), userId);
    SM3Digest d = new SM3Digest();
    byte[] z = Sm2Keys.zValue(userId, dom, dom.getG().multiply(big(t, "d")));
    d.update(z, 0, z.length);
    d.update(msg, 0, msg.length);
    assertThat(signer.signWithK(Sm2Keys.Verify.finish(d), limbs(big(t, "k")))).isEqualTo(rs(big(t, "r"), big(t, "s")));
  }

  @Test
  void ecdsaSign_rfc6979A25SampleNonces_givePublishedSignatures() {
    // RFC 6979 A.2.5 (P-256, SHA-256): the deterministic k is used as a given nonce.
    BigInteger x = new BigInteger("C9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721", 16);
    EcdsaP256Keys.Sign signer = new EcdsaP256Keys.Sign(new ECPrivateKeyParameters(x, P256));
    String[][] cases = {
      {"sample", "A6E3C57DD01ABE90086538398355DD4C3B17AA873382B0F24D6129493D8AAD60",
       "EFD48B2AACB6A8FD1140DD9CD45E81D69D2C877B56AAF991C34D0EA84EAF3716",
       "F7CB1C942D657C41D436C7A1B6E29F65F3E900DBB9AFF4064DC4AB2F843ACDA8"},
      {"test", "D16B6AE827F17175E040871A1C7EC3500192C4C92677336EC2537ACAEE0008E0",
       "F1ABB023518351CD71D881567B1EA663ED3EFCF6C5132B354F28D3B0B7D38367",
       "019F4113742A2B14BD25926B49C649155F267E60D3814B4C0CC84250E46F0083"},
    };
    for (String[] c : cases) {
      byte[] m = c[0].getBytes(StandardCharsets.US_ASCII);
      byte[] hash = EcdsaP256Keys.sha256(m, 0, m.length);
      assertThat(signer.signWithK(hash, limbs(new BigInteger(c[1], 16))))
          .as(c[0]).isEqualTo(rs(new BigInteger(c[2], 16), new BigInteger(c[3], 16)));
    }
  }

  @Test
  void ecdsaSign_edgeNoncesAndKeys_matchBouncyCastleEcdsaSigner() {
    BigInteger n = P256.getN();
    byte[][] hashes = {new byte[32], Hex.decode("ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"),
        EcdsaP256Keys.sha256(new byte[] {1, 2, 3}, 0, 3)};
    for (BigInteger d : keys(n, n.subtract(BigInteger.ONE))) {
      EcdsaP256Keys.Sign ours = new EcdsaP256Keys.Sign(new ECPrivateKeyParameters(d, P256));
      for (BigInteger k : nonces(n)) {
        for (byte[] hash : hashes) {
          ECDSASigner bc = new ECDSASigner(new FixedK(k));
          bc.init(true, new ECPrivateKeyParameters(d, P256));
          BigInteger[] expected = bc.generateSignature(hash);
          assertThat(ours.signWithK(hash, limbs(k))).as("d=%s k=%s", d.toString(16), k.toString(16))
              .isEqualTo(rs(expected[0], expected[1]));
        }
      }
    }
  }

  @Test
  void sm2Sign_edgeNoncesAndKeys_matchBouncyCastleSm2Signer() throws Exception {
    BigInteger n = SM2.getN();
    byte[] userId = Sm2Keys.DEFAULT_USER_ID;
    byte[] msg = "message digest".getBytes(StandardCharsets.US_ASCII);
    for (BigInteger d : keys(n, n.subtract(BigInteger.TWO))) {
      Sm2Keys.Sign ours = new Sm2Keys.Sign(new ECPrivateKeyParameters(d, SM2), userId);
      SM3Digest h = new SM3Digest();
      byte[] z = Sm2Keys.zValue(userId, SM2, SM2.getG().multiply(d));
      h.update(z, 0, z.length);
      h.update(msg, 0, msg.length);
      byte[] e = Sm2Keys.Verify.finish(h);
      for (BigInteger k : nonces(n)) {
        SM2Signer bc = new SM2Signer(PlainDSAEncoding.INSTANCE, new SM3Digest());
        bc.init(true, new ParametersWithID(
            new ParametersWithRandom(new ECPrivateKeyParameters(d, SM2), new EcScalarsTest.ScriptedRandom(
                BigIntegers.asUnsignedByteArray(32, k))), userId));
        bc.update(msg, 0, msg.length);
        byte[] expected = bc.generateSignature();
        assertThat(ours.signWithK(e, limbs(k))).as("d=%s k=%s", d.toString(16), k.toString(16)).isEqualTo(expected);
      }
    }
  }

  @Test
  void sm2Sign_privateKeyNMinusOne_refused() {
    // 1 + d = n has no inverse; GB/T 32918.1 keeps d in [1, n-2].
    ECPrivateKeyParameters key = new ECPrivateKeyParameters(SM2.getN().subtract(BigInteger.ONE), SM2);
    assertThatThrownBy(() -> new Sm2Keys.Sign(key, Sm2Keys.DEFAULT_USER_ID))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[1, n-2]");
  }

  @Test
  void sign_manySignatures_verifyAndDiffer() {
    BigInteger d = new BigInteger("123456789abcdef123456789abcdef", 16);
    Signer[] signers = {new EcdsaP256Keys.Sign(new ECPrivateKeyParameters(d, P256)),
        new Sm2Keys.Sign(new ECPrivateKeyParameters(d, SM2), Sm2Keys.DEFAULT_USER_ID)};
    Verifier[] verifiers = {
        new EcdsaP256Keys.Verify(new org.bouncycastle.crypto.params.ECPublicKeyParameters(P256.getG().multiply(d).normalize(), P256)),
        new Sm2Keys.Verify(new org.bouncycastle.crypto.params.ECPublicKeyParameters(SM2.getG().multiply(d).normalize(), SM2),
            Sm2Keys.DEFAULT_USER_ID)};
    byte[] msg = new byte[100];
    for (int i = 0; i < 2; i++) {
      java.util.Set<String> seen = new java.util.HashSet<>();
      for (int j = 0; j < 50; j++) {
        byte[] sig = signers[i].sign(msg, 0, msg.length);
        assertThat(verifiers[i].verify(msg, 0, msg.length, sig)).isTrue();
        assertThat(seen.add(Hex.toHexString(sig))).as("nonce reuse").isTrue();
      }
      Signer.Streaming st = signers[i].stream(new byte[0]);
      st.update(msg, 0, 40);
      st.update(msg, 40, 60);
      assertThat(verifiers[i].verify(msg, 0, msg.length, st.finish())).isTrue();
    }
  }

  /** A nonce source for BC's ECDSASigner that returns one given k. */
  private static final class FixedK implements DSAKCalculator {
    private final BigInteger k;

    FixedK(BigInteger k) {
      this.k = k;
    }

    @Override
    public boolean isDeterministic() {
      return false;
    }

    @Override
    public void init(BigInteger n, SecureRandom random) {}

    @Override
    public void init(BigInteger n, BigInteger d, byte[] message) {}

    @Override
    public BigInteger nextK() {
      return k;
    }
  }
}
