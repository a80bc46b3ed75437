import java.security.SecureRandom;
import java.util.Locale;
import org.bouncycastle.crypto.digests.SM3Digest;
import org.bouncycastle.crypto.engines.SM4Engine;
import org.bouncycastle.crypto.modes.GCMBlockCipher;
import org.bouncycastle.crypto.modes.GCMModeCipher;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * Bouncy Castle's single-stream speed (one thread): SM4-GCM encryption of MIB mebibytes in 64 KiB
 * segments (each its own nonce, as a framed envelope seals them; the lightweight API sdk-core uses),
 * then SM3 over the same bytes. Run with the shaded shulian.jar on the class path:
 * {@code java -cp shulian.jar Sm4GcmSpeed.java MIB}; measured after a warm-up pass. Prints {@code sm4gcm_mbps=… sm3_mbps=…}.
 */
public final class Sm4GcmSpeed {
  public static void main(String[] args) throws Exception {
    long total = Long.parseLong(args[0]) << 20;
    run(Math.min(total, 128L << 20), false); // warm-up (JIT), as the gateways are warmed up before they are measured
    run(total, true);
  }

  private static void run(long total, boolean print) {
    byte[] seg = new byte[64 * 1024];
    new SecureRandom().nextBytes(seg);
    byte[] out = new byte[seg.length + 16];
    byte[] key = new byte[16];
    byte[] nonce = new byte[12];
    new SecureRandom().nextBytes(key);
    GCMModeCipher gcm = GCMBlockCipher.newInstance(new SM4Engine());
    long t0 = System.nanoTime();
    for (long done = 0, i = 0; done < total; done += seg.length, i++) {
      nonce[11] = (byte) i;
      nonce[10] = (byte) (i >> 8);
      nonce[9] = (byte) (i >> 16);
      gcm.init(true, new AEADParameters(new KeyParameter(key), 128, nonce));
      int n = gcm.processBytes(seg, 0, seg.length, out, 0);
      try {
        gcm.doFinal(out, n);
      } catch (org.bouncycastle.crypto.InvalidCipherTextException e) {
        throw new IllegalStateException(e);
      }
    }
    double sm4 = total / 1e6 / ((System.nanoTime() - t0) / 1e9);
    SM3Digest sm3 = new SM3Digest();
    byte[] d = new byte[32];
    t0 = System.nanoTime();
    for (long done = 0; done < total; done += seg.length) {
      sm3.update(seg, 0, seg.length);
    }
    sm3.doFinal(d, 0);
    double sm3s = total / 1e6 / ((System.nanoTime() - t0) / 1e9);
    if (print) {
      System.out.printf(Locale.ROOT, "sm4gcm_mbps=%.1f sm3_mbps=%.1f%n", sm4, sm3s);
    }
  }
}
