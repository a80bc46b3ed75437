package io.shulian.hub.store;

import java.time.Instant;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * An incident action of the city data bureau (应急处置) as stored in {@code hub_actions}: what, on
 * whom, why, who asked, the bundle version that put it into force and, once lifted, who lifted it
 * and the bundle version that did.
 */
public record HubAction(long id, Kind kind, String target, String reason, String requestedBy, Instant createdAt,
    String suite, @Nullable Long bundleVersion, @Nullable Instant liftedAt, @Nullable String liftedBy,
    @Nullable Long liftedBundleVersion, @Nullable String liftReason) {

  /** The kinds of action; {@link #cliName()} is the name in the API and the CLI. */
  public enum Kind {
    SUSPEND_PARTY,
    FREEZE_RESOURCE,
    REVOKE_GRANT,
    /** Revokes a certificate in the city CA and publishes the new CRL; final, it cannot be lifted. */
    EMERGENCY_CRL;

    /** {@code suspend-party}, {@code freeze-resource}, {@code revoke-grant}, {@code revoke-cert}. */
    public String cliName() {
      return this == EMERGENCY_CRL ? "revoke-cert" : name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Parses {@link #cliName()}; null if unknown. */
    public static @Nullable Kind ofCliName(String s) {
      for (Kind k : values()) {
        if (k.cliName().equals(s)) {
          return k;
        }
      }
      return null;
    }
  }

  public boolean inForce() {
    return liftedAt == null;
  }
}
