package io.shulian.core.policy;

import io.shulian.core.trust.BundleHolder;
import io.shulian.core.trust.CityBundle;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which grants their issuers revoked, by {@link Grant#key()}. The in-memory default suits one
 * process; a city deployment takes the revocation list of the city bundle ({@link #fromBundle}),
 * which a gateway hot-reloads. Implementations are thread-safe.
 */
public interface GrantRevocations {
  boolean isRevoked(String grantKey);

  /**
   * Returns the revocations listed in the bundle {@code holder} holds at each call (its {@code
   * grantRevocations} extension, see {@link CityBundle#isGrantRevoked}), so a bundle swapped in by
   * hot reload takes effect with the next decision. With no bundle held every grant counts as
   * revoked (fail closed).
   */
  static GrantRevocations fromBundle(BundleHolder holder) {
    java.util.Objects.requireNonNull(holder, "holder");
    return key -> holder.current().map(b -> b.isGrantRevoked(key)).orElse(true);
  }

  /** Returns a thread-safe in-memory set that {@link InMemory#revoke} adds to. */
  static InMemory inMemory() {
    return new InMemory();
  }

  /** A process-local revocation set. */
  final class InMemory implements GrantRevocations {
    private final Set<String> revoked = ConcurrentHashMap.newKeySet();

    InMemory() {}

    /** Revokes the grant with this {@link Grant#key()}; effective for the next decision. */
    public void revoke(String grantKey) {
      revoked.add(grantKey);
    }

    @Override
    public boolean isRevoked(String grantKey) {
      return revoked.contains(grantKey);
    }
  }
}
