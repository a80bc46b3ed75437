package io.shulian.core.internal.crypto;

import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.math.ec.ECPoint;
import org.jspecify.annotations.Nullable;

/**
 * ECDSA P-256 with SHA-256 (JOSE ES256, signatures as r||s per RFC 7518 3.4) on Bouncy Castle's
 * custom P-256 field arithmetic, about 10x the JDK 17 implementation. The JDK digest is used for
 * SHA-256 (it has CPU intrinsics). Verification rejects r or s outside [1, n-1], so the all-zero
 * signature of CVE-2022-21449 fails.
 */
final class EcdsaP256Keys {
  static final String ALG = "ES256";

  private EcdsaP256Keys() {}

  static byte[] sha256(byte[] data, int off, int len) {
    MessageDigest md = sha256();
    md.update(data, off, len);
    return md.digest();
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * ECDSA signing (SEC 1 4.1.3) with one private key; thread-safe. Shulian's own rather than BC's
   * {@code ECDSASigner}, so that no secret goes through {@link BigInteger}: the nonce is drawn as
   * limbs, [k]G uses the fixed-base comb with masked table scans, and s = k^-1 (e + r d) mod n uses
   * {@link EcScalars}' constant-time arithmetic.
   */
  static final class Sign implements Signer {
    private final ECDomainParameters dom;
    private final EcScalars scalars;
    /** d in the Montgomery domain. */
    private final int[] dMont;

    Sign(ECPrivateKeyParameters key) {
      this.dom = key.getParameters();
      this.scalars = EcScalars.of(dom.getN());
      int[] d = scalars.limbs(key.getD());
      this.dMont = scalars.toMontgomery(d);
      java.util.Arrays.fill(d, 0);
    }

    @Override
    public String joseAlgorithm() {
      return ALG;
    }

    @Override
    public byte[] sign(byte[] data, int off, int len) {
      return signHash(sha256(data, off, len));
    }

    private byte[] signHash(byte[] hash) {
      for (int i = 0; i < 100; i++) {
        int[] k = scalars.randomNonZero(Crypto.random());
        byte @Nullable [] sig = signWithK(hash, k);
        java.util.Arrays.fill(k, 0);
        if (sig != null) {
          return sig;
        }
      }
      throw new IllegalStateException("ECDSA signing found no usable nonce");
    }

    /**
     * The signature of a SHA-256 hash with nonce k in [1, n-1]; null if r or s is zero (another k
     * is then drawn). Package-private for the known-answer tests.
     */
    byte @Nullable [] signWithK(byte[] hash, int[] k) {
      int[] e = new int[8];
      EcScalars.fromBigEndian(hash, e); // a 256-bit hash for a 256-bit n: no truncation
      e = scalars.reduce(e);
      ECPoint p = EcScalars.combMultiply(dom.getG(), k).normalize();
      int[] x = new int[8];
      EcScalars.fromBigEndian(p.getAffineXCoord().getEncoded(), x);
      int[] r = scalars.reduce(x); // public: half of the signature
      if (EcScalars.isZero(r) != 0) {
        return null;
      }
      int[] sum = scalars.add(e, scalars.mul(r, dMont));
      int[] kInv = scalars.inverse(k);
      int[] s = scalars.mul(scalars.toMontgomery(kInv), sum);
      java.util.Arrays.fill(sum, 0);
      java.util.Arrays.fill(kInv, 0);
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
      return Streaming.overDigest(sha256(), this::signHash);
    }
  }

  static final class Verify implements Verifier {
    private final ECPublicKeyParameters key;

    Verify(ECPublicKeyParameters key) {
      this.key = key;
    }

    @Override
    public String joseAlgorithm() {
      return ALG;
    }

    @Override
    public boolean verify(byte[] data, int off, int len, byte[] sig) {
      return verifyHash(sha256(data, off, len), sig);
    }

    @Override
    public String streamAlgorithm() {
      return ALG;
    }

    @Override
    public Streaming stream(byte[] context) {
      return Streaming.overDigest(sha256(), this::verifyHash);
    }

    private boolean verifyHash(byte[] hash, byte[] sig) {
      if (sig.length != 64) {
        return false;
      }
      BigInteger n = key.getParameters().getN();
      BigInteger r = new BigInteger(1, java.util.Arrays.copyOfRange(sig, 0, 32));
      BigInteger s = new BigInteger(1, java.util.Arrays.copyOfRange(sig, 32, 64));
      if (r.signum() <= 0 || s.signum() <= 0 || r.compareTo(n) >= 0 || s.compareTo(n) >= 0) {
        return false;
      }
      ECDSASigner verifier = new ECDSASigner();
      verifier.init(false, key);
      return verifier.verifySignature(hash, r, s);
    }
  }
}
