package io.shulian.hub.alert;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * How many events of one subject fell within a sliding span, counted per time bucket ({@code
 * bulk_export}: per minute over an hour), with references to the newest of them for the alert. Its
 * memory is fixed by the bucket count and {@link Alerts#MAX_EVENT_REFS}, however many events
 * arrive (the list of every event of the span that it replaces grew by millions an hour).
 *
 * <p>How exact: the window is the bucket of the newest event and the {@code buckets} buckets before
 * it, so an event counts for between {@code buckets} and {@code buckets + 1} bucket widths after
 * its bucket began — never for less than the exact span, at most one bucket width longer. An event
 * whose bucket has already left the window (a late record) is not counted. Not thread-safe (the
 * rules hold their lock).
 */
final class BucketedWindow {
  private final long width;
  private final int buckets;
  /** Events per bucket, indexed by the bucket number modulo {@code buckets + 1}. */
  private final long[] counts;
  private long newest = Long.MIN_VALUE;
  private long total;
  /** The newest references, a ring of at most {@link Alerts#MAX_EVENT_REFS}, grown as needed. */
  private String[] logIds = new String[0];
  private long[] seqs = new long[0];
  private long[] bucketOf = new long[0];
  private int next;
  private int held;

  /**
   * @param bucketSeconds the width of one bucket
   * @param buckets the buckets that make up the span (60 buckets of 60 s: an hour)
   */
  BucketedWindow(long bucketSeconds, int buckets) {
    if (bucketSeconds < 1 || buckets < 1) {
      throw new IllegalArgumentException("a bucket of at least 1 s and at least one bucket");
    }
    this.width = bucketSeconds;
    this.buckets = buckets;
    this.counts = new long[buckets + 1];
  }

  /**
   * Counts an event at {@code epochSecond} (referenced as {@code logId:seq}).
   *
   * @return the events within the window after it
   */
  long add(long epochSecond, String logId, long seq) {
    long b = Math.floorDiv(epochSecond, width);
    if (newest == Long.MIN_VALUE) {
      newest = b;
    } else if (b > newest) {
      long steps = Math.min(b - newest, counts.length);
      for (long x = 1; x <= steps; x++) {
        int i = slot(newest + x);
        total -= counts[i];
        counts[i] = 0;
      }
      newest = b;
    } else if (b < newest - buckets) {
      return total; // its bucket has left the window
    }
    counts[slot(b)]++;
    total++;
    remember(logId, seq, b);
    return total;
  }

  /** The newest events still within the window, oldest first, as {@code logId:seq}; at most {@link Alerts#MAX_EVENT_REFS}. */
  List<String> refs() {
    List<String> out = new ArrayList<>(held);
    for (int k = 0; k < held; k++) {
      int i = Math.floorMod(next - held + k, logIds.length);
      if (bucketOf[i] >= newest - buckets) {
        out.add(logIds[i] + ":" + seqs[i]);
      }
    }
    return out;
  }

  /** The references held: never more than {@link Alerts#MAX_EVENT_REFS}. */
  int heldRefs() {
    return held;
  }

  /** The counters held: {@code buckets + 1}, fixed. */
  int counters() {
    return counts.length;
  }

  private int slot(long bucket) {
    return (int) Math.floorMod(bucket, (long) counts.length);
  }

  private void remember(String logId, long seq, long bucket) {
    if (held == logIds.length && held < Alerts.MAX_EVENT_REFS) {
      int n = Math.min(Alerts.MAX_EVENT_REFS, Math.max(8, held * 2));
      logIds = Arrays.copyOf(logIds, n);
      seqs = Arrays.copyOf(seqs, n);
      bucketOf = Arrays.copyOf(bucketOf, n);
      next = held; // the ring had not wrapped while it grew
    }
    logIds[next] = logId;
    seqs[next] = seq;
    bucketOf[next] = bucket;
    next = (next + 1) % logIds.length;
    held = Math.min(held + 1, logIds.length);
  }
}
