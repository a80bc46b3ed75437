package io.shulian.core.internal.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.shulian.core.keys.KeyAlgorithm;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.util.BigIntegers;
import org.junit.jupiter.api.Test;

/**
 * The SM2 examples of GM/T 0003.5-2012 / GB/T 32918.5-2017 on the recommended curve sm2p256v1
 * (Wycheproof has no SM2 vectors) through {@link Sm2Keys} and {@link KeyAgreements}, and SM2's own
 * negative cases. SM2 signing is randomized, so the published (r, s) is verified and our signatures
 * are round-tripped; the published ciphertext (C1||C3||C2) is decrypted.
 */
class Sm2StandardVectorsTest {

  private static final JsonNode V = Wycheproof.readJson("/vectors/gm/sm2_sm2p256v1_examples.json");
  private static final ECDomainParameters SM2 = KeyCodec.domain(KeyAlgorithm.SM2);
  private static final BigInteger N = SM2.getN();

  private static final ECPrivateKeyParameters PRIV =
      new ECPrivateKeyParameters(new BigInteger(1, hex(V.get("key"), "d")), SM2);
  private static final ECPublicKeyParameters PUB =
      new ECPublicKeyParameters(
          SM2.getCurve().validatePoint(
              new BigInteger(1, hex(V.get("key"), "x")), new BigInteger(1, hex(V.get("key"), "y"))),
          SM2);

  private static final JsonNode SIG = V.get("signature");
  private static final byte[] USER_ID = ascii(SIG, "userIdAscii");
  private static final byte[] MSG = ascii(SIG, "messageAscii");
  private static final byte[] RS = concat(hex(SIG, "r"), hex(SIG, "s"));

  @Test
  void publicKey_ofExamplePrivateKey_isExamplePublicKey() {
    // Guards the vendored data and the curve parameters KeyCodec picks for SM2.
    ECPoint q = SM2.getG().multiply(PRIV.getD()).normalize();
    assertThat(q).isEqualTo(PUB.getQ());
  }

  @Test
  void verify_publishedSignature_succeeds() {
    VectorTally tally = new VectorTally("sm2_sm2p256v1_examples.json signature");
    if (!verifier(USER_ID).verify(MSG, 0, MSG.length, RS)) {
      tally.fail("GM/T 0003.5 signature example", "published (r, s) rejected");
    }
    tally.ran(Wycheproof.Result.VALID);
    tally.assertAllPassed();
  }

  @Test
  void verify_gbt32918Part2TestCurveExample_succeeds() {
    JsonNode t = V.get("testCurveSignature");
    org.bouncycastle.math.ec.ECCurve curve =
        new org.bouncycastle.math.ec.ECCurve.Fp(big(t, "p"), big(t, "a"), big(t, "b"), big(t, "n"), BigInteger.ONE);
    ECDomainParameters dom =
        new ECDomainParameters(curve, curve.validatePoint(big(t, "gx"), big(t, "gy")), big(t, "n"));
    ECPublicKeyParameters pub = new ECPublicKeyParameters(dom.getG().multiply(big(t, "d")).normalize(), dom);
    byte[] msg = ascii(t, "messageAscii");
    byte[] rs = concat(hex(t, "r"), hex(t, "s"));
    VectorTally tally = new VectorTally("sm2_sm2p256v1_examples.json testCurveSignature");
    Sm2Keys.Verify v = new Sm2Keys.Verify(pub, ascii(t, "userIdAscii"));
    if (!v.verify(msg, 0, msg.length, rs)) {
      tally.fail("GB/T 32918.2 Annex A", "published (r, s) rejected");
    }
    rs[63] ^= 1;
    if (v.verify(msg, 0, msg.length, rs)) {
      tally.fail("GB/T 32918.2 Annex A", "(r, s) with a flipped bit accepted");
    }
    tally.ran(Wycheproof.Result.VALID);
    tally.assertAllPassed();
  }

  @Test
  void verify_defaultUserIdIsTheStandardOne() {
    assertThat(USER_ID).isEqualTo(Sm2Keys.DEFAULT_USER_ID);
  }

  @Test
  void verify_everySingleBitFlipOfSignature_fails() {
    Sm2Keys.Verify v = verifier(USER_ID);
    for (int bit = 0; bit < RS.length * 8; bit++) {
      byte[] bad = RS.clone();
      bad[bit / 8] ^= (byte) (1 << (bit % 8));
      assertThat(v.verify(MSG, 0, MSG.length, bad)).as("bit %d of r||s flipped", bit).isFalse();
    }
  }

  @Test
  void verify_everySingleBitFlipOfMessage_fails() {
    Sm2Keys.Verify v = verifier(USER_ID);
    for (int bit = 0; bit < MSG.length * 8; bit++) {
      byte[] bad = MSG.clone();
      bad[bit / 8] ^= (byte) (1 << (bit % 8));
      assertThat(v.verify(bad, 0, bad.length, RS)).as("bit %d of message flipped", bit).isFalse();
    }
  }

  @Test
  void verify_outOfRangeRorS_fails() {
    Sm2Keys.Verify v = verifier(USER_ID);
    BigInteger r = new BigInteger(1, hex(SIG, "r"));
    BigInteger s = new BigInteger(1, hex(SIG, "s"));
    BigInteger[][] cases = {
      {BigInteger.ZERO, s}, {r, BigInteger.ZERO}, {BigInteger.ZERO, BigInteger.ZERO},
      {N, s}, {r, N}, {r.add(N).mod(BigInteger.ONE.shiftLeft(256)), s},
      {N.subtract(r), s}, {r, N.subtract(s)}
    };
    for (BigInteger[] rs : cases) {
      byte[] sig = concat(BigIntegers.asUnsignedByteArray(32, rs[0]), BigIntegers.asUnsignedByteArray(32, rs[1]));
      assertThat(v.verify(MSG, 0, MSG.length, sig)).as("r=%x s=%x", rs[0], rs[1]).isFalse();
    }
  }

  @Test
  void verify_wrongUserId_fails() {
    byte[] other = "1234567812345679".getBytes(StandardCharsets.US_ASCII);
    assertThat(verifier(other).verify(MSG, 0, MSG.length, RS)).isFalse();
    assertThat(verifier(new byte[0]).verify(MSG, 0, MSG.length, RS)).isFalse();
  }

  @Test
  void verify_signatureOfWrongLength_failsWithoutThrowing() throws Exception {
    Sm2Keys.Verify v = verifier(USER_ID);
    for (int len : new int[] {0, 1, 32, 63, 65, 70, 72, 128}) {
      byte[] sig = Arrays.copyOf(RS, len);
      assertThat(v.verify(MSG, 0, MSG.length, sig)).as("%d-byte signature", len).isFalse();
    }
    // The same (r, s) DER-encoded, as GM/T 0009 would carry it: not our r||s encoding.
    byte[] der = org.bouncycastle.crypto.signers.StandardDSAEncoding.INSTANCE.encode(N,
        new BigInteger(1, hex(SIG, "r")), new BigInteger(1, hex(SIG, "s")));
    assertThat(v.verify(MSG, 0, MSG.length, der)).isFalse();
  }

  @Test
  void signThenVerify_exampleKey_roundTripsAndIsRandomized() {
    Sm2Keys.Sign signer = new Sm2Keys.Sign(PRIV, USER_ID);
    Sm2Keys.Verify v = verifier(USER_ID);
    byte[] a = signer.sign(MSG, 0, MSG.length);
    byte[] b = signer.sign(MSG, 0, MSG.length);
    assertThat(a).hasSize(64);
    assertThat(v.verify(MSG, 0, MSG.length, a)).isTrue();
    assertThat(v.verify(MSG, 0, MSG.length, b)).isTrue();
    assertThat(a).isNotEqualTo(b);
    assertThat(verifier("other".getBytes(StandardCharsets.US_ASCII)).verify(MSG, 0, MSG.length, a)).isFalse();
  }

  // ---- encryption (GB/T 32918.4, C1||C3||C2) ----------------------------------------------

  private static final JsonNode ENC = V.get("encryption");
  private static final byte[] C1 = hex(ENC, "c1");
  private static final byte[] C3 = hex(ENC, "c3");
  private static final byte[] C2 = hex(ENC, "c2");

  @Test
  void decrypt_publishedC1C3C2Ciphertext_returnsPublishedMessage() throws Exception {
    VectorTally tally = new VectorTally("sm2_sm2p256v1_examples.json encryption");
    byte[] pt = KeyAgreements.sm2Decrypt(PRIV, concat(C1, C3, C2));
    if (!Arrays.equals(pt, ascii(ENC, "messageAscii"))) {
      tally.fail("GM/T 0003.5 encryption example", "plaintext differs");
    }
    tally.ran(Wycheproof.Result.VALID);
    tally.assertAllPassed();
  }

  @Test
  void encrypt_publishedK_givesPublishedC1C3C2() {
    VectorTally tally = new VectorTally("sm2_sm2p256v1_examples.json encryption with the published k");
    byte[] ct = KeyAgreements.sm2EncryptWithK(PUB, ascii(ENC, "messageAscii"), new BigInteger(1, hex(ENC, "k")));
    if (!Arrays.equals(ct, concat(C1, C3, C2))) {
      tally.fail("GM/T 0003.5 encryption example", "ciphertext differs");
    }
    tally.ran(Wycheproof.Result.VALID);
    tally.assertAllPassed();
  }

  @Test
  void encrypt_randomKeysAndLengths_decryptsWithBouncyCastleSm2Engine() throws Exception {
    java.util.Random rnd = new java.util.Random(32918);
    for (int i = 0; i < 40; i++) {
      BigInteger d = BigIntegers.createRandomInRange(BigInteger.ONE, N.subtract(BigInteger.ONE), new java.security.SecureRandom());
      ECPublicKeyParameters pub = new ECPublicKeyParameters(SM2.getG().multiply(d).normalize(), SM2);
      byte[] msg = new byte[1 + rnd.nextInt(99)]; // BC refuses an empty C2
      rnd.nextBytes(msg);
      byte[] ct = KeyAgreements.sm2Encrypt(pub, msg);
      org.bouncycastle.crypto.engines.SM2Engine bc =
          new org.bouncycastle.crypto.engines.SM2Engine(org.bouncycastle.crypto.engines.SM2Engine.Mode.C1C3C2);
      bc.init(false, new ECPrivateKeyParameters(d, SM2));
      assertThat(bc.processBlock(ct, 0, ct.length)).isEqualTo(msg);
    }
  }

  @Test
  void verify_signaturesOfBouncyCastleSm2Signer_agreeWithBouncyCastle() throws Exception {
    java.util.Random rnd = new java.util.Random(32918);
    for (int i = 0; i < 40; i++) {
      BigInteger d = BigIntegers.createRandomInRange(BigInteger.ONE, N.subtract(BigInteger.ONE), new java.security.SecureRandom());
      ECPublicKeyParameters pub = new ECPublicKeyParameters(SM2.getG().multiply(d).normalize(), SM2);
      byte[] msg = new byte[rnd.nextInt(200)];
      rnd.nextBytes(msg);
      org.bouncycastle.crypto.signers.SM2Signer bc = new org.bouncycastle.crypto.signers.SM2Signer(
          org.bouncycastle.crypto.signers.PlainDSAEncoding.INSTANCE, new org.bouncycastle.crypto.digests.SM3Digest());
      bc.init(true, new org.bouncycastle.crypto.params.ParametersWithID(new ECPrivateKeyParameters(d, SM2), USER_ID));
      bc.update(msg, 0, msg.length);
      byte[] sig = bc.generateSignature();
      Sm2Keys.Verify ours = new Sm2Keys.Verify(pub, USER_ID);
      assertThat(ours.verify(msg, 0, msg.length, sig)).isTrue();
      byte[] bad = sig.clone();
      bad[rnd.nextInt(64)] ^= (byte) (1 << rnd.nextInt(8));
      org.bouncycastle.crypto.signers.SM2Signer bcv = new org.bouncycastle.crypto.signers.SM2Signer(
          org.bouncycastle.crypto.signers.PlainDSAEncoding.INSTANCE, new org.bouncycastle.crypto.digests.SM3Digest());
      bcv.init(false, new org.bouncycastle.crypto.params.ParametersWithID(pub, USER_ID));
      bcv.update(msg, 0, msg.length);
      boolean bcSays;
      try {
        bcSays = bcv.verifySignature(bad);
      } catch (RuntimeException e) {
        bcSays = false;
      }
      assertThat(ours.verify(msg, 0, msg.length, bad)).isEqualTo(bcSays).isFalse();
    }
  }

  @Test
  void decrypt_c1OffCurve_isInvalidPoint() {
    byte[] c1 = C1.clone();
    c1[64] ^= 1; // last byte of y
    assertFailure(concat(c1, C3, C2), CryptoFailure.Kind.INVALID_POINT);
    byte[] xIsP = C1.clone();
    System.arraycopy(BigIntegers.asUnsignedByteArray(32, SM2.getCurve().getField().getCharacteristic()), 0, xIsP, 1, 32);
    assertFailure(concat(xIsP, C3, C2), CryptoFailure.Kind.INVALID_POINT);
  }

  @Test
  void decrypt_everyBitFlipOfC3OrC2_isDecryptionFailure() {
    for (int bit = 0; bit < C3.length * 8; bit++) {
      byte[] c3 = C3.clone();
      c3[bit / 8] ^= (byte) (1 << (bit % 8));
      assertFailure(concat(C1, c3, C2), CryptoFailure.Kind.DECRYPTION_FAILED);
    }
    for (int bit = 0; bit < C2.length * 8; bit++) {
      byte[] c2 = C2.clone();
      c2[bit / 8] ^= (byte) (1 << (bit % 8));
      assertFailure(concat(C1, C3, c2), CryptoFailure.Kind.DECRYPTION_FAILED);
    }
  }

  @Test
  void decrypt_c1C2C3Order_isDecryptionFailure() {
    assertFailure(concat(C1, C2, C3), CryptoFailure.Kind.DECRYPTION_FAILED);
  }

  @Test
  void decapsulate_publishedCiphertextOfWrongLength_isRefusedBeforeDecryption() {
    // The published message is 19 bytes; a content key is 16, so the decrypter refuses it by size.
    KeyAgreements.Sm2Decrypter d = new KeyAgreements.Sm2Decrypter(PRIV);
    assertThatThrownBy(() -> d.decapsulate(null, concat(C1, C3, C2), "SM4-GCM"))
        .isInstanceOf(CryptoFailure.class)
        .extracting(e -> ((CryptoFailure) e).kind())
        .isEqualTo(CryptoFailure.Kind.DECRYPTION_FAILED);
  }

  @Test
  void decapsulate_encapsulatedToExampleKey_returnsContentKey() throws Exception {
    Encapsulated e = new KeyAgreements.Sm2Recipient(PUB).encapsulate("SM4-GCM");
    assertThat(e.encryptedKey).hasSize(KeyAgreements.Sm2Decrypter.CIPHERTEXT_BYTES);
    assertThat(new KeyAgreements.Sm2Decrypter(PRIV).decapsulate(null, e.encryptedKey, "SM4-GCM"))
        .isEqualTo(e.cek);
  }

  private static void assertFailure(byte[] c1c3c2, CryptoFailure.Kind kind) {
    assertThatThrownBy(() -> KeyAgreements.sm2Decrypt(PRIV, c1c3c2))
        .isInstanceOf(CryptoFailure.class)
        .extracting(e -> ((CryptoFailure) e).kind())
        .isEqualTo(kind);
  }

  private static Sm2Keys.Verify verifier(byte[] userId) {
    return new Sm2Keys.Verify(PUB, userId);
  }

  private static byte[] hex(JsonNode n, String field) {
    return Wycheproof.hex(n.get(field));
  }

  private static BigInteger big(JsonNode n, String field) {
    return new BigInteger(1, hex(n, field));
  }

  private static byte[] ascii(JsonNode n, String field) {
    return n.get(field).asText().getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[] concat(byte[]... parts) {
    int len = 0;
    for (byte[] p : parts) {
      len += p.length;
    }
    byte[] out = new byte[len];
    int off = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, off, p.length);
      off += p.length;
    }
    return out;
  }
}
