package io.shulian.core.internal.audit;

/**
 * The right edge of an append-only RFC 9162 Merkle tree: the roots of the perfect subtrees that
 * make up the first {@code size} leaves, largest first. Appending a leaf costs one node hash on
 * average; the root of the whole tree is folded from right to left, which gives the RFC 9162
 * shape (the left subtree is the largest power of two smaller than the size). Not thread-safe.
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
    System.arraycopy(leaf, off, stack[depth], 0, TreeHasher.SIZE);
    depth++;
    // each trailing one bit of the old size means a perfect subtree of equal height to merge with
    for (long s = size; (s & 1) == 1; s >>>= 1) {
      hasher.node(stack[depth - 2], 0, stack[depth - 1], 0, stack[depth - 2], 0);
      depth--;
    }
    size++;
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
