package io.shulian.core.internal.audit;

/**
 * The right edge of an append-only RFC 9162 Merkle tree: the roots of the perfect subtrees that
 * make up the first {@code size} leaves, largest first (one per set bit of {@code size}).
 * Appending a leaf costs one node hash on average; the root of the whole tree is folded from right
 * to left, which gives the RFC 9162 shape (the left subtree is the largest power of two smaller
 * than the size). A frontier of leaves that continue this tree at an aligned position can be
 * appended whole, which lets independent ranges of leaves be hashed on different threads. Not
 * thread-safe.
 */
public final class MerkleFrontier {
  private final TreeHasher hasher;
  private final byte[][] stack = new byte[64][];
  private int depth;
  private long size;

  public MerkleFrontier(TreeHasher hasher) {
    this.hasher = hasher;
    for (int i = 0; i < stack.length; i++) {
      stack[i] = new byte[TreeHasher.SIZE];
    }
  }

  public long size() {
    return size;
  }

  /** Appends a leaf hash {@code leaf[off, off+32)}. */
  public void append(byte[] leaf, int off) {
    push(leaf, off, 0);
  }

  /**
   * Appends all leaves of {@code right}, as if they were appended one by one. Costs at most one
   * node hash per subtree of {@code right}.
   *
   * @throws IllegalArgumentException unless this tree's size is a multiple of the largest perfect
   *     subtree of {@code right} (so every subtree of {@code right} stays a subtree here)
   */
  public void append(MerkleFrontier right) {
    if (right.size != 0 && (size & (Long.highestOneBit(right.size) - 1)) != 0) {
      throw new IllegalArgumentException("a tree of " + right.size + " leaves cannot be appended whole at size " + size);
    }
    int i = 0;
    for (int h = 63; h >= 0; h--) {
      if ((right.size & (1L << h)) != 0) {
        push(right.stack[i++], 0, h);
      }
    }
  }

  /** Pushes the root of a perfect subtree of height {@code h}; size is a multiple of 2^h. */
  private void push(byte[] hash, int off, int h) {
    System.arraycopy(hash, off, stack[depth], 0, TreeHasher.SIZE);
    depth++;
    // each trailing one bit of the old size (above h) means a perfect subtree of equal height to merge with
    for (long s = size >>> h; (s & 1) == 1; s >>>= 1) {
      hasher.node(stack[depth - 2], 0, stack[depth - 1], 0, stack[depth - 2], 0);
      depth--;
    }
    size += 1L << h;
  }

  /**
   * Returns the frontier as bytes: the size (8 bytes, big-endian) and then the subtree roots, largest
   * first (one per set bit of the size). {@link #decode} reads it back.
   */
  public byte[] encode() {
    byte[] out = new byte[8 + depth * TreeHasher.SIZE];
    RecordCodec.putLong(out, 0, size);
    for (int i = 0; i < depth; i++) {
      System.arraycopy(stack[i], 0, out, 8 + i * TreeHasher.SIZE, TreeHasher.SIZE);
    }
    return out;
  }

  /**
   * Reads a frontier written by {@link #encode}.
   *
   * @throws IllegalArgumentException if the bytes do not hold exactly one root per set bit of the size
   */
  public static MerkleFrontier decode(TreeHasher hasher, byte[] b) {
    if (b.length < 8) {
      throw new IllegalArgumentException("frontier shorter than its size field");
    }
    long size = RecordCodec.getLong(b, 0);
    if (size < 0 || b.length != 8 + Long.bitCount(size) * TreeHasher.SIZE) {
      throw new IllegalArgumentException("frontier of size " + size + " cannot be " + b.length + " bytes long");
    }
    MerkleFrontier f = new MerkleFrontier(hasher);
    f.depth = Long.bitCount(size);
    for (int i = 0; i < f.depth; i++) {
      System.arraycopy(b, 8 + i * TreeHasher.SIZE, f.stack[i], 0, TreeHasher.SIZE);
    }
    f.size = size;
    return f;
  }

  /** Returns an independent copy of this frontier. */
  public MerkleFrontier copy() {
    MerkleFrontier c = new MerkleFrontier(hasher);
    for (int i = 0; i < depth; i++) {
      System.arraycopy(stack[i], 0, c.stack[i], 0, TreeHasher.SIZE);
    }
    c.depth = depth;
    c.size = size;
    return c;
  }

  /** Returns the root hash of the tree of all leaves appended so far. */
  public byte[] root() {
    if (depth == 0) {
      return hasher.empty();
    }
    byte[] acc = stack[depth - 1].clone();
    for (int i = depth - 2; i >= 0; i--) {
      hasher.node(stack[i], 0, acc, 0, acc, 0);
    }
    return acc;
  }
}
