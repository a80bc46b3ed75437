package io.shulian.core.envelope;

import io.shulian.core.internal.access.CoreAccess;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shulian.core.internal.crypto.Crypto;
import io.shulian.core.internal.jose.Base64Url;
import io.shulian.core.internal.jose.Json;
import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.trust.PinnedSenderTrust;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One test per reason a framed envelope is refused: the exception type and a message naming the
 * reason. Envelopes are otherwise valid (built with {@link FramedForge} where the sealer cannot
 * produce the case), so the check under test is the one that rejects.
 */
class FramedRejectionTest {
  private static final Instant T0 = Instant.now().truncatedTo(ChronoUnit.SECONDS);
  private static final int SEG = FramedCodec.MIN_SEGMENT_BYTES;
  private static final byte[] PAYLOAD = payload(5 * SEG + 123);

  private static byte[] payload(int n) {
    byte[] b = new byte[n];
    new Random(n).nextBytes(b);
    return b;
  }

  static Stream<String> suites() {
    return Stream.of("INTL", "INTL-P256", "GM");
  }

  private static Clock at(Instant t) {
    return Clock.fixed(t, ZoneOffset.UTC);
  }

  private static EnvelopeOpener opener(PartyIdentity[] p) {
    return opener(p, T0);
  }

  private static EnvelopeOpener opener(PartyIdentity[] p, Instant now) {
    return EnvelopeOpener.builder(p[1], PinnedSenderTrust.of(p[0].certificates())).clock(at(now)).build();
  }

  private static SealRequest request(PartyIdentity[] p) {
    return SealRequest.builder()
        .recipient(p[1].encryptionCertificate())
        .resource("HOUSING-001")
        .purpose("social-assistance-review")
        .encoding(EnvelopeEncoding.FRAMED)
        .build();
  }

  private static EnvelopeSealer sealer(PartyIdentity[] p) {
    return EnvelopeSealer.builder(p[0]).clock(at(T0)).framedSegmentBytes(SEG).build();
  }

  private static byte[] seal(PartyIdentity[] p) throws EnvelopeException {
    return sealer(p).seal(request(p), PAYLOAD).toByteArray();
  }

  private static ObjectNode signedHeader(PartyIdentity[] p) {
    return FramedForge.signedHeader(p[0], p[1].party(), T0, T0.plus(Duration.ofMinutes(5)));
  }

  /** A correctly encrypted envelope whose signed header is edited, then signed by the sender. */
  private static byte[] signedEdited(PartyIdentity[] p, Consumer<ObjectNode> edit) {
    ObjectNode h = signedHeader(p);
    edit.accept(h);
    return new FramedForge.Framer(p[1].encryptionCertificate(), SEG)
        .frame(FramedForge.signedPlaintext(h, PAYLOAD, p[0]));
  }

  /** A correctly encrypted envelope (valid signed part) with an edited outer header. */
  private static byte[] outerEdited(PartyIdentity[] p, Consumer<ObjectNode> edit) {
    return new FramedForge.Framer(p[1].encryptionCertificate(), SEG).edit(edit)
        .frame(FramedForge.signedPlaintext(signedHeader(p), PAYLOAD, p[0]));
  }

  private static void assertRejected(
      EnvelopeOpener opener, byte[] envelope, Class<? extends EnvelopeException> type, String... inMessage) {
    for (boolean stream : new boolean[] {false, true}) {
      assertThatThrownBy(() -> {
            if (stream) {
              opener.openStream(new ByteArrayInputStream(envelope), new ByteArrayOutputStream());
            } else {
              opener.open(envelope);
            }
          })
          .as(stream ? "openStream" : "open")
          .isInstanceOf(type)
          .satisfies(e -> {
            for (String s : inMessage) {
              assertThat(e.getMessage()).containsIgnoringCase(s);
            }
          });
    }
  }

  private static PartyIdentity[] intl() {
    return EnvelopeForge.pair("INTL");
  }

  // ---- the forge produces envelopes that open (otherwise the tests below prove nothing) --------

  @ParameterizedTest
  @MethodSource("suites")
  void open_forgedButUnchangedEnvelope_succeeds(String suite) throws Exception {
    PartyIdentity[] p = EnvelopeForge.pair(suite);
    assertThat(opener(p).open(signedEdited(p, h -> {})).payload()).isEqualTo(PAYLOAD);
    assertThat(opener(p).open(outerEdited(p, h -> {})).payload()).isEqualTo(PAYLOAD);
    assertThat(opener(p).open(seal(p)).payload()).isEqualTo(PAYLOAD);
  }

  // ---- segment structure: the STREAM construction ------------------------------------------------

  @ParameterizedTest
  @MethodSource("suites")
  void open_segmentsSwapped_failsDecryption(String suite) throws Exception {
    PartyIdentity[] p = EnvelopeForge.pair(suite);
    List<byte[]> parts = FramedForge.split(seal(p));
    Collections.swap(parts, 2, 3);
    assertRejected(opener(p), FramedForge.join(parts), DecryptionFailedException.class, "segment 1");
  }

  @ParameterizedTest
  @MethodSource("suites")
  void open_middleSegmentDropped_failsDecryption(String suite) throws Exception {
    PartyIdentity[] p = EnvelopeForge.pair(suite);
    List<byte[]> parts = FramedForge.split(seal(p));
    parts.remove(2);
    assertRejected(opener(p), FramedForge.join(parts), DecryptionFailedException.class, "segment 1");
  }

  @Test
  void open_segmentDuplicated_failsDecryption() throws Exception {
    PartyIdentity[] p = intl();
    List<byte[]> parts = FramedForge.split(seal(p));
    parts.add(2, parts.get(2));
    assertRejected(opener(p), FramedForge.join(parts), DecryptionFailedException.class, "segment 2");
  }

  @ParameterizedTest
  @MethodSource("suites")
  void open_truncatedAtSegmentBoundary_failsDecryption(String suite) throws Exception {
    PartyIdentity[] p = EnvelopeForge.pair(suite);
    List<byte[]> parts = FramedForge.split(seal(p));
    parts.remove(parts.size() - 1);
    // the new last segment was encrypted as not-last
    assertRejected(opener(p), FramedForge.join(parts), DecryptionFailedException.class, "authentication");
  }

  @Test
  void open_onlyPreamble_failsAsMalformed() throws Exception {
    PartyIdentity[] p = intl();
    assertRejected(opener(p), FramedForge.split(seal(p)).get(0), MalformedEnvelopeException.class, "no segments");
  }

  @Test
  void open_segmentAppendedAfterLast_fails() throws Exception {
    PartyIdentity[] p = intl();
    ObjectNode h = signedHeader(p);
    byte[] exact = payload(3 * SEG - 2 - Json.write(h).length - 64);
    List<byte[]> full = FramedForge.split(new FramedForge.Framer(p[1].encryptionCertificate(), SEG)
        .frame(FramedForge.signedPlaintext(h, exact, p[0])));
    assertThat(full).hasSize(4);
    full.add(full.get(1));
    // the real last segment (full size) is now decrypted as not-last
    assertRejected(opener(p), FramedForge.join(full), DecryptionFailedException.class, "segment 2");
    List<byte[]> parts = FramedForge.split(seal(p));
    List<byte[]> shortLast = new ArrayList<>(parts);
    shortLast.add(parts.get(parts.size() - 1));
    // a short segment that is not the last is refused before decryption
    assertRejected(opener(p), FramedForge.join(shortLast), MalformedEnvelopeException.class, "not the last");
  }

  @Test
  void open_trailingBytes_fail() throws Exception {
    PartyIdentity[] p = intl();
    byte[] env = seal(p);
    for (int extra : new int[] {1, 3, 4, 20, 40}) {
      byte[] longer = java.util.Arrays.copyOf(env, env.length + extra);
      assertThatThrownBy(() -> opener(p).open(longer)).isInstanceOf(EnvelopeException.class);
      assertThatThrownBy(() -> opener(p).openStream(new ByteArrayInputStream(longer), new ByteArrayOutputStream()))
          .isInstanceOf(EnvelopeException.class);
    }
  }

  @Test
  void open_noSegmentFlaggedLast_failsDecryption() {
    PartyIdentity[] p = intl();
    FramedForge.Framer f = new FramedForge.Framer(p[1].encryptionCertificate(), SEG);
    byte[] plain = FramedForge.signedPlaintext(signedHeader(p), PAYLOAD, p[0]);
    f.refreshNonce();
    byte[] env = f.frame(f.preamble(), plain, Integer.MAX_VALUE);
    assertRejected(opener(p), env, DecryptionFailedException.class, "authentication");
  }

  @Test
  void open_earlierSegmentFlaggedLast_failsDecryption() {
    PartyIdentity[] p = intl();
    FramedForge.Framer f = new FramedForge.Framer(p[1].encryptionCertificate(), SEG);
    byte[] plain = FramedForge.signedPlaintext(signedHeader(p), PAYLOAD, p[0]);
    f.refreshNonce();
    byte[] env = f.frame(f.preamble(), plain, 2);
    assertRejected(opener(p), env, DecryptionFailedException.class, "segment 2");
  }

  @Test
  void open_shortSegmentBeforeTheLast_failsAsMalformed() {
    PartyIdentity[] p = intl();
    FramedForge.Framer f = new FramedForge.Framer(p[1].encryptionCertificate(), SEG);
    byte[] plain = FramedForge.signedPlaintext(signedHeader(p), PAYLOAD, p[0]);
    // segments encrypted with a smaller size than the header announces
    f.seg = SEG / 2;
    byte[] env = f.frame(plain);
    assertRejected(opener(p), env, MalformedEnvelopeException.class, "shorter than the segment size");
  }

  @ParameterizedTest
  @MethodSource("suites")
  void open_segmentsSplicedFromAnotherEnvelopeToSameReceiver_failsDecryption(String suite) throws Exception {
    PartyIdentity[] p = EnvelopeForge.pair(suite);
    List<byte[]> a = FramedForge.split(seal(p));
    List<byte[]> b = FramedForge.split(seal(p));
    List<byte[]> spliced = new ArrayList<>(a.subList(0, 3));
    spliced.addAll(b.subList(3, b.size()));
    assertRejected(opener(p), FramedForge.join(spliced), DecryptionFailedException.class, "segment 2");
    // and b's preamble (key, nonce prefix) with a's segments
    List<byte[]> swappedPreamble = new ArrayList<>(a);
    swappedPreamble.set(0, b.get(0));
    assertRejected(opener(p), FramedForge.join(swappedPreamble), DecryptionFailedException.class, "segment 0");
  }

  // ---- preamble and outer header ---------------------------------------------------------------

  @Test
  void open_outerHeaderChangedAfterEncryption_failsDecryption() throws Exception {
    PartyIdentity[] p = intl();
    List<byte[]> parts = FramedForge.split(seal(p));
    ObjectNode outer = EnvelopeForge.parse(java.util.Arrays.copyOfRange(parts.get(0), 7, parts.get(0).length));
    outer.put("np", Base64Url.encodeToString(Crypto.randomBytes(7)));
    parts.set(0, FramedCodec.preamble(Json.write(outer)));
    assertRejected(opener(p), FramedForge.join(parts), DecryptionFailedException.class, "segment 0");
  }

  @Test
  void open_badMagicOrVersion_failsAsMalformed() throws Exception {
    PartyIdentity[] p = intl();
    byte[] env = seal(p);
    byte[] magic = env.clone();
    magic[2] = 'X';
    assertRejected(opener(p), magic, MalformedEnvelopeException.class, "magic");
    byte[] version = env.clone();
    version[4] = 3;
    assertRejected(opener(p), version, MalformedEnvelopeException.class, "version 3");
    // v2 sealed, read as v1: the version byte is in every segment's AAD
    byte[] v1 = env.clone();
    v1[4] = 1;
    assertRejected(opener(p), v1, DecryptionFailedException.class, "segment 0");
  }

  @Test
  void open_outerHeaderLengthOverLimit_failsBeforeParsing() {
    PartyIdentity[] p = intl();
    byte[] env = {(byte) 0x89, 'S', 'H', 'F', 1, (byte) 0x20, 1, '{'};
    assertRejected(opener(p), env, MalformedEnvelopeException.class, "larger than 8192");
  }

  @Test
  void open_outerHeaderNotJson_failsAsMalformed() {
    PartyIdentity[] p = intl();
    byte[] json = "{\"alg\":".getBytes(StandardCharsets.US_ASCII);
    assertRejected(opener(p), FramedCodec.preamble(json), MalformedEnvelopeException.class, "json");
    byte[] dup = "{\"alg\":\"ECDH-ES\",\"alg\":\"ECDH-ES\"}".getBytes(StandardCharsets.US_ASCII);
    assertRejected(opener(p), FramedCodec.preamble(dup), MalformedEnvelopeException.class, "duplicate");
  }

  @Test
  void open_outerAlgOrEncNotAllowed_fails() {
    PartyIdentity[] p = intl();
    assertRejected(opener(p), outerEdited(p, h -> h.put("alg", "dir")), DisallowedAlgorithmException.class, "dir");
    assertRejected(opener(p), outerEdited(p, h -> h.put("alg", "SM2-PKE")), DisallowedAlgorithmException.class);
    assertRejected(opener(p), outerEdited(p, h -> h.put("enc", "SM4-GCM")), DisallowedAlgorithmException.class,
        "SM4-GCM");
    assertRejected(opener(p), outerEdited(p, h -> h.put("enc", "A128GCM")), DisallowedAlgorithmException.class);
    PartyIdentity[] gm = EnvelopeForge.pair("GM");
    assertRejected(opener(gm), outerEdited(gm, h -> h.put("enc", "A256GCM")), DisallowedAlgorithmException.class);
  }

  @Test
  void open_outerHeaderOffersKeyOrCritOrZip_fails() {
    PartyIdentity[] p = intl();
    assertRejected(opener(p), outerEdited(p, h -> h.putObject("jwk").put("kty", "OKP")),
        EmbeddedKeyException.class, "jwk");
    assertRejected(opener(p), outerEdited(p, h -> h.put("x5u", "https://example.org/k")),
        EmbeddedKeyException.class, "x5u");
    assertRejected(opener(p), outerEdited(p, h -> h.putArray("crit").add("x")),
        UnknownCriticalHeaderException.class);
    assertRejected(opener(p), outerEdited(p, h -> h.put("zip", "DEF")), DisallowedAlgorithmException.class, "zip");
  }

  @Test
  void open_outerHeaderUnknownMemberOrBadFields_failsAsMalformed() {
    PartyIdentity[] p = intl();
    assertRejected(opener(p), outerEdited(p, h -> h.put("cty", "JOSE")), MalformedEnvelopeException.class,
        "unknown member 'cty'");
    assertRejected(opener(p), outerEdited(p, h -> h.put("typ", "JWT")), MalformedEnvelopeException.class, "typ");
    assertRejected(opener(p), outerEdited(p, h -> h.put("fmt", "compact")), MalformedEnvelopeException.class, "fmt");
    assertRejected(opener(p), outerEdited(p, h -> h.put("seg", 1024)), MalformedEnvelopeException.class,
        "segment size");
    assertRejected(opener(p), outerEdited(p, h -> h.put("seg", "4096")), MalformedEnvelopeException.class, "seg");
    assertRejected(opener(p), outerEdited(p, h -> h.put("np", "AAAA")), MalformedEnvelopeException.class, "7 bytes");
    assertRejected(opener(p), outerEdited(p, h -> h.remove("epk")), MalformedEnvelopeException.class, "epk");
    assertRejected(opener(p), outerEdited(p, h -> h.put("ek", "AAAA")), MalformedEnvelopeException.class, "ek");
  }

  @Test
  void open_gmOuterHeaderWithoutEncryptedKey_failsAsMalformed() {
    PartyIdentity[] gm = EnvelopeForge.pair("GM");
    assertRejected(opener(gm), outerEdited(gm, h -> h.remove("ek")), MalformedEnvelopeException.class, "ek");
  }

  @Test
  void open_outerKidNotOurs_failsAsWrongReceiver() {
    PartyIdentity[] p = intl();
    assertRejected(opener(p), outerEdited(p, h -> h.put("kid", "someone-else")), WrongReceiverException.class,
        "someone-else");
  }

  @Test
  void open_epkNotOnCurve_failsAsInvalidKey() {
    PartyIdentity[] p = EnvelopeForge.pair("INTL-P256");
    assertRejected(opener(p), outerEdited(p, h -> ((ObjectNode) h.get("epk"))
        .put("y", Base64Url.encodeToString(new byte[32]))), InvalidPublicKeyException.class);
    PartyIdentity[] x = intl();
    assertRejected(opener(x), outerEdited(x, h -> ((ObjectNode) h.get("epk"))
        .put("x", Base64Url.encodeToString(new byte[32]))), InvalidPublicKeyException.class, "small order");
  }

  @Test
  void open_compactKdfInput_failsDecryption() {
    // a content key derived as for a compact envelope (enc "A256GCM" instead of "SHF1-A256GCM")
    PartyIdentity[] p = intl();
    io.shulian.core.internal.crypto.KeyEncapsulation kem =
        CoreAccess.certificates().publicKey(p[1].encryptionCertificate()).recipient();
    io.shulian.core.internal.crypto.Encapsulated e = kem.encapsulate("A256GCM");
    FramedForge.Framer f = new FramedForge.Framer(p[1].encryptionCertificate(), SEG);
    System.arraycopy(e.cek, 0, f.cek, 0, 32);
    ObjectNode epk = f.outer.putObject("epk");
    epk.put("kty", e.epk.kty).put("crv", e.epk.crv).put("x", Base64Url.encodeToString(e.epk.x));
    byte[] env = f.frame(FramedForge.signedPlaintext(signedHeader(p), PAYLOAD, p[0]));
    assertRejected(opener(p), env, DecryptionFailedException.class, "segment 0");
  }

  // ---- signed header --------------------------------------------------------------------------

  @Test
  void open_signedAlgNotAllowed_fails() {
    PartyIdentity[] p = intl();
    assertRejected(opener(p), signedEdited(p, h -> h.put("alg", "EdDSA")), DisallowedAlgorithmException.class,
        "EdDSA");
    assertRejected(opener(p), signedEdited(p, h -> h.put("alg", "none")), DisallowedAlgorithmException.class);
    assertRejected(opener(p), signedEdited(p, h -> h.put("alg", "SM2-SM3")), DisallowedAlgorithmException.class);
    assertRejected(opener(p), signedEdited(p, h -> h.put("alg", "ES256")), DisallowedAlgorithmException.class,
        "does not match");
  }

  @Test
  void open_signedHeaderUnknownMemberOrCritOrKey_fails() {
    PartyIdentity[] p = intl();
    assertRejected(opener(p), signedEdited(p, h -> h.put("b64", false)), MalformedEnvelopeException.class,
        "unknown member 'b64'");
    assertRejected(opener(p), signedEdited(p, h -> h.putArray("crit").add("b64")),
        UnknownCriticalHeaderException.class);
    assertRejected(opener(p), signedEdited(p, h -> h.put("jku", "https://example.org")),
        EmbeddedKeyException.class);
    assertRejected(opener(p), signedEdited(p, h -> h.remove("fmt")), MalformedEnvelopeException.class, "fmt");
    assertRejected(opener(p), signedEdited(p, h -> h.put("ver", 2)), MalformedEnvelopeException.class, "version");
  }

  @Test
  void open_signedHeaderOverLimit_failsAsMalformed() {
    PartyIdentity[] p = intl();
    byte[] big = new byte[Json.MAX_HEADER_BYTES + 1];
    java.util.Arrays.fill(big, (byte) ' ');
    big[0] = '{';
    big[big.length - 1] = '}';
    byte[] plain = FramedForge.plaintext(big, PAYLOAD, new byte[64]);
    byte[] env = new FramedForge.Framer(p[1].encryptionCertificate(), SEG).frame(plain);
    assertRejected(opener(p), env, MalformedEnvelopeException.class, "larger than 8192");
  }

  @Test
  void open_plaintextShorterThanHeaderOrSignature_failsAsMalformed() {
    PartyIdentity[] p = intl();
    FramedForge.Framer f = new FramedForge.Framer(p[1].encryptionCertificate(), SEG);
    assertRejected(opener(p), f.frame(new byte[] {0}), MalformedEnvelopeException.class, "signed header");
    assertRejected(opener(p), f.frame(new byte[] {0, 100, '{'}), MalformedEnvelopeException.class, "signed header");
    byte[] json = Json.write(signedHeader(p));
    byte[] plain = FramedForge.plaintext(json, new byte[0], new byte[10]);
    assertRejected(opener(p), f.frame(plain), MalformedEnvelopeException.class, "signature");
  }

  @ParameterizedTest
  @MethodSource("suites")
  void open_payloadChangedUnderValidEncryption_failsSignature(String suite) {
    PartyIdentity[] p = EnvelopeForge.pair(suite);
    byte[] json = Json.write(signedHeader(p));
    byte[] sig = FramedForge.sign(json, PAYLOAD, FramedForge.signer(p[0]));
    byte[] changed = PAYLOAD.clone();
    changed[changed.length - 1] ^= 1;
    byte[] env = new FramedForge.Framer(p[1].encryptionCertificate(), SEG)
        .frame(FramedForge.plaintext(json, changed, sig));
    assertRejected(opener(p), env, BadSignatureException.class, "does not verify");
  }

  @Test
  void open_zeroEcdsaSignature_failsSignature() {
    PartyIdentity[] p = EnvelopeForge.pair("INTL-P256");
    byte[] json = Json.write(signedHeader(p));
    byte[] env = new FramedForge.Framer(p[1].encryptionCertificate(), SEG)
        .frame(FramedForge.plaintext(json, PAYLOAD, new byte[64]));
    assertRejected(opener(p), env, BadSignatureException.class);
  }

  @Test
  void open_pureEd25519SignatureInsteadOfPrehash_failsSignature() {
    PartyIdentity[] p = intl();
    byte[] json = Json.write(signedHeader(p));
    ByteArrayOutputStream signed = new ByteArrayOutputStream();
    signed.writeBytes(FramedCodec.SIGNATURE_PREFIX);
    signed.write(json.length >>> 8);
    signed.write(json.length);
    signed.writeBytes(json);
    signed.writeBytes(PAYLOAD);
    byte[] in = signed.toByteArray();
    byte[] sig = FramedForge.signer(p[0]).sign(in, 0, in.length);
    byte[] env = new FramedForge.Framer(p[1].encryptionCertificate(), SEG)
        .frame(FramedForge.plaintext(json, PAYLOAD, sig));
    assertRejected(opener(p), env, BadSignatureException.class);
  }

  @Test
  void open_signedAudienceNotUs_failsAsWrongReceiver() {
    PartyIdentity[] p = intl();
    PartyIdentity third = EnvelopeForge.third("INTL");
    assertRejected(opener(p), signedEdited(p, h -> h.put("aud", third.party().toString())),
        WrongReceiverException.class, "addressed to");
  }

  @Test
  void open_untrustedSender_failsBeforePayloadIsWritten() throws Exception {
    PartyIdentity[] p = intl();
    PartyIdentity third = EnvelopeForge.third("INTL");
    EnvelopeOpener o = EnvelopeOpener.builder(p[1], PinnedSenderTrust.of(third.certificates())).clock(at(T0)).build();
    byte[] env = seal(p);
    assertRejected(o, env, UntrustedSenderException.class, "not trusted");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertThatThrownBy(() -> o.openStream(new ByteArrayInputStream(env), out))
        .isInstanceOf(UntrustedSenderException.class);
    assertThat(out.size()).isZero();
  }

  // ---- time and replay ---------------------------------------------------------------------------

  @Test
  void open_expiredOrNotYetValid_fails() throws Exception {
    PartyIdentity[] p = intl();
    byte[] env = seal(p);
    assertRejected(opener(p, T0.plus(Duration.ofMinutes(7))), env, EnvelopeExpiredException.class, "expired");
    assertRejected(opener(p, T0.minus(Duration.ofMinutes(2))), env, EnvelopeNotYetValidException.class, "future");
    assertThat(opener(p, T0.plus(Duration.ofMinutes(5).plusSeconds(59))).open(env).payload()).isEqualTo(PAYLOAD);
  }

  @Test
  void open_lifetimeOverMaximum_failsAsExpired() {
    PartyIdentity[] p = intl();
    byte[] env = signedEdited(p, h -> h.put("exp", T0.plus(Duration.ofDays(2)).getEpochSecond()));
    assertRejected(opener(p), env, EnvelopeExpiredException.class, "lifetime");
  }

  @Test
  void open_sameEnvelopeTwice_failsAsReplayed() throws Exception {
    PartyIdentity[] p = intl();
    EnvelopeOpener o = opener(p);
    byte[] env = seal(p);
    o.open(env);
    assertThatThrownBy(() -> o.open(env)).isInstanceOf(ReplayedEnvelopeException.class);
    assertThatThrownBy(() -> o.openStream(new ByteArrayInputStream(env), new ByteArrayOutputStream()))
        .isInstanceOf(ReplayedEnvelopeException.class).hasMessageContaining("already opened");
  }

  @Test
  void open_expectedSenderIsAnotherParty_failsWithoutUsingTheReplaySlot() throws Exception {
    PartyIdentity[] p = intl();
    EnvelopeOpener o = opener(p);
    byte[] env = seal(p);

    assertThatThrownBy(() -> o.open(env, p[1].party())).isInstanceOf(SenderMismatchException.class);
    assertThat(o.open(env, p[0].party()).payload()).isEqualTo(PAYLOAD);
    assertThatThrownBy(() -> o.open(env, p[0].party())).isInstanceOf(ReplayedEnvelopeException.class);
  }

  @Test
  void openStream_sameEnvelopeTwice_failsAsReplayed() throws Exception {
    PartyIdentity[] p = EnvelopeForge.pair("GM");
    EnvelopeOpener o = opener(p);
    byte[] env = seal(p);
    o.openStream(new ByteArrayInputStream(env), new ByteArrayOutputStream());
    assertThatThrownBy(() -> o.openStream(new ByteArrayInputStream(env), new ByteArrayOutputStream()))
        .isInstanceOf(ReplayedEnvelopeException.class);
    assertThatThrownBy(() -> o.open(env)).isInstanceOf(ReplayedEnvelopeException.class);
  }

  // ---- sizes ----------------------------------------------------------------------------------

  @Test
  void open_payloadOverByteArrayLimit_failsAsTooLarge() throws Exception {
    PartyIdentity[] p = intl();
    EnvelopeOpener o =
        EnvelopeOpener.builder(p[1], PinnedSenderTrust.of(p[0].certificates())).clock(at(T0))
            .maxPayloadBytes(PAYLOAD.length - 1).build();
    assertThatThrownBy(() -> o.open(seal(p))).isInstanceOf(EnvelopeTooLargeException.class)
        .hasMessageContaining("limit of " + (PAYLOAD.length - 1));
    EnvelopeOpener tiny =
        EnvelopeOpener.builder(p[1], PinnedSenderTrust.of(p[0].certificates())).maxPayloadBytes(0).build();
    assertThatThrownBy(() -> tiny.open(seal(p))).isInstanceOf(EnvelopeTooLargeException.class)
        .hasMessageContaining("envelope of");
  }

  @Test
  void openStream_payloadOverStreamLimit_failsAsTooLarge() throws Exception {
    PartyIdentity[] p = intl();
    EnvelopeOpener o =
        EnvelopeOpener.builder(p[1], PinnedSenderTrust.of(p[0].certificates())).clock(at(T0))
            .maxStreamPayloadBytes(2 * SEG).build();
    byte[] env = seal(p);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertThatThrownBy(() -> o.openStream(new ByteArrayInputStream(env), out))
        .isInstanceOf(EnvelopeTooLargeException.class).hasMessageContaining("limit of " + 2 * SEG);
    assertThat(out.size()).isLessThanOrEqualTo(2 * SEG);
    // the byte[] API keeps its own limit
    assertThat(o.open(env).payload()).isEqualTo(PAYLOAD);
  }

  @Test
  void sealStream_inputOverStreamLimit_failsAsTooLarge() {
    PartyIdentity[] p = intl();
    EnvelopeSealer s = EnvelopeSealer.builder(p[0]).maxStreamPayloadBytes(1000).build();
    assertThatThrownBy(() -> s.sealStream(request(p), new ByteArrayInputStream(new byte[1001]),
            new ByteArrayOutputStream()))
        .isInstanceOf(EnvelopeTooLargeException.class).hasMessageContaining("1000");
  }

  @Test
  void openStream_compactEnvelope_failsAsMalformed() throws Exception {
    PartyIdentity[] p = intl();
    byte[] compact = EnvelopeSealer.builder(p[0]).clock(at(T0)).build()
        .seal(SealRequest.builder().recipient(p[1].encryptionCertificate()).resource("R").purpose("p").build(),
            PAYLOAD).toByteArray();
    assertThatThrownBy(() -> opener(p).openStream(new ByteArrayInputStream(compact), new ByteArrayOutputStream()))
        .isInstanceOf(MalformedEnvelopeException.class).hasMessageContaining("not a framed envelope");
  }

  @Test
  void sealStream_recipientOfOtherSuite_failsAsSuiteMismatch() {
    PartyIdentity[] p = intl();
    PartyIdentity gm = EnvelopeForge.pair("GM")[1];
    SealRequest r = SealRequest.builder().recipient(gm.encryptionCertificate()).resource("R").purpose("p").build();
    assertThatThrownBy(() -> EnvelopeSealer.builder(p[0]).build()
            .sealStream(r, new ByteArrayInputStream(new byte[1]), new ByteArrayOutputStream()))
        .isInstanceOf(SuiteMismatchException.class);
  }
}
