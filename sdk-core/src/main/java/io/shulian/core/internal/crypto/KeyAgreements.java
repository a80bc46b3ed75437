package io.shulian.core.internal.crypto;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.Objects;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.digests.SM3Digest;
import org.bouncycastle.crypto.engines.SM2Engine;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.math.ec.ECAlgorithms;
import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.math.ec.rfc7748.X25519;
import org.jspecify.annotations.Nullable;

/**
 * Key management of the suites: ECDH-ES direct key agreement with X25519 or P-256 (RFC 7518 4.6,
 * RFC 8037) and SM2 public-key encryption of the content key (GB/T 32918.4, ciphertext C1||C3||C2).
 * Every point received from a peer is validated before use.
 */
final class KeyAgreements {
  static final String ECDH_ES = "ECDH-ES";
  static final String SM2_PKE = "SM2-PKE";
  /**
   * SM2-PKE of a 32-byte seed that the sender reuses per recipient for a while ({@link
   * EphemeralKeyReuse}); each envelope's content key is derived from the seed and its own random
   * {@code apu} with the Concat KDF layout over SM3.
   */
  static final String SM2_PKE_KDF = "SM2-PKE-KDF";
  /** Seed length of {@link #SM2_PKE_KDF}. */
  static final int SM2_SEED_BYTES = 32;

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

  /**
   * ECDH-ES recovery of the content key with one static private key: checks that the sender's
   * ephemeral key is a key of our curve, computes Z and derives the key with the Concat KDF; with
   * {@code apu}/{@code apv} (a reused ephemeral key) Z is cached per ephemeral key.
   */
  abstract static class EcdhDecrypter implements KeyDecapsulation {
    private final SharedSecretCache sharedSecrets = new SharedSecretCache();
    private final String notOurKey;

    EcdhDecrypter(String notOurKey) {
      this.notOurKey = notOurKey;
    }

    /** Returns true if {@code epk} has the key type, curve and coordinate lengths of our key. */
    abstract boolean isOurCurve(Epk epk);

    /** Returns the shared secret Z of our key and {@code epk} (whose form {@link #isOurCurve} checked). */
    abstract byte[] sharedSecret(Epk epk) throws CryptoFailure;

    @Override
    public final String joseAlgorithm() {
      return ECDH_ES;
    }

    @Override
    public final ContentCipher contentCipher() {
      return ContentCipher.A256GCM;
    }

    @Override
    public final byte[] decapsulate(@Nullable Epk epk, KdfInfo info, byte[] encryptedKey, String enc)
        throws CryptoFailure {
      if (epk == null || !isOurCurve(epk)) {
        throw new CryptoFailure(CryptoFailure.Kind.INVALID_POINT, notOurKey);
      }
      if (info.isEmpty()) {
        byte[] z = sharedSecret(epk);
        byte[] cek = ConcatKdf.deriveDirect(z, enc, 256);
        Arrays.fill(z, (byte) 0);
        return cek;
      }
      byte[] z = sharedSecrets.get(SharedSecretCache.key(epk), () -> sharedSecret(epk));
      return ConcatKdf.deriveDirect(z, enc, 256, info.apu, info.apv);
    }
  }

  static final class X25519Decrypter extends EcdhDecrypter {
    private final byte[] sk;

    X25519Decrypter(byte[] sk) {
      super("epk is not an X25519 public key");
      this.sk = sk.clone();
    }

    @Override
    boolean isOurCurve(Epk epk) {
      return "OKP".equals(epk.kty) && "X25519".equals(epk.crv) && epk.y == null && epk.x.length == X25519.POINT_SIZE;
    }

    @Override
    byte[] sharedSecret(Epk epk) throws CryptoFailure {
      return x25519SharedSecret(sk, epk.x);
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
      int[] d = EcScalars.of(dom.getN()).randomNonZero(Crypto.random());
      ECPoint q = EcScalars.combMultiply(dom.getG(), d).normalize();
      // The recipient's point is fixed: its comb table is built once and cached on the point.
      byte[] z = xOf(EcScalars.combMultiply(pub.getQ(), d));
      Arrays.fill(d, 0);
      Epk epk = new Epk("EC", "P-256", q.getAffineXCoord().getEncoded(), q.getAffineYCoord().getEncoded());
      return new Agreement(epk, z);
    }
  }

  /**
   * Returns [d]Q's x-coordinate (32 bytes) for our static private key d and a validated peer point
   * Q that the peer chose. Q differs per sender window, so a comb table would not pay off; Bouncy
   * Castle's constant-time multiplier (fixed window of odd signed digits, masked table scans) is
   * used, never {@link ECPoint#multiply}, whose wNAF runs and table indices follow d's bits.
   */
  static byte[] agree(BigInteger d, ECPoint q, ECDomainParameters dom) {
    return xOf(ECAlgorithms.multiplySecret(q, d, dom.getN()));
  }

  private static byte[] xOf(ECPoint p) {
    ECPoint n = p.normalize();
    if (n.isInfinity()) {
      throw new IllegalStateException("ECDH result is the point at infinity");
    }
    return n.getAffineXCoord().getEncoded();
  }

  static final class P256Decrypter extends EcdhDecrypter {
    private final ECPrivateKeyParameters priv;

    P256Decrypter(ECPrivateKeyParameters priv) {
      super("epk is not a P-256 public key");
      this.priv = priv;
    }

    @Override
    boolean isOurCurve(Epk epk) {
      return "EC".equals(epk.kty) && "P-256".equals(epk.crv) && epk.y != null && epk.x.length == 32
          && epk.y.length == 32;
    }

    @Override
    byte[] sharedSecret(Epk epk) throws CryptoFailure {
      return p256SharedSecret(priv, epk.x, Objects.requireNonNull(epk.y));
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

    /** A fresh seed and its SM2 encryption to this recipient (SM2-PKE-KDF). */
    byte[][] newSeed() {
      byte[] seed = Crypto.randomBytes(SM2_SEED_BYTES);
      return new byte[][] {seed, sm2Encrypt(pub, seed)};
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
      return new Encapsulated(cek, null, sm2Encrypt(pub, cek));
    }
  }

  /**
   * SM2 public-key encryption (GB/T 32918.4 section 6.1) in C1||C3||C2 order, with a fresh random
   * k in [1, n-1]. Both multiplications ([k]G and [k]P_B) use the fixed-point comb on k's limbs
   * ({@link EcScalars#combMultiply}: the same operations for every k, masked table scans); P_B's
   * table is built once per recipient point and cached on it, which makes [k]P_B cheaper than
   * Bouncy Castle's constant-time multiplier for a variable point. The result is what SM2Engine in
   * C1C3C2 mode produces and decrypts.
   */
  static byte[] sm2Encrypt(ECPublicKeyParameters pub, byte[] msg) {
    EcScalars scalars = EcScalars.of(pub.getParameters().getN());
    for (int i = 0; i < 100; i++) {
      int[] k = scalars.randomNonZero(Crypto.random());
      byte[] out = sm2EncryptWithK(pub, msg, k);
      Arrays.fill(k, 0);
      if (out != null) {
        return out;
      }
    }
    throw new IllegalStateException("SM2 encryption found no usable k");
  }

  /**
   * Encrypts with a given k (the published examples); null if the KDF output is all zero.
   *
   * @throws IllegalArgumentException if k is not in [1, n-1]
   */
  static byte @Nullable [] sm2EncryptWithK(ECPublicKeyParameters pub, byte[] msg, BigInteger k) {
    BigInteger n = pub.getParameters().getN();
    if (k.signum() <= 0 || k.compareTo(n) >= 0) {
      throw new IllegalArgumentException("SM2 k must be in [1, n-1]");
    }
    return sm2EncryptWithK(pub, msg, EcScalars.of(n).limbs(k));
  }

  /** Encrypts with k in [1, n-1] as limbs; null if the KDF output is all zero (the standard then picks another k). */
  private static byte @Nullable [] sm2EncryptWithK(ECPublicKeyParameters pub, byte[] msg, int[] k) {
    ECDomainParameters dom = pub.getParameters();
    byte[] c1 = EcScalars.combMultiply(dom.getG(), k).normalize().getEncoded(false);
    ECPoint s = EcScalars.combMultiply(pub.getQ(), k).normalize();
    if (s.isInfinity()) {
      throw new IllegalStateException("SM2 recipient point times k is the point at infinity");
    }
    byte[] x2 = s.getAffineXCoord().getEncoded();
    byte[] y2 = s.getAffineYCoord().getEncoded();
    byte[] t = sm3Kdf(x2, y2, msg.length);
    boolean zero = true;
    byte[] c2 = new byte[msg.length];
    for (int i = 0; i < msg.length; i++) {
      zero &= t[i] == 0;
      c2[i] = (byte) (msg[i] ^ t[i]);
    }
    if (zero && msg.length > 0) {
      return null;
    }
    SM3Digest d = new SM3Digest();
    d.update(x2, 0, x2.length);
    d.update(msg, 0, msg.length);
    d.update(y2, 0, y2.length);
    byte[] c3 = new byte[32];
    d.doFinal(c3, 0);
    Arrays.fill(t, (byte) 0);
    byte[] out = new byte[c1.length + c3.length + c2.length];
    System.arraycopy(c1, 0, out, 0, c1.length);
    System.arraycopy(c3, 0, out, c1.length, c3.length);
    System.arraycopy(c2, 0, out, c1.length + c3.length, c2.length);
    return out;
  }

  /** The SM3 key derivation function of GB/T 32918.4 section 5.4.3 over x2||y2. */
  private static byte[] sm3Kdf(byte[] x2, byte[] y2, int len) {
    byte[] out = new byte[len];
    byte[] block = new byte[32];
    SM3Digest d = new SM3Digest();
    for (int ct = 1, at = 0; at < len; ct++, at += 32) {
      d.update(x2, 0, x2.length);
      d.update(y2, 0, y2.length);
      d.update((byte) (ct >>> 24));
      d.update((byte) (ct >>> 16));
      d.update((byte) (ct >>> 8));
      d.update((byte) ct);
      d.doFinal(block, 0);
      System.arraycopy(block, 0, out, at, Math.min(32, len - at));
    }
    Arrays.fill(block, (byte) 0);
    return out;
  }

  static final class Sm2Decrypter implements KeyDecapsulation {
    /** C1 (uncompressed point, 65 bytes) || C3 (SM3, 32 bytes) || C2 (16-byte SM4 key). */
    static final int CIPHERTEXT_BYTES = 65 + 32 + 16;
    /** The same with a 32-byte seed as C2 (SM2-PKE-KDF). */
    static final int SEED_CIPHERTEXT_BYTES = 65 + 32 + SM2_SEED_BYTES;

    private final ECPrivateKeyParameters priv;
    /** Seeds by their SM2 ciphertext: only ones that decrypted (C3 checked) are kept. */
    private final SharedSecretCache seeds = new SharedSecretCache();

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
    public boolean accepts(String alg) {
      return SM2_PKE.equals(alg) || SM2_PKE_KDF.equals(alg);
    }

    @Override
    public byte[] decapsulate(String alg, @Nullable Epk epk, KdfInfo info, byte[] encryptedKey, String enc)
        throws CryptoFailure {
      if (!SM2_PKE_KDF.equals(alg)) {
        return KeyDecapsulation.super.decapsulate(alg, epk, info, encryptedKey, enc);
      }
      if (epk != null) {
        throw new CryptoFailure(CryptoFailure.Kind.DECRYPTION_FAILED, SM2_PKE_KDF + " takes no epk");
      }
      if (info.apu.length < 16 || info.apv.length != 0) {
        throw new CryptoFailure(CryptoFailure.Kind.DECRYPTION_FAILED, SM2_PKE_KDF + " needs an apu of 16 to 64 bytes and no apv");
      }
      if (encryptedKey.length != SEED_CIPHERTEXT_BYTES || encryptedKey[0] != 0x04) {
        throw new CryptoFailure(CryptoFailure.Kind.DECRYPTION_FAILED,
            "SM2 encrypted seed must be " + SEED_CIPHERTEXT_BYTES + " bytes with an uncompressed C1");
      }
      byte[] seed = seeds.get(encryptedKey.clone(), () -> sm2Decrypt(priv, encryptedKey));
      return ConcatKdf.deriveSm3(seed, enc, ContentCipher.SM4GCM.keyBytes() * 8, info.apu, info.apv);
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
