package io.shulian.core.audit;

import io.shulian.core.keys.KeyUse;
import io.shulian.core.keys.PartyCertificate;
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
}
