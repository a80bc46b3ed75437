package io.shulian.core.envelope;

import io.shulian.core.internal.access.CoreAccess;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.shulian.core.internal.crypto.AesGcmWarmUp;
import io.shulian.core.internal.crypto.ContentCipher;
import io.shulian.core.internal.crypto.CryptoFailure;
import io.shulian.core.internal.crypto.Epk;
import io.shulian.core.internal.crypto.KdfInfo;
import io.shulian.core.internal.crypto.KeyDecapsulation;
import io.shulian.core.internal.crypto.Verifier;
import io.shulian.core.internal.jose.Base64Url;
import io.shulian.core.internal.jose.Json;
import io.shulian.core.keys.KeyAlgorithm;
import io.shulian.core.keys.KeyId;
import io.shulian.core.keys.PartyCertificate;
import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.keys.Suite;
import io.shulian.core.party.PartyId;
import io.shulian.core.trust.SenderTrust;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import io.shulian.core.internal.crypto.Crypto;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Opens envelopes addressed to one party, and only those that pass every check, in this order:
 * size (before any parsing); structure and header JSON (depth, size, duplicate names); the
 * suite's algorithm allow-list, no critical extensions and no embedded keys; our key id; key
 * agreement with point validation; authenticated decryption; the inner signature under a trusted
 * certificate of the claimed sender; the receiver is us; the validity window with the allowed clock
 * skew; the sender is the one the caller expects, if it names one; and finally that the id was not
 * seen before.
 *
 * <p>Framed envelopes (first byte {@code 0x89}, see {@link EnvelopeEncoding#FRAMED}) go through the
 * same checks, in the order docs/envelope-format.md gives: header, trust, receiver and time are
 * checked on the signed header before the payload is read, the signature after the last segment.
 *
 * <p>Compact envelopes may carry a batch signature ({@code alg: SHL-BATCH-...}, see {@link
 * EnvelopeSealer#sealBatch}): the envelope's inclusion proof must lead to a root whose signature
 * verifies under the same trusted key; verified roots are remembered for a few minutes, so the
 * other envelopes of a batch cost only hashes. {@link OpenedEnvelope#signatureBatchSize} tells
 * which form was used.
 *
 * <p>Each failure is its own {@link EnvelopeException} subclass. Thread-safe; build once and share.
 */
public final class EnvelopeOpener {
  /** Default and largest payload sizes. */
  public static final int DEFAULT_MAX_PAYLOAD_BYTES = 16 * 1024 * 1024;

  /** Default largest payload of {@link #openStream} and {@link EnvelopeSealer#sealStream}: 4 GiB. */
  public static final long DEFAULT_MAX_STREAM_PAYLOAD_BYTES = 4L * 1024 * 1024 * 1024;

  static final int HARD_MAX_PAYLOAD_BYTES = 256 * 1024 * 1024;

  public static final Duration DEFAULT_CLOCK_SKEW = Duration.ofSeconds(60);
  public static final Duration DEFAULT_MAX_LIFETIME = Duration.ofHours(24);
  public static final long DEFAULT_REPLAY_CACHE_ENTRIES = 2_000_000;

  private static final Map<String, KeyAlgorithm> PLAIN_SIGNATURE_KEYS =
      Map.of("EdDSA", KeyAlgorithm.ED25519, "ES256", KeyAlgorithm.P256, "SM2-SM3", KeyAlgorithm.SM2);
  /** Each suite's signature algorithms, each also in its batch form ({@code SHL-BATCH-<alg>}). */
  private static final Map<Suite, Set<String>> SIGNATURE_ALGS = Map.of(
      Suite.INTL, withBatchForms(Set.of("EdDSA", "ES256")), Suite.GM, withBatchForms(Set.of("SM2-SM3")));
  private static final Map<String, KeyAlgorithm> KEY_OF_SIGNATURE_ALG = PLAIN_SIGNATURE_KEYS.entrySet().stream()
      .flatMap(e -> java.util.stream.Stream.of(e, Map.entry(BatchSignature.ALG_PREFIX + e.getKey(), e.getValue())))
      .collect(java.util.stream.Collectors.toUnmodifiableMap(Map.Entry::getKey, Map.Entry::getValue));

  private static Set<String> withBatchForms(Set<String> algs) {
    return algs.stream().flatMap(a -> java.util.stream.Stream.of(a, BatchSignature.ALG_PREFIX + a))
        .collect(java.util.stream.Collectors.toUnmodifiableSet());
  }

  private final PartyIdentity identity;
  private final KeyDecapsulation decrypter;
  private final Clock clock;
  private final Duration skew;
  private final int maxPayloadBytes;
  private final long maxEnvelopeBytes;
  private final ReplayCache replayCache;
  private final byte[] sm2UserId;
  private final Cache<KeyId, Verifier> verifiers = Caffeine.newBuilder().maximumSize(10_000).executor(Runnable::run).build();
  private final long maxStreamPayloadBytes;
  private final HeaderChecks headerChecks;
  private final FramedOpener framed;
  private final BatchSignature.VerifiedRoots verifiedRoots = new BatchSignature.VerifiedRoots();

  private EnvelopeOpener(Builder b) {
    this.identity = b.identity;
    this.decrypter = CoreAccess.keys().decryptionKey(identity).decrypter();
    this.clock = b.clock;
    this.skew = b.skew;
    this.maxPayloadBytes = b.maxPayloadBytes;
    this.maxEnvelopeBytes = maxEnvelopeBytes(maxPayloadBytes);
    this.replayCache = b.replayCache != null ? b.replayCache : ReplayCache.inMemory(DEFAULT_REPLAY_CACHE_ENTRIES, clock);
    this.sm2UserId = b.sm2UserId;
    this.maxStreamPayloadBytes = b.maxStreamPayloadBytes;
    this.headerChecks = new HeaderChecks(identity, decrypter, b.trust, skew, b.maxLifetime);
    this.framed = new FramedOpener(identity, decrypter, headerChecks, clock, skew, replayCache, this::verifier);
  }

  /** Returns the (cached) verifier of a trusted signer's key. */
  private Verifier verifier(PartyCertificate signer) {
    return verifiers.get(signer.keyId(), k -> CoreAccess.certificates().publicKey(signer).verifier(sm2UserId));
  }

  /** Starts an opener for envelopes addressed to {@code identity}, trusting senders per {@code trust}. */
  public static Builder builder(PartyIdentity identity, SenderTrust trust) {
    return new Builder(identity, trust);
  }

  /** The largest compact envelope that can carry a payload of {@code maxPayloadBytes}. */
  static long maxEnvelopeBytes(int maxPayloadBytes) {
    long header = Base64Url.encodedLength(Json.MAX_HEADER_BYTES);
    long jws = header + 1 + Base64Url.encodedLength(maxPayloadBytes) + 1 + 86;
    return header + 1 + 160 + 1 + 16 + 1 + (jws * 4 + 2) / 3 + 1 + 22;
  }

  /** Returns the largest envelope (in bytes) that {@link #open} parses at all. */
  public long maxEnvelopeBytes() {
    return maxEnvelopeBytes;
  }

  /**
   * Opens an envelope of either encoding: a first byte of {@code 0x89} means framed (compact JOSE
   * starts with {@code eyJ}).
   *
   * @param envelope the compact serialization (ASCII bytes) or a framed envelope
   * @return the verified header and payload
   * @throws EnvelopeException a subclass per reason; see the class documentation for the order
   */
  public OpenedEnvelope open(byte[] envelope) throws EnvelopeException {
    return open(envelope, null);
  }

  /**
   * Opens an envelope that {@code expectedSender} delivered (e.g. the party of the TLS peer that
   * posted it), as {@link #open(byte[])} does, and refuses it with {@link SenderMismatchException}
   * if its verified sender is another party. That check comes after the signature and before the
   * replay cache, so an envelope copied in transit and delivered by someone else does not use up
   * its id: the genuine sender can still deliver it, once. Two concurrent opens of one envelope by
   * its sender still yield exactly one success.
   *
   * @param expectedSender the party the envelope must come from; null accepts any trusted sender
   * @throws EnvelopeException a subclass per reason; see the class documentation for the order
   */
  public OpenedEnvelope open(byte[] envelope, @org.jspecify.annotations.Nullable PartyId expectedSender)
      throws EnvelopeException {
    Objects.requireNonNull(envelope, "envelope");
    if (FramedCodec.isFramed(envelope)) {
      return framed.open(envelope, maxPayloadBytes, expectedSender);
    }
    if (envelope.length > maxEnvelopeBytes) {
      throw new EnvelopeTooLargeException("envelope of " + envelope.length + " bytes is over the limit of "
          + maxEnvelopeBytes + " bytes");
    }
    int[] dots = dots(envelope, 0, envelope.length, 4, "JWE");

    // ---- outer layer: JWE ----
    ObjectNode jwe = header(envelope, 0, dots[0], "JWE");
    JoseCodec.checkCommon(jwe, "JWE");
    String alg = JoseCodec.text(jwe, "alg");
    String enc = JoseCodec.text(jwe, "enc");
    headerChecks.forUs("JWE", alg, enc, JoseCodec.text(jwe, "kid"));
    ContentCipher cipher = decrypter.contentCipher();
    String cty = JoseCodec.optText(jwe, "cty");
    if (cty != null && !JoseCodec.CTY_NESTED.equals(cty)) {
      throw new MalformedEnvelopeException("JWE 'cty' must be '" + JoseCodec.CTY_NESTED + "'");
    }
    Epk epk = JoseCodec.parseEpk(jwe);
    KdfInfo kdfInfo = JoseCodec.parseKdfInfo(jwe);
    byte[] encryptedKey = part(envelope, dots[0] + 1, dots[1], "encrypted key");
    if ("ECDH-ES".equals(alg) && encryptedKey.length != 0) {
      // RFC 7518 4.6: direct key agreement has an empty encrypted key. Bytes there would be
      // neither used nor authenticated, so accepting them would make envelopes malleable.
      throw new MalformedEnvelopeException("JWE encrypted key must be empty with " + alg + " direct key agreement");
    }
    byte[] iv = part(envelope, dots[1] + 1, dots[2], "IV");
    if (iv.length != ContentCipher.IV_BYTES) {
      throw new MalformedEnvelopeException("JWE IV must be 12 bytes, got " + iv.length);
    }
    int ctChars = dots[3] - dots[2] - 1;
    int tagChars = envelope.length - dots[3] - 1;
    int ctLen;
    int tagLen;
    try {
      ctLen = Base64Url.decodedLength(ctChars);
      tagLen = Base64Url.decodedLength(tagChars);
    } catch (IllegalArgumentException e) {
      throw new MalformedEnvelopeException("JWE ciphertext or tag is not base64url");
    }
    if (tagLen != ContentCipher.TAG_BYTES) {
      throw new MalformedEnvelopeException("JWE authentication tag must be 16 bytes, got " + tagLen);
    }
    byte[] ctAndTag = new byte[ctLen + tagLen];
    try {
      Base64Url.decode(envelope, dots[2] + 1, ctChars, ctAndTag, 0);
      Base64Url.decode(envelope, dots[3] + 1, tagChars, ctAndTag, ctLen);
    } catch (IllegalArgumentException e) {
      throw new MalformedEnvelopeException("JWE ciphertext or tag: " + e.getMessage());
    }
    byte[] cek;
    try {
      cek = decrypter.decapsulate(alg, epk, kdfInfo, encryptedKey, enc);
    } catch (CryptoFailure f) {
      throw f.kind() == CryptoFailure.Kind.INVALID_POINT
          ? new InvalidPublicKeyException(f.getMessage())
          : new DecryptionFailedException(f.getMessage());
    }
    byte[] jws;
    try {
      jws = cipher.decrypt(cek, iv, Arrays.copyOf(envelope, dots[0]), ctAndTag, ctAndTag.length);
    } catch (CryptoFailure f) {
      throw new DecryptionFailedException("content decryption failed: " + f.getMessage());
    } finally {
      Arrays.fill(cek, (byte) 0);
    }

    // ---- inner layer: JWS ----
    int[] jdots = dots(jws, 0, jws.length, 2, "JWS");
    ObjectNode h = header(jws, 0, jdots[0], "JWS");
    JoseCodec.checkCommon(h, "JWS");
    Instant now = clock.instant();
    PartyCertificate signer =
        headerChecks.trustedSigner(h, "JWS", "JWS signer", SIGNATURE_ALGS, KEY_OF_SIGNATURE_ALG, now);
    byte[] sig = part(jws, jdots[1] + 1, jws.length, "signature");
    int batchSize = 1;
    boolean verified;
    if (BatchSignature.isBatch(JoseCodec.text(h, "alg"))) {
      BatchSignature.Proof proof = BatchSignature.recompute(identity.suite(), jws, jdots[1], sig);
      verified = BatchSignature.verify(verifier(signer), signer.keyId().value(), proof, verifiedRoots);
      batchSize = proof.treeSize;
    } else {
      verified = verifier(signer).verify(jws, 0, jdots[1], sig);
    }
    if (!verified) {
      throw new BadSignatureException("signature of " + signer.party() + " (key " + signer.keyId()
          + ") does not verify");
    }
    EnvelopeHeader header = JoseCodec.parseEnvelopeHeader(h);
    headerChecks.addressedAndTimely(header, now);
    int payloadChars = jdots[1] - jdots[0] - 1;
    int payloadLen;
    try {
      payloadLen = Base64Url.decodedLength(payloadChars);
    } catch (IllegalArgumentException e) {
      throw new MalformedEnvelopeException("JWS payload is not base64url");
    }
    if (payloadLen > maxPayloadBytes) {
      throw new EnvelopeTooLargeException("payload of " + payloadLen + " bytes is over the limit of "
          + maxPayloadBytes + " bytes");
    }
    byte[] payload = new byte[payloadLen];
    try {
      Base64Url.decode(jws, jdots[0] + 1, payloadChars, payload, 0);
    } catch (IllegalArgumentException e) {
      throw new MalformedEnvelopeException("JWS payload: " + e.getMessage());
    }
    HeaderChecks.fromExpectedSender(header, expectedSender);
    // Last: only a verified, addressed, timely envelope from the expected sender may claim a slot
    // in the replay cache.
    if (!replayCache.firstSeen(header.id(), header.expiresAt().plus(skew))) {
      throw new ReplayedEnvelopeException("envelope " + header.id() + " from " + header.sender()
          + " was already opened");
    }
    return new OpenedEnvelope(header, payload, signer, batchSize);
  }

  /**
   * Opens a framed envelope read from {@code in} and writes its payload to {@code out}, in
   * constant memory (about two segments), so that data sets larger than memory can be opened.
   * Neither stream is closed; {@code in} is read exactly to the end of the envelope's last
   * segment, and anything after it makes the open fail.
   *
   * <p><b>What is written to {@code out} before this method returns is not yet authenticated as
   * the sender's.</b> Each segment is authenticated (AEAD) before its bytes are written, so they
   * were encrypted to us by someone; but the sender's signature, and with it the sender's identity
   * and the integrity of the whole, is checked only after the last segment, and the replay check
   * comes after that. If this method throws, the caller must discard everything written to
   * {@code out} (write to a temporary file and rename it only on success). The header, sender
   * trust, receiver and validity window are checked before the first payload byte is written.
   *
   * @return the verified header
   * @throws EnvelopeException a subclass per reason; {@link EnvelopeTooLargeException} when the
   *     payload grows past {@code maxStreamPayloadBytes}; a compact envelope is refused as
   *     malformed (open it with {@link #open})
   * @throws IOException if reading {@code in} or writing {@code out} fails
   */
  public EnvelopeHeader openStream(InputStream in, OutputStream out) throws EnvelopeException, IOException {
    Objects.requireNonNull(in, "in");
    Objects.requireNonNull(out, "out");
    return framed.openStream(in, out, maxStreamPayloadBytes);
  }

  /**
   * Starts opening a framed envelope that the caller pushes in pieces (a push-style {@link
   * #openStream}, for event loops): payload bytes go to {@code out} as segments authenticate, and
   * {@link OpeningStream#finish()} checks the signature over the whole stream, {@code
   * expectedSender} (if not null) and the replay cache. The same caveat as for {@code openStream}
   * applies: what reaches {@code out} before {@code finish()} returns is not yet the sender's.
   * {@code out} is never closed.
   *
   * @param expectedSender the party that must have signed, or null for any trusted sender
   */
  public OpeningStream openingStream(OutputStream out, @org.jspecify.annotations.Nullable PartyId expectedSender) {
    Objects.requireNonNull(out, "out");
    return new OpeningStream(framed.push(out, maxStreamPayloadBytes, expectedSender));
  }

  /** Returns the largest payload {@link #openStream} accepts. */
  public long maxStreamPayloadBytes() {
    return maxStreamPayloadBytes;
  }

  /**
   * Starts warming up the content decryption of this opener's suite in the background and returns
   * at once: whether a warm-up started now. For {@link Suite#INTL}, once per JVM, a daemon thread
   * encrypts and decrypts with AES-256-GCM on throw-away keys until the JIT compiled the JDK's
   * AES-GCM (JDK 17 reaches its AES-NI/CLMUL intrinsics only then, which one decryption per 64
   * KiB segment otherwise takes hundreds of MiB to do), at most about 100 MB of cipher work and 60
   * seconds; a failure is logged and ends it. It shares no key, cipher object or buffer with
   * {@link #open}. For {@link Suite#GM} there is nothing to warm up (Bouncy Castle's SM4 has no
   * intrinsics to wait for): false.
   */
  public boolean warmUpInBackground() {
    return identity.suite() == Suite.INTL && AesGcmWarmUp.startOnce();
  }

  private static int[] dots(byte[] b, int from, int to, int expected, String layer)
      throws MalformedEnvelopeException {
    int[] out = new int[expected];
    int n = 0;
    for (int i = from; i < to; i++) {
      if (b[i] == '.') {
        if (n == expected) {
          throw new MalformedEnvelopeException(layer + " compact serialization has more than "
              + (expected + 1) + " parts");
        }
        out[n++] = i;
      }
    }
    if (n != expected) {
      throw new MalformedEnvelopeException(layer + " compact serialization must have " + (expected + 1)
          + " parts, got " + (n + 1));
    }
    return out;
  }

  private static ObjectNode header(byte[] b, int from, int to, String layer) throws MalformedEnvelopeException {
    if (to - from > Base64Url.encodedLength(Json.MAX_HEADER_BYTES)) {
      throw new MalformedEnvelopeException(layer + " header is larger than " + Json.MAX_HEADER_BYTES + " bytes");
    }
    byte[] json;
    try {
      json = Base64Url.decode(b, from, to - from);
    } catch (IllegalArgumentException e) {
      throw new MalformedEnvelopeException(layer + " header: " + e.getMessage());
    }
    try {
      return Json.parseObject(json, 0, json.length);
    } catch (Json.JsonException e) {
      throw new MalformedEnvelopeException(layer + " " + e.getMessage());
    }
  }

  private static byte[] part(byte[] b, int from, int to, String what) throws MalformedEnvelopeException {
    try {
      return Base64Url.decode(b, from, to - from);
    } catch (IllegalArgumentException e) {
      throw new MalformedEnvelopeException(what + ": " + e.getMessage());
    }
  }

  static int checkMaxPayload(int n) {
    if (n < 0 || n > HARD_MAX_PAYLOAD_BYTES) {
      throw new IllegalArgumentException("maxPayloadBytes must be in [0, " + HARD_MAX_PAYLOAD_BYTES + "], got " + n);
    }
    return n;
  }

  static long checkMaxStreamPayload(long n) {
    if (n < 0) {
      throw new IllegalArgumentException("maxStreamPayloadBytes must not be negative, got " + n);
    }
    return n;
  }

  static byte[] checkUserId(byte[] id) {
    if (id.length == 0 || id.length > 8191) {
      throw new IllegalArgumentException("SM2 user id must be 1 to 8191 bytes");
    }
    return id.clone();
  }

  @Override
  public String toString() {
    return "EnvelopeOpener[" + identity.party() + ", " + identity.suite() + "]";
  }

  /** Configures an {@link EnvelopeOpener}; every loosening of a check is a named call. */
  public static final class Builder {
    private final PartyIdentity identity;
    private final SenderTrust trust;
    private Clock clock = Clock.systemUTC();
    private Duration skew = DEFAULT_CLOCK_SKEW;
    private Duration maxLifetime = DEFAULT_MAX_LIFETIME;
    private int maxPayloadBytes = DEFAULT_MAX_PAYLOAD_BYTES;
    private @org.jspecify.annotations.Nullable ReplayCache replayCache;
    private byte[] sm2UserId = Crypto.sm2DefaultUserId();
    private long maxStreamPayloadBytes = DEFAULT_MAX_STREAM_PAYLOAD_BYTES;

    private Builder(PartyIdentity identity, SenderTrust trust) {
      this.identity = Objects.requireNonNull(identity, "identity");
      this.trust = Objects.requireNonNull(trust, "trust");
    }

    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock);
      return this;
    }

    /** Allows this much clock difference between sender and receiver (default 60 s, at most 10 min). */
    public Builder allowClockSkew(Duration skew) {
      if (skew.isNegative() || skew.compareTo(Duration.ofMinutes(10)) > 0) {
        throw new IllegalArgumentException("clock skew must be between 0 and 10 minutes, got " + skew);
      }
      this.skew = skew;
      return this;
    }

    /** Refuses envelopes valid for longer than this (default 24 h): it bounds the replay cache. */
    public Builder maxLifetime(Duration maxLifetime) {
      if (maxLifetime.compareTo(Duration.ofSeconds(1)) < 0 || maxLifetime.compareTo(Duration.ofDays(30)) > 0) {
        throw new IllegalArgumentException("max lifetime must be between 1 s and 30 days, got " + maxLifetime);
      }
      this.maxLifetime = maxLifetime;
      return this;
    }

    /** Largest payload to accept, default 16 MiB, at most 256 MiB; larger input is refused unparsed. */
    public Builder maxPayloadBytes(int maxPayloadBytes) {
      this.maxPayloadBytes = checkMaxPayload(maxPayloadBytes);
      return this;
    }

    /**
     * Largest payload to accept from {@link EnvelopeOpener#openStream}, default 4 GiB; checked while
     * streaming. {@link EnvelopeOpener#open} keeps {@link #maxPayloadBytes}.
     */
    public Builder maxStreamPayloadBytes(long maxStreamPayloadBytes) {
      this.maxStreamPayloadBytes = checkMaxStreamPayload(maxStreamPayloadBytes);
      return this;
    }

    /**
     * Where seen envelope ids are kept (default: in memory, at most 2,000,000 unexpired ids; beyond
     * that new envelopes are refused with {@link ReplayStateUnavailableException}).
     */
    public Builder replayCache(ReplayCache replayCache) {
      this.replayCache = Objects.requireNonNull(replayCache);
      return this;
    }

    /** The SM2 user id (GM/T 0009) senders sign with; default {@code 1234567812345678}. */
    public Builder sm2UserId(byte[] userId) {
      this.sm2UserId = checkUserId(userId);
      return this;
    }

    public EnvelopeOpener build() {
      return new EnvelopeOpener(this);
    }
  }
}
