package io.shulian.core.policy.mask;

import org.jspecify.annotations.Nullable;

/**
 * The listed members one object has carried so far, to refuse a member that occurs twice (both
 * walks of the masker: {@link Masker} over Jackson tokens, {@link ByteMasker} over bytes). A
 * member is known by its position among its parent's children: a bit for the first 64, a flag
 * array (made when needed) for the rest. One per object.
 */
final class SeenMembers {
  private long first64;
  private boolean @Nullable [] more;

  /** Records the child; true if the object carried it before. */
  boolean repeated(Masker.Node child, int siblings) {
    int i = child.index;
    if (i < 64) {
      boolean seen = (first64 & (1L << i)) != 0;
      first64 |= 1L << i;
      return seen;
    }
    boolean[] m = more;
    if (m == null) {
      m = new boolean[siblings];
      more = m;
    }
    boolean seen = m[i];
    m[i] = true;
    return seen;
  }
}
