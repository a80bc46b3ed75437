package io.shulian.gateway.seal;

import io.shulian.gateway.inbound.Limits;

/**
 * The minimum-progress rule of a streamed push upload (docs/return-flow.md "Slow uploads"): in
 * every {@link Limits#pushProgressWindow()} of time the gateway spends <i>waiting</i> for the next
 * piece, at least {@link Limits#pushMinBytes()} must arrive. Time the gateway holds the upload
 * back itself (a slow receiver or backend: auto-read off, nothing asked for) does not count, so
 * backpressure never makes an honest sender "slow"; a sender that trickles (a byte a second) or
 * stalls mid-segment does. Confined to one event loop; times are {@link System#nanoTime()} values
 * passed in.
 */
final class UploadProgress {
  private final long windowNanos;
  private final long minBytes;
  /** Waiting time and bytes of the current window. */
  private long waited;
  private long bytes;
  /** When the current wait's accounting last moved on, while waiting; when that wait began. */
  private long since;
  private long waitBegan;
  private boolean waiting;

  /** What a check finds while the gateway waits: idle past the idle timeout, too slow, or going on. */
  enum Check {
    IDLE,
    TOO_SLOW,
    GOING
  }

  UploadProgress(Limits limits) {
    this.windowNanos = limits.pushProgressWindow().toNanos();
    this.minBytes = limits.pushMinBytes();
  }

  /** The gateway asks for the next piece at {@code now}. */
  void waiting(long now) {
    since = now;
    waitBegan = now;
    waiting = true;
  }

  /**
   * The check of a timer at {@code now}, while waiting: no piece for {@code idleNanos} since the wait
   * began, or a window of waiting closed with too few bytes, or neither (check again after
   * {@link #nextCheck}).
   */
  Check check(long now, long idleNanos) {
    if (now - waitBegan >= idleNanos) {
      return Check.IDLE;
    }
    return check(now) ? Check.GOING : Check.TOO_SLOW;
  }

  /** Nanos from {@code now} (while waiting) to the next {@link #check(long, long)}: the idle deadline or the window's end. */
  long nextCheck(long now, long idleNanos) {
    return Math.max(1, Math.min(idleNanos - (now - waitBegan), remaining()));
  }

  /**
   * {@code n} bytes arrived at {@code now} (the wait, if one ran, ended); false when a window of
   * waiting closed with fewer than the minimum bytes.
   */
  boolean arrived(long now, long n) {
    if (waiting) {
      waited += now - since;
      waiting = false;
    }
    bytes += n;
    return verdict();
  }

  /**
   * Accounts the waiting up to {@code now} (the wait goes on); false when a window of waiting
   * closed with fewer than the minimum bytes.
   */
  boolean check(long now) {
    if (waiting) {
      waited += now - since;
      since = now;
    }
    return verdict();
  }

  /** Nanos of waiting left in the current window: when {@link #check} should run next. */
  long remaining() {
    return Math.max(1, windowNanos - waited);
  }

  /** A closed window with enough bytes starts anew; one with too few breaks the rule. */
  private boolean verdict() {
    if (waited < windowNanos) {
      return true;
    }
    if (bytes < minBytes) {
      return false;
    }
    waited = 0;
    bytes = 0;
    return true;
  }
}
