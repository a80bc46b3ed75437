package io.shulian.core.internal.crypto;

/** Signs with one private key. Implementations are thread-safe. */
public interface Signer {
  /** The JOSE {@code alg} this signer produces. */
  String joseAlgorithm();

  /** Returns the signature over {@code data[off, off+len)} in the JOSE encoding of the algorithm. */
  byte[] sign(byte[] data, int off, int len);

  /**
   * The algorithm name of {@link #stream} signatures: {@code Ed25519ph} (RFC 8032 prehash with a
   * context) for Ed25519 keys, {@code ES256} and {@code SM2-SM3} otherwise.
   */
  String streamAlgorithm();

  /**
   * Starts a signature over data given in pieces. The returned object belongs to one caller and is
   * not thread-safe; the signer itself stays shareable.
   *
   * @param context the RFC 8032 context of Ed25519ph (at most 255 bytes); ECDSA and SM2 have none, so
   *     callers put their domain separator into the signed data as well
   */
  Streaming stream(byte[] context);

  /** One streaming signature in progress. */
  interface Streaming {
    void update(byte[] data, int off, int len);

    /** Returns the 64-byte signature over everything given to {@link #update}; call once. */
    byte[] finish();

    /** A signature over the hash that {@code md} accumulates: {@code sign} gets the digest. */
    static Streaming overDigest(java.security.MessageDigest md, java.util.function.Function<byte[], byte[]> sign) {
      return new Streaming() {
        @Override
        public void update(byte[] data, int off, int len) {
          md.update(data, off, len);
        }

        @Override
        public byte[] finish() {
          return sign.apply(md.digest());
        }
      };
    }
  }
}
