package io.shulian.core.internal.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/**
 * The AES-GCM warm-up stops at its bounds, stops once segments are fast, never throws, and leaves
 * what other threads seal and open unchanged. (Whether it makes anything faster is measured by
 * benchmarks/bulk/GcmFirstGiB.java, docs/benchmarks.md "AES-GCM warm-up", not asserted here.)
 */
class AesGcmWarmUpTest {

  @Test
  void run_realCipher_endsWithinItsRounds() {
    AesGcmWarmUp.Outcome o = AesGcmWarmUp.run(ContentCipher.A256GCM, 4, Long.MAX_VALUE, System::nanoTime);
    assertThat(o.failure()).isNull();
    assertThat(o.rounds()).isBetween(1, 4);
  }

  @Test
  void run_clockPastTheBudget_runsNoRound() {
    AtomicLong now = new AtomicLong();
    AesGcmWarmUp.Outcome o = AesGcmWarmUp.run(ContentCipher.A256GCM, 400, 1_000, () -> now.getAndAdd(5_000));
    assertEquals(0, o.rounds());
    assertThat(o.fast()).isFalse();
  }

  @Test
  void run_segmentsFastThreeRoundsInARow_stopsThere() {
    AtomicLong now = new AtomicLong();
    AesGcmWarmUp.Outcome o = AesGcmWarmUp.run(ContentCipher.A256GCM, 400, Long.MAX_VALUE, () -> now.getAndAdd(1));
    assertEquals(AesGcmWarmUp.FAST_ROUNDS, o.rounds());
    assertThat(o.fast()).isTrue();
  }

  @Test
  void run_segmentsNeverFast_stopsAtMaxRounds() {
    AtomicLong now = new AtomicLong();
    AesGcmWarmUp.Outcome o = AesGcmWarmUp.run(ContentCipher.A256GCM, 7, Long.MAX_VALUE,
        () -> now.getAndAdd(AesGcmWarmUp.FAST_SEGMENT_NANOS + 1));
    assertEquals(7, o.rounds());
    assertThat(o.fast()).isFalse();
  }

  @Test
  void run_jvmWithoutAesGcm_returnsTheFailureInsteadOfThrowing() {
    ContentCipher missing = new ContentCipher() {
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
        throw new IllegalStateException("AES-GCM is missing from this JVM");
      }

      @Override
      public int decrypt(byte[] key, byte[] iv, byte[] aad, byte[] in, int off, int ctAndTagLen, byte[] out,
          int outOff) {
        throw new IllegalStateException("AES-GCM is missing from this JVM");
      }
    };
    AesGcmWarmUp.Outcome o = AesGcmWarmUp.run(missing, 400, Long.MAX_VALUE, System::nanoTime);
    assertEquals(0, o.rounds());
    assertThat(o.fast()).isFalse();
    assertThat(o.failure()).contains("AES-GCM is missing");
  }

  @Test
  void startOnce_secondCall_startsNothing() {
    AesGcmWarmUp.startOnce();
    assertThat(AesGcmWarmUp.startOnce()).isFalse();
  }

  @Test
  void sealAndOpen_whileAWarmUpRuns_equalOneJdkDoFinal() throws Exception {
    AtomicReference<AesGcmWarmUp.Outcome> outcome = new AtomicReference<>();
    Thread warm = new Thread(() -> outcome.set(AesGcmWarmUp.run(ContentCipher.A256GCM, 20, Long.MAX_VALUE,
        System::nanoTime)));
    warm.start();
    SplittableRandom rnd = new SplittableRandom(9);
    Cipher jdk = Cipher.getInstance("AES/GCM/NoPadding");
    for (int i = 0; i < 200 && (i < 20 || warm.isAlive()); i++) {
      byte[] key = bytes(rnd, 32);
      byte[] iv = bytes(rnd, 12);
      byte[] aad = bytes(rnd, 40);
      byte[] in = bytes(rnd, rnd.nextInt(20_000));
      jdk.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, iv));
      jdk.updateAAD(aad);
      byte[] expected = jdk.doFinal(in);
      byte[] sealed = ContentCipher.A256GCM.encrypt(key, iv, aad, in, 0, in.length);
      assertArrayEquals(expected, sealed);
      assertArrayEquals(in, ContentCipher.A256GCM.decrypt(key, iv, aad, sealed, sealed.length));
    }
    warm.join(120_000);
    assertThat(outcome.get()).isNotNull();
    assertThat(outcome.get().failure()).isNull();
  }

  private static byte[] bytes(SplittableRandom rnd, int n) {
    byte[] b = new byte[n];
    rnd.nextBytes(b);
    return b;
  }
}
