package io.shulian.core.audit;

import io.shulian.core.internal.audit.MerkleFrontier;
import io.shulian.core.internal.audit.RecordCodec;
import io.shulian.core.internal.audit.TreeHasher;
import io.shulian.core.keys.PartyCertificate;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.List;

/**
 * Verifies a log that arrives in pieces rather than as a directory — the city collector's copy of a
 * gateway's log: records in sequence order, each linked into the hash chain and the RFC 9162 Merkle
 * tree exactly as the writer and {@link AuditVerifier} compute them, and signed checkpoints checked
 * against the tree at their size. The state between pieces is a few hundred bytes
 * ({@link #state()}), so a verifier can be stored with the copy and {@link #resume resumed}.
 *
 * <p>What holds after every call that returned normally: the records appended so far form an
 * unbroken chain from seq 0, and every checkpoint accepted was signed by a key the trust accepts
 * and states exactly this log's root and chain head at its size. Records after the last accepted
 * checkpoint are chain-linked only (as {@code NOT SIGNED} in {@link VerificationReport}). Not
 * thread-safe.
 */
public final class AuditStreamVerifier {
  private final String logId;
  private final HashAlgorithm hashAlgorithm;
  private final TreeHasher hasher;
  private final MerkleFrontier frontier;
  private final byte[] chain;
  private final byte[] leaf = new byte[TreeHasher.SIZE];
  private long covered;

  private AuditStreamVerifier(String logId, HashAlgorithm alg, MerkleFrontier frontier, byte[] chain, long covered) {
    this.logId = logId;
    this.hashAlgorithm = alg;
    this.hasher = TreeHasher.forId(alg.id());
    this.frontier = frontier;
    this.chain = chain;
    this.covered = covered;
  }

  /** Starts verifying log {@code logId} (32 hex digits) from its first record. */
  public static AuditStreamVerifier start(String logId, HashAlgorithm hashAlgorithm) {
    if (!logId.matches("[0-9a-f]{32}")) {
      throw new IllegalArgumentException("a log id is 32 lower-case hex digits, got '" + logId + "'");
    }
    return new AuditStreamVerifier(logId, hashAlgorithm, new MerkleFrontier(TreeHasher.forId(hashAlgorithm.id())),
        new byte[TreeHasher.SIZE], 0);
  }

  /**
   * Continues from a {@link #state()} saved earlier.
   *
   * @throws IllegalArgumentException if {@code state} is not a state this class wrote
   */
  public static AuditStreamVerifier resume(String logId, HashAlgorithm hashAlgorithm, byte[] state) {
    AuditStreamVerifier v = start(logId, hashAlgorithm);
    if (state.length < 8 + TreeHasher.SIZE + 8) {
      throw new IllegalArgumentException("verifier state too short");
    }
    long covered = RecordCodec.getLong(state, 0);
    byte[] chain = Arrays.copyOfRange(state, 8, 8 + TreeHasher.SIZE);
    MerkleFrontier f = MerkleFrontier.decode(TreeHasher.forId(hashAlgorithm.id()),
        Arrays.copyOfRange(state, 8 + TreeHasher.SIZE, state.length));
    if (covered < 0 || covered > f.size()) {
      throw new IllegalArgumentException("verifier state covers " + covered + " of " + f.size() + " records");
    }
    return new AuditStreamVerifier(v.logId, hashAlgorithm, f, chain, covered);
  }

  /** The state to {@link #resume} from: covered size, chain head and Merkle frontier. */
  public byte[] state() {
    byte[] f = frontier.encode();
    byte[] out = new byte[8 + TreeHasher.SIZE + f.length];
    RecordCodec.putLong(out, 0, covered);
    System.arraycopy(chain, 0, out, 8, TreeHasher.SIZE);
    System.arraycopy(f, 0, out, 8 + TreeHasher.SIZE, f.length);
    return out;
  }

  public String logId() {
    return logId;
  }

  public HashAlgorithm hashAlgorithm() {
    return hashAlgorithm;
  }

  /** Records verified so far: the sequence number expected next. */
  public long size() {
    return frontier.size();
  }

  /** Records covered by the latest accepted checkpoint. */
  public long coveredRecords() {
    return covered;
  }

  /** The chain value after the last record (32 zero bytes before the first). */
  public byte[] chainHead() {
    return chain.clone();
  }

  /** Returns the leaf hash of a record body: the hash that identifies it in the tree. */
  public static byte[] leafHash(HashAlgorithm alg, byte[] body) {
    return TreeHasher.forId(alg.id()).leaf(body);
  }

  /**
   * Decodes {@code body} as the record at seq {@link #size()} and links it into the chain and tree.
   *
   * @return the decoded record
   * @throws AuditException LOG_CORRUPT if the body does not decode or carries another seq;
   *     UNSUPPORTED_VERSION for a newer record format. Nothing changes then.
   */
  public AuditEntry append(byte[] body) throws AuditException {
    long seq = frontier.size();
    AuditEntry e = decode(body, "log " + logId + " seq " + seq);
    if (e.seq() != seq) {
      throw new AuditException(AuditException.Reason.LOG_CORRUPT, "log " + logId + ": record has seq " + e.seq()
          + " where seq " + seq + " belongs (a record was deleted, inserted or reordered)");
    }
    hasher.leaf(body, 0, body.length, leaf, 0);
    hasher.chain(chain, leaf, 0, chain);
    frontier.append(leaf, 0);
    return e;
  }

  /**
   * Decodes one record body as a collector stored it after {@link #append} verified it (the hub
   * reads its copy back with this), without linking it into any chain: the body's integrity is the
   * caller's to know.
   *
   * @throws AuditException LOG_CORRUPT if the body does not decode; UNSUPPORTED_VERSION for a newer record format
   */
  public static AuditEntry decode(byte[] body) throws AuditException {
    return decode(body, "record body");
  }

  private static AuditEntry decode(byte[] body, String where) throws AuditException {
    try {
      return RecordCodec.decode(body, 0, body.length);
    } catch (RecordCodec.MalformedRecordException x) {
      throw new AuditException(x.newerVersion() ? AuditException.Reason.UNSUPPORTED_VERSION
          : AuditException.Reason.LOG_CORRUPT, where + ": " + x.getMessage());
    }
  }

  /** The leaf hash of the record appended last. */
  public byte[] lastLeaf() {
    return leaf.clone();
  }

  /**
   * Checks that the records so far end exactly where a writer's stored chain value says:
   * {@code chainHead} equal to {@link #chainHead()}.
   *
   * @throws AuditException LOG_CORRUPT if they differ (the sender's log and this copy forked)
   */
  public void expectChainHead(byte[] chainHead) throws AuditException {
    if (!MessageDigest.isEqual(chainHead, chain)) {
      throw new AuditException(AuditException.Reason.LOG_CORRUPT, "log " + logId + ": the chain value after seq "
          + (size() - 1) + " differs from the one the writer stored (the log was rewritten or forked)");
    }
  }

  /**
   * Accepts a checkpoint at the current size: same log and hash, tree size {@link #size()}, the
   * Merkle root and chain head of the records so far, signed by a key {@code trust} accepts.
   *
   * @return the certificate that verified the signature
   * @throws AuditException LOG_CORRUPT if it belongs to another log, is not at the current size, or
   *     states another root or chain head (a fork); UNTRUSTED_SIGNER, PROOF_INVALID from the
   *     signature check. Nothing changes then.
   */
  public PartyCertificate checkpoint(Checkpoint cp, CheckpointTrust trust, List<PartyCertificate> presented)
      throws AuditException {
    if (!cp.logId().equals(logId) || cp.hashAlgorithm() != hashAlgorithm) {
      throw new AuditException(AuditException.Reason.LOG_CORRUPT, "checkpoint of log " + cp.logId() + " ("
          + cp.hashAlgorithm().displayName() + ") does not belong to log " + logId);
    }
    if (cp.treeSize() != frontier.size()) {
      throw new AuditException(AuditException.Reason.LOG_CORRUPT, "checkpoint at tree size " + cp.treeSize()
          + " cannot be checked at size " + frontier.size());
    }
    if (!MessageDigest.isEqual(cp.root(), frontier.root()) || !MessageDigest.isEqual(cp.chainHead(), chain)) {
      throw new AuditException(AuditException.Reason.LOG_CORRUPT, "checkpoint at tree size " + cp.treeSize()
          + " does not match the records: " + (MessageDigest.isEqual(cp.root(), frontier.root()) ? "chain head" : "Merkle root")
          + " differs (the log was rewritten or forked)");
    }
    PartyCertificate signer = cp.verify(trust, presented);
    covered = cp.treeSize();
    return signer;
  }

  @Override
  public String toString() {
    return "AuditStreamVerifier{log " + logId + ", " + size() + " records, " + covered + " covered}";
  }
}
