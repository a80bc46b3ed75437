package io.shulian.core.envelope;

import io.shulian.core.internal.access.CoreAccess;
import io.shulian.core.internal.crypto.ContentCipher;
import io.shulian.core.internal.crypto.Crypto;
import io.shulian.core.internal.crypto.Encapsulated;
import io.shulian.core.internal.crypto.EphemeralKeyReuse;
import io.shulian.core.internal.crypto.KeyEncapsulation;
import io.shulian.core.internal.crypto.Signer;
import io.shulian.core.keys.PartyCertificate;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Seals in the framed encoding (see {@link FramedCodec}): one pass over the payload, which is
 * digested (v2; v1: signed, streaming) and encrypted segment by segment as it goes. Thread-safe:
 * all state of one envelope lives in a {@link Session}.
 */
final class FramedSealer {
  private final Signer signer;
  private final String signerKid;
  private final int segmentBytes;
  private final @Nullable EphemeralKeyReuse ephemeralReuse;
  private final int version;

  FramedSealer(Signer signer, String signerKid, int segmentBytes, @Nullable EphemeralKeyReuse ephemeralReuse) {
    this(signer, signerKid, segmentBytes, ephemeralReuse, FramedCodec.VERSION_2);
  }

  /** As the other constructor, sealing framed {@code version} 1 or 2 (v1: for tests and old peers). */
  FramedSealer(Signer signer, String signerKid, int segmentBytes, @Nullable EphemeralKeyReuse ephemeralReuse,
      int version) {
    if (version != FramedCodec.VERSION_1 && version != FramedCodec.VERSION_2) {
      throw new IllegalArgumentException("framed version " + version);
    }
    this.version = version;
    this.signer = signer;
    this.signerKid = signerKid;
    this.segmentBytes = FramedCodec.checkSegmentBytes(segmentBytes);
    this.ephemeralReuse = ephemeralReuse;
  }

  /** Seals a payload held in memory into one array of the exact size. */
  byte[] seal(EnvelopeHeader header, PartyCertificate to, byte[] payload) {
    Session s = new Session(header, to);
    long plain = 2L + s.signedHeader.length + payload.length + FramedCodec.SIGNATURE_BYTES;
    long segments = (plain + segmentBytes - 1) / segmentBytes;
    long size = s.preamble.length + plain + segments * (FramedCodec.LENGTH_BYTES + FramedCodec.TAG_BYTES);
    if (size > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("framed envelope of " + size + " bytes does not fit in an array");
    }
    byte[] out = new byte[(int) size];
    System.arraycopy(s.preamble, 0, out, 0, s.preamble.length);
    SegmentWriter w = s.writer(out, s.preamble.length, null);
    try {
      s.begin(w);
      s.payload(w, payload, 0, payload.length);
      s.end(w);
    } catch (IOException e) {
      throw new IllegalStateException("writing to an array failed", e);
    } finally {
      s.abandon();
    }
    if (w.position() != out.length) {
      throw new IllegalStateException("framed envelope size mismatch");
    }
    return out;
  }

  /**
   * Seals what {@code in} yields until its end to {@code out}, in constant memory.
   *
   * @throws EnvelopeTooLargeException when the input grows past {@code maxPayloadBytes}; what was
   *     written so far is not a valid envelope
   */
  void sealStream(EnvelopeHeader header, PartyCertificate to, InputStream in, OutputStream out, long maxPayloadBytes)
      throws IOException, EnvelopeTooLargeException {
    Session s = new Session(header, to);
    try {
      out.write(s.preamble);
      SegmentWriter w = s.writer(null, 0, out);
      s.begin(w);
      byte[] buf = new byte[segmentBytes];
      long total = 0;
      for (int n; (n = in.read(buf, 0, buf.length)) != -1; ) {
        total += n;
        if (total > maxPayloadBytes) {
          throw new EnvelopeTooLargeException("streamed payload is over the limit of " + maxPayloadBytes + " bytes");
        }
        s.payload(w, buf, 0, n);
      }
      s.end(w);
    } finally {
      s.abandon();
    }
  }

  /**
   * Starts sealing a payload that is pushed in pieces ({@link SealingStream}): writes the preamble
   * to {@code out} now and every segment as soon as it is full and more plaintext follows.
   */
  Push push(EnvelopeHeader header, PartyCertificate to, OutputStream out) throws IOException {
    return push(new Session(header, to), out);
  }

  /**
   * As {@link #push(EnvelopeHeader, PartyCertificate, OutputStream)}, keeping what a continuation
   * needs in a {@link StreamResumption} (held by the returned push until it ends).
   */
  Push resumablePush(EnvelopeHeader header, PartyCertificate to, OutputStream out) throws IOException {
    Session s = new Session(header, to);
    s.track = new StreamResumption(header, s.preamble, s.signedHeader, s.noncePrefix, segmentBytes, s.cipher, s.cek);
    return push(s, out);
  }

  /**
   * Continues the envelope of {@code r}: writes its preamble and then, of the payload pushed again
   * from its first byte, the segments from {@code fromSegment} on.
   */
  Push resume(StreamResumption r, long fromSegment, OutputStream out) throws IOException {
    if (r.segmentBytes != segmentBytes) {
      throw new IllegalArgumentException("the envelope was sealed with segments of " + r.segmentBytes + " bytes");
    }
    Session s = new Session(r, r.claim(fromSegment), fromSegment);
    return push(s, out);
  }

  private Push push(Session s, OutputStream out) throws IOException {
    try {
      out.write(s.preamble);
      SegmentWriter w = s.writer(null, 0, out);
      s.begin(w);
      return new Push(s, w);
    } catch (IOException | RuntimeException e) {
      s.abandon();
      throw e;
    }
  }

  /** One envelope sealed from pushed pieces; confined to one thread at a time. */
  static final class Push {
    private final Session session;
    private final SegmentWriter writer;

    private Push(Session session, SegmentWriter writer) {
      this.session = session;
      this.writer = writer;
    }

    void payload(byte[] b, int off, int len) throws IOException {
      session.payload(writer, b, off, len);
    }

    /** Signs and writes the last segment; the content key is wiped. */
    void end() throws IOException {
      try {
        session.end(writer);
      } finally {
        session.abandon();
      }
    }

    /** Gives up: the content key is wiped, no last segment is ever written. */
    void abandon() {
      session.abandon();
    }

    long segments() {
      return writer.segments();
    }

    @Nullable StreamResumption resumption() {
      return session.track;
    }

    /** The digest of the payload given so far (all of it after {@link #end}). */
    byte[] payloadDigest() {
      return session.digest.current();
    }
  }

  /** One envelope being sealed: its keys, headers and signature state. */
  private final class Session {
    final byte[] preamble;
    final byte[] signedHeader;
    final ContentCipher cipher;
    final byte[] cek;
    final byte[] noncePrefix;
    /** v1 only: the streaming signature over the whole plaintext stream. */
    final Signer.@Nullable Streaming sig;
    final PayloadDigest digest;
    final byte[] m;
    /** Kept for a continuation: records (or, resuming, checks) every segment's plaintext. */
    @Nullable StreamResumption track;
    /** The first segment written out (those before it are only checked, resuming). */
    final long emitFrom;

    /** Continues the envelope of {@code r} with a copy {@code cek} of its content key. */
    Session(StreamResumption r, byte[] cek, long emitFrom) {
      this.cek = cek;
      this.track = r;
      this.emitFrom = emitFrom;
      this.preamble = r.preamble.clone();
      this.signedHeader = r.signedHeader.clone();
      this.noncePrefix = r.noncePrefix.clone();
      this.cipher = r.cipher;
      this.m = lengthOf(signedHeader);
      this.sig = preamble[4] == FramedCodec.VERSION_1 ? signer.stream(FramedCodec.SIGNATURE_CONTEXT) : null;
      this.digest = PayloadDigest.of(signer.streamAlgorithm());
    }

    Session(EnvelopeHeader header, PartyCertificate to) {
      emitFrom = 0;
      noncePrefix = Crypto.randomBytes(FramedCodec.NONCE_PREFIX_BYTES);
      KeyEncapsulation kem = CoreAccess.certificates().publicKey(to).recipient();
      cipher = kem.contentCipher();
      // The KDF algorithm id "SHF1-<enc>" keeps framed content keys apart from compact ones, also
      // when an ephemeral key is reused (each envelope then has its own apu).
      String kdfAlg = FramedCodec.KDF_PREFIX + cipher.joseName();
      Encapsulated e = ephemeralReuse == null
          ? kem.encapsulate(kdfAlg)
          : ephemeralReuse.encapsulate(to.keyId().value(), kem, kdfAlg);
      cek = e.cek;
      byte[] outer =
          FramedCodec.outerHeader(e.algorithm(kem), cipher.joseName(), to.keyId().value(), e.epk, e.encryptedKey,
              e.apu, segmentBytes, noncePrefix);
      preamble = FramedCodec.preamble(version, outer);
      boolean v1 = version == FramedCodec.VERSION_1;
      String alg = v1 ? signer.streamAlgorithm() : FramedCodec.v2Algorithm(signer.joseAlgorithm());
      signedHeader = FramedCodec.signedHeader(alg, signerKid, header);
      m = lengthOf(signedHeader);
      sig = v1 ? signer.stream(FramedCodec.SIGNATURE_CONTEXT) : null;
      digest = PayloadDigest.of(alg);
    }

    SegmentWriter writer(byte @Nullable [] array, int at, @Nullable OutputStream stream) {
      return new SegmentWriter(cipher, cek, noncePrefix, preamble, segmentBytes, array, at, stream, track, emitFrom);
    }

    void begin(SegmentWriter w) throws IOException {
      Signer.Streaming v1 = sig;
      if (v1 != null) {
        v1.update(FramedCodec.SIGNATURE_PREFIX, 0, FramedCodec.SIGNATURE_PREFIX.length);
        v1.update(m, 0, 2);
        v1.update(signedHeader, 0, signedHeader.length);
      }
      w.write(m, 0, 2);
      w.write(signedHeader, 0, signedHeader.length);
    }

    void payload(SegmentWriter w, byte[] b, int off, int len) throws IOException {
      Signer.Streaming v1 = sig;
      if (v1 != null) {
        v1.update(b, off, len);
      }
      digest.update(b, off, len);
      w.write(b, off, len);
    }

    void end(SegmentWriter w) throws IOException {
      Signer.Streaming v1 = sig;
      byte[] signature;
      if (v1 != null) {
        signature = v1.finish();
      } else {
        byte[] signed = FramedCodec.signedV2(m, signedHeader, digest.length(), digest.current());
        signature = signer.sign(signed, 0, signed.length);
      }
      StreamResumption t = track;
      if (t != null) {
        // an envelope keeps its first signature (ECDSA and SM2 signatures are randomised): the last
        // segment's plaintext must not change when it is sealed again, even if the first time its
        // write was cut off
        t.finishedWith(signature);
        signature = java.util.Objects.requireNonNull(t.signature());
      }
      if (signature.length != FramedCodec.SIGNATURE_BYTES) {
        throw new IllegalStateException("signature of unexpected length " + signature.length);
      }
      w.write(signature, 0, signature.length);
      w.finish();
    }

    /** Wipes the content key; called when the envelope is done or given up. */
    void abandon() {
      Arrays.fill(cek, (byte) 0);
      StreamResumption t = track;
      if (t != null) {
        t.release();
      }
    }
  }

  private static byte[] lengthOf(byte[] signedHeader) {
    return new byte[] {(byte) (signedHeader.length >>> 8), (byte) signedHeader.length};
  }

  /**
   * Cuts the plaintext stream into segments and encrypts them. A full segment is encrypted only
   * when more plaintext arrives, so the one still buffered at {@link #finish} is the last.
   */
  static final class SegmentWriter {
    private final ContentCipher cipher;
    private final byte[] cek;
    private final byte[] noncePrefix;
    private final byte[] aad;
    private final byte[] plain;
    private final byte[] nonce = new byte[ContentCipher.IV_BYTES];
    private final byte @Nullable [] array;
    private final @Nullable OutputStream stream;
    private final byte @Nullable [] ct;
    private final @Nullable StreamResumption track;
    private final long emitFrom;
    private int at;
    private int fill;
    private long index;

    SegmentWriter(ContentCipher cipher, byte[] cek, byte[] noncePrefix, byte[] aad, int segmentBytes,
        byte @Nullable [] array, int at, @Nullable OutputStream stream) {
      this(cipher, cek, noncePrefix, aad, segmentBytes, array, at, stream, null, 0);
    }

    SegmentWriter(ContentCipher cipher, byte[] cek, byte[] noncePrefix, byte[] aad, int segmentBytes,
        byte @Nullable [] array, int at, @Nullable OutputStream stream, @Nullable StreamResumption track,
        long emitFrom) {
      this.track = track;
      this.emitFrom = emitFrom;
      this.cipher = cipher;
      this.cek = cek;
      this.noncePrefix = noncePrefix;
      this.aad = aad;
      this.plain = new byte[segmentBytes];
      this.array = array;
      this.at = at;
      this.stream = stream;
      this.ct = array == null ? new byte[FramedCodec.LENGTH_BYTES + segmentBytes + FramedCodec.TAG_BYTES] : null;
    }

    void write(byte[] b, int off, int len) throws IOException {
      while (len > 0) {
        if (fill == plain.length) {
          emit(false);
        }
        int n = Math.min(len, plain.length - fill);
        System.arraycopy(b, off, plain, fill, n);
        fill += n;
        off += n;
        len -= n;
      }
    }

    void finish() throws IOException {
      emit(true);
      Arrays.fill(plain, (byte) 0);
    }

    int position() {
      return at;
    }

    /** Segments emitted so far. */
    long segments() {
      return index;
    }

    private void emit(boolean last) throws IOException {
      if (index >= FramedCodec.MAX_SEGMENTS) {
        throw new IllegalStateException("framed envelope would have more than 2^32 segments");
      }
      StreamResumption t = track;
      // sealed before (resuming): encrypted again into our own buffer and checked against the tag
      // recorded the first time before anything of it is written (StreamResumption)
      boolean again = t != null && t.sealedBefore(index, last);
      long i = index++;
      FramedCodec.nonce(noncePrefix, i, last, nonce);
      byte[] dst = array != null ? array : Objects.requireNonNull(ct);
      int base = array != null ? at : 0;
      int n = again
          ? cipher.encryptAgain(cek, nonce, aad, plain, 0, fill, dst, base + FramedCodec.LENGTH_BYTES)
          : cipher.encrypt(cek, nonce, aad, plain, 0, fill, dst, base + FramedCodec.LENGTH_BYTES);
      int tagAt = base + FramedCodec.LENGTH_BYTES + n - FramedCodec.TAG_BYTES;
      if (t != null) {
        if (again) {
          try {
            t.check(i, dst, tagAt);
          } catch (StreamResumption.MismatchException e) {
            Arrays.fill(dst, base, base + FramedCodec.LENGTH_BYTES + n, (byte) 0);
            throw e;
          }
        } else {
          t.record(i, last, dst, tagAt);
        }
      }
      if (i < emitFrom) {
        fill = 0;
        return;
      }
      FramedCodec.putU32(dst, base, n);
      if (array != null) {
        at += FramedCodec.LENGTH_BYTES + n;
      } else {
        Objects.requireNonNull(stream).write(dst, 0, FramedCodec.LENGTH_BYTES + n);
      }
      fill = 0;
    }
  }
}
