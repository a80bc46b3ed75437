package io.shulian.core.trust;

import io.shulian.core.keys.KeyId;
import io.shulian.core.keys.KeyUse;
import io.shulian.core.keys.PartyCertificate;
import io.shulian.core.party.PartyId;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * Trusts exactly the given certificates (each for its own party), without chain validation: for
 * development and for two parties that exchanged certificates directly. Use the city trust when a
 * city CA exists.
 */
public final class PinnedSenderTrust implements SenderTrust {
  private final Map<KeyId, PartyCertificate> byKeyId;

  private PinnedSenderTrust(Map<KeyId, PartyCertificate> byKeyId) {
    this.byKeyId = Map.copyOf(byKeyId);
  }

  /** Trusts these certificates; those that cannot sign are kept but refused for signing. */
  public static PinnedSenderTrust of(Collection<PartyCertificate> certificates) {
    Map<KeyId, PartyCertificate> m = new HashMap<>();
    for (PartyCertificate c : certificates) {
      m.put(c.keyId(), c);
    }
    return new PinnedSenderTrust(m);
  }

  @Override
  public PartyCertificate signer(KeyId keyId, PartyId claimedSender, Instant at) throws TrustException {
    PartyCertificate c = byKeyId.get(keyId);
    if (c == null) {
      throw new TrustException(TrustException.Reason.UNKNOWN_KEY, "no trusted certificate has key id " + keyId);
    }
    if (!c.party().equals(claimedSender)) {
      throw new TrustException(TrustException.Reason.PARTY_MISMATCH,
          "key " + keyId + " belongs to " + c.party() + ", not to the claimed sender " + claimedSender);
    }
    if (!c.allows(KeyUse.SIGN)) {
      throw new TrustException(TrustException.Reason.WRONG_USAGE, "certificate " + keyId + " does not allow signing");
    }
    if (at.isBefore(c.notBefore())) {
      throw new TrustException(TrustException.Reason.NOT_YET_VALID, "certificate " + keyId + " is not valid before " + c.notBefore());
    }
    if (at.isAfter(c.notAfter())) {
      throw new TrustException(TrustException.Reason.EXPIRED, "certificate " + keyId + " expired at " + c.notAfter());
    }
    return c;
  }

  @Override
  public String toString() {
    return "PinnedSenderTrust[" + byKeyId.size() + " certificates]";
  }
}
