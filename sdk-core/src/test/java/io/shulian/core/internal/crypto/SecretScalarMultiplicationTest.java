package io.shulian.core.internal.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import io.shulian.core.keys.KeyAlgorithm;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import org.bouncycastle.crypto.agreement.ECDHBasicAgreement;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.math.ec.FixedPointCombMultiplier;
import org.bouncycastle.util.BigIntegers;
import org.junit.jupiter.api.Test;

/**
 * Every multiplication of a point by a secret scalar (static private keys, ephemeral keys, SM2
 * and ECDSA nonces) avoids Bouncy Castle's variable-time default multiplier: each operation runs
 * on {@link GuardedCurves}, whose default multiplier refuses secret-sized scalars, and must still
 * give the result that the ordinary curve gives.
 */
class SecretScalarMultiplicationTest {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final ECDomainParameters P256 = KeyCodec.domain(KeyAlgorithm.P256);
  private static final ECDomainParameters SM2 = KeyCodec.domain(KeyAlgorithm.SM2);
  private static final ECDomainParameters GUARDED_P256 = GuardedCurves.domain(KeyAlgorithm.P256);
  private static final ECDomainParameters GUARDED_SM2 = GuardedCurves.domain(KeyAlgorithm.SM2);
  private static final byte[] USER_ID = "1234567812345678".getBytes(StandardCharsets.US_ASCII);

  private static BigInteger randomScalar(ECDomainParameters dom) {
    return BigIntegers.createRandomInRange(BigInteger.ONE, dom.getN().subtract(BigInteger.ONE), RANDOM);
  }

  private static ECPoint times(ECDomainParameters dom, BigInteger k) {
    return new FixedPointCombMultiplier().multiply(dom.getG(), k).normalize();
  }

  private static byte[] x(ECPoint p) {
    return p.normalize().getAffineXCoord().getEncoded();
  }

  private static byte[] y(ECPoint p) {
    return p.normalize().getAffineYCoord().getEncoded();
  }

  @Test
  void guardedCurve_variableTimeMultiplyOfSecretScalar_isRefused() {
    // The guard itself must bite, or every other test here proves nothing.
    ECPoint g = GUARDED_P256.getG();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> g.multiply(randomScalar(P256)))
        .isInstanceOf(GuardedCurves.VariableTimeMultiplication.class);
    assertThat(g.multiply(BigInteger.ONE).normalize()).isEqualTo(g);
  }

  @Test
  void p256Decapsulation_staticKeyTimesSenderPoint_neverUsesVariableTimeMultiplier() throws Exception {
    for (int i = 0; i < 8; i++) {
      BigInteger d = randomScalar(P256);
      ECPoint peer = times(P256, randomScalar(P256));
      byte[] z = KeyAgreements.p256SharedSecret(new ECPrivateKeyParameters(d, GUARDED_P256), x(peer), y(peer));
      ECDHBasicAgreement bc = new ECDHBasicAgreement();
      bc.init(new ECPrivateKeyParameters(d, P256));
      byte[] expected = BigIntegers.asUnsignedByteArray(32, bc.calculateAgreement(new ECPublicKeyParameters(peer, P256)));
      assertThat(z).isEqualTo(expected);
    }
  }

  @Test
  void p256Encapsulation_ephemeralKeyTimesRecipientKey_neverUsesVariableTimeMultiplier() throws Exception {
    BigInteger d = randomScalar(P256);
    ECPoint q = GUARDED_P256.getCurve().importPoint(times(P256, d));
    KeyAgreements.P256Recipient recipient = new KeyAgreements.P256Recipient(new ECPublicKeyParameters(q, GUARDED_P256));
    for (int i = 0; i < 8; i++) {
      KeyAgreements.Agreement a = recipient.agree();
      assertThat(KeyAgreements.p256SharedSecret(new ECPrivateKeyParameters(d, P256), a.epk.x, a.epk.y)).isEqualTo(a.z);
    }
  }

  @Test
  void sm2Decryption_privateKeyTimesC1_neverUsesVariableTimeMultiplier() throws Exception {
    BigInteger d = randomScalar(SM2);
    ECPublicKeyParameters pub = new ECPublicKeyParameters(times(SM2, d), SM2);
    byte[] msg = Crypto.randomBytes(32);
    byte[] ct = KeyAgreements.sm2Encrypt(pub, msg);
    assertThat(KeyAgreements.sm2Decrypt(new ECPrivateKeyParameters(d, GUARDED_SM2), ct)).isEqualTo(msg);
  }

  @Test
  void sm2Encryption_nonceTimesGAndRecipientKey_neverUsesVariableTimeMultiplier() throws Exception {
    BigInteger d = randomScalar(SM2);
    ECPoint q = GUARDED_SM2.getCurve().importPoint(times(SM2, d));
    byte[] msg = Crypto.randomBytes(32);
    byte[] ct = KeyAgreements.sm2Encrypt(new ECPublicKeyParameters(q, GUARDED_SM2), msg);
    assertThat(KeyAgreements.sm2Decrypt(new ECPrivateKeyParameters(d, SM2), ct)).isEqualTo(msg);
  }

  @Test
  void sm2Signing_nonceTimesG_neverUsesVariableTimeMultiplier() {
    BigInteger d = randomScalar(SM2);
    Signer signer = new Sm2Keys.Sign(new ECPrivateKeyParameters(d, GUARDED_SM2), USER_ID);
    Verifier verifier = new Sm2Keys.Verify(new ECPublicKeyParameters(times(SM2, d), SM2), USER_ID);
    for (int i = 0; i < 8; i++) {
      byte[] msg = Crypto.randomBytes(i * 10);
      assertThat(verifier.verify(msg, 0, msg.length, signer.sign(msg, 0, msg.length))).isTrue();
    }
  }

  @Test
  void ecdsaSigning_nonceTimesG_neverUsesVariableTimeMultiplier() {
    BigInteger d = randomScalar(P256);
    Signer signer = new EcdsaP256Keys.Sign(new ECPrivateKeyParameters(d, GUARDED_P256));
    Verifier verifier = new EcdsaP256Keys.Verify(new ECPublicKeyParameters(times(P256, d), P256));
    for (int i = 0; i < 8; i++) {
      byte[] msg = Crypto.randomBytes(i * 10);
      assertThat(verifier.verify(msg, 0, msg.length, signer.sign(msg, 0, msg.length))).isTrue();
    }
  }
}
