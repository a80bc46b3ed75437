package io.shulian.core.internal.crypto;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * The receiver's cache of ECDH shared secrets by ephemeral public key, for one static private key.
 * A sender that reuses its ephemeral key for a while ({@link EphemeralKeyReuse}) costs the receiver
 * one scalar multiplication per reuse window instead of one per envelope. Only points that passed
 * validation and gave a valid secret are cached; a miss computes (and validates) as without the
 * cache. Bounded in size and in time.
 */
final class SharedSecretCache {
  /** Computes Z for a validated point; throws for an invalid one. */
  interface Compute {
    byte[] apply(Epk epk) throws CryptoFailure;
  }

  private final Cache<ByteBuffer, byte[]> secrets =
      Caffeine.newBuilder().maximumSize(4096).expireAfterAccess(Duration.ofMinutes(10)).executor(Runnable::run).build();

  byte[] get(Epk epk, Compute compute) throws CryptoFailure {
    ByteBuffer key = key(epk);
    byte[] z = secrets.getIfPresent(key);
    if (z == null) {
      z = compute.apply(epk);
      secrets.put(key, z);
    }
    return z;
  }

  private static ByteBuffer key(Epk epk) {
    byte[] y = epk.y;
    byte[] k = new byte[epk.x.length + (y == null ? 0 : y.length)];
    System.arraycopy(epk.x, 0, k, 0, epk.x.length);
    if (y != null) {
      System.arraycopy(y, 0, k, epk.x.length, y.length);
    }
    return ByteBuffer.wrap(k);
  }
}
