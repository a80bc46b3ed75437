package io.shulian.core.internal.crypto;

import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.engines.SM4Engine;
import org.bouncycastle.crypto.modes.GCMBlockCipher;
import org.bouncycastle.crypto.modes.GCMModeCipher;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * Authenticated content encryption (JWE {@code enc}) with 96-bit IVs and 128-bit tags. Plaintext
 * is released only after the tag verified: on failure the output buffer is wiped and never
 * returned.
 */
public abstract class ContentCipher {
  public static final int IV_BYTES = 12;
  public static final int TAG_BYTES = 16;

  /** AES-256-GCM on the JDK (AES-NI and CLMUL intrinsics). */
  public static final ContentCipher A256GCM = new JdkAesGcm();

  /** SM4-GCM on Bouncy Castle (GB/T 32907 block cipher in GCM, 128-bit key). */
  public static final ContentCipher SM4GCM = new Sm4Gcm();

  ContentCipher() {}

  public abstract String joseName();

  public abstract int keyBytes();

  /**
   * Encrypts {@code in[off, off+len)} and returns ciphertext followed by the 16-byte tag.
   */
  public final byte[] encrypt(byte[] key, byte[] iv, byte[] aad, byte[] in, int off, int len) {
    byte[] out = new byte[len + TAG_BYTES];
    int n = encrypt(key, iv, aad, in, off, len, out, 0);
    return n == out.length ? out : Arrays.copyOf(out, n);
  }

  /**
   * Decrypts {@code in[0, ctAndTagLen)}, ciphertext followed by the tag.
   *
   * @throws CryptoFailure if the tag does not verify
   */
  public final byte[] decrypt(byte[] key, byte[] iv, byte[] aad, byte[] in, int ctAndTagLen) throws CryptoFailure {
    checkSizes(key, iv, keyBytes());
    if (ctAndTagLen < TAG_BYTES) {
      throw new CryptoFailure(CryptoFailure.Kind.DECRYPTION_FAILED, "ciphertext shorter than the tag");
    }
    byte[] out = new byte[ctAndTagLen - TAG_BYTES];
    int n = decrypt(key, iv, aad, in, 0, ctAndTagLen, out, 0);
    return n == out.length ? out : Arrays.copyOf(out, n);
  }

  /**
   * Encrypts {@code in[off, off+len)} into {@code out} from {@code outOff}: ciphertext followed by
   * the tag, {@code len + 16} bytes, which is returned. {@code in} and {@code out} must not overlap.
   */
  public abstract int encrypt(byte[] key, byte[] iv, byte[] aad, byte[] in, int off, int len, byte[] out, int outOff);

  /**
   * Decrypts {@code in[off, off+ctAndTagLen)} (ciphertext then tag) into {@code out} from
   * {@code outOff} and returns the plaintext length. On failure the bytes written to {@code out}
   * are wiped. {@code in} and {@code out} must not overlap.
   *
   * @throws CryptoFailure if the tag does not verify
   */
  public abstract int decrypt(byte[] key, byte[] iv, byte[] aad, byte[] in, int off, int ctAndTagLen, byte[] out,
      int outOff) throws CryptoFailure;

  private static void checkSizes(byte[] key, byte[] iv, int keyBytes) {
    if (key.length != keyBytes) {
      throw new IllegalArgumentException("content key must be " + keyBytes + " bytes");
    }
    if (iv.length != IV_BYTES) {
      throw new IllegalArgumentException("IV must be 12 bytes");
    }
  }

  /**
   * Encrypts again, with the same key and nonce, a plaintext that the caller has proven to be the
   * one encrypted before (a resumed framed stream): the same ciphertext comes out. The JDK's
   * AES-GCM refuses a key and nonce its cipher object used last; this uses a fresh one.
   */
  public int encryptAgain(byte[] key, byte[] iv, byte[] aad, byte[] in, int off, int len, byte[] out, int outOff) {
    return encrypt(key, iv, aad, in, off, len, out, outOff);
  }

  private static final class JdkAesGcm extends ContentCipher {
    /** Plaintext bytes per {@code Cipher.update} (a multiple of the AES block: GCM encrypts it whole). */
    static final int PIECE_BYTES = 4096;
    private static final ThreadLocal<Cipher> CIPHERS =
        ThreadLocal.withInitial(
            () -> {
              try {
                return Cipher.getInstance("AES/GCM/NoPadding");
              } catch (GeneralSecurityException e) {
                throw new IllegalStateException("AES-GCM is missing from this JVM", e);
              }
            });

    @Override
    public String joseName() {
      return "A256GCM";
    }

    @Override
    public int keyBytes() {
      return 32;
    }


    @Override
    public int encrypt(byte[] key, byte[] iv, byte[] aad, byte[] in, int off, int len, byte[] out, int outOff) {
      checkSizes(key, iv, 32);
      try {
        return encryptWith(CIPHERS.get(), key, iv, aad, in, off, len, out, outOff);
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("AES-GCM encryption failed", e);
      }
    }

    /**
     * One GCM message, its plaintext fed in {@link #PIECE_BYTES} pieces ({@code update}) and the
     * rest with the tag ({@code doFinal}): the same ciphertext and tag as one {@code doFinal}, but
     * the JDK's GHASH and CTR loops are entered once per piece instead of once per segment. JDK 17
     * uses its AES-NI/CLMUL intrinsics for them only from C2-compiled callers, which need thousands
     * of calls: with one call per 64 KiB segment a gateway ran the pure Java GHASH and counter
     * loops for its first gigabytes (docs/benchmarks.md, "INTL path").
     */
    private static int encryptWith(Cipher c, byte[] key, byte[] iv, byte[] aad, byte[] in, int off, int len,
        byte[] out, int outOff) throws GeneralSecurityException {
      c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, iv));
      c.updateAAD(aad);
      if (in == out && off != outOff) {
        // shifted in place: a piece's output would overwrite input of the next piece (one doFinal copies)
        return c.doFinal(in, off, len, out, outOff);
      }
      // a provider may hand out less than a piece, or nothing before doFinal (SunPKCS11, the first
      // provider of a FIPS-mode JDK, holds an AEAD message whole): the output goes on where it stands,
      // never past the input taken, so in place it overwrites only plaintext already taken
      int done = 0;
      int written = 0;
      for (; len - done > PIECE_BYTES; done += PIECE_BYTES) {
        written += c.update(in, off + done, PIECE_BYTES, out, outOff + written);
      }
      return written + c.doFinal(in, off + done, len - done, out, outOff + written);
    }

    @Override
    public int encryptAgain(byte[] key, byte[] iv, byte[] aad, byte[] in, int off, int len, byte[] out, int outOff) {
      checkSizes(key, iv, 32);
      try {
        return encryptWith(Cipher.getInstance("AES/GCM/NoPadding"), key, iv, aad, in, off, len, out, outOff);
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("AES-GCM encryption failed", e);
      }
    }

    @Override
    public int decrypt(byte[] key, byte[] iv, byte[] aad, byte[] in, int off, int ctAndTagLen, byte[] out,
        int outOff) throws CryptoFailure {
      checkSizes(key, iv, 32);
      if (ctAndTagLen < TAG_BYTES) {
        throw new CryptoFailure(CryptoFailure.Kind.DECRYPTION_FAILED, "ciphertext shorter than the tag");
      }
      Cipher c = CIPHERS.get();
      try {
        c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, iv));
        c.updateAAD(aad);
        return c.doFinal(in, off, ctAndTagLen, out, outOff);
      } catch (GeneralSecurityException e) {
        Arrays.fill(out, outOff, Math.min(out.length, outOff + ctAndTagLen - TAG_BYTES), (byte) 0);
        throw new CryptoFailure(CryptoFailure.Kind.DECRYPTION_FAILED, "authentication tag mismatch");
      }
    }

  }

  private static final class Sm4Gcm extends ContentCipher {
    @Override
    public String joseName() {
      return "SM4-GCM";
    }

    @Override
    public int keyBytes() {
      return 16;
    }

    private static GCMModeCipher init(boolean encrypt, byte[] key, byte[] iv, byte[] aad) {
      GCMModeCipher gcm = GCMBlockCipher.newInstance(new SM4Engine());
      gcm.init(encrypt, new AEADParameters(new KeyParameter(key), 128, iv, aad));
      return gcm;
    }


    @Override
    public int encrypt(byte[] key, byte[] iv, byte[] aad, byte[] in, int off, int len, byte[] out, int outOff) {
      checkSizes(key, iv, 16);
      GCMModeCipher gcm = init(true, key, iv, aad);
      int n = gcm.processBytes(in, off, len, out, outOff);
      try {
        return n + gcm.doFinal(out, outOff + n);
      } catch (InvalidCipherTextException e) {
        throw new IllegalStateException("SM4-GCM encryption failed", e);
      }
    }

    @Override
    public int decrypt(byte[] key, byte[] iv, byte[] aad, byte[] in, int off, int ctAndTagLen, byte[] out,
        int outOff) throws CryptoFailure {
      checkSizes(key, iv, 16);
      if (ctAndTagLen < TAG_BYTES) {
        throw new CryptoFailure(CryptoFailure.Kind.DECRYPTION_FAILED, "ciphertext shorter than the tag");
      }
      GCMModeCipher gcm = init(false, key, iv, aad);
      int n = gcm.processBytes(in, off, ctAndTagLen, out, outOff);
      try {
        return n + gcm.doFinal(out, outOff + n);
      } catch (InvalidCipherTextException | IllegalStateException e) {
        // BC releases plaintext before it checks the tag: wipe it.
        Arrays.fill(out, outOff, outOff + ctAndTagLen - TAG_BYTES, (byte) 0);
        throw new CryptoFailure(CryptoFailure.Kind.DECRYPTION_FAILED, "authentication tag mismatch");
      }
    }

  }
}
