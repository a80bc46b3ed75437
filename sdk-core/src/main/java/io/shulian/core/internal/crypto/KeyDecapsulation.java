package io.shulian.core.internal.crypto;

import org.jspecify.annotations.Nullable;

/** Recovers content keys with one private key (JWE {@code alg}). Thread-safe. */
public interface KeyDecapsulation {
  String joseAlgorithm();

  ContentCipher contentCipher();

  /**
   * Recovers the content key.
   *
   * @throws CryptoFailure if the peer's point is invalid or the encrypted key does not decrypt
   */
  byte[] decapsulate(@Nullable Epk epk, byte[] encryptedKey, String enc) throws CryptoFailure;
}
