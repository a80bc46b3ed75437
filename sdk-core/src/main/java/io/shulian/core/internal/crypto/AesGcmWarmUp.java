package io.shulian.core.internal.crypto;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs {@link ContentCipher#A256GCM} on throw-away keys until the JIT compiled the JDK's AES-GCM,
 * once per JVM, on a background daemon thread. JDK 17 reaches its AES-NI/CLMUL intrinsics for
 * GHASH and the counter mode only from C2-compiled callers, and C2 compiles a method after
 * thousands of calls: a gateway that decrypts one 64 KiB segment per call ran the Java loops (~0.1
 * GB/s instead of 3-5) for its first hundreds of MiB (docs/benchmarks.md, "AES-GCM warm-up").
 * Small messages reach the call counts with little work; a segment decryption now and then, timed,
 * tells when the intrinsics are in use, and gives the compiler the large-message branches too.
 *
 * <p>Bounded: at most {@link #MAX_ROUNDS} rounds (256 KiB of cipher work each: 100 MiB, about a
 * CPU second in the JDK's Java loops) and {@link #MAX_NANOS} of wall time; on JDK 17 with AES-NI it
 * ends after a few dozen rounds. It never touches keys, cipher objects or output of other threads (the
 * JDK's {@code Cipher} is per thread in {@link ContentCipher}); a failure (e.g. a JVM without
 * AES-GCM) is logged once and ends it.
 */
public final class AesGcmWarmUp {
  private static final Logger LOG = LoggerFactory.getLogger(AesGcmWarmUp.class);
  /** Small encrypt-and-decrypt pairs per round, before the round's timed segment. */
  static final int SMALL_PER_ROUND = 64;
  /** Small messages are 0 to {@code 2 * SMALL_BYTES - 1} bytes long (1 KiB on average). */
  static final int SMALL_BYTES = 1024;
  static final int SEGMENT_BYTES = 65536;
  /**
   * A segment decrypted within this (wall) time is fast: 64 KiB in 50 µs is 1.3 GB/s; JDK 17's
   * Java loops manage ~0.1-0.5 GB/s, its intrinsics 3-5. (Encryption, in 4 KiB pieces, is warmed
   * too but not waited for: its piece calls reach C2 later, and real traffic makes 16 per segment.)
   */
  static final long FAST_SEGMENT_NANOS = 50_000;
  /** Rounds in a row with a fast segment that end the warm-up (a preempted round only looks slow). */
  static final int FAST_ROUNDS = 3;
  static final int MAX_ROUNDS = 400;
  static final long MAX_NANOS = 60_000_000_000L;
  private static final AtomicBoolean STARTED = new AtomicBoolean();

  private AesGcmWarmUp() {}

  /** What a warm-up did: rounds run, whether the segments got fast, and why it stopped early. */
  record Outcome(int rounds, boolean fast, long nanos, @Nullable String failure) {}

  /**
   * Starts the warm-up on a daemon thread unless one was started in this JVM before; returns at
   * once, whether it was started now.
   */
  public static boolean startOnce() {
    if (!STARTED.compareAndSet(false, true)) {
      return false;
    }
    Thread t = new Thread(() -> log(run(ContentCipher.A256GCM, MAX_ROUNDS, MAX_NANOS, System::nanoTime)),
        "shulian-aes-gcm-warm-up");
    t.setDaemon(true);
    t.setPriority(Thread.MIN_PRIORITY);
    t.start();
    return true;
  }

  private static void log(Outcome o) {
    if (o.failure() != null) {
      LOG.warn("AES-GCM warm-up stopped after {} rounds: {}", o.rounds(), o.failure());
    } else if (o.fast()) {
      LOG.info("AES-GCM warm-up: compiled after {} rounds, {} ms", o.rounds(), o.nanos() / 1_000_000);
    } else {
      LOG.info("AES-GCM warm-up: not fast after {} rounds, {} ms (no AES-NI/CLMUL intrinsics, or a busy JIT)",
          o.rounds(), o.nanos() / 1_000_000);
    }
  }

  /**
   * Warms {@code cipher} up in the calling thread, for at most {@code maxRounds} rounds and about
   * {@code maxNanos} by {@code clock}; never throws.
   */
  static Outcome run(ContentCipher cipher, int maxRounds, long maxNanos, LongSupplier clock) {
    long start = clock.getAsLong();
    int rounds = 0;
    try {
      byte[] key = new byte[cipher.keyBytes()];
      java.util.concurrent.ThreadLocalRandom.current().nextBytes(key); // throw-away; any key will do
      byte[] iv = new byte[ContentCipher.IV_BYTES];
      // lengths of every kind (empty, partial blocks, AAD from a short preamble to a long compact
      // header): a branch the compiled code never saw would make the JIT discard it at the first
      // odd-sized last segment of real traffic, and the Java loops would run again until it recompiled
      byte[][] aads = {new byte[13], new byte[64], new byte[301], new byte[700]};
      byte[] plain = new byte[SEGMENT_BYTES];
      byte[] sealed = new byte[SEGMENT_BYTES + ContentCipher.TAG_BYTES + 15];
      byte[] opened = new byte[SEGMENT_BYTES];
      long nonce = 0;
      int fastInARow = 0;
      while (rounds < maxRounds && fastInARow < FAST_ROUNDS && clock.getAsLong() - start < maxNanos) {
        for (int i = 0; i < SMALL_PER_ROUND; i++) {
          int len = (int) (nonce * 131 % (2 * SMALL_BYTES));
          roundTrip(cipher, key, nextIv(iv, nonce), aads[(int) (nonce & 3)], plain, len, sealed, (int) (nonce % 16),
              opened);
          nonce++;
        }
        // a full segment, and every other round a shorter last one
        int len = rounds % 2 == 0 ? SEGMENT_BYTES : SEGMENT_BYTES - 1 - (int) (nonce * 97 % 4096);
        int n = cipher.encrypt(key, nextIv(iv, nonce), aads[rounds & 3], plain, 0, len, sealed, 0);
        long t0 = clock.getAsLong();
        open(cipher, key, iv, aads[rounds & 3], sealed, 0, n, opened, len);
        fastInARow = clock.getAsLong() - t0 <= FAST_SEGMENT_NANOS ? fastInARow + 1 : 0;
        nonce++;
        rounds++;
      }
      return new Outcome(rounds, fastInARow >= FAST_ROUNDS, clock.getAsLong() - start, null);
    } catch (CryptoFailure | RuntimeException e) {
      return new Outcome(rounds, false, clock.getAsLong() - start, e.toString());
    }
  }

  private static byte[] nextIv(byte[] iv, long nonce) {
    for (int i = 0; i < 8; i++) {
      iv[i] = (byte) (nonce >>> (8 * i));
    }
    return iv;
  }

  private static void roundTrip(ContentCipher cipher, byte[] key, byte[] iv, byte[] aad, byte[] plain, int len,
      byte[] sealed, int sealedOff, byte[] opened) throws CryptoFailure {
    open(cipher, key, iv, aad, sealed, sealedOff, cipher.encrypt(key, iv, aad, plain, 0, len, sealed, sealedOff),
        opened, len);
  }

  private static void open(ContentCipher cipher, byte[] key, byte[] iv, byte[] aad, byte[] sealed, int off, int n,
      byte[] opened, int len) throws CryptoFailure {
    if (cipher.decrypt(key, iv, aad, sealed, off, n, opened, 0) != len) {
      throw new IllegalStateException("AES-GCM opened a different length than it sealed");
    }
  }
}
