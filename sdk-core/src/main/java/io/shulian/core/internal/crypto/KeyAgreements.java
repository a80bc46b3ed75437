package io.shulian.core.internal.crypto;

import java.math.BigInteger;
import java.util.Arrays;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.engines.SM2Engine;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.params.ParametersWithRandom;
import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.math.ec.FixedPointCombMultiplier;
import org.bouncycastle.math.ec.rfc7748.X25519;
import org.bouncycastle.util.BigIntegers;
import org.jspecify.annotations.Nullable;

/**
 * Key management of the suites: ECDH-ES direct key agreement with X25519 or P-256 (RFC 7518 4.6,
 * RFC 8037) and SM2 public-key encryption of the content key (GB/T 32918.4, ciphertext C1||C3||C2).
 * Every point received from a peer is validated before use.
 */
final class KeyAgreements {
  static final String ECDH_ES = "ECDH-ES";
  static final String SM2_PKE = "SM2-PKE";

  static {
    X25519.precompute();
  }

  private KeyAgreements() {}

  // ---- X25519 ----------------------------------------------------------------------------

  /** One ephemeral-static ECDH result: the ephemeral public key and the shared secret Z. */
  static final class Agreement {
    final Epk epk;
    final byte[] z;

    Agreement(Epk epk, byte[] z) {
      this.epk = epk;
      this.z = z;
    }
  }

  /**
   * ECDH-ES towards one static recipient key: a fresh ephemeral key per call of {@link #agree()};
   * {@link #encapsulate} derives the content key from it with the Concat KDF.
   */
  abstract static class EcdhRecipient implements KeyEncapsulation {
    /** Generates an ephemeral key pair and returns its public key and the shared secret. */
    abstract Agreement agree();

    @Override
    public final String joseAlgorithm() {
      return ECDH_ES;
    }

    @Override
    public final ContentCipher contentCipher() {
      return ContentCipher.A256GCM;
    }

    @Override
    public final Encapsulated encapsulate(String enc) {
      Agreement a = agree();
      byte[] cek = ConcatKdf.deriveDirect(a.z, enc, 256);
      Arrays.fill(a.z, (byte) 0);
      return new Encapsulated(cek, a.epk, new byte[0]);
    }
  }

  static final class X25519Recipient extends EcdhRecipient {
    private final byte[] pk;

    X25519Recipient(byte[] pk) {
      if (pk.length != X25519.POINT_SIZE) {
        throw new IllegalArgumentException("X25519 public key must be 32 bytes");
      }
      this.pk = pk.clone();
    }

    @Override
    Agreement agree() {
      byte[] esk = new byte[X25519.SCALAR_SIZE];
      X25519.generatePrivateKey(Crypto.random(), esk);
      byte[] epk = new byte[X25519.POINT_SIZE];
      X25519.generatePublicKey(esk, 0, epk, 0);
      byte[] z = new byte[X25519.POINT_SIZE];
      if (!X25519.calculateAgreement(esk, 0, pk, 0, z, 0)) {
        throw new IllegalStateException("recipient X25519 key is of small order");
      }
      Arrays.fill(esk, (byte) 0);
      return new Agreement(new Epk("OKP", "X25519", epk, null), z);
    }
  }

  static final class X25519Decrypter implements KeyDecapsulation {
    private final byte[] sk;
    private final SharedSecretCache sharedSecrets = new SharedSecretCache();

    X25519Decrypter(byte[] sk) {
      this.sk = sk.clone();
    }

    @Override
    public String joseAlgorithm() {
      return ECDH_ES;
    }

    @Override
    public ContentCipher contentCipher() {
      return ContentCipher.A256GCM;
    }

    @Override
    public byte[] decapsulate(@Nullable Epk epk, KdfInfo info, byte[] encryptedKey, String enc) throws CryptoFailure {
      if (epk == null || !"OKP".equals(epk.kty) || !"X25519".equals(epk.crv) || epk.y != null
          || epk.x.length != X25519.POINT_SIZE) {
        throw new CryptoFailure(CryptoFailure.Kind.INVALID_POINT, "epk is not an X25519 public key");
      }
      if (info.isEmpty()) {
        byte[] z = x25519SharedSecret(sk, epk.x);
        byte[] cek = ConcatKdf.deriveDirect(z, enc, 256);
        Arrays.fill(z, (byte) 0);
        return cek;
      }
      byte[] z = sharedSecrets.get(epk, e -> x25519SharedSecret(sk, e.x));
      return ConcatKdf.deriveDirect(z, enc, 256, info.apu, info.apv);
    }
  }

  /**
   * Returns the X25519 shared secret of our secret key and a peer's public u-coordinate (RFC 7748
   * section 5; a non-canonical u is reduced, as the RFC requires).
   *
   * @throws CryptoFailure INVALID_POINT if the public key is not 32 bytes or the shared secret is
   *     all zero (a small-order point, RFC 7748 section 6.1)
   */
  static byte[] x25519SharedSecret(byte[] sk, byte[] pk) throws CryptoFailure {
    if (pk.length != X25519.POINT_SIZE) {
      throw new CryptoFailure(CryptoFailure.Kind.INVALID_POINT, "X25519 public key must be 32 bytes");
    }
    byte[] z = new byte[X25519.POINT_SIZE];
    if (!X25519.calculateAgreement(sk, 0, pk, 0, z, 0)) {
      throw new CryptoFailure(CryptoFailure.Kind.INVALID_POINT, "epk is an X25519 point of small order");
    }
    return z;
  }

  // ---- P-256 -----------------------------------------------------------------------------

  static final class P256Recipient extends EcdhRecipient {
    private final ECPublicKeyParameters pub;

    P256Recipient(ECPublicKeyParameters pub) {
      this.pub = pub;
    }

    @Override
    Agreement agree() {
      ECDomainParameters dom = pub.getParameters();
      BigInteger d = BigIntegers.createRandomInRange(BigInteger.ONE, dom.getN().subtract(BigInteger.ONE), Crypto.random());
      ECPoint q = new FixedPointCombMultiplier().multiply(dom.getG(), d).normalize();
      byte[] z = KeyAgreements.agree(d, pub.getQ(), dom);
      Epk epk =
          new Epk(
              "EC",
              "P-256",
              BigIntegers.asUnsignedByteArray(32, q.getAffineXCoord().toBigInteger()),
              BigIntegers.asUnsignedByteArray(32, q.getAffineYCoord().toBigInteger()));
      return new Agreement(epk, z);
    }
  }

  static byte[] agree(BigInteger d, ECPoint q, ECDomainParameters dom) {
    ECPoint p = q.multiply(d).normalize();
    if (p.isInfinity()) {
      throw new IllegalStateException("ECDH result is the point at infinity");
    }
    return BigIntegers.asUnsignedByteArray(32, p.getAffineXCoord().toBigInteger());
  }

  static final class P256Decrypter implements KeyDecapsulation {
    private final ECPrivateKeyParameters priv;
    private final SharedSecretCache sharedSecrets = new SharedSecretCache();

    P256Decrypter(ECPrivateKeyParameters priv) {
      this.priv = priv;
    }

    @Override
    public String joseAlgorithm() {
      return ECDH_ES;
    }

    @Override
    public ContentCipher contentCipher() {
      return ContentCipher.A256GCM;
    }

    @Override
    public byte[] decapsulate(@Nullable Epk epk, KdfInfo info, byte[] encryptedKey, String enc) throws CryptoFailure {
      if (epk == null || !"EC".equals(epk.kty) || !"P-256".equals(epk.crv) || epk.y == null
          || epk.x.length != 32 || epk.y.length != 32) {
        throw new CryptoFailure(CryptoFailure.Kind.INVALID_POINT, "epk is not a P-256 public key");
      }
      if (info.isEmpty()) {
        byte[] z = p256SharedSecret(priv, epk.x, epk.y);
        byte[] cek = ConcatKdf.deriveDirect(z, enc, 256);
        Arrays.fill(z, (byte) 0);
        return cek;
      }
      byte[] z = sharedSecrets.get(epk, e -> p256SharedSecret(priv, e.x, e.y));
      return ConcatKdf.deriveDirect(z, enc, 256, info.apu, info.apv);
    }
  }

  /**
   * Returns the ECDH shared secret Z (the x-coordinate, 32 bytes) of our P-256 key and a peer's
   * affine point, after validating the point.
   *
   * @throws CryptoFailure INVALID_POINT if a coordinate is not 32 bytes, out of range, or the point
   *     is not on the curve (invalid-curve attack) or is the point at infinity
   */
  static byte[] p256SharedSecret(ECPrivateKeyParameters priv, byte[] x, byte[] y) throws CryptoFailure {
    if (x.length != 32 || y.length != 32) {
      throw new CryptoFailure(CryptoFailure.Kind.INVALID_POINT, "epk coordinates must be 32 bytes");
    }
    ECDomainParameters dom = priv.getParameters();
    ECPoint q;
    try {
      // validatePoint rejects coordinates that are out of range or not on the curve; P-256 has
      // cofactor 1, so a point on the curve other than infinity is in the prime-order group.
      q = dom.getCurve().validatePoint(new BigInteger(1, x), new BigInteger(1, y));
    } catch (IllegalArgumentException e) {
      throw new CryptoFailure(CryptoFailure.Kind.INVALID_POINT, "epk is not a point on P-256");
    }
    if (q.isInfinity()) {
      throw new CryptoFailure(CryptoFailure.Kind.INVALID_POINT, "epk is the point at infinity");
    }
    return agree(priv.getD(), q, dom);
  }

  // ---- SM2 public-key encryption -----------------------------------------------------------

  static final class Sm2Recipient implements KeyEncapsulation {
    private final ECPublicKeyParameters pub;

    Sm2Recipient(ECPublicKeyParameters pub) {
      this.pub = pub;
    }

    @Override
    public String joseAlgorithm() {
      return SM2_PKE;
    }

    @Override
    public ContentCipher contentCipher() {
      return ContentCipher.SM4GCM;
    }

    @Override
    public Encapsulated encapsulate(String enc) {
      byte[] cek = Crypto.randomBytes(ContentCipher.SM4GCM.keyBytes());
      SM2Engine engine = new SM2Engine(SM2Engine.Mode.C1C3C2);
      engine.init(true, new ParametersWithRandom(pub, Crypto.random()));
      try {
        return new Encapsulated(cek, null, engine.processBlock(cek, 0, cek.length));
      } catch (InvalidCipherTextException e) {
        throw new IllegalStateException("SM2 encryption failed", e);
      }
    }
  }

  static final class Sm2Decrypter implements KeyDecapsulation {
    /** C1 (uncompressed point, 65 bytes) || C3 (SM3, 32 bytes) || C2 (16-byte SM4 key). */
    static final int CIPHERTEXT_BYTES = 65 + 32 + 16;

    private final ECPrivateKeyParameters priv;

    Sm2Decrypter(ECPrivateKeyParameters priv) {
      this.priv = priv;
    }

    @Override
    public String joseAlgorithm() {
      return SM2_PKE;
    }

    @Override
    public ContentCipher contentCipher() {
      return ContentCipher.SM4GCM;
    }

    @Override
    public byte[] decapsulate(@Nullable Epk epk, KdfInfo info, byte[] encryptedKey, String enc) throws CryptoFailure {
      if (!info.isEmpty()) {
        throw new CryptoFailure(CryptoFailure.Kind.DECRYPTION_FAILED, "SM2-PKE takes no apu or apv");
      }
      if (encryptedKey.length != CIPHERTEXT_BYTES || encryptedKey[0] != 0x04) {
        throw new CryptoFailure(CryptoFailure.Kind.DECRYPTION_FAILED,
            "SM2 encrypted key must be " + CIPHERTEXT_BYTES + " bytes with an uncompressed C1");
      }
      return sm2Decrypt(priv, encryptedKey);
    }
  }

  /**
   * Decrypts an SM2 ciphertext in C1||C3||C2 order (GB/T 32918.4) of any message length.
   *
   * @throws CryptoFailure INVALID_POINT if C1 is not a point on the curve; DECRYPTION_FAILED if
   *     C3 does not match or the ciphertext is malformed
   */
  static byte[] sm2Decrypt(ECPrivateKeyParameters priv, byte[] c1c3c2) throws CryptoFailure {
    SM2Engine engine = new SM2Engine(SM2Engine.Mode.C1C3C2);
    engine.init(false, priv);
    try {
      return engine.processBlock(c1c3c2, 0, c1c3c2.length);
    } catch (IllegalArgumentException e) {
      throw new CryptoFailure(CryptoFailure.Kind.INVALID_POINT, "SM2 C1 is not a point on the curve");
    } catch (InvalidCipherTextException | RuntimeException e) {
      throw new CryptoFailure(CryptoFailure.Kind.DECRYPTION_FAILED, "SM2 decryption of the content key failed");
    }
  }
}
