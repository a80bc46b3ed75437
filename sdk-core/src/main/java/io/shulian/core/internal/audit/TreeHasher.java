package io.shulian.core.internal.audit;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.bouncycastle.crypto.digests.SM3Digest;

/**
 * RFC 9162 hashing with one 32-byte hash function: leaf = H(0x00 || data), node = H(0x01 || left
 * || right), plus the log's hash chain link = H(0x02 || previous link || leaf hash). Not
 * thread-safe: one instance per thread.
 */
public abstract class TreeHasher {
  public static final int SIZE = 32;
  private static final byte[] LEAF = {0};
  /** Leaves up to this size minus the prefix byte are hashed from {@link #scratch} in one update. */
  private static final int SCRATCH_BYTES = 2048;
  private final byte[] scratch = new byte[SCRATCH_BYTES];

  /** Returns a hasher for the log hash algorithm id (1 = SHA-256, 2 = SM3). */
  public static TreeHasher forId(int id) {
    switch (id) {
      case 1:
        return new Sha256();
      case 2:
        return new Sm3();
      default:
        throw new IllegalArgumentException("unknown hash algorithm id " + id);
    }
  }

  protected abstract void update(byte[] b, int off, int len);

  /** Finishes the hash into {@code out[outOff, outOff+32)} and resets. */
  protected abstract void finish(byte[] out, int outOff);

  public final void leaf(byte[] data, int off, int len, byte[] out, int outOff) {
    if (len <= SCRATCH_BYTES - 1) {
      // one update of prefix + data: the digest then compresses whole blocks straight from the
      // scratch array instead of buffering a one-byte prefix and re-aligning every block after it
      scratch[0] = 0;
      System.arraycopy(data, off, scratch, 1, len);
      update(scratch, 0, len + 1);
    } else {
      update(LEAF, 0, 1);
      update(data, off, len);
    }
    finish(out, outOff);
  }

  /**
   * Same as {@link #leaf(byte[], int, int, byte[], int)} for data that has a byte before it
   * ({@code off >= 1}) which the caller owns: that byte is set to the leaf prefix for the duration
   * of one digest update and then restored, which saves copying the data. The caller must ensure
   * no other thread reads or writes {@code data[off - 1]} meanwhile.
   */
  public final void leafInPlace(byte[] data, int off, int len, byte[] out, int outOff) {
    byte saved = data[off - 1];
    data[off - 1] = 0;
    try {
      update(data, off - 1, len + 1);
    } finally {
      data[off - 1] = saved;
    }
    finish(out, outOff);
  }

  public final byte[] leaf(byte[] data) {
    byte[] out = new byte[SIZE];
    leaf(data, 0, data.length, out, 0);
    return out;
  }

  public final void node(byte[] l, int lOff, byte[] r, int rOff, byte[] out, int outOff) {
    pair(1, l, lOff, r, rOff, out, outOff);
  }

  public final byte[] node(byte[] l, byte[] r) {
    byte[] out = new byte[SIZE];
    node(l, 0, r, 0, out, 0);
    return out;
  }

  /** out = H(0x02 || prev || leaf); out may alias prev. */
  public final void chain(byte[] prev, byte[] leaf, int leafOff, byte[] out) {
    chain(prev, 0, leaf, leafOff, out);
  }

  /** out = H(0x02 || prev[prevOff..+32] || leaf[leafOff..+32]). */
  public final void chain(byte[] prev, int prevOff, byte[] leaf, int leafOff, byte[] out) {
    pair(2, prev, prevOff, leaf, leafOff, out, 0);
  }

  /** out = H(prefix || a[aOff..+32] || b[bOff..+32]) with one digest update; out may alias a or b. */
  private void pair(int prefix, byte[] a, int aOff, byte[] b, int bOff, byte[] out, int outOff) {
    scratch[0] = (byte) prefix;
    System.arraycopy(a, aOff, scratch, 1, SIZE);
    System.arraycopy(b, bOff, scratch, 1 + SIZE, SIZE);
    update(scratch, 0, 1 + 2 * SIZE);
    finish(out, outOff);
  }

  /** The RFC 9162 hash of an empty tree: H(). */
  public final byte[] empty() {
    byte[] out = new byte[SIZE];
    finish(out, 0);
    return out;
  }

  static final class Sha256 extends TreeHasher {
    private final MessageDigest md;

    Sha256() {
      try {
        md = MessageDigest.getInstance("SHA-256");
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("SHA-256 is missing from this JVM", e);
      }
    }

    @Override
    protected void update(byte[] b, int off, int len) {
      md.update(b, off, len);
    }

    @Override
    protected void finish(byte[] out, int outOff) {
      try {
        md.digest(out, outOff, SIZE);
      } catch (java.security.DigestException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  static final class Sm3 extends TreeHasher {
    private final SM3Digest md = new SM3Digest();

    @Override
    protected void update(byte[] b, int off, int len) {
      md.update(b, off, len);
    }

    @Override
    protected void finish(byte[] out, int outOff) {
      md.doFinal(out, outOff);
    }
  }
}
