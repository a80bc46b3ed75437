package io.shulian.core.internal.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.SplittableRandom;
import javax.crypto.Cipher;
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
}
