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

  /** The algorithm name of {@link #stream} signatures, as {@link Signer#streamAlgorithm()}. */
  String streamAlgorithm();

  /**
   * Starts verifying a signature over data given in pieces; not thread-safe, one per caller.
   *
   * @param context the RFC 8032 context of Ed25519ph (ignored by ECDSA and SM2)
   */
  Streaming stream(byte[] context);

  /** One streaming verification in progress. */
  interface Streaming {
    void update(byte[] data, int off, int len);

    /**
     * Returns true only if {@code sig} is a valid signature over everything given to
     * {@link #update}, with the same checks as {@link Verifier#verify}; call once.
     */
    boolean finish(byte[] sig);

    /** A verification over the hash that {@code md} accumulates: {@code verify} gets (digest, signature). */
    static Streaming overDigest(java.security.MessageDigest md,
        java.util.function.BiPredicate<byte[], byte[]> verify) {
      return new Streaming() {
        @Override
        public void update(byte[] data, int off, int len) {
          md.update(data, off, len);
        }

        @Override
        public boolean finish(byte[] sig) {
          return verify.test(md.digest(), sig);
        }
      };
    }
  }
}
