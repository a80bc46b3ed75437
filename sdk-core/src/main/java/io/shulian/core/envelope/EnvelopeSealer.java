package io.shulian.core.envelope;

import io.shulian.core.internal.access.CoreAccess;
import io.shulian.core.internal.crypto.ContentCipher;
import io.shulian.core.internal.crypto.Crypto;
import io.shulian.core.internal.crypto.Encapsulated;
import io.shulian.core.internal.crypto.EphemeralKeyReuse;
import io.shulian.core.internal.crypto.KeyEncapsulation;
import io.shulian.core.internal.crypto.Signer;
import io.shulian.core.internal.jose.Base64Url;
import io.shulian.core.keys.KeyUse;
import io.shulian.core.keys.PartyCertificate;
import io.shulian.core.keys.PartyIdentity;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Seals payloads into envelopes: signs header and payload with the party's signing key (a compact
 * JWS), then encrypts that JWS for the recipient (a compact JWE). The suite follows the recipient's
 * encryption key; a recipient of another suite than our signing key is refused.
 *
 * <p>Thread-safe; build once and share. Signing state (for SM2, an initialised signer per thread)
 * is kept across calls.
 */
public final class EnvelopeSealer {
  private final PartyIdentity identity;
  private final Signer signer;
  private final Clock clock;
  private final int maxPayloadBytes;
  private final long maxStreamPayloadBytes;
  private final Duration maxLifetime;
  private final FramedSealer framed;
  private final @Nullable EphemeralKeyReuse ephemeralReuse;

  private EnvelopeSealer(Builder b) {
    this.identity = b.identity;
    this.ephemeralReuse = b.reuseMaxAge == null ? null : new EphemeralKeyReuse(b.reuseMaxAge, b.reuseMaxUses);
    this.clock = b.clock;
    this.maxPayloadBytes = b.maxPayloadBytes;
    this.maxStreamPayloadBytes = b.maxStreamPayloadBytes;
    this.maxLifetime = b.maxLifetime;
    this.signer = CoreAccess.keys().signingKey(identity).signer(b.sm2UserId);
    this.framed =
        new FramedSealer(signer, identity.signingCertificate().keyId().value(), b.framedSegmentBytes, ephemeralReuse);
  }

  /** Starts a sealer for the given identity (its signing key signs every envelope). */
  public static Builder builder(PartyIdentity identity) {
    return new Builder(identity);
  }

  /**
   * Seals {@code payload} for {@code request.recipient()} in the request's
   * {@link SealRequest#encoding() encoding}.
   *
   * @throws SuiteMismatchException if the recipient's key is of another suite than our signing key
   * @throws EnvelopeTooLargeException if the payload is larger than the configured maximum
   * @throws IllegalArgumentException if the recipient certificate is not an encryption certificate,
   *     or the request's ttl is longer than {@link #maxLifetime()}
   */
  public SealedEnvelope seal(SealRequest request, byte[] payload)
      throws SuiteMismatchException, EnvelopeTooLargeException {
    checkSize(payload);
    PartyCertificate to = request.recipient();
    EnvelopeHeader header = newHeader(request);
    if (request.encoding() == EnvelopeEncoding.FRAMED) {
      return new SealedEnvelope(header, framed.seal(header, to, payload), EnvelopeEncoding.FRAMED);
    }
    return new SealedEnvelope(header, encode(header, payload, to));
  }

  /**
   * Seals {@code payload} as the answer to {@code request}: for {@code requester}, with the
   * request's resource, purpose, classification and content type, and the request's envelope id
   * as correlation id (see {@link SealRequest#replyTo}, to change any of them first). Sender and
   * receiver swap: the request must have been addressed to this sealer's party.
   *
   * @param requester the encryption certificate of the request's sender
   * @throws IllegalArgumentException if the request was not addressed to this sealer's party, or
   *     {@code requester} is not a certificate of the request's sender or not for encryption
   * @throws SuiteMismatchException if the requester's key is of another suite than our signing key
   * @throws EnvelopeTooLargeException if the payload is larger than the configured maximum
   */
  public SealedEnvelope reply(OpenedEnvelope request, PartyCertificate requester, byte[] payload)
      throws SuiteMismatchException, EnvelopeTooLargeException {
    if (!request.header().receiver().equals(identity.party())) {
      throw new IllegalArgumentException("the envelope was addressed to " + request.header().receiver()
          + ", not to " + identity.party() + ": only its receiver answers it");
    }
    return seal(SealRequest.replyTo(request, requester).build(), payload);
  }

  /**
   * Seals several compact envelopes under one <b>batch signature</b>: the signer signs once, over
   * the root of a Merkle tree of the envelopes' signing inputs, and each envelope carries its own
   * inclusion proof (X-Road signs its messages this way). Every envelope keeps its own header, id,
   * payload, content key and encryption, and each can be verified on its own, by anyone who can
   * open it, with the same non-repudiation as a plain signature; the proof reveals nothing about
   * the other envelopes of the batch (salted leaves). Receivers verify the root signature once per
   * batch. The format is specific to Shulian ({@code alg: SHL-BATCH-<alg>}), so use it between
   * parties running Shulian; see docs/envelope-format.md, "Batch signatures".
   *
   * <p>One request seals exactly as {@link #seal} does (a plain JWS signature).
   *
   * @param requests what to seal, compact encoding only; at most 256
   * @param payloads the payload of each request, in the same order
   * @return the sealed envelopes, in the same order
   * @throws SuiteMismatchException if a recipient's suite differs from ours
   * @throws EnvelopeTooLargeException if a payload is over the limit
   * @throws IllegalArgumentException if the lists differ in length, hold more than 256 requests,
   *     a request asks for the framed encoding or a ttl longer than {@link #maxLifetime()}, or a
   *     recipient certificate is not for encryption
   */
  public List<SealedEnvelope> sealBatch(List<SealRequest> requests, List<byte[]> payloads)
      throws SuiteMismatchException, EnvelopeTooLargeException {
    int n = requests.size();
    if (n != payloads.size()) {
      throw new IllegalArgumentException(n + " requests but " + payloads.size() + " payloads");
    }
    if (n > BatchSignature.MAX_BATCH) {
      throw new IllegalArgumentException("a batch holds at most " + BatchSignature.MAX_BATCH + " envelopes, got " + n);
    }
    if (n == 0) {
      return List.of();
    }
    if (n == 1) {
      return List.of(seal(requests.get(0), payloads.get(0)));
    }
    EnvelopeHeader[] headers = new EnvelopeHeader[n];
    List<byte[]> inputs = new ArrayList<>(n);
    String alg = BatchSignature.ALG_PREFIX + signer.joseAlgorithm();
    for (int i = 0; i < n; i++) {
      SealRequest r = Objects.requireNonNull(requests.get(i), "request");
      byte[] payload = payloads.get(i);
      if (r.encoding() != EnvelopeEncoding.COMPACT) {
        throw new IllegalArgumentException("batch signatures are for compact envelopes; seal framed ones one by one");
      }
      checkSize(payload);
      headers[i] = newHeader(r);
      inputs.add(signingInput(alg, headers[i], payload, 0));
    }
    byte[][] proofs = BatchSignature.sign(signer, identity.suite(), inputs);
    List<SealedEnvelope> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      byte[] input = inputs.get(i);
      byte[] jws = Arrays.copyOf(input, input.length + 1 + Base64Url.encodedLength(proofs[i].length));
      jws[input.length] = '.';
      Base64Url.encode(proofs[i], 0, proofs[i].length, jws, input.length + 1);
      out.add(new SealedEnvelope(headers[i], encrypt(jws, requests.get(i).recipient())));
    }
    return List.copyOf(out);
  }

  /**
   * Seals everything {@code in} yields, until its end, in the framed encoding (whatever
   * {@code request.encoding()} says) and writes the envelope to {@code out}, in constant memory
   * (about two segments). Neither stream is closed. If this throws, what was written to
   * {@code out} is not an envelope and must be discarded.
   *
   * @return the header that was signed
   * @throws SuiteMismatchException if the recipient's key is of another suite than our signing key
   * @throws EnvelopeTooLargeException when the input grows past {@code maxStreamPayloadBytes}
   * @throws IOException if reading {@code in} or writing {@code out} fails
   * @throws IllegalArgumentException if the recipient certificate is not an encryption certificate,
   *     or the request's ttl is longer than {@link #maxLifetime()}
   */
  public EnvelopeHeader sealStream(SealRequest request, InputStream in, OutputStream out)
      throws SuiteMismatchException, EnvelopeTooLargeException, IOException {
    Objects.requireNonNull(in, "in");
    Objects.requireNonNull(out, "out");
    EnvelopeHeader header = newHeader(request);
    framed.sealStream(header, request.recipient(), in, out, maxStreamPayloadBytes);
    return header;
  }

  /**
   * Starts sealing a payload that the caller pushes in pieces (a push-style {@link #sealStream}, for
   * event loops): writes the framed preamble to {@code out} now and then each segment as soon as it
   * is complete. The envelope is complete only after {@link SealingStream#finish()}; closing the
   * returned stream without finishing abandons it. {@code out} is never closed.
   *
   * @throws SuiteMismatchException if the recipient's key is of another suite than our signing key
   * @throws IOException if writing the preamble fails
   * @throws IllegalArgumentException if the recipient certificate is not an encryption certificate,
   *     or the request's ttl is longer than {@link #maxLifetime()}
   */
  public SealingStream sealingStream(SealRequest request, OutputStream out) throws SuiteMismatchException, IOException {
    Objects.requireNonNull(out, "out");
    EnvelopeHeader header = newHeader(request);
    return new SealingStream(framed.push(header, request.recipient(), out), header);
  }

  /**
   * As {@link #sealingStream}, and keeps what is needed to continue the same envelope after the
   * connection was cut ({@link SealingStream#resumption()}, {@link #resumeSealingStream}). The
   * returned stream's resumption holds the content key until it is {@linkplain
   * StreamResumption#destroy() destroyed}.
   *
   * @throws SuiteMismatchException if the recipient's key is of another suite than our signing key
   * @throws IOException if writing the preamble fails
   */
  public SealingStream resumableSealingStream(SealRequest request, OutputStream out)
      throws SuiteMismatchException, IOException {
    Objects.requireNonNull(out, "out");
    EnvelopeHeader header = newHeader(request);
    return new SealingStream(framed.resumablePush(header, request.recipient(), out), header);
  }

  /**
   * Continues the envelope of {@code resumption} from segment {@code fromSegment}: writes its
   * preamble (the same bytes as the first time) and, of the payload the caller pushes again <b>from
   * its first byte</b>, only the segments from {@code fromSegment} on. Every segment sealed before
   * must come out of the same plaintext: the first that does not makes the write fail with {@link
   * StreamResumption.MismatchException} before anything of it is written. The envelope's signature
   * covers the whole payload as always.
   *
   * @throws IllegalStateException if another stream of this envelope is open, or it was destroyed
   * @throws IllegalArgumentException if {@code fromSegment} is beyond the segments sealed so far, or
   *     the envelope was sealed with another segment size than this sealer's
   * @throws IOException if writing the preamble fails
   */
  public SealingStream resumeSealingStream(StreamResumption resumption, long fromSegment, OutputStream out)
      throws IOException {
    Objects.requireNonNull(resumption, "resumption");
    Objects.requireNonNull(out, "out");
    return new SealingStream(framed.resume(resumption, fromSegment, out), resumption.header());
  }

  private void checkSize(byte[] payload) throws EnvelopeTooLargeException {
    Objects.requireNonNull(payload, "payload");
    if (payload.length > maxPayloadBytes) {
      throw new EnvelopeTooLargeException("payload of " + payload.length + " bytes is over the limit of "
          + maxPayloadBytes + " bytes");
    }
  }

  /** Checks the recipient and the lifetime and makes the header: both encodings sign the same one. */
  private EnvelopeHeader newHeader(SealRequest request) throws SuiteMismatchException {
    PartyCertificate to = request.recipient();
    if (request.ttl().compareTo(maxLifetime) > 0) {
      // an opener refuses it as EXPIRED ("lifetime longer than allowed"): refuse it here instead
      throw new IllegalArgumentException("ttl " + request.ttl() + " is longer than the maximum lifetime "
          + maxLifetime + " (openers refuse longer-lived envelopes; EnvelopeOpener.Builder.maxLifetime and "
          + "EnvelopeSealer.Builder.maxLifetime raise both)");
    }
    if (!to.allows(KeyUse.ENCRYPT)) {
      throw new IllegalArgumentException("recipient certificate " + to.keyId() + " of " + to.party()
          + " is not an encryption certificate");
    }
    if (to.suite() != identity.suite()) {
      throw new SuiteMismatchException("recipient " + to.party() + " has a " + to.suite()
          + " encryption key but our signing key is " + identity.suite() + "; suites never mix");
    }
    Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
    return new EnvelopeHeader(
        EnvelopeHeader.VERSION,
        JoseCodec.uuidV7(clock.millis(), Crypto.random()),
        identity.party(),
        to.party(),
        request.resource(),
        request.purpose(),
        request.classification(),
        now,
        now.plus(request.ttl()),
        request.contentType(),
        request.correlationId(),
        request.grantRef(),
        request.traceparent());
  }

  private byte[] encode(EnvelopeHeader header, byte[] payload, PartyCertificate to) {
    // JWS compact: B64(header) '.' B64(payload) '.' B64(signature), built in one buffer.
    int sigChars = Base64Url.encodedLength(64);
    byte[] jws = signingInput(signer.joseAlgorithm(), header, payload, 1 + sigChars);
    int at = jws.length - 1 - sigChars;
    byte[] sig = signer.sign(jws, 0, at);
    if (sig.length != 64) {
      throw new IllegalStateException("signature of unexpected length " + sig.length);
    }
    jws[at++] = '.';
    Base64Url.encode(sig, 0, sig.length, jws, at);
    return encrypt(jws, to);
  }

  /** {@code B64(JWS header) '.' B64(payload)} followed by {@code spare} unused bytes. */
  private byte[] signingInput(String alg, EnvelopeHeader header, byte[] payload, int spare) {
    byte[] jwsHeader = JoseCodec.jwsHeader(alg, identity.signingCertificate().keyId().value(), header);
    int h = Base64Url.encodedLength(jwsHeader.length);
    int p = Base64Url.encodedLength(payload.length);
    byte[] out = new byte[h + 1 + p + spare];
    int at = Base64Url.encode(jwsHeader, 0, jwsHeader.length, out, 0);
    out[at++] = '.';
    Base64Url.encode(payload, 0, payload.length, out, at);
    return out;
  }

  private byte[] encrypt(byte[] jws, PartyCertificate to) {
    // JWE compact: B64(header) '.' B64(encrypted key) '.' B64(iv) '.' B64(ciphertext) '.' B64(tag)
    KeyEncapsulation kem = CoreAccess.certificates().publicKey(to).recipient();
    ContentCipher cipher = kem.contentCipher();
    Encapsulated e = ephemeralReuse == null
        ? kem.encapsulate(cipher.joseName())
        : ephemeralReuse.encapsulate(to.keyId().value(), kem, cipher.joseName());
    byte[] jweHeader = JoseCodec.jweHeader(e.algorithm(kem), cipher.joseName(), to.keyId().value(), e.epk, e.apu);
    byte[] aad = Base64Url.encode(jweHeader);
    byte[] iv = Crypto.randomBytes(ContentCipher.IV_BYTES);
    byte[] ctAndTag = cipher.encrypt(e.cek, iv, aad, jws, 0, jws.length);
    Arrays.fill(e.cek, (byte) 0);
    int ctLen = ctAndTag.length - ContentCipher.TAG_BYTES;
    byte[] out =
        new byte[aad.length + 1 + Base64Url.encodedLength(e.encryptedKey.length) + 1
            + Base64Url.encodedLength(iv.length) + 1 + Base64Url.encodedLength(ctLen) + 1
            + Base64Url.encodedLength(ContentCipher.TAG_BYTES)];
    System.arraycopy(aad, 0, out, 0, aad.length);
    int at = aad.length;
    out[at++] = '.';
    at = Base64Url.encode(e.encryptedKey, 0, e.encryptedKey.length, out, at);
    out[at++] = '.';
    at = Base64Url.encode(iv, 0, iv.length, out, at);
    out[at++] = '.';
    at = Base64Url.encode(ctAndTag, 0, ctLen, out, at);
    out[at++] = '.';
    Base64Url.encode(ctAndTag, ctLen, ContentCipher.TAG_BYTES, out, at);
    return out;
  }

  /** Returns the largest payload this sealer accepts. */
  /**
   * Returns the longest ttl this sealer accepts: {@link EnvelopeOpener#DEFAULT_MAX_LIFETIME} (24 h)
   * unless raised with {@link Builder#maxLifetime}, so that it never seals what a default opener
   * refuses.
   */
  public Duration maxLifetime() {
    return maxLifetime;
  }

  public int maxPayloadBytes() {
    return maxPayloadBytes;
  }

  /** Returns the largest payload {@link #sealStream} accepts. */
  public long maxStreamPayloadBytes() {
    return maxStreamPayloadBytes;
  }

  @Override
  public String toString() {
    return "EnvelopeSealer[" + identity.party() + ", " + identity.suite() + "]";
  }

  /** Configures an {@link EnvelopeSealer}. */
  public static final class Builder {
    private final PartyIdentity identity;
    private Clock clock = Clock.systemUTC();
    private int maxPayloadBytes = EnvelopeOpener.DEFAULT_MAX_PAYLOAD_BYTES;
    private long maxStreamPayloadBytes = EnvelopeOpener.DEFAULT_MAX_STREAM_PAYLOAD_BYTES;
    private Duration maxLifetime = EnvelopeOpener.DEFAULT_MAX_LIFETIME;
    private int framedSegmentBytes = FramedCodec.DEFAULT_SEGMENT_BYTES;
    private byte[] sm2UserId = Crypto.sm2DefaultUserId();
    private @Nullable Duration reuseMaxAge;
    private long reuseMaxUses;

    private Builder(PartyIdentity identity) {
      this.identity = Objects.requireNonNull(identity, "identity");
    }

    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock);
      return this;
    }

    /** Largest payload to seal, default 16 MiB, at most 256 MiB. */
    public Builder maxPayloadBytes(int maxPayloadBytes) {
      this.maxPayloadBytes = EnvelopeOpener.checkMaxPayload(maxPayloadBytes);
      return this;
    }

    /** Largest payload {@link EnvelopeSealer#sealStream} seals, default 4 GiB. */
    public Builder maxStreamPayloadBytes(long maxStreamPayloadBytes) {
      this.maxStreamPayloadBytes = EnvelopeOpener.checkMaxStreamPayload(maxStreamPayloadBytes);
      return this;
    }

    /**
     * Longest ttl to seal, default {@link EnvelopeOpener#DEFAULT_MAX_LIFETIME} (24 h), 1 s to 30
     * days. Raise it only together with the receivers' {@link EnvelopeOpener.Builder#maxLifetime}:
     * an opener refuses an envelope whose lifetime is longer than its own maximum.
     */
    public Builder maxLifetime(Duration maxLifetime) {
      Objects.requireNonNull(maxLifetime, "maxLifetime");
      if (maxLifetime.compareTo(Duration.ofSeconds(1)) < 0 || maxLifetime.compareTo(SealRequest.MAX_TTL) > 0) {
        throw new IllegalArgumentException("max lifetime must be between 1 s and 30 days, got " + maxLifetime);
      }
      this.maxLifetime = maxLifetime;
      return this;
    }

    /**
     * Plaintext bytes per segment of framed envelopes, default 64 KiB, 4 KiB to 1 MiB. Both sides
     * hold about two segments in memory; smaller segments cost a little more per byte.
     */
    public Builder framedSegmentBytes(int segmentBytes) {
      this.framedSegmentBytes = FramedCodec.checkSegmentBytes(segmentBytes);
      return this;
    }

    /**
     * The SM2 signer id (GM/T 0009). Default {@code 1234567812345678}, the value GM/T 0009-2012
     * specifies; both parties must use the same.
     */
    public Builder sm2UserId(byte[] userId) {
      this.sm2UserId = EnvelopeOpener.checkUserId(userId);
      return this;
    }

    /**
     * Reuses one ECDH-ES ephemeral key per recipient key for up to {@code maxAge} and {@code
     * maxUses} envelopes, instead of generating one per envelope (the default). Each envelope
     * still gets its own content key, derived with a fresh random {@code apu}; receivers (Shulian
     * or any JOSE library) open such envelopes unchanged, and a Shulian receiver then also skips
     * its key agreement. This saves two of the three scalar multiplications of an INTL envelope
     * round trip; the cost is that RFC 7518 4.6's "new ephemeral key per key agreement" no longer
     * holds, so the ephemeral secret, if stolen from this process while in use, opens the
     * envelopes of its window. For GM recipients (no key agreement; an SM2 k must never repeat)
     * the sender instead SM2-encrypts one random seed per window and writes {@code alg:
     * SM2-PKE-KDF}, each envelope's content key coming from the seed and its own {@code apu}
     * through the Concat KDF over SM3; only Shulian opens these. See docs/security-model.md.
     *
     * @param maxAge at most 1 hour
     * @param maxUses at least 1
     */
    public Builder reuseEphemeralKeys(Duration maxAge, long maxUses) {
      EphemeralKeyReuse.check(maxAge, maxUses);
      this.reuseMaxAge = maxAge;
      this.reuseMaxUses = maxUses;
      return this;
    }

    public EnvelopeSealer build() {
      return new EnvelopeSealer(this);
    }
  }
}
