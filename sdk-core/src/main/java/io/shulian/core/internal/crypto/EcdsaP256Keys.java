package io.shulian.core.internal.crypto;

import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.params.ParametersWithRandom;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.crypto.signers.PlainDSAEncoding;

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

  static final class Sign implements Signer {
    private final ECPrivateKeyParameters key;

    Sign(ECPrivateKeyParameters key) {
      this.key = key;
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
      ECDSASigner signer = new ECDSASigner();
      signer.init(true, new ParametersWithRandom(key, Crypto.random()));
      BigInteger[] rs = signer.generateSignature(hash);
      return PlainDSAEncoding.INSTANCE.encode(key.getParameters().getN(), rs[0], rs[1]);
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
