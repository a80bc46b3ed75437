package io.shulian.core.internal.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.Security;
import java.security.spec.AlgorithmParameterSpec;
import java.util.Arrays;
import java.util.SplittableRandom;
import javax.crypto.Cipher;
import javax.crypto.CipherSpi;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/**
 * {@link ContentCipher#A256GCM} feeds long plaintexts to the JDK in pieces: the output must be
 * byte for byte one {@code Cipher.doFinal} of the whole, at and around every piece boundary, also
 * at an offset, and must open again.
 */
class AesGcmPiecesTest {
  private static final int[] LENGTHS = {0, 1, 15, 16, 4095, 4096, 4097, 8191, 8192, 8208, 12289, 65536, 65536 + 7};

  @Test
  void a256gcm_plaintextsAroundPieceBoundaries_equalOneJdkDoFinal() throws Exception {
    SplittableRandom rnd = new SplittableRandom(18);
    for (int len : LENGTHS) {
      byte[] key = bytes(rnd, 32);
      byte[] iv = bytes(rnd, 12);
      byte[] aad = bytes(rnd, 1 + rnd.nextInt(300));
      byte[] in = bytes(rnd, len + 5);
      Cipher jdk = Cipher.getInstance("AES/GCM/NoPadding");
      jdk.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, iv));
      jdk.updateAAD(aad);
      byte[] expected = jdk.doFinal(in, 3, len);

      byte[] out = new byte[len + 16 + 9];
      assertEquals(len + 16, ContentCipher.A256GCM.encrypt(key, iv, aad, in, 3, len, out, 9), "length " + len);
      assertArrayEquals(expected, Arrays.copyOfRange(out, 9, 9 + len + 16), "length " + len);
      byte[] again = new byte[len + 16];
      ContentCipher.A256GCM.encryptAgain(key, iv, aad, in, 3, len, again, 0);
      assertArrayEquals(expected, again, "again, length " + len);

      for (int shift : new int[] {0, 4, -3}) { // in place: the same array, output at the input's offset + shift
        byte[] buf = new byte[len + 16 + 8];
        System.arraycopy(in, 3, buf, 4, len);
        assertEquals(len + 16, ContentCipher.A256GCM.encryptAgain(key, iv, aad, buf, 4, len, buf, 4 + shift));
        assertArrayEquals(expected, Arrays.copyOfRange(buf, 4 + shift, 4 + shift + len + 16), "in place, shift "
            + shift + ", length " + len);
      }

      byte[] plain = new byte[len];
      assertEquals(len, ContentCipher.A256GCM.decrypt(key, iv, aad, out, 9, len + 16, plain, 0));
      assertArrayEquals(Arrays.copyOfRange(in, 3, 3 + len), plain, "opened, length " + len);
    }
  }

  private static byte[] bytes(SplittableRandom rnd, int n) {
    byte[] b = new byte[n];
    rnd.nextBytes(b);
    return b;
  }

  /**
   * AES-GCM as a provider that encrypts nothing before {@code doFinal} (SunPKCS11's, the top provider
   * of a FIPS-mode JDK, buffers an AEAD message whole): {@code update} takes the input and returns 0.
   */
  static final class WholeMessageGcm extends CipherSpi {
    private final ByteArrayOutputStream held = new ByteArrayOutputStream();
    private final Cipher jdk;

    WholeMessageGcm() {
      try {
        jdk = Cipher.getInstance("AES/GCM/NoPadding", "SunJCE");
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
    }

    @Override
    protected void engineSetMode(String mode) {}

    @Override
    protected void engineSetPadding(String padding) {}

    @Override
    protected int engineGetBlockSize() {
      return 16;
    }

    @Override
    protected int engineGetOutputSize(int inputLen) {
      return held.size() + inputLen + 16;
    }

    @Override
    protected byte[] engineGetIV() {
      return jdk.getIV();
    }

    @Override
    protected AlgorithmParameters engineGetParameters() {
      return jdk.getParameters();
    }

    @Override
    protected void engineInit(int opmode, Key key, SecureRandom random) throws java.security.InvalidKeyException {
      held.reset();
      jdk.init(opmode, key, random);
    }

    @Override
    protected void engineInit(int opmode, Key key, AlgorithmParameterSpec params, SecureRandom random)
        throws java.security.InvalidKeyException, java.security.InvalidAlgorithmParameterException {
      held.reset();
      jdk.init(opmode, key, params, random);
    }

    @Override
    protected void engineInit(int opmode, Key key, AlgorithmParameters params, SecureRandom random)
        throws java.security.InvalidKeyException, java.security.InvalidAlgorithmParameterException {
      held.reset();
      jdk.init(opmode, key, params, random);
    }

    @Override
    protected void engineUpdateAAD(byte[] src, int offset, int len) {
      jdk.updateAAD(src, offset, len);
    }

    @Override
    protected byte[] engineUpdate(byte[] input, int inputOffset, int inputLen) {
      held.write(input, inputOffset, inputLen);
      return new byte[0];
    }

    @Override
    protected int engineUpdate(byte[] input, int inputOffset, int inputLen, byte[] output, int outputOffset) {
      held.write(input, inputOffset, inputLen);
      return 0;
    }

    @Override
    protected byte[] engineDoFinal(byte[] input, int inputOffset, int inputLen)
        throws javax.crypto.IllegalBlockSizeException, javax.crypto.BadPaddingException {
      held.write(input, inputOffset, inputLen);
      byte[] all = held.toByteArray();
      held.reset();
      return jdk.doFinal(all);
    }

    @Override
    protected int engineDoFinal(byte[] input, int inputOffset, int inputLen, byte[] output, int outputOffset)
        throws javax.crypto.ShortBufferException, javax.crypto.IllegalBlockSizeException,
            javax.crypto.BadPaddingException {
      byte[] out = engineDoFinal(input, inputOffset, inputLen);
      if (output.length - outputOffset < out.length) {
        throw new javax.crypto.ShortBufferException(out.length + " bytes");
      }
      System.arraycopy(out, 0, output, outputOffset, out.length);
      return out.length;
    }
  }

  @Test
  void a256gcm_aProviderThatEncryptsOnlyAtDoFinal_sameCiphertext() throws Exception {
    Provider p = new Provider("ShulianWholeMessageGcm", "1", "AES-GCM encrypting at doFinal only") {
      private static final long serialVersionUID = 1L;

      {
        putService(new Service(this, "Cipher", "AES/GCM/NoPadding", WholeMessageGcm.class.getName(), null, null) {
          @Override
          public Object newInstance(Object constructorParameter) {
            return new WholeMessageGcm();
          }
        });
      }
    };
    SplittableRandom rnd = new SplittableRandom(25);
    Security.insertProviderAt(p, 1);
    try {
      for (int len : LENGTHS) {
        byte[] key = bytes(rnd, 32);
        byte[] iv = bytes(rnd, 12);
        byte[] aad = bytes(rnd, 40);
        byte[] in = bytes(rnd, len);
        Cipher jdk = Cipher.getInstance("AES/GCM/NoPadding", "SunJCE");
        jdk.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, iv));
        jdk.updateAAD(aad);
        byte[] expected = jdk.doFinal(in);
        byte[] out = new byte[len + 16];
        // encryptAgain takes a new Cipher object: the provider on top now
        assertEquals(len + 16, ContentCipher.A256GCM.encryptAgain(key, iv, aad, in, 0, len, out, 0), "length " + len);
        assertArrayEquals(expected, out, "length " + len);
        byte[] buf = Arrays.copyOf(in, len + 16);
        assertEquals(len + 16, ContentCipher.A256GCM.encryptAgain(key, iv, aad, buf, 0, len, buf, 0), "in place " + len);
        assertArrayEquals(expected, buf, "in place, length " + len);
      }
    } finally {
      Security.removeProvider(p.getName());
    }
  }
}
