package io.shulian.core.trust;

import io.shulian.core.keys.KeyId;
import io.shulian.core.keys.PartyCertificate;
import io.shulian.core.party.PartyId;
import java.time.Instant;

/**
 * Decides which signing keys speak for which party. The envelope opener asks it for the
 * certificate named by an envelope's {@code kid}; an implementation returns it only if it is
 * trusted for signing by {@code claimedSender} at time {@code at}.
 *
 * <p>Implementations must be thread-safe.
 */
public interface SenderTrust {
  /**
   * Returns the trusted signing certificate with this key id.
   *
   * @throws TrustException if the key is unknown, not valid at {@code at}, not allowed to sign, or
   *     belongs to another party than {@code claimedSender}
   */
  PartyCertificate signer(KeyId keyId, PartyId claimedSender, Instant at) throws TrustException;
}
