package io.shulian.core.internal.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shulian.core.keys.KeyAlgorithm;
import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import org.bouncycastle.math.raw.Nat256;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** {@link EcScalars}' limb arithmetic against {@link BigInteger} on edge-case operands. */
class EcScalarsTest {

  private static BigInteger big(int[] x) {
    return Nat256.toBigInteger(x);
  }

  @ParameterizedTest
  @EnumSource(value = KeyAlgorithm.class, names = {"P256", "SM2"})
  void arithmetic_edgeOperandPairs_matchBigInteger(KeyAlgorithm alg) {
    BigInteger n = KeyCodec.domain(alg).getN();
    EcScalars s = EcScalars.of(n);
    List<BigInteger> values = EdgeScalars.below(n, 16, 11);
    for (BigInteger a : values) {
      int[] la = s.limbs(a);
      for (BigInteger b : values) {
        int[] lb = s.limbs(b);
        String what = a.toString(16) + ", " + b.toString(16);
        assertThat(big(s.add(la, lb))).as("add %s", what).isEqualTo(a.add(b).mod(n));
        assertThat(big(s.sub(la, lb))).as("sub %s", what).isEqualTo(a.subtract(b).mod(n));
        assertThat(big(s.mul(s.toMontgomery(la), lb))).as("mul %s", what).isEqualTo(a.multiply(b).mod(n));
      }
      assertThat(big(s.toMontgomery(la))).isEqualTo(a.shiftLeft(256).mod(n));
      assertThat(EcScalars.isZero(la)).isEqualTo(a.signum() == 0 ? -1 : 0);
      assertThat(s.lessThanN(la)).isEqualTo(-1);
      if (a.signum() != 0) {
        assertThat(big(s.inverse(la))).as("inverse %s", a.toString(16)).isEqualTo(a.modInverse(n));
      }
    }
  }

  @ParameterizedTest
  @EnumSource(value = KeyAlgorithm.class, names = {"P256", "SM2"})
  void reduce_valuesUpTo2To256_matchBigInteger(KeyAlgorithm alg) {
    BigInteger n = KeyCodec.domain(alg).getN();
    EcScalars s = EcScalars.of(n);
    for (BigInteger x : concat(EdgeScalars.below(n, 8, 12), EdgeScalars.atOrAbove(n))) {
      assertThat(big(s.reduce(Nat256.fromBigInteger(x)))).as(x.toString(16)).isEqualTo(x.mod(n));
      assertThat(s.lessThanN(Nat256.fromBigInteger(x))).isEqualTo(x.compareTo(n) < 0 ? -1 : 0);
    }
  }

  @Test
  void inverseOfZero_andScalarsAtOrAboveN_refused() {
    EcScalars s = EcScalars.of(KeyCodec.domain(KeyAlgorithm.P256).getN());
    assertThatThrownBy(() -> s.inverse(new int[8])).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> s.limbs(s.order())).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void randomNonZero_drawsOfZeroOrAtLeastN_areDiscarded() {
    BigInteger n = KeyCodec.domain(KeyAlgorithm.SM2).getN();
    EcScalars s = EcScalars.of(n);
    byte[] wanted = bytes(BigInteger.valueOf(42));
    ScriptedRandom r = new ScriptedRandom(bytes(BigInteger.ZERO), bytes(n), bytes(n.add(BigInteger.ONE)),
        bytes(BigInteger.ONE.shiftLeft(256).subtract(BigInteger.ONE)), wanted);
    assertThat(big(s.randomNonZero(r))).isEqualTo(BigInteger.valueOf(42));
    assertThat(r.draws.isEmpty()).isTrue();
    ScriptedRandom last = new ScriptedRandom(bytes(n.subtract(BigInteger.ONE)));
    assertThat(big(s.randomNonZero(last))).isEqualTo(n.subtract(BigInteger.ONE));
  }

  @Test
  void bigEndianCodec_roundTrips() {
    BigInteger x = new BigInteger("0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20", 16);
    int[] l = new int[8];
    EcScalars.fromBigEndian(bytes(x), l);
    assertThat(big(l)).isEqualTo(x);
    byte[] out = new byte[34];
    EcScalars.toBigEndian(l, out, 1);
    assertThat(java.util.Arrays.copyOfRange(out, 1, 33)).isEqualTo(bytes(x));
  }

  private static byte[] bytes(BigInteger x) {
    return org.bouncycastle.util.BigIntegers.asUnsignedByteArray(32, x);
  }

  private static List<BigInteger> concat(List<BigInteger> a, List<BigInteger> b) {
    java.util.ArrayList<BigInteger> out = new java.util.ArrayList<>(a);
    out.addAll(b);
    return out;
  }

  /** Returns the given 32-byte draws in order. */
  static final class ScriptedRandom extends SecureRandom {
    private static final long serialVersionUID = 1L;
    final Deque<byte[]> draws = new ArrayDeque<>();

    ScriptedRandom(byte[]... draws) {
      for (byte[] d : draws) {
        this.draws.add(d);
      }
    }

    @Override
    public void nextBytes(byte[] bytes) {
      byte[] d = draws.remove();
      System.arraycopy(d, 0, bytes, 0, bytes.length);
    }
  }
}
