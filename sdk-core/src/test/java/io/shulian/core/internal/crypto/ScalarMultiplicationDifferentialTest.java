package io.shulian.core.internal.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shulian.core.keys.KeyAlgorithm;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.math.ec.ECAlgorithms;
import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.math.ec.FixedPointCombMultiplier;
import org.bouncycastle.math.raw.Nat256;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The scalar multiplications Shulian runs itself or feeds with its own tables, against Bouncy
 * Castle's reference double-and-add ({@link ECAlgorithms#referenceMultiply}) and its default wNAF
 * multiplier, on edge-case scalars ({@link EdgeScalars}) and edge-case points:
 *
 * <ul>
 *   <li>the fixed-point comb on G (SM2 C1, the P-256 ephemeral key) and on a peer's point (SM2's
 *       [k]P_B, the P-256 sender's agreement), as Bouncy Castle's {@link FixedPointCombMultiplier}
 *       and as {@link EcScalars#combMultiply} on limbs (signing nonces);
 *   <li>the constant-time agreement {@link KeyAgreements#agree} (the P-256 receiver);
 *   <li>the variable-time joint comb {@code [a]G + [b]Q} of SM2 verification.
 * </ul>
 *
 * Results at the point at infinity must come out as infinity and be refused by the callers.
 */
class ScalarMultiplicationDifferentialTest {
  private static final byte[] USER_ID = Sm2Keys.DEFAULT_USER_ID;

  private static ECDomainParameters dom(KeyAlgorithm alg) {
    return KeyCodec.domain(alg);
  }

  private static ECPoint reference(ECPoint p, BigInteger k) {
    return ECAlgorithms.referenceMultiply(p, k).normalize();
  }

  private static List<BigInteger> scalars(ECDomainParameters d) {
    List<BigInteger> all = new ArrayList<>(EdgeScalars.below(d.getN(), 24, 8));
    all.addAll(EdgeScalars.atOrAbove(d.getN()));
    return all;
  }

  /** The points a peer may send: G itself (a distinct object), -G, 2G and random points. */
  private static List<ECPoint> peerPoints(ECDomainParameters d) {
    ECPoint g = d.getG();
    Random rnd = new Random(7);
    List<ECPoint> out = new ArrayList<>();
    out.add(d.getCurve().createPoint(g.getAffineXCoord().toBigInteger(), g.getAffineYCoord().toBigInteger()));
    out.add(g.negate().normalize());
    out.add(g.twice().normalize());
    for (int i = 0; i < 2; i++) {
      out.add(reference(g, new BigInteger(255, rnd).add(BigInteger.ONE)));
    }
    return out;
  }

  private static void assertSameMultiple(ECPoint actual, ECPoint p, BigInteger k) {
    ECPoint expected = reference(p, k);
    assertThat(actual.normalize()).as("[%s]P", k.toString(16)).isEqualTo(expected);
    assertThat(p.multiply(k).normalize()).as("wNAF agrees with the reference for %s", k.toString(16)).isEqualTo(expected);
  }

  @ParameterizedTest
  @EnumSource(value = KeyAlgorithm.class, names = {"P256", "SM2"})
  void gComb_edgeScalars_matchReferenceMultiply(KeyAlgorithm alg) {
    ECDomainParameters d = dom(alg);
    FixedPointCombMultiplier comb = new FixedPointCombMultiplier();
    for (BigInteger k : scalars(d)) {
      assertSameMultiple(comb.multiply(d.getG(), k), d.getG(), k);
      assertSameMultiple(EcScalars.combMultiply(d.getG(), Nat256.fromBigInteger(k)), d.getG(), k);
    }
  }

  @ParameterizedTest
  @EnumSource(value = KeyAlgorithm.class, names = {"P256", "SM2"})
  void peerPointComb_edgeScalarsAndPoints_matchReferenceMultiply(KeyAlgorithm alg) {
    ECDomainParameters d = dom(alg);
    FixedPointCombMultiplier comb = new FixedPointCombMultiplier();
    for (ECPoint q : peerPoints(d)) {
      for (BigInteger k : scalars(d)) {
        assertSameMultiple(comb.multiply(q, k), q, k);
        assertSameMultiple(EcScalars.combMultiply(q, Nat256.fromBigInteger(k)), q, k);
      }
    }
  }

  @ParameterizedTest
  @EnumSource(value = KeyAlgorithm.class, names = {"P256", "SM2"})
  void comb_zeroAndOrderMultiples_areInfinity(KeyAlgorithm alg) {
    ECDomainParameters d = dom(alg);
    for (ECPoint q : List.of(d.getG(), peerPoints(d).get(3))) {
      assertThat(new FixedPointCombMultiplier().multiply(q, BigInteger.ZERO).isInfinity()).isTrue();
      assertThat(EcScalars.combMultiply(q, new int[8]).normalize().isInfinity()).isTrue();
      assertThat(EcScalars.combMultiply(q, Nat256.fromBigInteger(d.getN())).normalize().isInfinity()).isTrue();
    }
  }

  @ParameterizedTest
  @EnumSource(value = KeyAlgorithm.class, names = {"P256", "SM2"})
  void constantTimeAgreement_edgeScalarsAndPoints_matchReferenceOrRefuseInfinity(KeyAlgorithm alg) {
    ECDomainParameters d = dom(alg);
    for (ECPoint q : peerPoints(d)) {
      for (BigInteger k : EdgeScalars.below(d.getN(), 8, 9)) {
        if (k.signum() == 0) {
          assertThatThrownBy(() -> KeyAgreements.agree(k, q, d))
              .isInstanceOf(IllegalStateException.class).hasMessageContaining("infinity");
          continue;
        }
        assertThat(KeyAgreements.agree(k, q, d)).as("[%s]Q", k.toString(16))
            .isEqualTo(reference(q, k).getAffineXCoord().getEncoded());
      }
      assertThatThrownBy(() -> KeyAgreements.agree(d.getN(), q, d))
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("infinity");
    }
  }

  @ParameterizedTest
  @EnumSource(value = KeyAlgorithm.class, names = {"P256", "SM2"})
  void jointComb_edgeScalarPairs_matchReference(KeyAlgorithm alg) {
    ECDomainParameters d = dom(alg);
    for (ECPoint q : peerPoints(d)) {
      Sm2Keys.Verify v = new Sm2Keys.Verify(new ECPublicKeyParameters(q, d), USER_ID);
      List<BigInteger> edges = scalars(d);
      List<BigInteger> partners = List.of(BigInteger.ZERO, BigInteger.ONE, d.getN().subtract(BigInteger.ONE),
          edges.get(edges.size() / 2), BigInteger.ONE.shiftLeft(255));
      for (BigInteger a : edges) {
        for (BigInteger b : partners) {
          assertJoint(v, d, q, a, b);
          assertJoint(v, d, q, b, a);
        }
      }
    }
  }

  private static void assertJoint(Sm2Keys.Verify v, ECDomainParameters d, ECPoint q, BigInteger a, BigInteger b) {
    ECPoint expected = reference(d.getG(), a).add(reference(q, b)).normalize();
    assertThat(v.jointComb(a, b).normalize()).as("[%s]G + [%s]Q", a.toString(16), b.toString(16)).isEqualTo(expected);
  }

  @ParameterizedTest
  @EnumSource(value = KeyAlgorithm.class, names = {"P256", "SM2"})
  void jointComb_sumAtInfinity_isInfinity(KeyAlgorithm alg) {
    ECDomainParameters d = dom(alg);
    BigInteger n = d.getN();
    BigInteger secret = new BigInteger("1234567890abcdef", 16);
    ECPoint q = reference(d.getG(), secret);
    Sm2Keys.Verify v = new Sm2Keys.Verify(new ECPublicKeyParameters(q, d), USER_ID);
    for (BigInteger b : List.of(BigInteger.ONE, n.subtract(BigInteger.ONE), BigInteger.ONE.shiftLeft(255))) {
      BigInteger a = b.multiply(secret).negate().mod(n); // aG + bQ = (a + b*secret)G = 0
      assertThat(v.jointComb(a, b).normalize().isInfinity()).as("b = %s", b.toString(16)).isTrue();
    }
    // and Q = G with a + b = n
    Sm2Keys.Verify onG = new Sm2Keys.Verify(new ECPublicKeyParameters(d.getG(), d), USER_ID);
    assertThat(onG.jointComb(BigInteger.ONE, n.subtract(BigInteger.ONE)).normalize().isInfinity()).isTrue();
  }

  @ParameterizedTest
  @EnumSource(value = KeyAlgorithm.class, names = {"P256", "SM2"})
  void sm2Verify_signatureWhoseSumIsInfinity_refused(KeyAlgorithm alg) {
    // [s]G + [t]P_A = infinity with t = r + s: the verifier must say no, not throw.
    ECDomainParameters d = dom(alg);
    BigInteger n = d.getN();
    BigInteger secret = new BigInteger("fedcba9876543210", 16);
    ECPoint q = reference(d.getG(), secret);
    Sm2Keys.Verify v = new Sm2Keys.Verify(new ECPublicKeyParameters(q, d), USER_ID);
    BigInteger t = new BigInteger("3141592653589793238462643383279502884197", 10);
    BigInteger s = t.multiply(secret).negate().mod(n);
    BigInteger r = t.subtract(s).mod(n);
    byte[] sig = new byte[64];
    EcScalars.toBigEndian(Nat256.fromBigInteger(r), sig, 0);
    EcScalars.toBigEndian(Nat256.fromBigInteger(s), sig, 32);
    byte[] msg = "any message".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    assertThat(v.jointComb(s, r.add(s).mod(n)).normalize().isInfinity()).isTrue();
    assertThat(v.verify(msg, 0, msg.length, sig)).isFalse();
  }

  @ParameterizedTest
  @EnumSource(value = KeyAlgorithm.class, names = {"SM2"})
  void sm2EncryptWithK_nonceZeroOrOrder_refusedExplicitly(KeyAlgorithm alg) {
    ECDomainParameters d = dom(alg);
    ECPublicKeyParameters pub = new ECPublicKeyParameters(reference(d.getG(), BigInteger.TEN), d);
    byte[] msg = new byte[16];
    for (BigInteger k : List.of(BigInteger.ZERO, d.getN(), d.getN().add(BigInteger.ONE), BigInteger.ONE.negate())) {
      assertThatThrownBy(() -> KeyAgreements.sm2EncryptWithK(pub, msg, k))
          .as("k = %s", k).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[1, n-1]");
    }
  }
}
