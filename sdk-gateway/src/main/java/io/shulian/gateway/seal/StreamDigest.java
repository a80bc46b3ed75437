package io.shulian.gateway.seal;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The audit digest of a payload computed as it streams by: SM3 for a GM gateway, SHA-256
 * otherwise (as {@link Exchanges#digest} for a payload held whole). Not thread-safe.
 */
final class StreamDigest {
  private final org.bouncycastle.crypto.digests.SM3Digest sm3;
  private final MessageDigest sha256;
  private final boolean gm;

  StreamDigest(boolean gm) {
    this.gm = gm;
    this.sm3 = new org.bouncycastle.crypto.digests.SM3Digest();
    try {
      this.sha256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  void update(byte[] b, int off, int len) {
    if (gm) {
      sm3.update(b, off, len);
    } else {
      sha256.update(b, off, len);
    }
  }

  byte[] finish() {
    if (gm) {
      byte[] out = new byte[sm3.getDigestSize()];
      sm3.doFinal(out, 0);
      return out;
    }
    return sha256.digest();
  }

  /** An output that digests what is written and passes it on to {@code s} (the released plaintext of a data set). */
  java.io.OutputStream into(io.shulian.core.envelope.SealingStream s) {
    return new java.io.OutputStream() {
      @Override
      public void write(int b) throws java.io.IOException {
        write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] b, int off, int len) throws java.io.IOException {
        update(b, off, len);
        s.write(b, off, len);
      }
    };
  }

  /** The digest as the trailer and the CLI show it: {@code sha256:} or {@code sm3:} and base64url. */
  String label(byte[] digest) {
    return (gm ? "sm3:" : "sha256:") + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
  }
}
