package io.shulian.core.envelope;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shulian.core.internal.crypto.ContentCipher;
import io.shulian.core.internal.crypto.CryptoFailure;
import io.shulian.core.internal.crypto.Epk;
import io.shulian.core.internal.crypto.KdfInfo;
import io.shulian.core.internal.crypto.KeyDecapsulation;
import io.shulian.core.internal.crypto.Verifier;
import io.shulian.core.internal.jose.Json;
import io.shulian.core.keys.PartyCertificate;
import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.party.PartyId;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Opens framed envelopes (see {@link FramedCodec}) for {@link EnvelopeOpener}, in this order:
 * preamble sizes before parsing; outer header (JSON limits, no embedded keys, no crit, no zip, no
 * unknown member, the suite's alg and enc, our key id, segment size, nonce prefix); key agreement
 * with point validation; then segment by segment (each authenticated before use): the signed
 * header, checked before any payload is read (alg allowed, sender trusted, receiver is us, time
 * window); the payload, streamed through the payload digest (v1: and the signature); after the
 * final segment the signature (v2: over the header, payload length and digest); last the replay
 * cache. Framed v1 and v2 are both opened; the version byte of the preamble (the AAD of every
 * segment) decides which signature algorithms and which signed data apply.
 */
final class FramedOpener {
  private final PartyIdentity identity;
  private final KeyDecapsulation decrypter;
  private final HeaderChecks headerChecks;
  private final Clock clock;
  private final Duration skew;
  private final ReplayCache replayCache;
  private final Function<PartyCertificate, Verifier> verifiers;

  FramedOpener(PartyIdentity identity, KeyDecapsulation decrypter, HeaderChecks headerChecks, Clock clock,
      Duration skew, ReplayCache replayCache, Function<PartyCertificate, Verifier> verifiers) {
    this.identity = identity;
    this.decrypter = decrypter;
    this.headerChecks = headerChecks;
    this.clock = clock;
    this.skew = skew;
    this.replayCache = replayCache;
    this.verifiers = verifiers;
  }

  /** The largest framed envelope that can carry {@code maxPayloadBytes} (smallest segments). */
  static long maxEnvelopeBytes(long maxPayloadBytes) {
    long plain = 2L + Json.MAX_HEADER_BYTES + maxPayloadBytes + FramedCodec.SIGNATURE_BYTES;
    long segments = plain / FramedCodec.MIN_SEGMENT_BYTES + 1;
    return FramedCodec.PREAMBLE_FIXED_BYTES + Json.MAX_HEADER_BYTES + plain
        + segments * (FramedCodec.LENGTH_BYTES + FramedCodec.TAG_BYTES);
  }

  /** The verified outcome of one envelope. */
  static final class Result {
    final EnvelopeHeader header;
    final PartyCertificate signer;
    final byte @Nullable [] payload;

    Result(EnvelopeHeader header, PartyCertificate signer, byte @Nullable [] payload) {
      this.header = header;
      this.signer = signer;
      this.payload = payload;
    }
  }

  OpenedEnvelope open(byte[] envelope, int maxPayloadBytes, @Nullable PartyId expectedSender) throws EnvelopeException {
    long max = maxEnvelopeBytes(maxPayloadBytes);
    if (envelope.length > max) {
      throw new EnvelopeTooLargeException("envelope of " + envelope.length + " bytes is over the limit of " + max
          + " bytes");
    }
    ArraySource src = new ArraySource(envelope);
    try {
      Outer outer = readOuter(src);
      long plain = src.scan(outer.seg);
      ArraySink sink = new ArraySink(plain, maxPayloadBytes);
      Result r = run(outer, src, sink, maxPayloadBytes, expectedSender);
      return new OpenedEnvelope(r.header, sink.array(), r.signer);
    } catch (IOException e) {
      throw new IllegalStateException("reading from an array failed", e);
    }
  }

  EnvelopeHeader openStream(InputStream in, OutputStream out, long maxPayloadBytes)
      throws EnvelopeException, IOException {
    StreamSource src = new StreamSource(in);
    Outer outer = readOuter(src);
    src.allocate(outer.seg);
    return run(outer, src, new StreamSink(out), maxPayloadBytes, null).header;
  }

  /** Starts opening a framed envelope whose bytes are pushed in pieces (see {@link OpeningStream}). */
  Push push(OutputStream out, long maxPayloadBytes, @Nullable PartyId expectedSender) {
    return new Push(new StreamSink(out), maxPayloadBytes, expectedSender);
  }

  /**
   * The push-driven form of {@link #run}: the same checks in the same order, fed by whatever piece
   * of the envelope arrives. A complete segment is held until the next length prefix (not the
   * last) or the end of input (the last) is known, so memory stays at one ciphertext segment and
   * one plaintext segment. Confined to one thread at a time.
   */
  final class Push {
    private final Sink sink;
    private final long maxPayloadBytes;
    private final @Nullable PartyId expectedSender;
    private final byte[] fixed = new byte[FramedCodec.PREAMBLE_FIXED_BYTES];
    private final byte[] len = new byte[FramedCodec.LENGTH_BYTES];
    private final byte[] nonce = new byte[ContentCipher.IV_BYTES];
    private final byte[] m = new byte[2];
    private int fixedHave;
    private byte @Nullable [] preamble;
    private int preambleHave;
    private @Nullable Outer outer;
    private byte @Nullable [] cek;
    private @Nullable ContentCipher cipher;
    private byte[] ct = new byte[0];
    private byte[] plain = new byte[0];
    private int lenHave;
    private int ctLen = -1;
    private int ctHave;
    private boolean readingLength = true;
    private boolean pending;
    private long index;
    private int mHave;
    private byte @Nullable [] json;
    private int jsonHave;
    private @Nullable Checked checked;
    private @Nullable PayloadCheck vs;
    private @Nullable Holdback hb;
    private byte @Nullable [] verifiedDigest;
    private long received;

    Push(Sink sink, long maxPayloadBytes, @Nullable PartyId expectedSender) {
      this.sink = sink;
      this.maxPayloadBytes = maxPayloadBytes;
      this.expectedSender = expectedSender;
    }

    /** The signed header once it was checked (before any payload byte was released), else null. */
    @Nullable EnvelopeHeader header() {
      return checked == null ? null : checked.header;
    }

    long segments() {
      return index;
    }

    long payloadBytes() {
      return hb == null ? 0 : hb.payload;
    }

    long receivedBytes() {
      return received;
    }

    /** The payload digest once {@link #finish} verified the signature, else null. */
    byte @Nullable [] payloadDigest() {
      return verifiedDigest == null ? null : verifiedDigest.clone();
    }

    /** The digest of the payload released so far, not authenticated (empty payload: before the header). */
    byte[] releasedDigest() {
      PayloadCheck v = vs;
      return v == null ? PayloadDigest.of(identity.suite()).current() : v.digest.current();
    }

    void write(byte[] b, int off, int n) throws EnvelopeException, IOException {
      received += n;
      while (n > 0) {
        int k;
        if (outer == null) {
          k = preamble(b, off, n);
        } else if (readingLength) {
          k = Math.min(n, len.length - lenHave);
          System.arraycopy(b, off, len, lenHave, k);
          lenHave += k;
          if (lenHave == len.length) {
            lenHave = 0;
            nextLength(FramedCodec.u32(len, 0));
          }
        } else {
          k = Math.min(n, ctLen - ctHave);
          System.arraycopy(b, off, ct, ctHave, k);
          ctHave += k;
          if (ctHave == ctLen) {
            // held until the next length prefix (not the last) or the end of input (the last)
            pending = true;
            readingLength = true;
          }
        }
        off += k;
        n -= k;
      }
    }

    private int preamble(byte[] b, int off, int n) throws EnvelopeException, IOException {
      if (preamble == null) {
        int k = Math.min(n, fixed.length - fixedHave);
        System.arraycopy(b, off, fixed, fixedHave, k);
        fixedHave += k;
        if (fixedHave == fixed.length) {
          for (int i = 0; i < FramedCodec.MAGIC.length; i++) {
            if (fixed[i] != FramedCodec.MAGIC[i]) {
              throw new MalformedEnvelopeException("not a framed envelope (bad magic)");
            }
          }
          int l = ((fixed[5] & 0xff) << 8) | (fixed[6] & 0xff);
          if (l > Json.MAX_HEADER_BYTES) {
            throw new MalformedEnvelopeException("framed outer header is larger than " + Json.MAX_HEADER_BYTES + " bytes");
          }
          preamble = Arrays.copyOf(fixed, fixed.length + l);
          preambleHave = fixed.length;
          if (l == 0) {
            begin();
          }
        }
        return k;
      }
      int k = Math.min(n, preamble.length - preambleHave);
      System.arraycopy(b, off, preamble, preambleHave, k);
      preambleHave += k;
      if (preambleHave == preamble.length) {
        begin();
      }
      return k;
    }

    private void begin() throws EnvelopeException, IOException {
      Outer o = readOuter(new ArraySource(java.util.Objects.requireNonNull(preamble)));
      cek = decapsulate(o);
      cipher = decrypter.contentCipher();
      ct = new byte[o.seg + FramedCodec.TAG_BYTES];
      plain = new byte[o.seg];
      outer = o;
    }

    /** A length prefix arrived: the held segment (if any) is not the last; then the next one starts. */
    private void nextLength(long l) throws EnvelopeException, IOException {
      Outer o = java.util.Objects.requireNonNull(outer);
      if (pending) {
        if (ctLen != o.seg + FramedCodec.TAG_BYTES) {
          throw new MalformedEnvelopeException("framed segment " + index + " is shorter than the segment size but "
              + "is not the last");
        }
        decrypt(false);
      }
      if (l < FramedCodec.TAG_BYTES || l > o.seg + FramedCodec.TAG_BYTES) {
        throw new MalformedEnvelopeException("framed segment " + index + " has a length of " + l
            + " bytes, outside [16, seg + 16]");
      }
      if (index >= FramedCodec.MAX_SEGMENTS) {
        throw new MalformedEnvelopeException("framed envelope has more than 2^32 segments");
      }
      ctLen = (int) l;
      ctHave = 0;
      pending = false;
      readingLength = false;
    }

    private void decrypt(boolean last) throws EnvelopeException, IOException {
      Outer o = java.util.Objects.requireNonNull(outer);
      FramedCodec.nonce(o.noncePrefix, index, last, nonce);
      int fill;
      try {
        fill = java.util.Objects.requireNonNull(cipher).decrypt(java.util.Objects.requireNonNull(cek), nonce, o.preamble,
            ct, 0, ctLen, plain, 0);
      } catch (CryptoFailure f) {
        throw new DecryptionFailedException("framed segment " + index + " failed authentication (modified, "
            + "reordered, truncated, extended, or not encrypted to us)");
      }
      index++;
      pending = false;
      plaintext(fill);
    }

    /** Passes one segment's plaintext on: the signed header first, then the payload via the holdback. */
    private void plaintext(int fill) throws EnvelopeException, IOException {
      int pos = 0;
      while (pos < fill && hb == null) {
        if (mHave < 2) {
          m[mHave++] = plain[pos++];
          if (mHave == 2) {
            int hlen = ((m[0] & 0xff) << 8) | (m[1] & 0xff);
            if (hlen > Json.MAX_HEADER_BYTES) {
              throw new MalformedEnvelopeException("framed signed header is larger than " + Json.MAX_HEADER_BYTES
                  + " bytes");
            }
            json = new byte[hlen];
            if (hlen == 0) {
              signedHeader();
            }
          }
          continue;
        }
        byte[] j = java.util.Objects.requireNonNull(json);
        int k = Math.min(fill - pos, j.length - jsonHave);
        System.arraycopy(plain, pos, j, jsonHave, k);
        jsonHave += k;
        pos += k;
        if (jsonHave == j.length) {
          signedHeader();
        }
      }
      if (hb != null && pos < fill) {
        hb.feed(plain, pos, fill - pos);
      }
    }

    private void signedHeader() throws EnvelopeException, IOException {
      byte[] j = java.util.Objects.requireNonNull(json);
      ObjectNode h;
      try {
        h = Json.parseObject(j, 0, j.length);
      } catch (Json.JsonException e) {
        throw new MalformedEnvelopeException("framed signed " + e.getMessage());
      }
      Outer o = java.util.Objects.requireNonNull(outer);
      Checked c = checkSignedHeader(h, o.version);
      sink.begin(j.length, maxPayloadBytes);
      PayloadCheck v = new PayloadCheck(c, o.version, m.clone(), j, true);
      vs = v;
      checked = c;
      hb = new Holdback(v, sink, maxPayloadBytes);
    }

    /** The end of input: the held segment is the last; then signature, expected sender, replay. */
    EnvelopeHeader finish() throws EnvelopeException, IOException {
      if (outer == null) {
        throw new MalformedEnvelopeException("framed envelope ends inside the preamble");
      }
      if (lenHave != 0) {
        throw new MalformedEnvelopeException("framed envelope ends inside a segment length");
      }
      if (ctLen < 0) {
        throw new MalformedEnvelopeException("framed envelope has no segments");
      }
      if (!pending) {
        throw new MalformedEnvelopeException("framed envelope ends inside a segment");
      }
      decrypt(true);
      Arrays.fill(plain, (byte) 0);
      if (hb == null || checked == null || vs == null) {
        throw new MalformedEnvelopeException("framed plaintext ends inside the signed header");
      }
      Checked c = checked;
      byte[] digest = vs.verify(hb.signature());
      HeaderChecks.fromExpectedSender(c.header, expectedSender);
      if (!replayCache.firstSeen(c.header.id(), c.header.expiresAt().plus(skew))) {
        throw new ReplayedEnvelopeException("envelope " + c.header.id() + " from " + c.header.sender()
            + " was already opened");
      }
      verifiedDigest = digest;
      return c.header;
    }

    /** Wipes the content key and the plaintext buffer. */
    void abandon() {
      if (cek != null) {
        Arrays.fill(cek, (byte) 0);
      }
      Arrays.fill(plain, (byte) 0);
    }
  }

  // ---- preamble and outer header --------------------------------------------------------------

  /** What the clear preamble says. */
  private static final class Outer {
    final int version;
    final byte[] preamble;
    final String alg;
    final String enc;
    final @Nullable Epk epk;
    final byte[] encryptedKey;
    final KdfInfo kdfInfo;
    final int seg;
    final byte[] noncePrefix;

    Outer(byte[] preamble, String alg, String enc, @Nullable Epk epk, byte[] encryptedKey, KdfInfo kdfInfo, int seg,
        byte[] noncePrefix) {
      this.version = preamble[4];
      this.preamble = preamble;
      this.alg = alg;
      this.enc = enc;
      this.epk = epk;
      this.encryptedKey = encryptedKey;
      this.kdfInfo = kdfInfo;
      this.seg = seg;
      this.noncePrefix = noncePrefix;
    }
  }

  private Outer readOuter(Source src) throws EnvelopeException, IOException {
    byte[] fixed = new byte[FramedCodec.PREAMBLE_FIXED_BYTES];
    src.readFully(fixed, "preamble");
    for (int i = 0; i < FramedCodec.MAGIC.length; i++) {
      if (fixed[i] != FramedCodec.MAGIC[i]) {
        throw new MalformedEnvelopeException("not a framed envelope (bad magic)");
      }
    }
    if (fixed[4] != FramedCodec.VERSION_1 && fixed[4] != FramedCodec.VERSION_2) {
      throw new MalformedEnvelopeException("framed version " + (fixed[4] & 0xff) + " is not supported (this SDK reads "
          + FramedCodec.VERSION_1 + " and " + FramedCodec.VERSION_2 + ")");
    }
    int len = ((fixed[5] & 0xff) << 8) | (fixed[6] & 0xff);
    if (len > Json.MAX_HEADER_BYTES) {
      throw new MalformedEnvelopeException("framed outer header is larger than " + Json.MAX_HEADER_BYTES + " bytes");
    }
    byte[] preamble = Arrays.copyOf(fixed, FramedCodec.PREAMBLE_FIXED_BYTES + len);
    src.readFully(preamble, FramedCodec.PREAMBLE_FIXED_BYTES, len, "outer header");
    ObjectNode n;
    try {
      n = Json.parseObject(preamble, FramedCodec.PREAMBLE_FIXED_BYTES, len);
    } catch (Json.JsonException e) {
      throw new MalformedEnvelopeException("framed outer " + e.getMessage());
    }
    JoseCodec.checkCommon(n, "framed outer");
    FramedCodec.onlyKnownMembers(n, FramedCodec.OUTER_MEMBERS, "framed outer header");
    if (!FramedCodec.FMT.equals(JoseCodec.text(n, "fmt"))) {
      throw new MalformedEnvelopeException("framed outer header 'fmt' must be '" + FramedCodec.FMT + "'");
    }
    String alg = JoseCodec.text(n, "alg");
    String enc = JoseCodec.text(n, "enc");
    headerChecks.forUs("framed", alg, enc, JoseCodec.text(n, "kid"));
    Epk epk = JoseCodec.parseEpk(n);
    byte[] ek = n.has("ek") ? FramedCodec.base64Field(n, "ek") : new byte[0];
    byte[] apu = n.has("apu") ? FramedCodec.base64Field(n, "apu") : new byte[0];
    if ("ECDH-ES".equals(alg)) {
      if (epk == null || n.has("ek")) {
        throw new MalformedEnvelopeException("framed ECDH-ES header needs 'epk' and no 'ek'");
      }
      if (n.has("apu") && apu.length == 0) {
        throw new MalformedEnvelopeException("framed header 'apu' must not be empty when present");
      }
    } else if ("SM2-PKE-KDF".equals(alg)) {
      if (epk != null || ek.length == 0 || apu.length == 0) {
        throw new MalformedEnvelopeException("framed SM2-PKE-KDF header needs 'ek' and 'apu' and no 'epk'");
      }
    } else if (epk != null || n.has("apu") || ek.length == 0) {
      throw new MalformedEnvelopeException("framed " + alg + " header needs 'ek' and no 'epk' or 'apu'");
    }
    int seg = FramedCodec.intField(n, "seg");
    if (seg < FramedCodec.MIN_SEGMENT_BYTES || seg > FramedCodec.MAX_SEGMENT_BYTES) {
      throw new MalformedEnvelopeException("framed segment size must be in [" + FramedCodec.MIN_SEGMENT_BYTES + ", "
          + FramedCodec.MAX_SEGMENT_BYTES + "], got " + seg);
    }
    byte[] np = FramedCodec.base64Field(n, "np");
    if (np.length != FramedCodec.NONCE_PREFIX_BYTES) {
      throw new MalformedEnvelopeException("framed nonce prefix 'np' must be 7 bytes, got " + np.length);
    }
    KdfInfo kdfInfo;
    try {
      kdfInfo = KdfInfo.of(apu, new byte[0]);
    } catch (IllegalArgumentException e) {
      throw new MalformedEnvelopeException("framed header 'apu': " + e.getMessage());
    }
    return new Outer(preamble, alg, enc, epk, ek, kdfInfo, seg, np);
  }

  private byte[] decapsulate(Outer o) throws EnvelopeException {
    try {
      return decrypter.decapsulate(o.alg, o.epk, o.kdfInfo, o.encryptedKey, FramedCodec.KDF_PREFIX + o.enc);
    } catch (CryptoFailure f) {
      throw f.kind() == CryptoFailure.Kind.INVALID_POINT
          ? new InvalidPublicKeyException(f.getMessage())
          : new DecryptionFailedException(f.getMessage());
    }
  }

  // ---- the encrypted part -----------------------------------------------------------------------

  private Result run(Outer outer, Source src, Sink sink, long maxPayloadBytes, @Nullable PartyId expectedSender)
      throws EnvelopeException, IOException {
    byte[] cek = decapsulate(outer);
    try {
      Segments segs = new Segments(src, outer, cek, decrypter.contentCipher());
      byte[] m = new byte[2];
      segs.readFully(m);
      int hlen = ((m[0] & 0xff) << 8) | (m[1] & 0xff);
      if (hlen > Json.MAX_HEADER_BYTES) {
        throw new MalformedEnvelopeException("framed signed header is larger than " + Json.MAX_HEADER_BYTES + " bytes");
      }
      byte[] json = new byte[hlen];
      segs.readFully(json);
      ObjectNode h;
      try {
        h = Json.parseObject(json, 0, hlen);
      } catch (Json.JsonException e) {
        throw new MalformedEnvelopeException("framed signed " + e.getMessage());
      }
      Checked c = checkSignedHeader(h, outer.version);
      sink.begin(hlen, maxPayloadBytes);
      // v1 through open/openStream: nobody asks for the digest, so no second hash pass
      PayloadCheck vs = new PayloadCheck(c, outer.version, m, json, outer.version == FramedCodec.VERSION_2);
      Holdback hb = new Holdback(vs, sink, maxPayloadBytes);
      segs.drainTo(hb);
      vs.verify(hb.signature());
      HeaderChecks.fromExpectedSender(c.header, expectedSender);
      // Last: only a verified, addressed, timely envelope from the expected sender may claim a slot
      // in the replay cache.
      if (!replayCache.firstSeen(c.header.id(), c.header.expiresAt().plus(skew))) {
        throw new ReplayedEnvelopeException("envelope " + c.header.id() + " from " + c.header.sender()
            + " was already opened");
      }
      return new Result(c.header, c.signer, null);
    } finally {
      Arrays.fill(cek, (byte) 0);
    }
  }

  private static final class Checked {
    final EnvelopeHeader header;
    final PartyCertificate signer;
    final Verifier verifier;
    final String alg;

    Checked(EnvelopeHeader header, PartyCertificate signer, Verifier verifier, String alg) {
      this.header = header;
      this.signer = signer;
      this.verifier = verifier;
      this.alg = alg;
    }
  }

  /**
   * The payload digest and the signature check of one envelope: v1 streams the whole plaintext into
   * the signature (and the digest, for the caller), v2 signs the header, length and digest.
   */
  private static final class PayloadCheck {
    private final Checked checked;
    private final byte[] m;
    private final byte[] signedHeader;
    private final Verifier.@Nullable Streaming v1;
    final PayloadDigest digest;
    private final boolean digested;

    /** @param digested whether the digest is kept (always for v2, whose signature covers it) */
    PayloadCheck(Checked checked, int version, byte[] m, byte[] signedHeader, boolean digested) {
      this.checked = checked;
      this.digested = digested || version == FramedCodec.VERSION_2;
      this.m = m;
      this.signedHeader = signedHeader;
      this.digest = PayloadDigest.of(checked.alg);
      if (version == FramedCodec.VERSION_1) {
        Verifier.Streaming v = checked.verifier.stream(FramedCodec.SIGNATURE_CONTEXT);
        v.update(FramedCodec.SIGNATURE_PREFIX, 0, FramedCodec.SIGNATURE_PREFIX.length);
        v.update(m, 0, 2);
        v.update(signedHeader, 0, signedHeader.length);
        this.v1 = v;
      } else {
        this.v1 = null;
      }
    }

    void update(byte[] b, int off, int len) {
      Verifier.Streaming v = v1;
      if (v != null) {
        v.update(b, off, len);
      }
      if (digested) {
        digest.update(b, off, len);
      }
    }

    /** Checks the signature over everything given; returns the payload digest (empty if not kept). */
    byte[] verify(byte[] sig) throws BadSignatureException {
      byte[] d = digested ? digest.current() : new byte[0];
      Verifier.Streaming v = v1;
      boolean ok;
      if (v != null) {
        ok = v.finish(sig);
      } else {
        byte[] signed = FramedCodec.signedV2(m, signedHeader, digest.length(), d);
        ok = checked.verifier.verify(signed, 0, signed.length, sig);
      }
      if (!ok) {
        throw new BadSignatureException("signature of " + checked.header.sender() + " (key "
            + checked.signer.keyId() + ") does not verify");
      }
      return d;
    }
  }

  /** Everything that can be decided before the payload is read. */
  private Checked checkSignedHeader(ObjectNode h, int version) throws EnvelopeException {
    JoseCodec.checkCommon(h, "framed signed");
    FramedCodec.onlyKnownMembers(h, FramedCodec.SIGNED_MEMBERS, "framed signed header");
    if (!FramedCodec.FMT.equals(JoseCodec.text(h, "fmt"))) {
      throw new MalformedEnvelopeException("framed signed header 'fmt' must be '" + FramedCodec.FMT + "'");
    }
    Instant now = clock.instant();
    boolean v1 = version == FramedCodec.VERSION_1;
    PartyCertificate signer = headerChecks.trustedSigner(h, "framed v" + version + " signature", "framed signer",
        v1 ? FramedCodec.SIGNATURE_ALGS : FramedCodec.SIGNATURE_ALGS_V2,
        v1 ? FramedCodec.KEY_OF_SIGNATURE_ALG : FramedCodec.KEY_OF_SIGNATURE_ALG_V2, now);
    EnvelopeHeader header = JoseCodec.parseEnvelopeHeader(h);
    headerChecks.addressedAndTimely(header, now);
    Verifier v;
    try {
      v = verifiers.apply(signer);
    } catch (IllegalArgumentException e) {
      throw new UntrustedSenderException("sender " + header.sender() + " has an unusable signing key: "
          + e.getMessage(), e);
    }
    return new Checked(header, signer, v, JoseCodec.text(h, "alg"));
  }

  /**
   * Decrypts segment after segment into one buffer. Whether a segment is the last is known by
   * looking for the next length prefix; the nonce's last flag then makes a truncation at a segment
   * boundary, or bytes appended after the last segment, fail authentication.
   */
  private static final class Segments {
    private final Source src;
    private final Outer outer;
    private final byte[] cek;
    private final ContentCipher cipher;
    private final byte[] nonce = new byte[ContentCipher.IV_BYTES];
    private final byte[] plain;
    private long index;
    private long nextLength;
    private boolean done;
    private int pos;
    private int fill;

    Segments(Source src, Outer outer, byte[] cek, ContentCipher cipher) throws EnvelopeException, IOException {
      this.src = src;
      this.outer = outer;
      this.cek = cek;
      this.cipher = cipher;
      this.plain = new byte[outer.seg];
      this.nextLength = src.nextLength();
      if (nextLength < 0) {
        throw new MalformedEnvelopeException("framed envelope has no segments");
      }
    }

    /** Decrypts the next segment into the buffer; false after the last. */
    private boolean next() throws EnvelopeException, IOException {
      if (done) {
        return false;
      }
      long len = nextLength;
      if (len < FramedCodec.TAG_BYTES || len > outer.seg + FramedCodec.TAG_BYTES) {
        throw new MalformedEnvelopeException("framed segment " + index + " has a length of " + len
            + " bytes, outside [16, seg + 16]");
      }
      if (index >= FramedCodec.MAX_SEGMENTS) {
        throw new MalformedEnvelopeException("framed envelope has more than 2^32 segments");
      }
      src.take((int) len);
      byte[] ct = src.array();
      int off = src.offset();
      nextLength = src.nextLength();
      boolean last = nextLength < 0;
      if (!last && len != outer.seg + FramedCodec.TAG_BYTES) {
        throw new MalformedEnvelopeException("framed segment " + index + " is shorter than the segment size but "
            + "is not the last");
      }
      FramedCodec.nonce(outer.noncePrefix, index, last, nonce);
      try {
        fill = cipher.decrypt(cek, nonce, outer.preamble, ct, off, (int) len, plain, 0);
      } catch (CryptoFailure f) {
        throw new DecryptionFailedException("framed segment " + index + " failed authentication (modified, "
            + "reordered, truncated, extended, or not encrypted to us)");
      }
      pos = 0;
      index++;
      done = last;
      return true;
    }

    void readFully(byte[] dst) throws EnvelopeException, IOException {
      int at = 0;
      while (at < dst.length) {
        if (pos == fill && !next()) {
          throw new MalformedEnvelopeException("framed plaintext ends inside the signed header");
        }
        int n = Math.min(dst.length - at, fill - pos);
        System.arraycopy(plain, pos, dst, at, n);
        pos += n;
        at += n;
      }
    }

    void drainTo(Holdback hb) throws EnvelopeException, IOException {
      do {
        hb.feed(plain, pos, fill - pos);
        pos = fill;
      } while (next());
      Arrays.fill(plain, (byte) 0);
    }
  }

  /** Passes plaintext on to the signature and the sink, holding back the last 64 bytes: the signature. */
  private static final class Holdback {
    private final byte[] tail = new byte[FramedCodec.SIGNATURE_BYTES];
    private final PayloadCheck vs;
    private final Sink sink;
    private final long maxPayloadBytes;
    private int held;
    private long payload;

    Holdback(PayloadCheck vs, Sink sink, long maxPayloadBytes) {
      this.vs = vs;
      this.sink = sink;
      this.maxPayloadBytes = maxPayloadBytes;
    }

    void feed(byte[] b, int off, int len) throws EnvelopeException, IOException {
      int total = held + len;
      if (total <= tail.length) {
        System.arraycopy(b, off, tail, held, len);
        held = total;
        return;
      }
      int emit = total - tail.length;
      int fromTail = Math.min(held, emit);
      pass(tail, 0, fromTail);
      System.arraycopy(tail, fromTail, tail, 0, held - fromTail);
      held -= fromTail;
      int fromB = emit - fromTail;
      pass(b, off, fromB);
      System.arraycopy(b, off + fromB, tail, held, len - fromB);
      held += len - fromB;
    }

    private void pass(byte[] b, int off, int len) throws EnvelopeException, IOException {
      if (len == 0) {
        return;
      }
      payload += len;
      if (payload > maxPayloadBytes) {
        throw new EnvelopeTooLargeException("payload is over the limit of " + maxPayloadBytes + " bytes");
      }
      vs.update(b, off, len);
      sink.write(b, off, len);
    }

    byte[] signature() throws MalformedEnvelopeException {
      if (held != tail.length) {
        throw new MalformedEnvelopeException("framed plaintext ends before the 64-byte signature");
      }
      return tail.clone();
    }
  }

  // ---- where ciphertext comes from ------------------------------------------------------------

  private abstract static class Source {
    abstract void readFully(byte[] dst, int off, int len, String what) throws EnvelopeException, IOException;

    void readFully(byte[] dst, String what) throws EnvelopeException, IOException {
      readFully(dst, 0, dst.length, what);
    }

    /** Returns the next segment's length prefix, or -1 at a clean end of input. */
    abstract long nextLength() throws EnvelopeException, IOException;

    /** Makes the next {@code n} bytes readable at {@link #array()} from {@link #offset()}. */
    abstract void take(int n) throws EnvelopeException, IOException;

    abstract byte[] array();

    abstract int offset();
  }

  /** Ciphertext decrypted in place from the envelope array: no copy. */
  private static final class ArraySource extends Source {
    private final byte[] b;
    private int at;
    private int taken;

    ArraySource(byte[] b) {
      this.b = b;
    }

    @Override
    void readFully(byte[] dst, int off, int len, String what) throws MalformedEnvelopeException {
      if (b.length - at < len) {
        throw new MalformedEnvelopeException("framed envelope ends inside the " + what);
      }
      System.arraycopy(b, at, dst, off, len);
      at += len;
    }

    /** Walks the length prefixes and returns the plaintext length, checking that segments tile the rest. */
    long scan(int seg) throws MalformedEnvelopeException {
      long plain = 0;
      int p = at;
      while (p < b.length) {
        if (b.length - p < FramedCodec.LENGTH_BYTES) {
          throw new MalformedEnvelopeException("framed envelope ends inside a segment length");
        }
        long len = FramedCodec.u32(b, p);
        if (len < FramedCodec.TAG_BYTES || len > seg + FramedCodec.TAG_BYTES) {
          throw new MalformedEnvelopeException("framed segment length " + len + " is outside [16, seg + 16]");
        }
        p += FramedCodec.LENGTH_BYTES;
        if (b.length - p < len) {
          throw new MalformedEnvelopeException("framed envelope ends inside a segment");
        }
        p += (int) len;
        plain += len - FramedCodec.TAG_BYTES;
      }
      return plain;
    }

    @Override
    long nextLength() throws MalformedEnvelopeException {
      if (at == b.length) {
        return -1;
      }
      if (b.length - at < FramedCodec.LENGTH_BYTES) {
        throw new MalformedEnvelopeException("framed envelope ends inside a segment length");
      }
      long len = FramedCodec.u32(b, at);
      at += FramedCodec.LENGTH_BYTES;
      return len;
    }

    @Override
    void take(int n) throws MalformedEnvelopeException {
      if (b.length - at < n) {
        throw new MalformedEnvelopeException("framed envelope ends inside a segment");
      }
      taken = at;
      at += n;
    }

    @Override
    byte[] array() {
      return b;
    }

    @Override
    int offset() {
      return taken;
    }
  }

  /** Ciphertext read from a stream into one segment buffer. */
  private static final class StreamSource extends Source {
    private final InputStream in;
    private final byte[] len = new byte[FramedCodec.LENGTH_BYTES];
    private byte[] buf = new byte[0];

    StreamSource(InputStream in) {
      this.in = in;
    }

    void allocate(int seg) {
      buf = new byte[seg + FramedCodec.TAG_BYTES];
    }

    @Override
    void readFully(byte[] dst, int off, int n, String what) throws EnvelopeException, IOException {
      if (in.readNBytes(dst, off, n) != n) {
        throw new MalformedEnvelopeException("framed envelope ends inside the " + what);
      }
    }

    @Override
    long nextLength() throws EnvelopeException, IOException {
      int n = in.readNBytes(len, 0, len.length);
      if (n == 0) {
        return -1;
      }
      if (n != len.length) {
        throw new MalformedEnvelopeException("framed envelope ends inside a segment length");
      }
      return FramedCodec.u32(len, 0);
    }

    @Override
    void take(int n) throws EnvelopeException, IOException {
      readFully(buf, 0, n, "a segment");
    }

    @Override
    byte[] array() {
      return buf;
    }

    @Override
    int offset() {
      return 0;
    }
  }

  // ---- where the payload goes -------------------------------------------------------------------

  private interface Sink {
    /** Called once the signed header is checked, with its length, before any payload byte. */
    default void begin(int signedHeaderBytes, long maxPayloadBytes) throws EnvelopeException {}

    void write(byte[] b, int off, int len) throws IOException;
  }

  private static final class ArraySink implements Sink {
    private final long plain;
    private final int maxPayloadBytes;
    private byte[] out = new byte[0];
    private int at;

    ArraySink(long plain, int maxPayloadBytes) {
      this.plain = plain;
      this.maxPayloadBytes = maxPayloadBytes;
    }

    @Override
    public void begin(int signedHeaderBytes, long ignored) throws EnvelopeException {
      long payload = plain - 2 - signedHeaderBytes - FramedCodec.SIGNATURE_BYTES;
      if (payload < 0) {
        throw new MalformedEnvelopeException("framed plaintext ends before the 64-byte signature");
      }
      if (payload > maxPayloadBytes) {
        throw new EnvelopeTooLargeException("payload of " + payload + " bytes is over the limit of "
            + maxPayloadBytes + " bytes");
      }
      out = new byte[(int) payload];
    }

    @Override
    public void write(byte[] b, int off, int len) {
      System.arraycopy(b, off, out, at, len); // lengths were scanned: cannot overflow
      at += len;
    }

    byte[] array() {
      return out;
    }
  }

  private static final class StreamSink implements Sink {
    private final OutputStream out;

    StreamSink(OutputStream out) {
      this.out = out;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
    }
  }
}
