package io.shulian.core.internal.crypto;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.Arrays;
import org.bouncycastle.math.ec.ECCurve;
import org.bouncycastle.math.ec.ECLookupTable;
import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.math.ec.FixedPointPreCompInfo;
import org.bouncycastle.math.ec.FixedPointUtil;
import org.bouncycastle.math.raw.Mod;
import org.bouncycastle.math.raw.Nat256;

/**
 * Secret-scalar arithmetic of the P-256 and SM2 signatures: integers modulo the odd 256-bit group
 * order n held as eight 32-bit limbs (least significant first, as Bouncy Castle's {@code Nat256}),
 * and the fixed-base comb on such limbs.
 *
 * <p>Why not {@link BigInteger}: its length follows the value (a nonce with leading zero bytes is
 * shorter, and converting it to limbs or multiplying it takes less time), and {@code mod} runs a
 * long division whose correction steps depend on the operands. Here every operation runs the same
 * instructions for every value: Montgomery multiplication with a masked final subtraction, masked
 * modular addition and subtraction, Bouncy Castle's constant-time inverse ({@link
 * Mod#modOddInverse}, safegcd with a fixed step count) and the comb's masked table scan ({@link
 * ECLookupTable#lookup}). That is constant time at the Java level only: the JIT may compile the
 * masks into branches, and a co-resident attacker watching caches or power is out of scope.
 *
 * <p>Immutable and thread-safe; the limb arrays it returns are new and owned by the caller.
 */
final class EcScalars {
  private static final long M = 0xFFFFFFFFL;

  private final int[] n;
  /** -n^-1 mod 2^32, for Montgomery reduction. */
  private final int nPrime;
  /** R^2 mod n with R = 2^256: one Montgomery multiplication by it enters the Montgomery domain. */
  private final int[] r2;

  /** One instance per group order (P-256 and SM2 in practice). */
  private static final java.util.concurrent.ConcurrentMap<BigInteger, EcScalars> BY_ORDER =
      new java.util.concurrent.ConcurrentHashMap<>();

  /** Returns the (shared) arithmetic modulo {@code order}. */
  static EcScalars of(BigInteger order) {
    EcScalars s = BY_ORDER.get(order);
    if (s == null) {
      s = new EcScalars(order);
      if (BY_ORDER.size() < 8) {
        BY_ORDER.putIfAbsent(order, s);
      }
    }
    return s;
  }

  private EcScalars(BigInteger order) {
    if (order.bitLength() != 256 || !order.testBit(0)) {
      throw new IllegalArgumentException("group order must be an odd 256-bit integer");
    }
    this.n = Nat256.fromBigInteger(order);
    this.nPrime = -Mod.inverse32(n[0]);
    this.r2 = Nat256.fromBigInteger(BigInteger.ONE.shiftLeft(512).mod(order));
  }

  /** Limbs of a public value (or of a key, once when it is loaded), which must be in [0, n). */
  int[] limbs(BigInteger x) {
    int[] z = Nat256.fromBigInteger(x);
    if (lessThanN(z) == 0) {
      throw new IllegalArgumentException("scalar is not below the group order");
    }
    return z;
  }

  BigInteger order() {
    return Nat256.toBigInteger(n);
  }

  /** A uniformly random scalar in [1, n-1] (rejection sampling: a retry reveals only a discarded draw). */
  int[] randomNonZero(SecureRandom random) {
    byte[] b = new byte[32];
    int[] k = new int[8];
    try {
      while (true) {
        random.nextBytes(b);
        fromBigEndian(b, k);
        if ((lessThanN(k) & ~isZero(k)) != 0) {
          return k;
        }
      }
    } finally {
      Arrays.fill(b, (byte) 0);
    }
  }

  /** Decodes 32 big-endian bytes into limbs (any value below 2^256, not reduced). */
  static void fromBigEndian(byte[] b, int[] z) {
    for (int i = 0; i < 8; i++) {
      int o = 28 - 4 * i;
      z[i] = (b[o] & 0xFF) << 24 | (b[o + 1] & 0xFF) << 16 | (b[o + 2] & 0xFF) << 8 | (b[o + 3] & 0xFF);
    }
  }

  /** Encodes limbs as 32 big-endian bytes into {@code out} at {@code off}. */
  static void toBigEndian(int[] x, byte[] out, int off) {
    for (int i = 0; i < 8; i++) {
      int v = x[7 - i];
      out[off + 4 * i] = (byte) (v >>> 24);
      out[off + 4 * i + 1] = (byte) (v >>> 16);
      out[off + 4 * i + 2] = (byte) (v >>> 8);
      out[off + 4 * i + 3] = (byte) v;
    }
  }

  /** -1 if x is zero, else 0. */
  static int isZero(int[] x) {
    int acc = 0;
    for (int i = 0; i < 8; i++) {
      acc |= x[i];
    }
    // (acc | -acc) has its sign bit set exactly when acc != 0
    return ~((acc | -acc) >> 31);
  }

  /** -1 if x < n, else 0. */
  int lessThanN(int[] x) {
    return Nat256.sub(x, n, new int[8]); // the final borrow: -1 exactly when x < n
  }

  /** x mod n for any x below 2^256 (n > 2^255, so one masked subtraction suffices). */
  int[] reduce(int[] x) {
    int[] d = new int[8];
    int borrow = Nat256.sub(x, n, d);
    return select(borrow, x, d);
  }

  /** (x + y) mod n for x, y in [0, n). */
  int[] add(int[] x, int[] y) {
    int[] s = new int[8];
    int carry = Nat256.add(x, y, s);
    int[] d = new int[8];
    int borrow = Nat256.sub(s, n, d);
    // keep s only if it did not overflow and s < n
    int keepS = -((~carry & 1) & (borrow & 1));
    return select(keepS, s, d);
  }

  /** (x - y) mod n for x, y in [0, n). */
  int[] sub(int[] x, int[] y) {
    int[] d = new int[8];
    int borrow = Nat256.sub(x, y, d);
    int[] e = new int[8];
    Nat256.add(d, n, e);
    return select(~borrow, d, e);
  }

  /**
   * Montgomery product x * y * 2^-256 mod n for x, y in [0, n) (CIOS). With one factor in the
   * Montgomery domain ({@link #toMontgomery}) this is the ordinary product mod n.
   */
  int[] mul(int[] x, int[] y) {
    int[] t = new int[8];
    long t8 = 0; // the two limbs above t, at most 2^33
    for (int i = 0; i < 8; i++) {
      long xi = x[i] & M;
      long c = 0;
      for (int j = 0; j < 8; j++) {
        c += xi * (y[j] & M) + (t[j] & M);
        t[j] = (int) c;
        c >>>= 32;
      }
      t8 += c;
      long m = (t[0] * nPrime) & M;
      c = (m * (n[0] & M) + (t[0] & M)) >>> 32;
      for (int j = 1; j < 8; j++) {
        c += m * (n[j] & M) + (t[j] & M);
        t[j - 1] = (int) c;
        c >>>= 32;
      }
      t8 += c;
      t[7] = (int) t8;
      t8 >>>= 32;
    }
    // t + t8 * 2^256 < 2n: subtract n unless that borrows out of the 257-bit value
    int[] d = new int[8];
    int borrow = Nat256.sub(t, n, d);
    int keepT = -((~(int) t8 & 1) & (borrow & 1));
    int[] z = select(keepT, t, d);
    Arrays.fill(t, 0);
    Arrays.fill(d, 0);
    return z;
  }

  /** x * 2^256 mod n: the Montgomery form of x. */
  int[] toMontgomery(int[] x) {
    return mul(x, r2);
  }

  /**
   * x^-1 mod n for x in [1, n-1], by Bouncy Castle's constant-time safegcd.
   *
   * @throws IllegalArgumentException if x is zero (the only value below n with no inverse)
   */
  int[] inverse(int[] x) {
    int[] z = new int[8];
    if (Mod.modOddInverse(n, x, z) == 0) {
      throw new IllegalArgumentException("zero has no inverse");
    }
    return z;
  }

  /** mask -1 picks a, mask 0 picks b; a new array. */
  private static int[] select(int mask, int[] a, int[] b) {
    int[] z = new int[8];
    for (int i = 0; i < 8; i++) {
      z[i] = (a[i] & mask) | (b[i] & ~mask);
    }
    return z;
  }

  /**
   * [k]P for a secret k below 2^256 by Bouncy Castle's fixed-point comb, reading k's bits straight
   * from limbs: the same number of doublings and additions for every k, and every table entry read
   * by a masked scan over the whole table. P's comb table is built once and cached on P, so P should
   * be a long-lived point (the generator, a recipient's key). Equivalent to {@code new
   * FixedPointCombMultiplier().multiply(p, k)} without the trip through {@link BigInteger}.
   */
  static ECPoint combMultiply(ECPoint p, int[] k) {
    ECCurve c = p.getCurve();
    int size = FixedPointUtil.getCombSize(c);
    if (size < 256) {
      throw new IllegalArgumentException("comb size " + size + " is too small for a 256-bit scalar");
    }
    FixedPointPreCompInfo info = FixedPointUtil.precompute(p);
    ECLookupTable table = info.getLookupTable();
    int width = info.getWidth();
    int d = (size + width - 1) / width;
    int fullComb = d * width;
    int[] bits = new int[(fullComb + 31) >>> 5];
    System.arraycopy(k, 0, bits, 0, 8);
    ECPoint r = c.getInfinity();
    int top = fullComb - 1;
    for (int i = 0; i < d; i++) {
      int index = 0;
      for (int j = top - i; j >= 0; j -= d) {
        // Bouncy Castle's branch-free way of shifting bit j of k into the index
        int bit = bits[j >>> 5] >>> (j & 0x1F);
        index ^= bit >>> 1;
        index <<= 1;
        index ^= bit;
      }
      r = r.twicePlus(table.lookup(index));
    }
    Arrays.fill(bits, 0);
    return r.add(info.getOffset());
  }
}
