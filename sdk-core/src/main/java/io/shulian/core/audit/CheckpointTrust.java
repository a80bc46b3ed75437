package io.shulian.core.audit;

import io.shulian.core.keys.KeyUse;
import io.shulian.core.keys.PartyCertificate;
import io.shulian.core.party.PartyId;
import io.shulian.core.trust.CityTrust;
import io.shulian.core.trust.TrustException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Decides which certificate may sign a log's checkpoints. The first implementation pins the
 * operator's signing certificates; chain validation to the city root (with revocation) plugs in
 * here without changing the verifier or the proof checks.
 */
@FunctionalInterface
public interface CheckpointTrust {
  /**
   * Returns the trusted certificate whose key must have signed {@code checkpoint}.
   *
   * @param presented certificates shipped with the checkpoint (in a proof or the log directory); an
   *     implementation must not trust them merely because they are presented
   * @throws AuditException UNTRUSTED_SIGNER if no trusted certificate matches the checkpoint key id
   */
  PartyCertificate signerOf(Checkpoint checkpoint, List<PartyCertificate> presented) throws AuditException;

  /** Trusts exactly the given signing certificates (matched by key id), e.g. the operator's. */
  static CheckpointTrust pinned(Collection<PartyCertificate> certificates) {
    List<PartyCertificate> pinned = List.copyOf(certificates);
    if (pinned.isEmpty()) {
      throw new IllegalArgumentException("at least one trusted certificate is needed");
    }
    return (checkpoint, presented) -> {
      List<String> known = new ArrayList<>();
      for (PartyCertificate c : pinned) {
        if (c.keyId().equals(checkpoint.keyId())) {
          if (!c.allows(KeyUse.SIGN)) {
            throw new AuditException(AuditException.Reason.UNTRUSTED_SIGNER,
                "trusted certificate " + c.keyId() + " of " + c.party() + " does not allow signing");
          }
          return c;
        }
        known.add(c.party() + " kid " + c.keyId());
      }
      throw new AuditException(AuditException.Reason.UNTRUSTED_SIGNER,
          "checkpoint at tree size " + checkpoint.treeSize() + " is signed by key " + checkpoint.keyId()
              + ", which is not among the trusted certificates " + known);
    };
  }

  /**
   * Trusts the signing certificates of {@code operator} that {@code city} validates: chaining to a
   * city root, not revoked, allowed to sign at the checkpoint's time. The certificate is looked up
   * by key id in the city trust (the bundle's members) and among those presented with the log.
   *
   * @param operator the log's operator: the city issues signing certificates to every department,
   *     and only the operator's may sign its log
   */
  static CheckpointTrust city(CityTrust city, PartyId operator) {
    return (checkpoint, presented) -> {
      List<PartyCertificate> candidates = new ArrayList<>();
      city.certificate(checkpoint.keyId()).ifPresent(candidates::add);
      for (PartyCertificate c : presented) {
        if (c.keyId().equals(checkpoint.keyId())) {
          candidates.add(c);
        }
      }
      if (candidates.isEmpty()) {
        throw new AuditException(AuditException.Reason.UNTRUSTED_SIGNER, "checkpoint at tree size "
            + checkpoint.treeSize() + " is signed by key " + checkpoint.keyId()
            + ", and no certificate with that key id is in the city trust or was presented with the log");
      }
      String refused = null;
      for (PartyCertificate c : candidates) {
        if (!c.party().equals(operator)) {
          refused = "its key " + c.keyId() + " belongs to " + c.party() + ", not to the operator " + operator;
          continue;
        }
        try {
          return city.validate(c, KeyUse.SIGN, checkpoint.time());
        } catch (TrustException e) {
          refused = "it is not trusted by the city (" + e.code() + "): " + e.getMessage();
        }
      }
      throw new AuditException(AuditException.Reason.UNTRUSTED_SIGNER, "the signer of the checkpoint at tree size "
          + checkpoint.treeSize() + " is refused: " + refused);
    };
  }
}
