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

  /** True if this key opens envelopes whose JWE {@code alg} is {@code alg}. */
  default boolean accepts(String alg) {
    return joseAlgorithm().equals(alg);
  }

  /**
   * Recovers the content key of an envelope whose JWE {@code alg} is {@code alg} (one that {@link
   * #accepts}).
   */
  default byte[] decapsulate(String alg, @Nullable Epk epk, KdfInfo info, byte[] encryptedKey, String enc)
      throws CryptoFailure {
    if (!accepts(alg)) {
      throw new CryptoFailure(CryptoFailure.Kind.DECRYPTION_FAILED, "alg " + alg + " is not this key's");
    }
    return decapsulate(epk, info, encryptedKey, enc);
  }

  /** Recovers the content key of an envelope without {@code apu} or {@code apv}. */
  default byte[] decapsulate(@Nullable Epk epk, byte[] encryptedKey, String enc) throws CryptoFailure {
    return decapsulate(epk, KdfInfo.NONE, encryptedKey, enc);
  }
}
