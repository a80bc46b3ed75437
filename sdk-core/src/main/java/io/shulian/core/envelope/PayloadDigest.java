package io.shulian.core.envelope;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.bouncycastle.crypto.digests.SM3Digest;

/**
 * The digest of a framed payload as it streams by: SHA-256 for the INTL signature algorithms, SM3
 * for {@code SM2-SM3}. Framed v2 signs it (with the payload length); a gateway audits it. Not
 * thread-safe.
 */
final class PayloadDigest {
  private final @org.jspecify.annotations.Nullable SM3Digest sm3;
  private final @org.jspecify.annotations.Nullable MessageDigest sha256;
  private long length;

  private PayloadDigest(boolean sm3) {
    if (sm3) {
      this.sm3 = new SM3Digest();
      this.sha256 = null;
    } else {
      this.sm3 = null;
      try {
        this.sha256 = MessageDigest.getInstance("SHA-256");
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  /** The payload digest of the framed signature algorithm {@code alg} (v1 or v2 name). */
  static PayloadDigest of(String alg) {
    return new PayloadDigest("SM2-SM3".equals(alg));
  }

  /** The payload digest of a party of {@code suite}: SM3 for GM, SHA-256 for INTL. */
  static PayloadDigest of(io.shulian.core.keys.Suite suite) {
    return new PayloadDigest(suite == io.shulian.core.keys.Suite.GM);
  }

  void update(byte[] b, int off, int len) {
    length += len;
    if (sm3 != null) {
      sm3.update(b, off, len);
    } else {
      java.util.Objects.requireNonNull(sha256).update(b, off, len);
    }
  }

  /** Payload bytes digested so far. */
  long length() {
    return length;
  }

  /** The digest of everything so far; the state goes on (a copy is finished). */
  byte[] current() {
    if (sm3 != null) {
      SM3Digest copy = new SM3Digest(sm3);
      byte[] out = new byte[copy.getDigestSize()];
      copy.doFinal(out, 0);
      return out;
    }
    try {
      return ((MessageDigest) java.util.Objects.requireNonNull(sha256).clone()).digest();
    } catch (CloneNotSupportedException e) {
      throw new IllegalStateException("SHA-256 state cannot be copied", e);
    }
  }
}
