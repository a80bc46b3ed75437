package io.shulian.core.internal.crypto;

import java.math.BigInteger;
import java.util.Arrays;
import org.bouncycastle.crypto.digests.SM3Digest;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.math.ec.ECCurve;
import org.bouncycastle.math.ec.ECFieldElement;
import org.bouncycastle.math.ec.ECLookupTable;
import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.math.ec.FixedPointCombMultiplier;
import org.bouncycastle.math.ec.FixedPointPreCompInfo;
import org.bouncycastle.math.ec.FixedPointUtil;
import org.bouncycastle.math.raw.Nat;
import org.jspecify.annotations.Nullable;

/**
 * SM2 signatures with SM3 (GB/T 32918.2, GM/T 0009) on Bouncy Castle's curve arithmetic,
 * signatures as r||s (64 bytes).
 *
 * <p>Signing is Shulian's own, so that no secret goes through {@link BigInteger}: the nonce k is
 * drawn as limbs, [k]G uses the fixed-base comb with masked table scans, and s = (1 + d)^-1 (k - r
 * d) mod n uses {@link EcScalars}' constant-time arithmetic. Verification runs on public values only
 * and uses a faster variable-time joint comb.
 */
final class Sm2Keys {
  static final String ALG = "SM2-SM3";

  /** The user id of GM/T 0009-2012 ("1234567812345678"), the default in Shulian. */
  static final byte[] DEFAULT_USER_ID = "1234567812345678".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  private Sm2Keys() {}

  /** The SM3 digest of a streamed signature or verification (Z_A already in it); finishes once. */
  private static final class OnceDigest {
    private final SM3Digest d;
    private final String what;
    private boolean done;

    OnceDigest(SM3Digest d, String what) {
      this.d = d;
      this.what = what;
    }

    void update(byte[] data, int off, int len) {
      if (done) {
        throw new IllegalStateException(what + " already finished");
      }
      d.update(data, off, len);
    }

    byte[] finish() {
      if (done) {
        throw new IllegalStateException(what + " already finished");
      }
      done = true;
      return Verify.finish(d);
    }
  }

  /** SM2 signing with one private key; thread-safe. */
  static final class Sign implements Signer {
    private final ECDomainParameters dom;
    private final EcScalars scalars;
    /** d in the Montgomery domain. */
    private final int[] dMont;
    /** (1 + d)^-1 mod n in the Montgomery domain. */
    private final int[] invOnePlusDMont;
    private final byte[] z;

    /**
     * @throws IllegalArgumentException if d is n - 1 (GB/T 32918.1 allows d in [1, n-2]: 1 + d must
     *     be invertible)
     */
    Sign(ECPrivateKeyParameters key, byte[] userId) {
      this.dom = key.getParameters();
      this.scalars = EcScalars.of(dom.getN());
      int[] d = scalars.limbs(key.getD());
      int[] one = new int[8];
      one[0] = 1;
      int[] onePlusD = scalars.add(d, one);
      if (EcScalars.isZero(onePlusD) != 0) {
        throw new IllegalArgumentException("SM2 private key must be in [1, n-2]");
      }
      int[] inv = scalars.inverse(onePlusD);
      this.dMont = scalars.toMontgomery(d);
      this.invOnePlusDMont = scalars.toMontgomery(inv);
      ECPoint q = EcScalars.combMultiply(dom.getG(), d).normalize();
      this.z = zValue(userId, dom, q);
      Arrays.fill(d, 0);
      Arrays.fill(onePlusD, 0);
      Arrays.fill(inv, 0);
    }

    private SM3Digest digest() {
      SM3Digest d = new SM3Digest();
      d.update(z, 0, z.length);
      return d;
    }

    /** Signs e = SM3(Z || M) with fresh nonces until r and s are usable (GB/T 32918.2 6.1). */
    private byte[] signDigest(byte[] e) {
      for (int i = 0; i < 100; i++) {
        int[] k = scalars.randomNonZero(Crypto.random());
        byte @Nullable [] sig = signWithK(e, k);
        Arrays.fill(k, 0);
        if (sig != null) {
          return sig;
        }
      }
      throw new IllegalStateException("SM2 signing found no usable nonce");
    }

    /**
     * The signature of digest e with nonce k in [1, n-1]; null if r = 0, r + k = n or s = 0 (the
     * standard then draws another k). Package-private for the known-answer tests.
     */
    byte @Nullable [] signWithK(byte[] e, int[] k) {
      BigInteger n = dom.getN();
      ECPoint p = EcScalars.combMultiply(dom.getG(), k).normalize();
      // r = (e + x1) mod n is public: it is half of the signature
      BigInteger rValue = new BigInteger(1, e).add(p.getAffineXCoord().toBigInteger()).mod(n);
      if (rValue.signum() == 0) {
        return null;
      }
      int[] r = scalars.limbs(rValue);
      if (EcScalars.isZero(scalars.add(r, k)) != 0) {
        return null;
      }
      int[] rd = scalars.mul(r, dMont);
      int[] t = scalars.sub(k, rd);
      int[] s = scalars.mul(invOnePlusDMont, t);
      Arrays.fill(rd, 0);
      Arrays.fill(t, 0);
      if (EcScalars.isZero(s) != 0) {
        return null;
      }
      byte[] sig = new byte[64];
      EcScalars.toBigEndian(r, sig, 0);
      EcScalars.toBigEndian(s, sig, 32);
      return sig;
    }

    @Override
    public String streamAlgorithm() {
      return ALG;
    }

    @Override
    public Streaming stream(byte[] context) {
      OnceDigest d = new OnceDigest(digest(), "signature");
      return new Streaming() {
        @Override
        public void update(byte[] data, int off, int len) {
          d.update(data, off, len);
        }

        @Override
        public byte[] finish() {
          return signDigest(d.finish());
        }
      };
    }

    @Override
    public String joseAlgorithm() {
      return ALG;
    }

    @Override
    public byte[] sign(byte[] data, int off, int len) {
      SM3Digest d = digest();
      d.update(data, off, len);
      return signDigest(Verify.finish(d));
    }
  }

  /**
   * SM2 verification (GB/T 32918.2 section 7) on Bouncy Castle's curve arithmetic, with both
   * fixed points multiplied by cached comb tables: {@code [s]G + [t]P_A} as two fixed-point comb
   * multiplications (G's table is shared, P_A's is built once per verifier) instead of BC's
   * interleaved wNAF, about half the point operations. Only public values are involved.
   */
  static final class Verify implements Verifier {
    private static final FixedPointCombMultiplier COMB = new FixedPointCombMultiplier();

    private final ECPoint g;
    private final ECPoint q;
    private final BigInteger n;
    private final byte[] z;

    Verify(ECPublicKeyParameters key, byte[] userId) {
      ECDomainParameters dom = key.getParameters();
      this.g = dom.getG();
      this.q = key.getQ().normalize();
      this.n = dom.getN();
      this.z = zValue(userId, dom, q);
      FixedPointUtil.precompute(g);
      FixedPointUtil.precompute(q);
    }

    private boolean check(byte[] e, byte[] sig) {
      if (sig.length != 64) {
        return false;
      }
      BigInteger r = new BigInteger(1, Arrays.copyOfRange(sig, 0, 32));
      BigInteger s = new BigInteger(1, Arrays.copyOfRange(sig, 32, 64));
      if (r.signum() <= 0 || s.signum() <= 0 || r.compareTo(n) >= 0 || s.compareTo(n) >= 0) {
        return false;
      }
      BigInteger t = r.add(s).mod(n);
      if (t.signum() == 0) {
        return false;
      }
      ECPoint p = jointComb(s, t).normalize();
      if (p.isInfinity()) {
        return false;
      }
      return new BigInteger(1, e).add(p.getAffineXCoord().toBigInteger()).mod(n).equals(r);
    }

    /**
     * [a]G + [b]Q with one shared run of doublings over both comb tables (Lim-Lee fixed-base comb,
     * Bouncy Castle's tables for G and Q). Variable time: it is only used on public scalars.
     */
    ECPoint jointComb(BigInteger a, BigInteger b) {
      ECCurve c = g.getCurve();
      int size = FixedPointUtil.getCombSize(c);
      FixedPointPreCompInfo ig = FixedPointUtil.precompute(g);
      FixedPointPreCompInfo iq = FixedPointUtil.precompute(q);
      int width = ig.getWidth();
      if (iq.getWidth() != width || a.bitLength() > size || b.bitLength() > size) {
        return COMB.multiply(g, a).add(COMB.multiply(q, b)); // not expected for SM2; still correct
      }
      ECLookupTable tg = ig.getLookupTable();
      ECLookupTable tq = iq.getLookupTable();
      int d = (size + width - 1) / width;
      int full = d * width;
      int[] ka = Nat.fromBigInteger(full, a);
      int[] kb = Nat.fromBigInteger(full, b);
      ECPoint r = c.getInfinity();
      for (int i = 0; i < d; i++) {
        int ia = 0;
        int ib = 0;
        for (int j = full - 1 - i; j >= 0; j -= d) {
          ia = (ia << 1) | ((ka[j >>> 5] >>> (j & 31)) & 1);
          ib = (ib << 1) | ((kb[j >>> 5] >>> (j & 31)) & 1);
        }
        r = r.twicePlus(tg.lookupVar(ia)).add(tq.lookupVar(ib));
      }
      return r.add(ig.getOffset()).add(iq.getOffset());
    }

    private SM3Digest digest() {
      SM3Digest d = new SM3Digest();
      d.update(z, 0, z.length);
      return d;
    }

    static byte[] finish(SM3Digest d) {
      byte[] e = new byte[d.getDigestSize()];
      d.doFinal(e, 0);
      return e;
    }

    @Override
    public String streamAlgorithm() {
      return ALG;
    }

    @Override
    public Streaming stream(byte[] context) {
      OnceDigest d = new OnceDigest(digest(), "verification");
      return new Streaming() {
        @Override
        public void update(byte[] data, int off, int len) {
          d.update(data, off, len);
        }

        @Override
        public boolean finish(byte[] sig) {
          return check(d.finish(), sig);
        }
      };
    }

    @Override
    public String joseAlgorithm() {
      return ALG;
    }

    @Override
    public boolean verify(byte[] data, int off, int len, byte[] sig) {
      SM3Digest d = digest();
      d.update(data, off, len);
      return check(finish(d), sig);
    }
  }

  /**
   * Z_A = SM3(ENTL_A || ID_A || a || b || x_G || y_G || x_A || y_A) (GB/T 32918.2 section 5.5), the
   * prefix every SM2 signature hashes before the message.
   */
  static byte[] zValue(byte[] userId, ECDomainParameters dom, ECPoint q) {
    SM3Digest d = new SM3Digest();
    int bits = userId.length * 8;
    d.update((byte) (bits >>> 8));
    d.update((byte) bits);
    d.update(userId, 0, userId.length);
    ECPoint p = q.normalize();
    for (ECFieldElement f : new ECFieldElement[] {dom.getCurve().getA(), dom.getCurve().getB(),
        dom.getG().getAffineXCoord(), dom.getG().getAffineYCoord(), p.getAffineXCoord(), p.getAffineYCoord()}) {
      byte[] b = f.getEncoded();
      d.update(b, 0, b.length);
    }
    byte[] z = new byte[d.getDigestSize()];
    d.doFinal(z, 0);
    return z;
  }
}
