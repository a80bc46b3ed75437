package io.shulian.core.policy;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which grants their issuers revoked, by {@link Grant#key()}. The in-memory default suits one
 * process; a city deployment backs it with the bundle's revocation list. Implementations are
 * thread-safe.
 */
public interface GrantRevocations {
  boolean isRevoked(String grantKey);

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
