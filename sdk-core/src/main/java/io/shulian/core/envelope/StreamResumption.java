package io.shulian.core.envelope;

import io.shulian.core.internal.crypto.ContentCipher;
import java.io.IOException;
import java.security.MessageDigest;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * What a sealer keeps of a framed envelope it streamed so that the same envelope can be continued
 * after the connection was cut ({@link EnvelopeSealer#resumableSealingStream}, {@link
 * EnvelopeSealer#resumeSealingStream}): the preamble, the signed header and the content key of the
 * envelope, the authentication tag of every segment sealed so far (and which one, if any, was
 * sealed as the last) and, once the envelope was finished, its signature.
 *
 * <p><b>Why continuing is safe.</b> A continuation seals the payload again, from its first byte,
 * under the same key and nonce prefix and emits only the segments from the asked index on. Every
 * segment already sealed once is encrypted again into a buffer of the sealer's own and its tag
 * compared with the tag recorded the first time <em>before</em> anything of it is written ({@link
 * MismatchException} otherwise, and the buffer is wiped): a ciphertext of a changed plaintext under
 * a nonce used before is computed in memory but never leaves the sealer. A segment whose final
 * flag differs is refused without being encrypted. Equal tags for a different plaintext of the same
 * length class under the same key and nonce are a GCM forgery: for a payload source that does not
 * know the content key (it never sees it, nor the hash key derived from it) the chance is at most
 * about {@code (segment blocks + 1) / 2^128} per try, the same bound as forging a segment on the
 * wire. The signature of a finished envelope is reused as it was (ECDSA and SM2 signatures are
 * randomised); otherwise it is computed over the whole payload read again, so it always covers the
 * whole stream. One stream at a time may seal with it: a continuation while another stream of the
 * same envelope is open is refused.
 *
 * <p>Holds the content key until {@link #destroy()}: keep it no longer than a transfer may be
 * resumed. Thread-safe.
 */
public final class StreamResumption {
  private static final int TAG_BYTES = ContentCipher.TAG_BYTES;

  private final EnvelopeHeader header;
  final byte[] preamble;
  final byte[] signedHeader;
  final byte[] noncePrefix;
  final int segmentBytes;
  final ContentCipher cipher;
  private final byte[] cek;
  private byte[] tags = new byte[TAG_BYTES * 16];
  private long sealed;
  /** The segment sealed as the last one, or -1. */
  private long lastSegment = -1;
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
   * Whether segment {@code index} was sealed before (then it must be encrypted again and {@link
   * #check checked}, never written unchecked).
   *
   * @throws MismatchException if it was sealed before with another final flag (no longer or no
   *     more the last segment: the payload changed)
   */
  synchronized boolean sealedBefore(long index, boolean last) throws MismatchException {
    if (index >= sealed) {
      if (index != sealed) {
        throw new IllegalStateException("segment " + index + " sealed before segment " + sealed);
      }
      return false;
    }
    if (last != (index == lastSegment)) {
      throw new MismatchException(index);
    }
    return true;
  }

  /**
   * Records the tag of segment {@code index}, sealed for the first time: {@code sealed[tagAt,
   * tagAt+16)}.
   */
  synchronized void record(long index, boolean last, byte[] sealedSegment, int tagAt) {
    if (index != sealed) {
      throw new IllegalStateException("segment " + index + " sealed before segment " + sealed);
    }
    int at = Math.toIntExact(index * TAG_BYTES);
    if (at + TAG_BYTES > tags.length) {
      tags = Arrays.copyOf(tags, Math.max(at + TAG_BYTES, tags.length * 2));
    }
    System.arraycopy(sealedSegment, tagAt, tags, at, TAG_BYTES);
    if (last) {
      lastSegment = index;
    }
    sealed++;
  }

  /**
   * Checks segment {@code index}, sealed again, against the tag recorded the first time: {@code
   * sealed[tagAt, tagAt+16)} must be that tag.
   *
   * @throws MismatchException if it differs: the plaintext is not the one sealed before
   */
  synchronized void check(long index, byte[] sealedSegment, int tagAt) throws MismatchException {
    int at = Math.toIntExact(index * TAG_BYTES);
    if (index >= sealed || !MessageDigest.isEqual(Arrays.copyOfRange(tags, at, at + TAG_BYTES),
        Arrays.copyOfRange(sealedSegment, tagAt, tagAt + TAG_BYTES))) {
      throw new MismatchException(index);
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
