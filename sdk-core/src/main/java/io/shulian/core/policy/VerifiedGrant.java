package io.shulian.core.policy;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A grant whose token signature verified under the issuer's trusted signing certificate. Only
 * {@link GrantVerifier} creates one. That it verified says nothing yet about time, revocation, use
 * count or whether it fits a request: the policy engine checks those on every decision.
 */
public final class VerifiedGrant {
  private final Grant grant;
  private final String token;

  VerifiedGrant(Grant grant, String token) {
    this.grant = grant;
    this.token = token;
  }

  public Grant grant() {
    return grant;
  }

  /** Returns the compact token it was verified from. */
  public String token() {
    return token;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof VerifiedGrant && ((VerifiedGrant) o).grant.equals(grant);
  }

  @Override
  public int hashCode() {
    return Objects.hashCode(grant);
  }

  @Override
  public String toString() {
    return "Verified" + grant;
  }
}
