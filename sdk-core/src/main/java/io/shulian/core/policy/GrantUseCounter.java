package io.shulian.core.policy;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts uses of grants. {@link #tryUse} is atomic: under any concurrency no more than
 * {@code maxUses} calls for one grant return true. The in-memory default suits one process; a
 * gateway keeps its counts in its state directory across restarts, and several gateways share a
 * counter (e.g. in Redis) through this interface. A counter that cannot record a use throws (any
 * {@link RuntimeException}); the policy engine then denies ({@code GRANT_STATE_UNAVAILABLE}, with
 * {@code STATE_NOT_REPLICATED} when it throws {@link StateNotReplicatedException}).
 */
public interface GrantUseCounter {
  /** Records one use and returns true, or returns false without recording if the limit is reached. */
  boolean tryUse(String grantKey, long maxUses);

  /**
   * As {@link #tryUse(String, long)}, for a grant that expires at {@code forgetAfter}: after that
   * its count may be dropped (an expired grant is refused before it is counted). The policy engine
   * calls this one; the default ignores {@code forgetAfter}.
   */
  default boolean tryUse(String grantKey, long maxUses, java.time.Instant forgetAfter) {
    return tryUse(grantKey, maxUses);
  }

  /** Returns the uses recorded so far. */
  long used(String grantKey);

  static GrantUseCounter inMemory() {
    return new InMemory();
  }

  /** A process-local counter. */
  final class InMemory implements GrantUseCounter {
    private final ConcurrentHashMap<String, AtomicLong> uses = new ConcurrentHashMap<>();

    InMemory() {}

    @Override
    public boolean tryUse(String grantKey, long maxUses) {
      AtomicLong n = uses.computeIfAbsent(grantKey, k -> new AtomicLong());
      while (true) {
        long cur = n.get();
        if (cur >= maxUses) {
          return false;
        }
        if (n.compareAndSet(cur, cur + 1)) {
          return true;
        }
      }
    }

    @Override
    public long used(String grantKey) {
      AtomicLong n = uses.get(grantKey);
      return n == null ? 0 : n.get();
    }
  }
}
