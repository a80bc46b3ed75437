package io.shulian.core.internal.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MerkleFrontierTest {
  private static List<byte[]> leaves(TreeHasher h, Random rnd, int n) {
    List<byte[]> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      byte[] d = new byte[rnd.nextInt(50)];
      rnd.nextBytes(d);
      out.add(h.leaf(d));
    }
    return out;
  }

  private static MerkleFrontier oneByOne(TreeHasher h, List<byte[]> leaves, int from, int to) {
    MerkleFrontier f = new MerkleFrontier(h);
    for (int i = from; i < to; i++) {
      f.append(leaves.get(i), 0);
    }
    return f;
  }

  /** Splits 0..n into runs that each start at a multiple of a power of two, as the scanner's tasks do. */
  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8})
  void appendFrontier_alignedRuns_sameRootsAsLeafByLeaf(int seed) {
    Random rnd = new Random(seed);
    TreeHasher h = TreeHasher.forId(seed % 2 == 0 ? 2 : 1);
    int n = 1 + rnd.nextInt(300);
    List<byte[]> l = leaves(h, rnd, n);
    int task = 1 << rnd.nextInt(6);
    MerkleFrontier whole = new MerkleFrontier(h);
    int i = 0;
    while (i < n) {
      int run = Math.min(n - i, task - (i & (task - 1)));
      if ((i & (task - 1)) == 0) {
        // a run may stop early (at a damaged record): any prefix of the aligned run appends whole
        int stop = i + 1 + rnd.nextInt(run);
        MerkleFrontier part = oneByOne(h, l, i, stop);
        whole.append(part);
        for (int j = stop; j < i + run; j++) {
          whole.append(l.get(j), 0);
        }
      } else {
        for (int j = i; j < i + run; j++) {
          whole.append(l.get(j), 0);
        }
      }
      i += run;
      assertThat(whole.size()).isEqualTo(i);
      assertThat(whole.root()).as("size %d, task %d", i, task).isEqualTo(oneByOne(h, l, 0, i).root());
    }
    // and it keeps growing correctly leaf by leaf afterwards
    List<byte[]> more = leaves(h, rnd, 17);
    MerkleFrontier ref = oneByOne(h, l, 0, n);
    for (byte[] b : more) {
      whole.append(b, 0);
      ref.append(b, 0);
      assertThat(whole.root()).isEqualTo(ref.root());
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3})
  void copyThenAppend_rootOfConcatenation_originalUnchanged(int seed) {
    Random rnd = new Random(100 + seed);
    TreeHasher h = TreeHasher.forId(1);
    List<byte[]> l = leaves(h, rnd, 64 + 40);
    MerkleFrontier prefix = oneByOne(h, l, 0, 64);
    byte[] before = prefix.root();
    MerkleFrontier upTo = prefix.copy();
    upTo.append(oneByOne(h, l, 64, 64 + 1 + rnd.nextInt(40)));
    assertThat(upTo.root()).isEqualTo(oneByOne(h, l, 0, (int) upTo.size()).root());
    assertThat(prefix.root()).isEqualTo(before);
    assertThat(prefix.size()).isEqualTo(64);
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 3, 5, 6, 7})
  void appendFrontier_unalignedSize_rejected(int size) {
    TreeHasher h = TreeHasher.forId(1);
    List<byte[]> l = leaves(h, new Random(size), 12);
    MerkleFrontier f = oneByOne(h, l, 0, size);
    MerkleFrontier four = oneByOne(h, l, 0, 4);
    assertThatThrownBy(() -> f.append(four)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cannot be appended whole at size " + size);
    assertThat(f.size()).isEqualTo(size);
  }
}
