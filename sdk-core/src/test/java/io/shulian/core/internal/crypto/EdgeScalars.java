package io.shulian.core.internal.crypto;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Scalars that break hand-written scalar multiplication and modular arithmetic: the ends of the
 * range, halves, high bits, long runs of zeros and ones (including runs aligned with the comb's
 * columns), alternating bits, and seeded random values.
 */
final class EdgeScalars {
  private EdgeScalars() {}

  /** Edge scalars in [0, n), ascending; 0 is included. */
  static List<BigInteger> below(BigInteger n, int randomCount, long seed) {
    Set<BigInteger> s = new LinkedHashSet<>();
    BigInteger one = BigInteger.ONE;
    BigInteger two = BigInteger.TWO;
    s.add(BigInteger.ZERO);
    s.add(one);
    s.add(two);
    s.add(BigInteger.valueOf(3));
    s.add(n.subtract(one));
    s.add(n.subtract(two));
    s.add(n.subtract(BigInteger.valueOf(3)));
    s.add(n.subtract(one).shiftRight(1)); // (n-1)/2
    s.add(n.add(one).shiftRight(1)); // (n+1)/2
    s.add(one.shiftLeft(255)); // only the top bit
    s.add(one.shiftLeft(255).add(one));
    s.add(one.shiftLeft(255).add(one.shiftLeft(128)).add(one));
    s.add(one.shiftLeft(255).subtract(one)); // 255 ones: all ones below n
    s.add(one.shiftLeft(254));
    s.add(one.shiftLeft(224).subtract(one));
    for (int len : new int[] {31, 32, 33, 64, 128, 200}) {
      for (int at : new int[] {0, 1, 7, 31, 56}) {
        if (at + len <= 255) {
          BigInteger run = one.shiftLeft(len).subtract(one).shiftLeft(at);
          s.add(run); // a run of ones in zeros
          s.add(n.subtract(one).andNot(run)); // a run of zeros in n - 1
        }
      }
    }
    s.add(new BigInteger("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", 16).mod(n));
    s.add(new BigInteger("5555555555555555555555555555555555555555555555555555555555555555", 16));
    // One bit per comb column (width 6, 43 columns over 258 bits) and the top bit of each
    // column: these index the first and last entries of the comb table in every round.
    BigInteger col0 = BigInteger.ZERO;
    BigInteger colTop = BigInteger.ZERO;
    for (int i = 0; i < 6; i++) {
      col0 = col0.setBit(43 * i);
      if (43 * i + 42 < 256) {
        colTop = colTop.setBit(43 * i + 42);
      }
    }
    s.add(col0.mod(n));
    s.add(colTop.mod(n));
    Random rnd = new Random(seed);
    for (int i = 0; i < randomCount; i++) {
      s.add(new BigInteger(256, rnd).mod(n));
    }
    List<BigInteger> out = new ArrayList<>();
    for (BigInteger k : s) {
      if (k.signum() >= 0 && k.compareTo(n) < 0) {
        out.add(k);
      }
    }
    out.sort(null);
    return out;
  }

  /** Scalars in [n, 2^256): multiples beyond the group order that a comb still accepts. */
  static List<BigInteger> atOrAbove(BigInteger n) {
    BigInteger max = BigInteger.ONE.shiftLeft(256).subtract(BigInteger.ONE);
    return List.of(n, n.add(BigInteger.ONE), n.add(BigInteger.ONE.shiftLeft(200)), max);
  }
}
