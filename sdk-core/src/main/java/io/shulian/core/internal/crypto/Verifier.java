package io.shulian.core.internal.crypto;

/** Verifies signatures of one public key. Implementations are thread-safe. */
public interface Verifier {
  /** The JOSE {@code alg} this verifier accepts; any other is refused before verification. */
  String joseAlgorithm();

  /**
   * Returns true only if {@code sig} is a valid signature over {@code data[off, off+len)}. Malformed
   * signatures (wrong length, out-of-range or zero r, s) return false; never throws for bad input.
   */
  boolean verify(byte[] data, int off, int len, byte[] sig);
}
