package io.shulian.core.envelope;

import io.shulian.core.internal.audit.MerkleProofs;
import io.shulian.core.internal.audit.TreeHasher;
import io.shulian.core.internal.crypto.Crypto;
import io.shulian.core.internal.crypto.Signer;
import io.shulian.core.internal.crypto.Verifier;
import io.shulian.core.keys.Suite;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Batch signatures (X-Road signs messages the same way): one signature over the root of an RFC
 * 9162 Merkle tree whose leaves are the JWS signing inputs of several envelopes; each envelope
 * carries its leaf's salt, its inclusion path and the root signature. See docs/envelope-format.md,
 * "Batch signatures".
 *
 * <p>Leaf {@code i} is {@code H(0x00 || salt_i || signingInput_i)} with a fresh 32-byte random salt
 * per envelope, so the sibling hashes an envelope carries say nothing about the other envelopes of
 * its batch. Nodes are {@code H(0x01 || left || right)}; H is SHA-256 (INTL) or SM3 (GM). The signer
 * signs {@code "shulian-envelope-batch-v1\n" || u16 treeSize || root}, which contains a newline and
 * so can never be a JWS signing input (base64url and '.'), nor an audit checkpoint.
 *
 * <p>The JWS signature part of a batch-signed envelope is {@code base64url(proof)} with proof =
 * {@code version(1)=1 || u16 treeSize || u16 index || salt(32) || u8 pathLength || path(32 each)
 * || signature} and the JWS {@code alg} is {@code SHL-BATCH-} + the signature algorithm.
 */
final class BatchSignature {
  static final String ALG_PREFIX = "SHL-BATCH-";
  /** The most envelopes one signature covers. */
  static final int MAX_BATCH = 256;
  static final int SALT_BYTES = 32;
  /** Every suite's signatures are 64 bytes in their JOSE form (Ed25519; r || s for ES256 and SM2). */
  static final int SIGNATURE_BYTES = 64;
  private static final int VERSION = 1;
  private static final byte[] DOMAIN = "shulian-envelope-batch-v1\n".getBytes(StandardCharsets.US_ASCII);
  private static final int MAX_PATH = 8; // ceil(log2(MAX_BATCH))

  private BatchSignature() {}

  static boolean isBatch(String alg) {
    return alg != null && alg.startsWith(ALG_PREFIX);
  }

  static TreeHasher hasher(Suite suite) {
    return TreeHasher.forId(suite == Suite.GM ? 2 : 1);
  }

  /**
   * Signs {@code inputs.size()} signing inputs (2 .. {@link #MAX_BATCH}) with one signature and
   * returns one proof per input, in order.
   */
  static byte[][] sign(Signer signer, Suite suite, List<byte[]> inputs) {
    int n = inputs.size();
    if (n < 2 || n > MAX_BATCH) {
      throw new IllegalArgumentException("a batch holds 2 to " + MAX_BATCH + " envelopes, got " + n);
    }
    TreeHasher h = hasher(suite);
    byte[][] salts = new byte[n][];
    byte[][] leaves = new byte[n][];
    for (int i = 0; i < n; i++) {
      salts[i] = Crypto.randomBytes(SALT_BYTES);
      leaves[i] = leaf(h, salts[i], inputs.get(i), 0, inputs.get(i).length);
    }
    List<List<byte[]>> paths = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      paths.add(new ArrayList<>(MAX_PATH));
    }
    byte[] root = build(h, leaves, 0, n, paths);
    byte[] msg = rootMessage(n, root);
    byte[] sig = signer.sign(msg, 0, msg.length);
    if (sig.length != SIGNATURE_BYTES) {
      throw new IllegalStateException("signature of unexpected length " + sig.length);
    }
    byte[][] proofs = new byte[n][];
    for (int i = 0; i < n; i++) {
      List<byte[]> path = paths.get(i);
      byte[] p = new byte[1 + 2 + 2 + SALT_BYTES + 1 + path.size() * TreeHasher.SIZE + sig.length];
      int at = 0;
      p[at++] = VERSION;
      p[at++] = (byte) (n >>> 8);
      p[at++] = (byte) n;
      p[at++] = (byte) (i >>> 8);
      p[at++] = (byte) i;
      System.arraycopy(salts[i], 0, p, at, SALT_BYTES);
      at += SALT_BYTES;
      p[at++] = (byte) path.size();
      for (byte[] s : path) {
        System.arraycopy(s, 0, p, at, TreeHasher.SIZE);
        at += TreeHasher.SIZE;
      }
      System.arraycopy(sig, 0, p, at, sig.length);
      proofs[i] = p;
    }
    return proofs;
  }

  /** MTH(D[from:to]) of RFC 9162 2.1.1, adding to each leaf's path the sibling subtree hashes, leaf first. */
  private static byte[] build(TreeHasher h, byte[][] leaves, int from, int to, List<List<byte[]>> paths) {
    if (to - from == 1) {
      return leaves[from];
    }
    int k = Integer.highestOneBit(to - from - 1);
    byte[] left = build(h, leaves, from, from + k, paths);
    byte[] right = build(h, leaves, from + k, to, paths);
    for (int i = from; i < from + k; i++) {
      paths.get(i).add(right);
    }
    for (int i = from + k; i < to; i++) {
      paths.get(i).add(left);
    }
    return h.node(left, right);
  }

  private static byte[] leaf(TreeHasher h, byte[] salt, byte[] input, int off, int len) {
    byte[] data = new byte[salt.length + len];
    System.arraycopy(salt, 0, data, 0, salt.length);
    System.arraycopy(input, off, data, salt.length, len);
    return h.leaf(data);
  }

  static byte[] rootMessage(int treeSize, byte[] root) {
    byte[] m = Arrays.copyOf(DOMAIN, DOMAIN.length + 2 + root.length);
    m[DOMAIN.length] = (byte) (treeSize >>> 8);
    m[DOMAIN.length + 1] = (byte) treeSize;
    System.arraycopy(root, 0, m, DOMAIN.length + 2, root.length);
    return m;
  }

  /** A parsed proof; {@link #rootMessage} and {@link #signature} are what the signer signed. */
  static final class Proof {
    final int treeSize;
    final byte[] rootMessage;
    final byte[] signature;

    private Proof(int treeSize, byte[] rootMessage, byte[] signature) {
      this.treeSize = treeSize;
      this.rootMessage = rootMessage;
      this.signature = signature;
    }
  }

  /**
   * Recomputes the root from the signing input {@code jws[0, inputLen)} and the proof, and returns
   * what must then be verified under the signer's key.
   *
   * @throws BadSignatureException if the proof is malformed or does not lead to a root
   */
  static Proof recompute(Suite suite, byte[] jws, int inputLen, byte[] proof) throws BadSignatureException {
    int fixed = 1 + 2 + 2 + SALT_BYTES + 1;
    if (proof.length < fixed || proof[0] != VERSION) {
      throw new BadSignatureException("batch signature proof is malformed");
    }
    int n = ((proof[1] & 0xff) << 8) | (proof[2] & 0xff);
    int index = ((proof[3] & 0xff) << 8) | (proof[4] & 0xff);
    int pathLen = proof[5 + SALT_BYTES] & 0xff;
    int sigAt = fixed + pathLen * TreeHasher.SIZE;
    if (n < 2 || n > MAX_BATCH || index >= n || pathLen > MAX_PATH || proof.length - sigAt != SIGNATURE_BYTES) {
      throw new BadSignatureException("batch signature proof is malformed");
    }
    TreeHasher h = hasher(suite);
    byte[] salt = Arrays.copyOfRange(proof, 5, 5 + SALT_BYTES);
    byte[] leaf = leaf(h, salt, jws, 0, inputLen);
    List<byte[]> path = new ArrayList<>(pathLen);
    for (int i = 0; i < pathLen; i++) {
      path.add(Arrays.copyOfRange(proof, fixed + i * TreeHasher.SIZE, fixed + (i + 1) * TreeHasher.SIZE));
    }
    byte[] root = MerkleProofs.rootFromInclusion(h, index, n, leaf, path);
    if (root == null) {
      throw new BadSignatureException("batch signature proof does not lead to a root");
    }
    return new Proof(n, rootMessage(n, root), Arrays.copyOfRange(proof, sigAt, proof.length));
  }

  /** Verifies a recomputed proof's root signature, through {@code verified} (only successes are kept). */
  static boolean verify(Verifier v, String signerKid, Proof p, VerifiedRoots verified) {
    java.nio.ByteBuffer key = VerifiedRoots.key(signerKid, p.rootMessage, p.signature);
    if (verified.contains(key)) {
      return true;
    }
    if (!v.verify(p.rootMessage, 0, p.rootMessage.length, p.signature)) {
      return false;
    }
    verified.add(key);
    return true;
  }

  /**
   * Root signatures already verified, so that the other envelopes of a batch cost hashes only.
   * Holds only verified (key id, root message, signature) triples, bounded and short-lived.
   */
  static final class VerifiedRoots {
    private final com.github.benmanes.caffeine.cache.Cache<java.nio.ByteBuffer, Boolean> cache =
        com.github.benmanes.caffeine.cache.Caffeine.newBuilder()
            .maximumSize(4096)
            .expireAfterWrite(java.time.Duration.ofMinutes(5))
            .executor(Runnable::run)
            .build();

    /** kid, root message and signature; the message has a fixed length, so the parts cannot run into each other. */
    static java.nio.ByteBuffer key(String kid, byte[] msg, byte[] sig) {
      byte[] k = kid.getBytes(StandardCharsets.US_ASCII);
      byte[] out = Arrays.copyOf(k, k.length + 1 + msg.length + sig.length);
      out[k.length] = '|';
      System.arraycopy(msg, 0, out, k.length + 1, msg.length);
      System.arraycopy(sig, 0, out, k.length + 1 + msg.length, sig.length);
      return java.nio.ByteBuffer.wrap(out);
    }

    boolean contains(java.nio.ByteBuffer key) {
      return cache.getIfPresent(key) != null;
    }

    void add(java.nio.ByteBuffer key) {
      cache.put(key, Boolean.TRUE);
    }
  }
}
