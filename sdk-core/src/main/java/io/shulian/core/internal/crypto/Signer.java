package io.shulian.core.internal.crypto;

/** Signs with one private key. Implementations are thread-safe. */
public interface Signer {
  /** The JOSE {@code alg} this signer produces. */
  String joseAlgorithm();

  /** Returns the signature over {@code data[off, off+len)} in the JOSE encoding of the algorithm. */
  byte[] sign(byte[] data, int off, int len);
}
