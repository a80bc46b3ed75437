package io.shulian.core.envelope;

import io.shulian.core.internal.crypto.ContentCipher;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * What a sealer keeps of a framed envelope it streamed so that the same envelope can be continued
 * after the connection was cut ({@link EnvelopeSealer#resumableSealingStream}, {@link
 * EnvelopeSealer#resumeSealingStream}): the preamble, the signed header and the content key of the
 * envelope, the SHA-256 of the plaintext of every segment sealed so far (with its final flag) and,
 * once the envelope was finished, its signature.
 *
 * <p><b>Why continuing is safe.</b> A continuation seals the payload again, from its first byte,
 * under the same key and nonce prefix and emits only the segments from the asked index on. Before
 * any segment already sealed once is encrypted again, its plaintext must equal, digest for digest,
 * what was sealed before ({@link MismatchException} otherwise, before anything of that segment is
 * written), so a nonce is never used for two different plaintexts. The signature of a finished
 * envelope is reused as it was (ECDSA and SM2 signatures are randomised); otherwise it is computed
 * over the whole payload read again, so it always covers the whole stream. One stream at a time
 * may seal with it: a continuation while another stream of the same envelope is open is refused.
 *
 * <p>Holds the content key until {@link #destroy()}: keep it no longer than a transfer may be
 * resumed. Thread-safe.
 */
public final class StreamResumption {
  private static final int DIGEST_BYTES = 32;

  private final EnvelopeHeader header;
  final byte[] preamble;
  final byte[] signedHeader;
  final byte[] noncePrefix;
  final int segmentBytes;
  final ContentCipher cipher;
  private final byte[] cek;
  private byte[] digests = new byte[DIGEST_BYTES * 16];
  private long sealed;
  private byte @Nullable [] signature;
  private boolean inUse;
  private boolean destroyed;

  StreamResumption(EnvelopeHeader header, byte[] preamble, byte[] signedHeader, byte[] noncePrefix, int segmentBytes,
      ContentCipher cipher, byte[] cek) {
    this.cipher = cipher;
    this.header = header;
    this.preamble = preamble.clone();
    this.signedHeader = signedHeader.clone();
    this.noncePrefix = noncePrefix.clone();
    this.segmentBytes = segmentBytes;
    this.cek = cek.clone();
    this.inUse = true;
  }

  /** The signed header of the envelope (its id is the one a continuation is asked for). */
  public EnvelopeHeader header() {
    return header;
  }

  /** Segments sealed at least once so far: a continuation may start at any index up to this one. */
  public synchronized long segmentsSealed() {
    return sealed;
  }

  /** Whether the envelope's signature was made (its last segment sealed, or being sealed) at least once. */
  public synchronized boolean finished() {
    return signature != null;
  }

  /** Whether a stream is sealing with it now. */
  public synchronized boolean inUse() {
    return inUse;
  }

  /** Wipes the content key; no continuation is possible afterwards. */
  public synchronized void destroy() {
    destroyed = true;
    Arrays.fill(cek, (byte) 0);
  }

  /** Whether {@link #destroy()} was called. */
  public synchronized boolean isDestroyed() {
    return destroyed;
  }

  /** Takes it for a continuation: a copy of the content key. */
  synchronized byte[] claim(long fromSegment) {
    if (destroyed) {
      throw new IllegalStateException("the stream resumption was destroyed");
    }
    if (inUse) {
      throw new IllegalStateException("another stream of this envelope is still open");
    }
    if (fromSegment < 0 || fromSegment > sealed) {
      throw new IllegalArgumentException("segment " + fromSegment + " is not in [0, " + sealed + "]");
    }
    inUse = true;
    return cek.clone();
  }

  synchronized void release() {
    inUse = false;
  }

  synchronized byte @Nullable [] signature() {
    return signature == null ? null : signature.clone();
  }

  synchronized void finishedWith(byte[] sig) {
    if (signature == null) {
      signature = sig.clone();
    }
  }

  /**
   * Records the plaintext of segment {@code index} or, if it was sealed before, checks that it is
   * the same; true in that case.
   */
  synchronized boolean segment(long index, boolean last, byte[] plain, int len) throws MismatchException {
    byte[] d = digest(last, plain, len);
    if (index < sealed) {
      int at = Math.toIntExact(index * DIGEST_BYTES);
      if (!MessageDigest.isEqual(Arrays.copyOfRange(digests, at, at + DIGEST_BYTES), d)) {
        throw new MismatchException(index);
      }
      return true;
    }
    if (index != sealed) {
      throw new IllegalStateException("segment " + index + " sealed before segment " + sealed);
    }
    int at = Math.toIntExact(index * DIGEST_BYTES);
    if (at + DIGEST_BYTES > digests.length) {
      digests = Arrays.copyOf(digests, Math.max(at + DIGEST_BYTES, digests.length * 2));
    }
    System.arraycopy(d, 0, digests, at, DIGEST_BYTES);
    sealed++;
    return false;
  }

  private static byte[] digest(boolean last, byte[] plain, int len) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      md.update(last ? (byte) 1 : (byte) 0);
      md.update(plain, 0, len);
      return md.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }

  /**
   * The payload read again for a continuation differs from what was sealed before in a segment:
   * nothing of that segment was written, and the continuation must be given up.
   */
  public static final class MismatchException extends IOException {
    private static final long serialVersionUID = 1L;
    private final long segment;

    MismatchException(long segment) {
      super("the payload read again differs from what was sealed before in segment " + segment);
      this.segment = segment;
    }

    /** The first segment whose plaintext differs. */
    public long segment() {
      return segment;
    }
  }
}
