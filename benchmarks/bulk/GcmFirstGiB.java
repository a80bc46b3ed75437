import io.shulian.core.internal.crypto.AesGcmWarmUp;
import io.shulian.core.internal.crypto.ContentCipher;
import java.lang.management.ManagementFactory;
import java.security.SecureRandom;

/**
 * A fresh JVM opening framed INTL segments the way the consumer gateway does (ContentCipher.A256GCM,
 * one decrypt per 64 KiB segment, a thread-local JDK Cipher, a shorter last segment every 64 MiB as
 * at the end of a 64 MiB data set): prints per 64 MiB the wall time and
 * the CPU time of the decrypting thread, from the first segment on. With "warm", the gateway's
 * AES-GCM warm-up (AesGcmWarmUp.startOnce) is started just before the first segment, as a gateway
 * that gets its first transfer right after start-up; with "warm-idle" the first segment waits until
 * the warm-up thread ended.
 *
 *   java -cp sdk-gateway/target/shulian.jar benchmarks/bulk/GcmFirstGiB.java cold|warm|warm-idle [MiB (default 1024)]
 * Add -XX:+PrintCompilation and grep -i 'ghash\|CounterMode\|GaloisCounterMode\|GCTR' to see when
 * the JDK's GCM methods reach C2 (tier 4).
 */
public class GcmFirstGiB {
  public static void main(String[] a) throws Exception {
    boolean warm = a[0].startsWith("warm");
    long total = (a.length > 1 ? Long.parseLong(a[1]) : 1024) << 20;
    int seg = 65536;
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    byte[] iv = new byte[12];
    byte[] aad = new byte[300];
    byte[] plain = new byte[seg];
    byte[] sealed = ContentCipher.A256GCM.encrypt(key, iv, aad, plain, 0, seg);
    byte[] out = new byte[seg];
    byte[] last = new byte[12345 + 16]; // the last segment of a data set (every 64 MiB)
    ContentCipher.A256GCM.encryptAgain(key, iv, aad, plain, 0, 12345, last, 0); // a fresh Cipher: same key and IV

    var mx = ManagementFactory.getThreadMXBean();
    if (warm) {
      AesGcmWarmUp.startOnce();
      if (a[0].equals("warm-idle")) { // the gateway idle until the warm-up ended
        for (Thread t : Thread.getAllStackTraces().keySet()) {
          if (t.getName().equals("shulian-aes-gcm-warm-up")) {
            t.join();
          }
        }
      }
    }
    long c0 = mx.getCurrentThreadCpuTime(), w0 = System.nanoTime(), cAll = c0, wAll = w0;
    long done = 0, win = 0;
    while (done < total) {
      ContentCipher.A256GCM.decrypt(key, iv, aad, sealed, 0, sealed.length, out, 0);
      done += seg;
      win += seg;
      if (win == 64L << 20) {
        ContentCipher.A256GCM.decrypt(key, iv, aad, last, 0, last.length, out, 0);
        long c = mx.getCurrentThreadCpuTime(), w = System.nanoTime();
        System.out.printf("%5d MiB: %6.0f ms wall, %6.0f ms CPU, %5.0f MB per CPU-s%n", done >> 20, (w - w0) / 1e6,
            (c - c0) / 1e6, win / 1e6 / ((c - c0) / 1e9));
        c0 = c; w0 = w; win = 0;
      }
    }
    System.out.printf("total %d MiB: %.0f ms wall, %.0f ms CPU of this thread%n", total >> 20,
        (System.nanoTime() - wAll) / 1e6, (mx.getCurrentThreadCpuTime() - cAll) / 1e6);
  }
}
