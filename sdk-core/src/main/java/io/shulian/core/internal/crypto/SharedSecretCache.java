package io.shulian.core.internal.crypto;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * The receiver's cache of secrets a reused sender value stands for, for one static private key:
 * ECDH shared secrets by ephemeral public key, and SM2-PKE-KDF seeds by their SM2 ciphertext. A
 * sender that reuses its ephemeral key or seed for a while ({@link EphemeralKeyReuse}) costs the
 * receiver one scalar multiplication per reuse window instead of one per envelope. Only values
 * that passed validation and gave a valid secret are cached; a miss computes (and validates) as
 * without the cache. Bounded in size and in time.
 */
final class SharedSecretCache {
  /** Computes the secret; throws for an invalid input, which is then not cached. */
  interface Compute {
    byte[] get() throws CryptoFailure;
  }

  private final Cache<ByteBuffer, byte[]> secrets =
      Caffeine.newBuilder().maximumSize(4096).expireAfterAccess(Duration.ofMinutes(10)).executor(Runnable::run).build();

  /** The secret for the sender's value {@code key} (not modified later by the caller), computed on a miss. */
  byte[] get(byte[] key, Compute compute) throws CryptoFailure {
    ByteBuffer k = ByteBuffer.wrap(key);
    byte[] z = secrets.getIfPresent(k);
    if (z == null) {
      z = compute.get();
      secrets.put(k, z);
    }
    return z;
  }

  /** The cache key of an ephemeral public key: x, then y for P-256. */
  static byte[] key(Epk epk) {
    byte[] y = epk.y;
    byte[] k = new byte[epk.x.length + (y == null ? 0 : y.length)];
    System.arraycopy(epk.x, 0, k, 0, epk.x.length);
    if (y != null) {
      System.arraycopy(y, 0, k, epk.x.length, y.length);
    }
    return k;
  }
}
