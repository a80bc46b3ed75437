package io.shulian.core.envelope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shulian.core.internal.crypto.Signer;
import io.shulian.core.internal.jose.Json;
import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.trust.PinnedSenderTrust;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.UnaryOperator;
import org.bouncycastle.crypto.digests.SM3Digest;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Framed v2 (docs/envelope-format.md, "Framed v2"): the signature covers the signed header, the
 * payload length and the payload digest, and that digest is what {@link SealingStream} and
 * {@link OpeningStream} hand out. Every field the signature binds is tampered with here through the
 * array, InputStream and push APIs; v1 and v2 signatures must never pass for each other.
 */
class FramedV2Test {
  private static final Instant T0 = Instant.now().truncatedTo(ChronoUnit.SECONDS);
  private static final int SEG = FramedCodec.MIN_SEGMENT_BYTES;
  private static final byte[] PAYLOAD = payload(3 * SEG + 77);

  private static byte[] payload(int n) {
    byte[] b = new byte[n];
    new Random(n).nextBytes(b);
    return b;
  }

  private static EnvelopeOpener opener(PartyIdentity[] p) {
    return EnvelopeOpener.builder(p[1], PinnedSenderTrust.of(p[0].certificates()))
        .clock(Clock.fixed(T0, ZoneOffset.UTC)).build();
  }

  private static SealRequest request(PartyIdentity[] p) {
    return SealRequest.builder().recipient(p[1].encryptionCertificate()).resource("HOUSING-001")
        .purpose("social-assistance-review").encoding(EnvelopeEncoding.FRAMED).build();
  }

  private static EnvelopeSealer sealer(PartyIdentity[] p) {
    return EnvelopeSealer.builder(p[0]).clock(Clock.fixed(T0, ZoneOffset.UTC)).framedSegmentBytes(SEG).build();
  }

  /** SHA-256 (INTL) or SM3 (GM) of {@code b}: the audit digest a gateway recorded before v2. */
  static byte[] digest(String suite, byte[] b) {
    if (suite.equals("GM")) {
      SM3Digest d = new SM3Digest();
      d.update(b, 0, b.length);
      byte[] out = new byte[32];
      d.doFinal(out, 0);
      return out;
    }
    try {
      return MessageDigest.getInstance("SHA-256").digest(b);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  /** The v2 signed header a sealer writes for {@code p[0]}. */
  private static ObjectNode signedHeader(PartyIdentity[] p) {
    ObjectNode h = FramedForge.signedHeader(p[0], p[1].party(), T0, T0.plus(Duration.ofMinutes(5)));
    h.put("alg", FramedCodec.v2Algorithm(FramedForge.signer(p[0]).joseAlgorithm()));
    return h;
  }

  /** {@code u16 M || header || payload || signature}, signed over v2 data whose length and digest may be edited. */
  private static byte[] v2Plaintext(PartyIdentity[] p, byte[] json, byte[] payload, long signedLength,
      UnaryOperator<byte[]> editDigest, String suite) {
    byte[] m = {(byte) (json.length >>> 8), (byte) json.length};
    byte[] signed = FramedCodec.signedV2(m, json, signedLength, editDigest.apply(digest(suite, payload)));
    Signer s = FramedForge.signer(p[0]);
    return FramedForge.plaintext(json, payload, s.sign(signed, 0, signed.length));
  }

  private static byte[] frame(PartyIdentity[] p, int version, byte[] plaintext) {
    FramedForge.Framer f = new FramedForge.Framer(p[1].encryptionCertificate(), SEG);
    f.version = version;
    return f.frame(plaintext);
  }

  /** Opens through open(byte[]), openStream and openingStream (each its own opener: replays); returns the push API's digest. */
  private static byte[] openAll(PartyIdentity[] p, byte[] env, byte[] expectedPayload) throws Exception {
    assertThat(opener(p).open(env).payload()).isEqualTo(expectedPayload);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    opener(p).openStream(new ByteArrayInputStream(env), out);
    assertThat(out.toByteArray()).isEqualTo(expectedPayload);
    out.reset();
    try (OpeningStream o = opener(p).openingStream(out, null)) {
      for (int at = 0; at < env.length; at += 1000) {
        o.write(env, at, Math.min(1000, env.length - at));
      }
      assertThat(o.payloadDigest()).as("before finish").isEmpty();
      o.finish();
      assertThat(out.toByteArray()).isEqualTo(expectedPayload);
      assertThat(o.releasedDigest()).isEqualTo(o.payloadDigest().orElseThrow());
      return o.payloadDigest().orElseThrow();
    }
  }

  /** Refused with {@code type} by all three APIs; the push API never hands out a digest. */
  private static void assertRejected(PartyIdentity[] p, byte[] env, Class<? extends EnvelopeException> type) {
    EnvelopeOpener opener = opener(p);
    assertThatThrownBy(() -> opener.open(env)).as("open").isInstanceOf(type);
    assertThatThrownBy(() -> opener.openStream(new ByteArrayInputStream(env), new ByteArrayOutputStream()))
        .as("openStream").isInstanceOf(type);
    OpeningStream o = opener.openingStream(new ByteArrayOutputStream(), null);
    assertThatThrownBy(() -> {
          o.write(env, 0, env.length);
          o.finish();
        }).as("openingStream").isInstanceOf(type);
    assertThat(o.payloadDigest()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"INTL", "INTL-P256", "GM"})
  void sealingStream_default_writesV2WithItsOwnAlgAndHandsOutThePayloadDigest(String suite) throws Exception {
    PartyIdentity[] p = EnvelopeForge.pair(suite);
    ByteArrayOutputStream env = new ByteArrayOutputStream();
    byte[] sealedDigest;
    try (SealingStream s = sealer(p).sealingStream(request(p), env)) {
      s.write(PAYLOAD, 0, 1000);
      assertThat(s.payloadDigest()).as("so far").isEqualTo(digest(suite, Arrays.copyOf(PAYLOAD, 1000)));
      s.write(PAYLOAD, 1000, PAYLOAD.length - 1000);
      s.finish();
      sealedDigest = s.payloadDigest();
    }
    byte[] e = env.toByteArray();
    assertThat(e[4]).as("preamble version").isEqualTo((byte) 2);
    assertThat(sealedDigest).isEqualTo(digest(suite, PAYLOAD));
    assertThat(openAll(p, e, PAYLOAD)).isEqualTo(sealedDigest);
  }

  @ParameterizedTest
  @ValueSource(strings = {"INTL", "INTL-P256", "GM"})
  void open_v1Envelope_stillOpensWithTheSameDigest(String suite) throws Exception {
    PartyIdentity[] p = EnvelopeForge.pair(suite);
    FramedSealer v1 = new FramedSealer(FramedForge.signer(p[0]), p[0].signingCertificate().keyId().value(), SEG, null,
        FramedCodec.VERSION_1);
    EnvelopeHeader h = JoseCodec.parseEnvelopeHeader(signedHeader(p));
    byte[] env = v1.seal(h, p[1].encryptionCertificate(), PAYLOAD);
    assertThat(env[4]).isEqualTo((byte) 1);
    assertThat(openAll(p, env, PAYLOAD)).isEqualTo(digest(suite, PAYLOAD));
    // and the forge's v1 plaintext (a v1 sender's bytes) framed as v1
    byte[] forged = frame(p, 1, FramedForge.signedPlaintext(
        FramedForge.signedHeader(p[0], p[1].party(), T0, T0.plus(Duration.ofMinutes(5))), PAYLOAD, p[0]));
    assertThat(openAll(p, forged, PAYLOAD)).isEqualTo(digest(suite, PAYLOAD));
  }

  @ParameterizedTest
  @ValueSource(strings = {"INTL", "INTL-P256", "GM"})
  void open_forgedV2Plaintext_opensOnlyWhenLengthDigestPayloadAndHeaderAllMatch(String suite) throws Exception {
    PartyIdentity[] p = EnvelopeForge.pair(suite);
    byte[] json = Json.write(signedHeader(p));
    long n = PAYLOAD.length;
    // the forge reproduces what the sealer signs: this one opens
    assertThat(openAll(p, frame(p, 2, v2Plaintext(p, json, PAYLOAD, n, d -> d, suite)), PAYLOAD))
        .isEqualTo(digest(suite, PAYLOAD));
    // a payload byte flipped after signing
    byte[] flipped = PAYLOAD.clone();
    flipped[SEG + 5] ^= 1;
    byte[] goodSig = v2Plaintext(p, json, PAYLOAD, n, d -> d, suite);
    byte[] sig = Arrays.copyOfRange(goodSig, goodSig.length - 64, goodSig.length);
    assertRejected(p, frame(p, 2, FramedForge.plaintext(json, flipped, sig)), BadSignatureException.class);
    // a payload one byte shorter under the same signature
    assertRejected(p, frame(p, 2, FramedForge.plaintext(json, Arrays.copyOf(PAYLOAD, PAYLOAD.length - 1), sig)),
        BadSignatureException.class);
    // the signed length differs from the payload's
    assertRejected(p, frame(p, 2, v2Plaintext(p, json, PAYLOAD, n + 1, d -> d, suite)), BadSignatureException.class);
    assertRejected(p, frame(p, 2, v2Plaintext(p, json, PAYLOAD, n - 1, d -> d, suite)), BadSignatureException.class);
    // the signed digest differs from the payload's (one bit; the other suite's hash)
    assertRejected(p, frame(p, 2, v2Plaintext(p, json, PAYLOAD, n, d -> {
      d[31] ^= 1;
      return d;
    }, suite)), BadSignatureException.class);
    String other = suite.equals("GM") ? "INTL" : "GM";
    assertRejected(p, frame(p, 2, v2Plaintext(p, json, PAYLOAD, n, d -> digest(other, PAYLOAD), suite)),
        BadSignatureException.class);
    // the signed header changed after signing (same length: 'HOUSING-001' -> 'HOUSING-002')
    byte[] edited = new String(json, java.nio.charset.StandardCharsets.UTF_8).replace("HOUSING-001", "HOUSING-002")
        .getBytes(java.nio.charset.StandardCharsets.UTF_8);
    assertThat(edited).isNotEqualTo(json).hasSameSizeAs(json);
    assertRejected(p, frame(p, 2, FramedForge.plaintext(edited, PAYLOAD, sig)), BadSignatureException.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"INTL", "INTL-P256", "GM"})
  void open_v1SignedPlaintextInV2Preamble_andTheReverse_isRefused(String suite) {
    PartyIdentity[] p = EnvelopeForge.pair(suite);
    boolean ed = suite.equals("INTL");
    // v1 bytes (alg Ed25519ph / ES256 / SM2-SM3, signature over the v1 data) announced as v2
    byte[] v1Plain = FramedForge.signedPlaintext(
        FramedForge.signedHeader(p[0], p[1].party(), T0, T0.plus(Duration.ofMinutes(5))), PAYLOAD, p[0]);
    assertRejected(p, frame(p, 2, v1Plain), ed ? DisallowedAlgorithmException.class : BadSignatureException.class);
    // v2 bytes (alg Ed25519 / ES256 / SM2-SM3, signature over the v2 data) announced as v1
    byte[] json = Json.write(signedHeader(p));
    byte[] v2Plain = v2Plaintext(p, json, PAYLOAD, PAYLOAD.length, d -> d, suite);
    assertRejected(p, frame(p, 1, v2Plain), ed ? DisallowedAlgorithmException.class : BadSignatureException.class);
    if (ed) {
      // the alg names swapped as well: each signature still fails under the other version's rules
      ObjectNode h1 = signedHeader(p);
      h1.put("alg", "Ed25519ph");
      byte[] j1 = Json.write(h1);
      byte[] v2SigUnderPh = v2Plaintext(p, j1, PAYLOAD, PAYLOAD.length, d -> d, suite);
      assertRejected(p, frame(p, 1, v2SigUnderPh), BadSignatureException.class);
      ObjectNode h2 = FramedForge.signedHeader(p[0], p[1].party(), T0, T0.plus(Duration.ofMinutes(5)));
      h2.put("alg", FramedCodec.ED25519_V2);
      byte[] j2 = Json.write(h2);
      byte[] phSigUnderPure = FramedForge.plaintext(j2, PAYLOAD, FramedForge.sign(j2, PAYLOAD, FramedForge.signer(p[0])));
      assertRejected(p, frame(p, 2, phSigUnderPure), BadSignatureException.class);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"INTL", "GM"})
  void openingStream_cutOff_releasedDigestIsThatOfTheBytesReleasedAndNoVerifiedDigest(String suite) throws Exception {
    PartyIdentity[] p = EnvelopeForge.pair(suite);
    byte[] env = sealer(p).seal(request(p), PAYLOAD).toByteArray();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    OpeningStream o = opener(p).openingStream(out, null);
    assertThat(o.releasedDigest()).as("nothing released").isEqualTo(digest(suite, new byte[0]));
    o.write(env, 0, env.length - SEG); // the last segments never arrive
    assertThat(out.size()).isPositive().isLessThan(PAYLOAD.length);
    assertThat(o.releasedDigest()).isEqualTo(digest(suite, out.toByteArray()));
    o.close();
    assertThat(o.releasedDigest()).as("after close").isEqualTo(digest(suite, out.toByteArray()));
    assertThat(o.payloadDigest()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"INTL", "GM"})
  void open_v2TruncatedOrSegmentDropped_isRefusedAndGivesNoDigest(String suite) throws Exception {
    PartyIdentity[] p = EnvelopeForge.pair(suite);
    byte[] env = sealer(p).seal(request(p), PAYLOAD).toByteArray();
    assertThat(env[4]).isEqualTo((byte) 2);
    List<byte[]> parts = FramedForge.split(env);
    // the last segment dropped: the new last one lacks the last flag
    assertRejected(p, FramedForge.join(parts.subList(0, parts.size() - 1)), DecryptionFailedException.class);
    // cut inside the last segment
    assertRejected(p, Arrays.copyOf(env, env.length - 10), MalformedEnvelopeException.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"INTL", "GM"})
  void open_v2CutAtEveryFrameBoundaryOrExtended_isRefusedAndGivesNoDigest(String suite) throws Exception {
    PartyIdentity[] p = EnvelopeForge.pair(suite);
    byte[] env = sealer(p).seal(request(p), PAYLOAD).toByteArray();
    java.util.SortedSet<Integer> cuts = new java.util.TreeSet<>();
    int at = 0;
    for (byte[] part : FramedForge.split(env)) {
      // each part's start, its length field, the first byte after it, and its tag's first and last byte
      for (int d : new int[] {-1, 0, 1, 3, 4, 5, part.length - 16, part.length - 1}) {
        if (at + d >= 0 && at + d < env.length) {
          cuts.add(at + d);
        }
      }
      at += part.length;
    }
    cuts.add(env.length - 1);
    EnvelopeOpener opener = opener(p);
    for (int cut : cuts) {
      byte[] prefix = Arrays.copyOf(env, cut);
      assertThatThrownBy(() -> opener.open(prefix)).as("open, cut at %d", cut).isInstanceOf(EnvelopeException.class);
      OpeningStream o = opener.openingStream(new ByteArrayOutputStream(), null);
      assertThatThrownBy(() -> {
            o.write(prefix, 0, prefix.length);
            o.finish();
          }).as("openingStream, cut at %d", cut).isInstanceOf(EnvelopeException.class);
      assertThat(o.payloadDigest()).as("cut at %d", cut).isEmpty();
    }
    // one byte more after the final segment
    byte[] longer = Arrays.copyOf(env, env.length + 1);
    assertThatThrownBy(() -> opener.open(longer)).isInstanceOf(EnvelopeException.class);
    OpeningStream o = opener.openingStream(new ByteArrayOutputStream(), null);
    assertThatThrownBy(() -> {
          o.write(longer, 0, longer.length);
          o.finish();
        }).isInstanceOf(EnvelopeException.class);
    assertThat(o.payloadDigest()).isEmpty();
  }
}
