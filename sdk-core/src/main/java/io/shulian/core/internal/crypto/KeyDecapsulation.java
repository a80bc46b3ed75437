package io.shulian.core.internal.crypto;

import org.jspecify.annotations.Nullable;

/** Recovers content keys with one private key (JWE {@code alg}). Thread-safe. */
public interface KeyDecapsulation {
  String joseAlgorithm();

  ContentCipher contentCipher();

  /**
   * Recovers the content key.
   *
   * @param info the key-derivation party information ({@code apu}, {@code apv}); only ECDH-ES uses it
   * @throws CryptoFailure if the peer's point is invalid or the encrypted key does not decrypt
   */
  byte[] decapsulate(@Nullable Epk epk, KdfInfo info, byte[] encryptedKey, String enc) throws CryptoFailure;

  /** Recovers the content key of an envelope without {@code apu} or {@code apv}. */
  default byte[] decapsulate(@Nullable Epk epk, byte[] encryptedKey, String enc) throws CryptoFailure {
    return decapsulate(epk, KdfInfo.NONE, encryptedKey, enc);
  }
}
