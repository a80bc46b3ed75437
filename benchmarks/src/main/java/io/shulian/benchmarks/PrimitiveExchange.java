package io.shulian.benchmarks;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Objects;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.digests.SM3Digest;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.engines.SM2Engine;
import org.bouncycastle.crypto.engines.SM4Engine;
import org.bouncycastle.crypto.modes.GCMBlockCipher;
import org.bouncycastle.crypto.modes.GCMModeCipher;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.crypto.params.ParametersWithID;
import org.bouncycastle.crypto.params.ParametersWithRandom;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.crypto.signers.PlainDSAEncoding;
import org.bouncycastle.crypto.signers.SM2Signer;
import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.math.ec.FixedPointCombMultiplier;
import org.bouncycastle.math.ec.rfc7748.X25519;
import org.bouncycastle.math.ec.rfc8032.Ed25519;
import org.bouncycastle.util.BigIntegers;
import org.jspecify.annotations.Nullable;

/**
 * The bare cryptographic cost of an envelope, on the fastest JVM implementations, called
 * directly (not through Shulian's internal classes, so that this is an independent baseline):
 *
 * <ul>
 *   <li>seal = one signature over the payload + the sender's key agreement (ephemeral key
 *       generation and agreement, or SM2 encryption of a fresh content key) + AEAD encryption
 *       of the payload;
 *   <li>open = the receiver's key agreement (or SM2 decryption) + AEAD decryption + one
 *       signature verification over the decrypted payload.
 * </ul>
 *
 * <p>Left out on purpose, because they are what an envelope adds: encoding (base64url, JSON
 * headers), the key derivation function after ECDH (one SHA-256 of 32 bytes), validation of the
 * peer's point, header checks and the replay cache. All state that can be reused (signers,
 * ciphers, digests, SM2 engines) is initialised once per benchmark thread.
 */
abstract class PrimitiveExchange implements Exchange {
  static final int IV_BYTES = 12;
  static final int TAG_BITS = 128;

  final SecureRandom random = new SecureRandom();
  final byte[] payload;
  private @Nullable Sealed sealed;

  /** What travels from sender to receiver, without any encoding. */
  static final class Sealed {
    final Object ephemeral;
    final byte[] iv;
    final byte[] ciphertext;
    final Object signature;

    Sealed(Object ephemeral, byte[] iv, byte[] ciphertext, Object signature) {
      this.ephemeral = ephemeral;
      this.iv = iv;
      this.ciphertext = ciphertext;
      this.signature = signature;
    }
  }

  PrimitiveExchange(byte[] payload) {
    this.payload = payload;
  }

  static PrimitiveExchange create(BenchSuite suite, byte[] payload) throws Exception {
    PrimitiveExchange x;
    switch (suite) {
      case INTL:
        x = new Intl(payload);
        break;
      case INTL_P256:
        x = new P256(payload);
        break;
      case GM:
        x = new Gm(payload);
        break;
      default:
        throw new AssertionError(suite);
    }
    x.sealed = x.sealNow();
    if (!Arrays.equals(x.openNow(x.sealed), payload)) {
      throw new IllegalStateException("primitives round trip changed the payload");
    }
    return x;
  }

  abstract Sealed sealNow() throws Exception;

  abstract byte[] openNow(Sealed s) throws Exception;

  @Override
  public Object seal() throws Exception {
    return sealNow();
  }

  @Override
  public Object open() throws Exception {
    return openNow(Objects.requireNonNull(sealed, "sealed"));
  }

  @Override
  public Object roundTrip() throws Exception {
    return openNow(sealNow());
  }

  byte[] iv() {
    byte[] iv = new byte[IV_BYTES];
    random.nextBytes(iv);
    return iv;
  }

  /** AES-256-GCM on the JDK (AES-NI, CLMUL intrinsics), one Cipher per direction, reused. */
  abstract static class JdkAesGcm extends PrimitiveExchange {
    private final Cipher enc = Cipher.getInstance("AES/GCM/NoPadding");
    private final Cipher dec = Cipher.getInstance("AES/GCM/NoPadding");

    JdkAesGcm(byte[] payload) throws GeneralSecurityException {
      super(payload);
    }

    byte[] encrypt(byte[] key, byte[] iv, byte[] plaintext) throws GeneralSecurityException {
      enc.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(TAG_BITS, iv));
      return enc.doFinal(plaintext);
    }

    byte[] decrypt(byte[] key, byte[] iv, byte[] ciphertext) throws GeneralSecurityException {
      dec.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(TAG_BITS, iv));
      return dec.doFinal(ciphertext);
    }
  }

  /** Ed25519 (BC RFC 8032 code) + X25519 (BC RFC 7748 code) + AES-256-GCM. */
  static final class Intl extends JdkAesGcm {
    private final byte[] signSk = new byte[Ed25519.SECRET_KEY_SIZE];
    private final byte[] signPk = new byte[Ed25519.PUBLIC_KEY_SIZE];
    private final Ed25519.PublicPoint signPoint;
    private final byte[] encSk = new byte[X25519.SCALAR_SIZE];
    private final byte[] encPk = new byte[X25519.POINT_SIZE];

    Intl(byte[] payload) throws GeneralSecurityException {
      super(payload);
      Ed25519.precompute();
      X25519.precompute();
      Ed25519.generatePrivateKey(random, signSk);
      Ed25519.generatePublicKey(signSk, 0, signPk, 0);
      signPoint = Ed25519.validatePublicKeyFullExport(signPk, 0);
      X25519.generatePrivateKey(random, encSk);
      X25519.generatePublicKey(encSk, 0, encPk, 0);
    }

    @Override
    Sealed sealNow() throws GeneralSecurityException {
      byte[] sig = new byte[Ed25519.SIGNATURE_SIZE];
      Ed25519.sign(signSk, 0, signPk, 0, payload, 0, payload.length, sig, 0);
      byte[] esk = new byte[X25519.SCALAR_SIZE];
      X25519.generatePrivateKey(random, esk);
      byte[] epk = new byte[X25519.POINT_SIZE];
      X25519.generatePublicKey(esk, 0, epk, 0);
      byte[] z = new byte[X25519.POINT_SIZE];
      if (!X25519.calculateAgreement(esk, 0, encPk, 0, z, 0)) {
        throw new IllegalStateException("small-order point");
      }
      byte[] iv = iv();
      return new Sealed(epk, iv, encrypt(z, iv, payload), sig);
    }

    @Override
    byte[] openNow(Sealed s) throws GeneralSecurityException {
      byte[] z = new byte[X25519.POINT_SIZE];
      if (!X25519.calculateAgreement(encSk, 0, (byte[]) s.ephemeral, 0, z, 0)) {
        throw new IllegalStateException("small-order point");
      }
      byte[] pt = decrypt(z, s.iv, s.ciphertext);
      if (!Ed25519.verify((byte[]) s.signature, 0, signPoint, pt, 0, pt.length)) {
        throw new IllegalStateException("bad signature");
      }
      return pt;
    }
  }

  /**
   * ECDSA P-256 (BC ECDSASigner on BC's custom secp256r1 field arithmetic, JDK SHA-256) + ECDH
   * P-256 (fixed-point comb for the ephemeral key, BC's default multiplier for the agreement) +
   * AES-256-GCM.
   */
  static final class P256 extends JdkAesGcm {
    private final ECDomainParameters dom;
    private final FixedPointCombMultiplier comb = new FixedPointCombMultiplier();
    private final ECDSASigner signer = new ECDSASigner();
    private final ECDSASigner verifier = new ECDSASigner();
    private final MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
    private final BigInteger encD;
    private final ECPoint encQ;

    P256(byte[] payload) throws GeneralSecurityException {
      super(payload);
      X9ECParameters x9 = CustomNamedCurves.getByName("secp256r1");
      dom = new ECDomainParameters(x9.getCurve(), x9.getG(), x9.getN(), x9.getH(), x9.getSeed());
      BigInteger signD = scalar();
      signer.init(true, new ParametersWithRandom(new ECPrivateKeyParameters(signD, dom), random));
      verifier.init(false, new ECPublicKeyParameters(comb.multiply(dom.getG(), signD).normalize(), dom));
      encD = scalar();
      encQ = comb.multiply(dom.getG(), encD).normalize();
    }

    private BigInteger scalar() {
      return BigIntegers.createRandomInRange(BigInteger.ONE, dom.getN().subtract(BigInteger.ONE), random);
    }

    private static byte[] x(ECPoint p) {
      return BigIntegers.asUnsignedByteArray(32, p.normalize().getAffineXCoord().toBigInteger());
    }

    @Override
    Sealed sealNow() throws GeneralSecurityException {
      BigInteger[] rs = signer.generateSignature(sha256.digest(payload));
      BigInteger k = scalar();
      ECPoint epk = comb.multiply(dom.getG(), k).normalize();
      byte[] z = x(encQ.multiply(k));
      byte[] iv = iv();
      // The receiver gets coordinates, not our point object (which would carry cached
      // multiplication tables into open()).
      BigInteger[] xy = {epk.getAffineXCoord().toBigInteger(), epk.getAffineYCoord().toBigInteger()};
      return new Sealed(xy, iv, encrypt(z, iv, payload), rs);
    }

    @Override
    byte[] openNow(Sealed s) throws GeneralSecurityException {
      BigInteger[] xy = (BigInteger[]) s.ephemeral;
      byte[] z = x(dom.getCurve().createPoint(xy[0], xy[1]).multiply(encD));
      byte[] pt = decrypt(z, s.iv, s.ciphertext);
      BigInteger[] rs = (BigInteger[]) s.signature;
      if (!verifier.verifySignature(sha256.digest(pt), rs[0], rs[1])) {
        throw new IllegalStateException("bad signature");
      }
      return pt;
    }
  }

  /**
   * SM2 with SM3 and the GM/T 0009 user id (BC SM2Signer, initialised once and reused), SM2
   * encryption of a 16-byte SM4 key (BC SM2Engine, C1C3C2), SM4-GCM (BC, one GCM instance per
   * direction, re-keyed per message).
   */
  static final class Gm extends PrimitiveExchange {
    private final SM2Signer signer = new SM2Signer(PlainDSAEncoding.INSTANCE, new SM3Digest());
    private final SM2Signer verifier = new SM2Signer(PlainDSAEncoding.INSTANCE, new SM3Digest());
    private final SM2Engine kemEncrypt = new SM2Engine(SM2Engine.Mode.C1C3C2);
    private final SM2Engine kemDecrypt = new SM2Engine(SM2Engine.Mode.C1C3C2);
    private final GCMModeCipher gcmEncrypt = GCMBlockCipher.newInstance(new SM4Engine());
    private final GCMModeCipher gcmDecrypt = GCMBlockCipher.newInstance(new SM4Engine());

    Gm(byte[] payload) {
      super(payload);
      X9ECParameters x9 = CustomNamedCurves.getByName("sm2p256v1");
      ECDomainParameters dom = new ECDomainParameters(x9.getCurve(), x9.getG(), x9.getN(), x9.getH(), x9.getSeed());
      FixedPointCombMultiplier comb = new FixedPointCombMultiplier();
      BigInteger n1 = dom.getN().subtract(BigInteger.ONE);
      BigInteger signD = BigIntegers.createRandomInRange(BigInteger.ONE, n1.subtract(BigInteger.ONE), random);
      BigInteger encD = BigIntegers.createRandomInRange(BigInteger.ONE, n1.subtract(BigInteger.ONE), random);
      byte[] userId = "1234567812345678".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      signer.init(true, new ParametersWithID(
          new ParametersWithRandom(new ECPrivateKeyParameters(signD, dom), random), userId));
      verifier.init(false, new ParametersWithID(
          new ECPublicKeyParameters(comb.multiply(dom.getG(), signD).normalize(), dom), userId));
      kemEncrypt.init(true, new ParametersWithRandom(
          new ECPublicKeyParameters(comb.multiply(dom.getG(), encD).normalize(), dom), random));
      kemDecrypt.init(false, new ECPrivateKeyParameters(encD, dom));
    }

    private static byte[] gcm(GCMModeCipher gcm, boolean encrypt, byte[] key, byte[] iv, byte[] in)
        throws Exception {
      gcm.init(encrypt, new AEADParameters(new KeyParameter(key), TAG_BITS, iv));
      byte[] out = new byte[gcm.getOutputSize(in.length)];
      int n = gcm.processBytes(in, 0, in.length, out, 0);
      n += gcm.doFinal(out, n);
      return n == out.length ? out : Arrays.copyOf(out, n);
    }

    @Override
    Sealed sealNow() throws Exception {
      signer.update(payload, 0, payload.length);
      byte[] sig = signer.generateSignature();
      byte[] cek = new byte[16];
      random.nextBytes(cek);
      byte[] encryptedKey = kemEncrypt.processBlock(cek, 0, cek.length);
      byte[] iv = iv();
      return new Sealed(encryptedKey, iv, gcm(gcmEncrypt, true, cek, iv, payload), sig);
    }

    @Override
    byte[] openNow(Sealed s) throws Exception {
      byte[] ek = (byte[]) s.ephemeral;
      byte[] cek = kemDecrypt.processBlock(ek, 0, ek.length);
      byte[] pt = gcm(gcmDecrypt, false, cek, s.iv, s.ciphertext);
      verifier.reset();
      verifier.update(pt, 0, pt.length);
      if (!verifier.verifySignature((byte[]) s.signature)) {
        throw new IllegalStateException("bad signature");
      }
      return pt;
    }
  }
}
