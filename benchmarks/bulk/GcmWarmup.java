import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.security.SecureRandom;


/**
 * How fast the JDK's AES-256-GCM gets in one JVM when it is called the way the framed envelope
 * calls it: one init, AAD and one doFinal per segment (or, with PIECE > 0, the plaintext fed in
 * update() pieces of that size first, as ContentCipher does for encryption). Prints the speed per
 * CPU second of this thread (load-independent, JIT compiler threads excluded) every 128 MiB: the
 * first windows show how long the JDK runs its Java GHASH/CTR loops before C2 compiles their callers
 * with the AES-NI/CLMUL intrinsics.
 *
 *   java benchmarks/bulk/GcmWarmup.java enc|dec SEGMENT-BYTES PIECE-BYTES(0 = one doFinal) MiB [WARM-UPS]
 *   e.g. java benchmarks/bulk/GcmWarmup.java dec 65536 0 1024
 * WARM-UPS: that many 512-byte encrypt+decrypt pairs first (a start-up warm-up, timed).
 */
public class GcmWarmup {
  static void warm(int times) throws Exception {
    byte[] k = new byte[32]; byte[] p = new byte[512]; byte[] o = new byte[512 + 16]; byte[] q = new byte[512];
    Cipher e = Cipher.getInstance("AES/GCM/NoPadding"); Cipher d = Cipher.getInstance("AES/GCM/NoPadding");
    long w0 = System.nanoTime();
    for (int i = 0; i < times; i++) {
      byte[] iv = new byte[12]; iv[0] = (byte) i; iv[1] = (byte) (i >> 8); iv[2] = (byte) (i >> 16);
      e.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(k, "AES"), new GCMParameterSpec(128, iv)); e.updateAAD(p, 0, 32);
      e.doFinal(p, 0, p.length, o, 0);
      d.init(Cipher.DECRYPT_MODE, new SecretKeySpec(k, "AES"), new GCMParameterSpec(128, iv)); d.updateAAD(p, 0, 32);
      d.doFinal(o, 0, o.length, q, 0);
    }
    System.out.printf("warm-up %d x 512 B: %d ms%n", times, (System.nanoTime() - w0) / 1000000);
  }
  public static void main(String[] a) throws Exception {
    String mode = a[0]; // enc | dec
    int seg = Integer.parseInt(a[1]);
    int chunk = Integer.parseInt(a[2]); // 0 = one doFinal
    long total = Long.parseLong(a[3]) << 20;
    byte[] key = new byte[32]; new SecureRandom().nextBytes(key);
    byte[] aad = new byte[300];
    byte[] plain = new byte[seg];
    byte[] ct = new byte[seg + 16];
    byte[] out = new byte[seg + 16];
    Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
    byte[] iv = new byte[12];
    long done = 0, win = 0; var mx = java.lang.management.ManagementFactory.getThreadMXBean(); long t0 = mx.getCurrentThreadCpuTime(); long n = 1;
    if (a.length > 4) warm(Integer.parseInt(a[4]));
    // one ciphertext for decrypt
    c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, iv));
    c.updateAAD(aad); c.doFinal(plain, 0, seg, ct, 0);
    while (done < total) {
      if (mode.equals("enc")) {
        iv[0] = (byte) n; iv[1] = (byte) (n >> 8); iv[2] = (byte) (n >> 16); iv[3] = (byte) (n >> 24);
        c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, iv));
        c.updateAAD(aad);
        int o = 0;
        if (chunk > 0) for (; seg - o > chunk; o += chunk) c.update(plain, o, chunk, out, o);
        c.doFinal(plain, o, seg - o, out, o);
      } else {
        iv[0] = 0;
        c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, iv));
        c.updateAAD(aad);
        c.doFinal(ct, 0, seg + 16, out, 0);
      }
      n++; done += seg; win += seg;
      if (win >= 128L << 20) {
        long t = mx.getCurrentThreadCpuTime();
        System.out.printf("%d MiB: %.0f MB per CPU-s%n", done >> 20, win / 1e6 / ((t - t0) / 1e9));
        t0 = t; win = 0;
      }
    }
  }
}
