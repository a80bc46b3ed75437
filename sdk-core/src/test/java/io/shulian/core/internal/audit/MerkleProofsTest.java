package io.shulian.core.internal.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MerkleProofsTest {
  private static final HexFormat HEX = HexFormat.of();
  // The RFC 6962 / Certificate Transparency reference leaves and tree heads (also used by RFC 9162
  // implementations such as transparency-dev/merkle).
  private static final String[] LEAVES = {"", "00", "10", "2021", "3031", "40414243", "5051525354555657",
      "606162636465666768696a6b6c6d6e6f"};
  private static final String[] ROOTS = {
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
      "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
      "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
      "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
      "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
      "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
      "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
      "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"};

  private static MerkleProofs.Leaves ctLeaves(TreeHasher h) {
    MerkleProofs.Leaves l = new MerkleProofs.Leaves();
    for (String s : LEAVES) {
      l.add(h.leaf(HEX.parseHex(s)), 0);
    }
    return l;
  }

  @Test
  void frontierRoot_referenceLeaves_matchesPublishedTreeHeads() {
    TreeHasher h = TreeHasher.forId(1);
    MerkleProofs.Leaves l = ctLeaves(h);
    MerkleFrontier f = new MerkleFrontier(h);
    assertThat(HEX.formatHex(f.root())).isEqualTo(ROOTS[0]);
    for (int n = 1; n <= LEAVES.length; n++) {
      f.append(l.get(n - 1), 0);
      assertThat(HEX.formatHex(f.root())).as("size " + n).isEqualTo(ROOTS[n]);
      assertThat(HEX.formatHex(MerkleProofs.subtreeHash(h, l, 0, n))).isEqualTo(ROOTS[n]);
    }
  }

  @Test
  void inclusionPath_referenceVectors_matchPublishedPaths() {
    TreeHasher h = TreeHasher.forId(1);
    MerkleProofs.Leaves l = ctLeaves(h);
    assertThat(MerkleProofs.inclusionPath(h, l, 0, 8)).map(HEX::formatHex).containsExactly(
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4");
    assertThat(MerkleProofs.inclusionPath(h, l, 5, 8)).map(HEX::formatHex).containsExactly(
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7");
  }

  /** MTH by the RFC's recursive definition, independent of the frontier. */
  private static byte[] mth(TreeHasher h, List<byte[]> leaves, int from, int to) {
    int n = to - from;
    if (n == 0) {
      return h.empty();
    }
    if (n == 1) {
      return leaves.get(from);
    }
    int k = Integer.highestOneBit(n - 1);
    return h.node(mth(h, leaves, from, from + k), mth(h, leaves, from + k, to));
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2})
  void proofs_everyShapeUpTo40_verifyAndMutationsFail(int hashId) {
    TreeHasher h = TreeHasher.forId(hashId);
    Random rnd = new Random(42 + hashId);
    MerkleProofs.Leaves l = new MerkleProofs.Leaves();
    List<byte[]> list = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      byte[] d = new byte[rnd.nextInt(40)];
      rnd.nextBytes(d);
      byte[] leaf = h.leaf(d);
      l.add(leaf, 0);
      list.add(leaf);
    }
    MerkleFrontier f = new MerkleFrontier(h);
    List<byte[]> roots = new ArrayList<>();
    roots.add(f.root());
    for (int n = 1; n <= 40; n++) {
      f.append(list.get(n - 1), 0);
      roots.add(f.root());
      assertThat(roots.get(n)).isEqualTo(mth(h, list, 0, n));
    }
    for (int n = 1; n <= 40; n++) {
      for (int m = 0; m < n; m++) {
        List<byte[]> path = MerkleProofs.inclusionPath(h, l, m, n);
        assertThat(MerkleProofs.verifyInclusion(h, m, n, list.get(m), path, roots.get(n))).isTrue();
        assertThat(MerkleProofs.verifyInclusion(h, m, n, list.get((m + 1) % 40), path, roots.get(n))).isFalse();
        if (n > 1) {
          assertThat(MerkleProofs.verifyInclusion(h, (m + 1) % n, n, list.get(m), path, roots.get(n))).isFalse();
          List<byte[]> bad = new ArrayList<>(path);
          byte[] b = bad.get(rnd.nextInt(bad.size())).clone();
          b[rnd.nextInt(32)] ^= 1;
          bad.set(0, b);
          assertThat(MerkleProofs.verifyInclusion(h, m, n, list.get(m), bad, roots.get(n))).isFalse();
          assertThat(MerkleProofs.verifyInclusion(h, m, n, list.get(m), path.subList(0, path.size() - 1), roots.get(n)))
              .isFalse();
        }
      }
      for (int m = 0; m <= n; m++) {
        List<byte[]> path = MerkleProofs.consistencyPath(h, l, m, n);
        assertThat(MerkleProofs.verifyConsistency(h, m, n, roots.get(m), roots.get(n), path)).as(m + "->" + n).isTrue();
        if (m > 0 && m < n) {
          assertThat(MerkleProofs.verifyConsistency(h, m, n, roots.get(m), roots.get(n - 1), path)).isFalse();
          assertThat(MerkleProofs.verifyConsistency(h, m, n, roots.get(m - 1), roots.get(n), path)).isFalse();
          List<byte[]> bad = new ArrayList<>(path);
          byte[] b = bad.get(bad.size() - 1).clone();
          b[0] ^= 0x40;
          bad.set(bad.size() - 1, b);
          assertThat(MerkleProofs.verifyConsistency(h, m, n, roots.get(m), roots.get(n), bad)).isFalse();
        }
      }
    }
  }
}
