package io.shulian.core.internal.crypto;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Supplier;
import org.bouncycastle.crypto.CryptoException;
import org.bouncycastle.crypto.digests.SM3Digest;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.params.ParametersWithID;
import org.bouncycastle.crypto.params.ParametersWithRandom;
import org.bouncycastle.crypto.signers.PlainDSAEncoding;
import org.bouncycastle.crypto.signers.SM2Signer;
import org.bouncycastle.math.ec.ECCurve;
import org.bouncycastle.math.ec.ECFieldElement;
import org.bouncycastle.math.ec.ECLookupTable;
import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.math.ec.FixedPointCombMultiplier;
import org.bouncycastle.math.ec.FixedPointPreCompInfo;
import org.bouncycastle.math.ec.FixedPointUtil;
import org.bouncycastle.math.raw.Nat;

/**
 * SM2 signatures with SM3 (GB/T 32918.2, GM/T 0009) on Bouncy Castle, signatures as r||s (64 bytes).
 *
 * <p>Initialising a BC {@link SM2Signer} for signing derives the public point and the Z value, which
 * costs about three signatures; so each thread keeps one initialised signer per key and reuses it
 * (BC resets the signer to the Z-prefixed state after every signature).
 */
final class Sm2Keys {
  static final String ALG = "SM2-SM3";

  /** The user id of GM/T 0009-2012 ("1234567812345678"), the default in Shulian. */
  static final byte[] DEFAULT_USER_ID = "1234567812345678".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  private Sm2Keys() {}

  /**
   * Initialised signers lent to streaming signatures. A stream may outlive one call on its thread
   * (or interleave with another stream on it), so it cannot borrow the thread's signer; it takes
   * one from here, or initialises a new one, and returns it when finished. An abandoned stream just
   * never returns its signer.
   */
  static final class Pool {
    private static final int MAX_IDLE = 16;
    private final Queue<SM2Signer> idle = new ConcurrentLinkedQueue<>();
    private final Supplier<SM2Signer> factory;

    Pool(Supplier<SM2Signer> factory) {
      this.factory = factory;
    }

    SM2Signer take() {
      SM2Signer s = idle.poll();
      if (s == null) {
        return factory.get();
      }
      s.reset(); // back to the Z-prefixed state, whatever the last user left
      return s;
    }

    void give(SM2Signer s) {
      if (idle.size() < MAX_IDLE) {
        idle.offer(s);
      }
    }
  }

  static final class Sign implements Signer {
    private final ThreadLocal<SM2Signer> signers;
    private final Pool pool;

    Sign(ECPrivateKeyParameters key, byte[] userId) {
      byte[] id = userId.clone();
      Supplier<SM2Signer> factory =
          () -> {
            SM2Signer s = new SM2Signer(PlainDSAEncoding.INSTANCE, new SM3Digest());
            s.init(true, new ParametersWithID(new ParametersWithRandom(key, Crypto.random()), id));
            return s;
          };
      this.signers = ThreadLocal.withInitial(factory);
      this.pool = new Pool(factory);
    }

    @Override
    public String streamAlgorithm() {
      return ALG;
    }

    @Override
    public Streaming stream(byte[] context) {
      SM2Signer s = pool.take();
      return new Streaming() {
        private boolean done;

        @Override
        public void update(byte[] data, int off, int len) {
          if (done) {
            throw new IllegalStateException("signature already finished");
          }
          s.update(data, off, len);
        }

        @Override
        public byte[] finish() {
          if (done) {
            throw new IllegalStateException("signature already finished");
          }
          done = true;
          try {
            byte[] sig = s.generateSignature();
            pool.give(s);
            return sig;
          } catch (CryptoException e) {
            throw new IllegalStateException("SM2 signing failed", e);
          }
        }
      };
    }

    @Override
    public String joseAlgorithm() {
      return ALG;
    }

    @Override
    public byte[] sign(byte[] data, int off, int len) {
      SM2Signer s = signers.get();
      s.update(data, off, len);
      try {
        return s.generateSignature();
      } catch (CryptoException e) {
        throw new IllegalStateException("SM2 signing failed", e);
      }
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
    private ECPoint jointComb(BigInteger a, BigInteger b) {
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

    private static byte[] finish(SM3Digest d) {
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
      SM3Digest d = digest();
      return new Streaming() {
        private boolean done;

        @Override
        public void update(byte[] data, int off, int len) {
          if (done) {
            throw new IllegalStateException("verification already finished");
          }
          d.update(data, off, len);
        }

        @Override
        public boolean finish(byte[] sig) {
          if (done) {
            throw new IllegalStateException("verification already finished");
          }
          done = true;
          return check(Verify.finish(d), sig);
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
