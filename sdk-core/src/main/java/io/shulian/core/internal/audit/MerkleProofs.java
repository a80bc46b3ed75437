package io.shulian.core.internal.audit;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * RFC 9162 section 2.1 inclusion and consistency proofs: generation over a list of leaf hashes and
 * verification from hashes alone. Leaf hashes are held in one flat array (32 bytes each).
 */
public final class MerkleProofs {
  private MerkleProofs() {}

  /** Leaf hashes {@code [0, size)} stored back to back. */
  public static final class Leaves {
    private byte[] data = new byte[32 * 1024];
    private int size;

    public void add(byte[] hash, int off) {
      if ((long) (size + 1) * TreeHasher.SIZE > Integer.MAX_VALUE - 64) {
        throw new IllegalStateException("more than " + size + " leaves: proofs over such a log need an external leaf index");
      }
      if ((size + 1) * TreeHasher.SIZE > data.length) {
        data = java.util.Arrays.copyOf(data, (int) Math.min(Integer.MAX_VALUE - 64, 2L * data.length));
      }
      System.arraycopy(hash, off, data, size * TreeHasher.SIZE, TreeHasher.SIZE);
      size++;
    }

    public int size() {
      return size;
    }

    public byte[] get(int i) {
      byte[] out = new byte[TreeHasher.SIZE];
      System.arraycopy(data, i * TreeHasher.SIZE, out, 0, TreeHasher.SIZE);
      return out;
    }
  }

  /** MTH(D[from:to]). */
  public static byte[] subtreeHash(TreeHasher h, Leaves leaves, int from, int to) {
    MerkleFrontier f = new MerkleFrontier(h);
    for (int i = from; i < to; i++) {
      f.append(leaves.data, i * TreeHasher.SIZE);
    }
    return f.root();
  }

  /** The largest power of two strictly smaller than n (n > 1). */
  static int split(int n) {
    return Integer.highestOneBit(n - 1);
  }

  /** PATH(m, D[n]) of RFC 9162 2.1.3.1, leaf first. */
  public static List<byte[]> inclusionPath(TreeHasher h, Leaves leaves, int m, int n) {
    if (m < 0 || m >= n || n > leaves.size()) {
      throw new IllegalArgumentException("leaf " + m + " is not in a tree of size " + n);
    }
    List<byte[]> out = new ArrayList<>();
    path(h, leaves, m, 0, n, out);
    return out;
  }

  private static void path(TreeHasher h, Leaves leaves, int m, int from, int to, List<byte[]> out) {
    int n = to - from;
    if (n == 1) {
      return;
    }
    int k = split(n);
    if (m < k) {
      path(h, leaves, m, from, from + k, out);
      out.add(subtreeHash(h, leaves, from + k, to));
    } else {
      path(h, leaves, m - k, from + k, to, out);
      out.add(subtreeHash(h, leaves, from, from + k));
    }
  }

  /** PROOF(m, D[n]) of RFC 9162 2.1.4.1; empty when m == n or m == 0. */
  public static List<byte[]> consistencyPath(TreeHasher h, Leaves leaves, int m, int n) {
    if (m < 0 || m > n || n > leaves.size()) {
      throw new IllegalArgumentException("no consistency proof from size " + m + " to size " + n);
    }
    List<byte[]> out = new ArrayList<>();
    if (m > 0 && m < n) {
      subproof(h, leaves, m, 0, n, true, out);
    }
    return out;
  }

  private static void subproof(TreeHasher h, Leaves leaves, int m, int from, int to, boolean b, List<byte[]> out) {
    int n = to - from;
    if (m == n) {
      if (!b) {
        out.add(subtreeHash(h, leaves, from, to));
      }
      return;
    }
    int k = split(n);
    if (m <= k) {
      subproof(h, leaves, m, from, from + k, b, out);
      out.add(subtreeHash(h, leaves, from + k, to));
    } else {
      subproof(h, leaves, m - k, from + k, to, false, out);
      out.add(subtreeHash(h, leaves, from, from + k));
    }
  }

  /** RFC 9162 2.1.3.2: true only if {@code path} proves {@code leafHash} at {@code index} under {@code root}. */
  public static boolean verifyInclusion(
      TreeHasher h, long index, long treeSize, byte[] leafHash, List<byte[]> path, byte[] root) {
    byte[] r = rootFromInclusion(h, index, treeSize, leafHash, path);
    return r != null && MessageDigest.isEqual(r, root);
  }

  /**
   * RFC 9162 2.1.3.2 without the final comparison: the root that {@code path} leads to from
   * {@code leafHash} at {@code index} in a tree of {@code treeSize}, or null if the path cannot be
   * one of that tree (wrong length, index out of range).
   */
  public static byte @Nullable [] rootFromInclusion(TreeHasher h, long index, long treeSize, byte[] leafHash, List<byte[]> path) {
    if (index < 0 || index >= treeSize || !sized(path) || leafHash.length != TreeHasher.SIZE) {
      return null;
    }
    long fn = index;
    long sn = treeSize - 1;
    byte[] r = leafHash.clone();
    for (byte[] p : path) {
      if (sn == 0) {
        return null;
      }
      if ((fn & 1) == 1 || fn == sn) {
        h.node(p, 0, r, 0, r, 0);
        if ((fn & 1) == 0) {
          while ((fn & 1) == 0 && fn != 0) {
            fn >>= 1;
            sn >>= 1;
          }
        }
      } else {
        h.node(r, 0, p, 0, r, 0);
      }
      fn >>= 1;
      sn >>= 1;
    }
    return sn == 0 ? r : null;
  }

  /** RFC 9162 2.1.4.2: true only if {@code path} proves the tree {@code (m, first)} a prefix of {@code (n, second)}. */
  public static boolean verifyConsistency(
      TreeHasher h, long m, long n, byte[] first, byte[] second, List<byte[]> path) {
    if (m < 0 || m > n || !sized(path)) {
      return false;
    }
    if (m == n) {
      return path.isEmpty() && MessageDigest.isEqual(first, second);
    }
    if (m == 0) {
      return path.isEmpty() && MessageDigest.isEqual(first, h.empty());
    }
    if (path.isEmpty()) {
      return false;
    }
    List<byte[]> p = new ArrayList<>(path);
    if (Long.bitCount(m) == 1) {
      p.add(0, first);
    }
    long fn = m - 1;
    long sn = n - 1;
    while ((fn & 1) == 1) {
      fn >>= 1;
      sn >>= 1;
    }
    byte[] fr = p.get(0).clone();
    byte[] sr = p.get(0).clone();
    for (int i = 1; i < p.size(); i++) {
      byte[] c = p.get(i);
      if (sn == 0) {
        return false;
      }
      if ((fn & 1) == 1 || fn == sn) {
        h.node(c, 0, fr, 0, fr, 0);
        h.node(c, 0, sr, 0, sr, 0);
        while ((fn & 1) == 0 && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      } else {
        h.node(sr, 0, c, 0, sr, 0);
      }
      fn >>= 1;
      sn >>= 1;
    }
    return sn == 0 && MessageDigest.isEqual(fr, first) && MessageDigest.isEqual(sr, second);
  }

  private static boolean sized(List<byte[]> path) {
    if (path.size() > 64) {
      return false;
    }
    for (byte[] p : path) {
      if (p == null || p.length != TreeHasher.SIZE) {
        return false;
      }
    }
    return true;
  }
}
