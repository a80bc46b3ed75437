package io.shulian.hub.bundle;

import io.shulian.core.keys.Suite;
import io.shulian.hub.store.PublishedBundle;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The newest published bundle of each suite, held in memory for the bundle endpoint, and the
 * long-poll waiters parked until a newer one is published. The publisher {@link #offer offers} a
 * bundle only after the database committed it, so a waiter never receives one that a restart
 * could lose.
 *
 * <p>The number of parked waiters is bounded; past the bound {@link #park} refuses and the caller
 * answers at once. Thread-safe; callbacks run on the publishing thread and must not block.
 */
public final class BundleBoard {
  private final int maxWaiters;
  private final Map<Suite, PublishedBundle> newest = new EnumMap<>(Suite.class);
  private final Map<Suite, List<Waiter>> waiters = new EnumMap<>(Suite.class);
  private int parked;

  /** A parked long-poll; {@link #cancel} it when its wait ends or its connection closes. */
  public final class Waiter {
    private final Suite suite;
    private final long after;
    private final Consumer<PublishedBundle> onNewer;
    private final AtomicBoolean done = new AtomicBoolean();

    private Waiter(Suite suite, long after, Consumer<PublishedBundle> onNewer) {
      this.suite = suite;
      this.after = after;
      this.onNewer = onNewer;
    }

    /** Unparks without a bundle; returns false if a bundle was (or is being) delivered instead. */
    public boolean cancel() {
      if (!done.compareAndSet(false, true)) {
        return false;
      }
      synchronized (BundleBoard.this) {
        if (waiters.getOrDefault(suite, List.of()).remove(this)) {
          parked--;
        }
      }
      return true;
    }
  }

  /** @throws IllegalArgumentException if {@code maxWaiters} is below 1 */
  public BundleBoard(int maxWaiters) {
    if (maxWaiters < 1) {
      throw new IllegalArgumentException("maxWaiters must be at least 1, got " + maxWaiters);
    }
    this.maxWaiters = maxWaiters;
  }

  /** Returns the newest bundle of {@code suite} offered so far, or empty. */
  public synchronized Optional<PublishedBundle> newest(Suite suite) {
    return Optional.ofNullable(newest.get(suite));
  }

  /** Returns the number of long-polls parked now. */
  public synchronized int parked() {
    return parked;
  }

  /**
   * Makes {@code b} the newest bundle of its suite if it is newer than the one held, and hands it
   * to every waiter parked for an older version.
   *
   * @return false if an equal or newer bundle is held (nothing changed)
   */
  public boolean offer(PublishedBundle b) {
    List<Waiter> wake = new ArrayList<>();
    synchronized (this) {
      PublishedBundle cur = newest.get(b.suite());
      if (cur != null && cur.version() >= b.version()) {
        return false;
      }
      newest.put(b.suite(), b);
      List<Waiter> ws = waiters.getOrDefault(b.suite(), List.of());
      for (java.util.Iterator<Waiter> it = ws.iterator(); it.hasNext(); ) {
        Waiter w = it.next();
        if (w.after < b.version()) {
          it.remove();
          parked--;
          wake.add(w);
        }
      }
    }
    for (Waiter w : wake) {
      if (w.done.compareAndSet(false, true)) {
        w.onNewer.accept(b);
      }
    }
    return true;
  }

  /**
   * Parks a long-poll for a bundle of {@code suite} newer than {@code after}. If one is already
   * held, {@code onNewer} runs at once (on this thread).
   *
   * @return the waiter, or empty if {@link #maxWaiters} are parked already (nothing was parked)
   */
  public Optional<Waiter> park(Suite suite, long after, Consumer<PublishedBundle> onNewer) {
    Waiter w = new Waiter(suite, after, onNewer);
    PublishedBundle now;
    synchronized (this) {
      now = newest.get(suite);
      if (now == null || now.version() <= after) {
        if (parked >= maxWaiters) {
          return Optional.empty();
        }
        waiters.computeIfAbsent(suite, s -> new ArrayList<>()).add(w);
        parked++;
        return Optional.of(w);
      }
    }
    w.done.set(true);
    onNewer.accept(now);
    return Optional.of(w);
  }
}
