package io.shulian.core.internal.crypto;

/** Key management towards one recipient public key (JWE {@code alg}). Thread-safe. */
public interface KeyEncapsulation {
  String joseAlgorithm();

  /** The JWE {@code enc} that goes with this key management in its suite. */
  ContentCipher contentCipher();

  /** Creates a fresh content key for {@code enc} and what the recipient needs to recover it. */
  Encapsulated encapsulate(String enc);
}
