package io.shulian.core.envelope;

import io.shulian.core.internal.access.CoreAccess;
import static io.shulian.core.envelope.EnvelopeForge.b64;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shulian.core.internal.crypto.Signer;
import io.shulian.core.internal.jose.Base64Url;
import io.shulian.core.internal.jose.Json;
import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.testing.TestParties;
import io.shulian.core.trust.PinnedSenderTrust;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * One test per reason an envelope is refused: each asserts the exception type and that the
 * message names the reason. Envelopes are otherwise valid, so that the check under test is the one
 * that rejects.
 */
class EnvelopeRejectionTest {
  /** A fixed "now", inside the validity of the test certificates. */
  private static final Instant T0 = Instant.now().truncatedTo(ChronoUnit.SECONDS);

  private static final byte[] PAYLOAD = "{\"hello\":\"world\"}".getBytes(StandardCharsets.UTF_8);

  // ---- fixtures ---------------------------------------------------------------------------

  private static Clock at(Instant t) {
    return Clock.fixed(t, ZoneOffset.UTC);
  }

  private static EnvelopeOpener opener(PartyIdentity[] p) {
    return opener(p, T0);
  }

  private static EnvelopeOpener opener(PartyIdentity[] p, Instant now) {
    return EnvelopeOpener.builder(p[1], PinnedSenderTrust.of(p[0].certificates())).clock(at(now)).build();
  }

  private static SealRequest.Builder request(PartyIdentity[] p) {
    return SealRequest.builder()
        .recipient(p[1].encryptionCertificate())
        .resource("HOUSING-001")
        .purpose("social-assistance-review");
  }

  private static byte[] seal(PartyIdentity[] p) throws EnvelopeException {
    return EnvelopeSealer.builder(p[0]).clock(at(T0)).build().seal(request(p).build(), PAYLOAD).toByteArray();
  }

  /** The JWS header a sealer would write for p[0] to p[1], valid at T0. */
  private static ObjectNode jwsHeader(PartyIdentity[] p) {
    return EnvelopeForge.jwsHeader(p[0], p[1].party(), T0, T0.plus(Duration.ofMinutes(5)));
  }

  /** A correctly encrypted envelope whose inner JWS has an edited header, signed by the sender. */
  private static byte[] innerEdited(PartyIdentity[] p, Consumer<ObjectNode> edit) {
    ObjectNode h = jwsHeader(p);
    edit.accept(h);
    return EnvelopeForge.encrypt(p[1].encryptionCertificate(), EnvelopeForge.signedJws(h, PAYLOAD, p[0]));
  }

  /** A correctly encrypted envelope (valid inner JWS) with an edited JWE header. */
  private static byte[] outerEdited(PartyIdentity[] p, Consumer<ObjectNode> edit) {
    byte[] jws = EnvelopeForge.signedJws(jwsHeader(p), PAYLOAD, p[0]);
    return EnvelopeForge.encrypt(p[1].encryptionCertificate(), jws, edit);
  }

  private static void assertRejected(
      EnvelopeOpener opener, byte[] envelope, Class<? extends EnvelopeException> type, String... inMessage) {
    assertThatThrownBy(() -> opener.open(envelope))
        .isInstanceOf(type)
        .satisfies(e -> {
          for (String s : inMessage) {
            assertThat(e.getMessage()).containsIgnoringCase(s);
          }
        });
  }

  private static PartyIdentity[] intl() {
    return EnvelopeForge.pair("INTL");
  }

  static Stream<String> suites() {
    return Stream.of("INTL", "INTL-P256", "GM");
  }

  // ---- the forge itself produces envelopes that open (otherwise the tests below prove nothing)

  @ParameterizedTest
  @MethodSource("suites")
  void open_forgedButUnchangedEnvelope_succeeds(String suite) throws Exception {
    PartyIdentity[] p = EnvelopeForge.pair(suite);
    OpenedEnvelope o = opener(p).open(innerEdited(p, h -> {}));
    assertThat(o.payload()).isEqualTo(PAYLOAD);
    assertThat(opener(p).open(outerEdited(p, h -> {})).payload()).isEqualTo(PAYLOAD);
  }

  // ---- size -------------------------------------------------------------------------------

  @Test
  void open_inputOverLimit_failsBeforeParsing() {
    PartyIdentity[] p = intl();
    EnvelopeOpener o =
        EnvelopeOpener.builder(p[1], PinnedSenderTrust.of(p[0].certificates())).maxPayloadBytes(1024).build();
    byte[] garbage = new byte[Math.toIntExact(o.maxEnvelopeBytes() + 1)];
    Arrays.fill(garbage, (byte) 0xff); // not even ASCII: any parsing would call it malformed
    assertRejected(o, garbage, EnvelopeTooLargeException.class, "over the limit");
    assertThat(new EnvelopeTooLargeException("x").reason()).isEqualTo(EnvelopeException.Reason.TOO_LARGE);
  }

  @Test
  void open_inputExactlyAtLimit_isParsed() {
    PartyIdentity[] p = intl();
    EnvelopeOpener o =
        EnvelopeOpener.builder(p[1], PinnedSenderTrust.of(p[0].certificates())).maxPayloadBytes(1024).build();
    byte[] garbage = new byte[Math.toIntExact(o.maxEnvelopeBytes())];
    Arrays.fill(garbage, (byte) 0xff);
    assertRejected(o, garbage, MalformedEnvelopeException.class, "parts");
  }

  @Test
  void seal_payloadOverMax_fails() {
    PartyIdentity[] p = intl();
    EnvelopeSealer s = EnvelopeSealer.builder(p[0]).maxPayloadBytes(1024).build();
    assertThatThrownBy(() -> s.seal(request(p).build(), new byte[1025]))
        .isInstanceOf(EnvelopeTooLargeException.class)
        .hasMessageContaining("payload of 1025 bytes is over the limit of 1024");
  }

  @Test
  void open_payloadOverMax_fails() throws Exception {
    PartyIdentity[] p = intl();
    byte[] env = EnvelopeSealer.builder(p[0]).clock(at(T0)).build().seal(request(p).build(), new byte[1025]).toByteArray();
    EnvelopeOpener o =
        EnvelopeOpener.builder(p[1], PinnedSenderTrust.of(p[0].certificates())).clock(at(T0)).maxPayloadBytes(1024).build();
    assertRejected(o, env, EnvelopeTooLargeException.class, "payload of 1025 bytes is over the limit of 1024");
  }

  // ---- structure --------------------------------------------------------------------------

  @ParameterizedTest
  @ValueSource(strings = {"", ".", "a.b", "a.b.c.d", "a.b.c.d.e.f", "....."})
  void open_wrongPartCount_failsMalformed(String text) {
    assertRejected(opener(intl()), text.getBytes(StandardCharsets.US_ASCII), MalformedEnvelopeException.class, "parts");
  }

  @Test
  void open_headerNotBase64url_failsMalformed() {
    byte[] env = EnvelopeForge.compact("eyJh+/==", "", "AAAAAAAAAAAAAAAA", "AAAA", "AAAAAAAAAAAAAAAAAAAAAA");
    assertRejected(opener(intl()), env, MalformedEnvelopeException.class, "JWE header", "alphabet");
  }

  @Test
  void open_tagWithNonCanonicalTrailingBits_failsMalformed() throws Exception {
    PartyIdentity[] p = intl();
    String[] parts = EnvelopeForge.parts(seal(p));
    // 16 bytes encode to 22 characters; the low 4 bits of the last one are unused and must be 0.
    String tag = parts[4];
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    char last = alphabet.charAt(alphabet.indexOf(tag.charAt(21)) | 1);
    parts[4] = tag.substring(0, 21) + last;
    assertRejected(opener(p), EnvelopeForge.compact(parts), MalformedEnvelopeException.class, "not canonical");
  }

  @Test
  void open_headerNotJson_failsMalformed() {
    assertRejected(opener(intl()), EnvelopeForge.withHeader("alg=ECDH-ES"), MalformedEnvelopeException.class,
        "not valid JSON");
  }

  @Test
  void open_headerJsonArray_failsMalformed() {
    assertRejected(opener(intl()), EnvelopeForge.withHeader("[{\"alg\":\"ECDH-ES\"}]"),
        MalformedEnvelopeException.class, "not an object");
  }

  @Test
  void open_headerTrailingData_failsMalformed() {
    assertRejected(opener(intl()), EnvelopeForge.withHeader("{\"alg\":\"ECDH-ES\"}{}"),
        MalformedEnvelopeException.class, "JSON");
  }

  @Test
  void open_headerDuplicateMember_failsMalformed() {
    String h = "{\"alg\":\"ECDH-ES\",\"enc\":\"A256GCM\",\"alg\":\"dir\"}";
    assertRejected(opener(intl()), EnvelopeForge.withHeader(h), MalformedEnvelopeException.class, "duplicate");
  }

  @ParameterizedTest
  @ValueSource(ints = {Json.MAX_DEPTH + 1, 100, 4000})
  void open_headerNestedTooDeep_failsMalformed(int depth) {
    // CVE-2025-53864 style: deeply nested JSON in a header must fail fast, not overflow the stack.
    String h = "{\"alg\":" + "[".repeat(depth - 1) + "]".repeat(depth - 1) + "}";
    assertRejected(opener(intl()), EnvelopeForge.withHeader(h), MalformedEnvelopeException.class, "nesting");
  }

  @Test
  void open_jweHeaderOverLimit_failsMalformed() {
    String h = "{\"alg\":\"ECDH-ES\",\"x\":\"" + "a".repeat(Json.MAX_HEADER_BYTES) + "\"}";
    assertRejected(opener(intl()), EnvelopeForge.withHeader(h), MalformedEnvelopeException.class, "larger than");
  }

  @Test
  void open_innerNotJws_failsMalformed() {
    PartyIdentity[] p = intl();
    byte[] env = EnvelopeForge.encrypt(p[1].encryptionCertificate(), "not a jws".getBytes(StandardCharsets.US_ASCII));
    assertRejected(opener(p), env, MalformedEnvelopeException.class, "JWS", "parts");
  }

  @Test
  void open_innerHeaderMissingField_failsMalformed() {
    PartyIdentity[] p = intl();
    assertRejected(opener(p), innerEdited(p, h -> h.remove("jti")), MalformedEnvelopeException.class, "jti");
  }

  @Test
  void open_innerHeaderWrongVersion_failsMalformed() {
    PartyIdentity[] p = intl();
    assertRejected(opener(p), innerEdited(p, h -> h.put("ver", 2)), MalformedEnvelopeException.class, "version 2");
  }

  // ---- algorithms -------------------------------------------------------------------------

  static Stream<Arguments> foreignJweAlgorithms() {
    return Stream.of(
        Arguments.of("none", (Consumer<ObjectNode>) h -> h.put("alg", "none")),
        Arguments.of("dir", (Consumer<ObjectNode>) h -> h.put("alg", "dir")),
        Arguments.of("HS256", (Consumer<ObjectNode>) h -> h.put("alg", "HS256")),
        Arguments.of("PBES2-HS256+A128KW", (Consumer<ObjectNode>) h -> {
          // CVE-2023-52428: a huge iteration count must be refused before any key derivation.
          h.put("alg", "PBES2-HS256+A128KW");
          h.put("p2c", Integer.MAX_VALUE);
          h.put("p2s", b64(new byte[16]));
        }),
        Arguments.of("RSA1_5", (Consumer<ObjectNode>) h -> h.put("alg", "RSA1_5")),
        Arguments.of("RSA-OAEP", (Consumer<ObjectNode>) h -> h.put("alg", "RSA-OAEP")),
        Arguments.of("A256KW", (Consumer<ObjectNode>) h -> h.put("alg", "A256KW")),
        Arguments.of("ECDH-ES+A256KW", (Consumer<ObjectNode>) h -> h.put("alg", "ECDH-ES+A256KW")),
        Arguments.of("SM2-PKE", (Consumer<ObjectNode>) h -> h.put("alg", "SM2-PKE")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("foreignJweAlgorithms")
  void open_jweAlgOutsideAllowList_failsDisallowed(String alg, Consumer<ObjectNode> edit) {
    PartyIdentity[] p = intl();
    assertRejected(opener(p), outerEdited(p, edit), DisallowedAlgorithmException.class, "JWE alg '" + alg + "'");
  }

  @ParameterizedTest
  @ValueSource(strings = {"ECDH-ES", "RSA-OAEP-256", "none"})
  void open_jweAlgOfOtherSuiteForGmRecipient_failsDisallowed(String alg) {
    PartyIdentity[] p = EnvelopeForge.pair("GM");
    assertRejected(opener(p), outerEdited(p, h -> h.put("alg", alg)), DisallowedAlgorithmException.class,
        "JWE alg '" + alg + "'", "GM");
  }

  @ParameterizedTest
  @ValueSource(strings = {"A128GCM", "A128CBC-HS256", "SM4-GCM", "none"})
  void open_jweEncOutsideAllowList_failsDisallowed(String enc) {
    PartyIdentity[] p = intl();
    assertRejected(opener(p), outerEdited(p, h -> h.put("enc", enc)), DisallowedAlgorithmException.class,
        "JWE enc '" + enc + "'");
  }

  @Test
  void open_jwsAlgNone_failsDisallowed() {
    PartyIdentity[] p = intl();
    ObjectNode h = jwsHeader(p);
    h.put("alg", "none");
    byte[] env = EnvelopeForge.encrypt(p[1].encryptionCertificate(), EnvelopeForge.jws(h, PAYLOAD, new byte[0]));
    assertRejected(opener(p), env, DisallowedAlgorithmException.class, "JWS alg 'none'");
  }

  @ParameterizedTest
  @MethodSource("suites")
  void open_jwsHs256KeyedWithSignerPublicKey_failsDisallowed(String suite) throws Exception {
    // Algorithm confusion: an HMAC "signature" keyed with the bytes of the sender's public key,
    // which anyone has.
    PartyIdentity[] p = EnvelopeForge.pair(suite);
    ObjectNode h = jwsHeader(p);
    h.put("alg", "HS256");
    byte[] in = EnvelopeForge.signingInput(h, PAYLOAD);
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(p[0].signingCertificate().certificate().getPublicKey().getEncoded(), "HmacSHA256"));
    byte[] env = EnvelopeForge.encrypt(p[1].encryptionCertificate(), EnvelopeForge.jws(h, PAYLOAD, mac.doFinal(in)));
    assertRejected(opener(p), env, DisallowedAlgorithmException.class, "JWS alg 'HS256'");
  }

  @Test
  void open_jwsEs256ButSignerKeyIsEd25519_failsDisallowed() {
    PartyIdentity[] p = intl();
    ObjectNode h = jwsHeader(p);
    h.put("alg", "ES256");
    Signer p256 = CoreAccess.keys().signingKey(EnvelopeForge.pair("INTL-P256")[0]).signer(EnvelopeForge.sm2Id());
    byte[] env = EnvelopeForge.encrypt(p[1].encryptionCertificate(), EnvelopeForge.signedJws(h, PAYLOAD, p256));
    assertRejected(opener(p), env, DisallowedAlgorithmException.class, "ES256", "ED25519");
  }

  @Test
  void open_jwsSm2InIntlSuite_failsDisallowed() {
    PartyIdentity[] p = intl();
    assertRejected(opener(p), innerEdited(p, h -> h.put("alg", "SM2-SM3")), DisallowedAlgorithmException.class,
        "JWS alg 'SM2-SM3'");
  }

  @Test
  void open_jweZip_failsDisallowed() {
    PartyIdentity[] p = intl();
    assertRejected(opener(p), outerEdited(p, h -> h.put("zip", "DEF")), DisallowedAlgorithmException.class,
        "JWE", "zip");
  }

  @Test
  void open_jwsZip_failsDisallowed() {
    PartyIdentity[] p = intl();
    assertRejected(opener(p), innerEdited(p, h -> h.put("zip", "DEF")), DisallowedAlgorithmException.class,
        "JWS", "zip");
  }

  // ---- crit and embedded keys -------------------------------------------------------------

  @ParameterizedTest
  @ValueSource(strings = {"JWE", "JWS"})
  void open_unknownCrit_failsUnknownCritical(String layer) {
    PartyIdentity[] p = intl();
    Consumer<ObjectNode> edit = h -> {
      h.putArray("crit").add("urn:example:must-understand");
      h.put("urn:example:must-understand", true);
    };
    byte[] env = layer.equals("JWE") ? outerEdited(p, edit) : innerEdited(p, edit);
    assertRejected(opener(p), env, UnknownCriticalHeaderException.class, layer, "critical", "must-understand");
  }

  static Stream<Arguments> embeddedKeys() {
    List<Arguments> out = new ArrayList<>();
    for (String layer : new String[] {"JWE", "JWS"}) {
      for (String param : new String[] {"jwk", "jku", "x5u", "x5c"}) {
        out.add(Arguments.of(layer, param));
      }
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{1} in {0}")
  @MethodSource("embeddedKeys")
  void open_headerOffersKey_failsEmbeddedKey(String layer, String param) throws Exception {
    PartyIdentity[] p = intl();
    Consumer<ObjectNode> edit = h -> {
      switch (param) {
        case "jwk":
          h.putObject("jwk").put("kty", "OKP").put("crv", "Ed25519").put("x", b64(new byte[32]));
          break;
        case "x5c":
          try {
            h.putArray("x5c").add(java.util.Base64.getEncoder().encodeToString(
                p[0].signingCertificate().certificate().getEncoded()));
          } catch (java.security.cert.CertificateEncodingException e) {
            throw new IllegalStateException(e);
          }
          break;
        default:
          h.put(param, "https://attacker.example/keys");
      }
    };
    byte[] env = layer.equals("JWE") ? outerEdited(p, edit) : innerEdited(p, edit);
    assertRejected(opener(p), env, EmbeddedKeyException.class, layer, "'" + param + "'");
  }

  // ---- invalid curve points ---------------------------------------------------------------

  private static final BigInteger P25519 = BigInteger.TWO.pow(255).subtract(BigInteger.valueOf(19));

  /** Little-endian u-coordinates of small order, canonical and not (libsodium's blocklist and more). */
  static Stream<String> x25519SmallOrder() {
    List<BigInteger> small = List.of(
        BigInteger.ZERO,
        BigInteger.ONE,
        new BigInteger("325606250916557431795983626356110631294008115727848805560023387167927233504"),
        new BigInteger("39382357235489614581723060781553021112529911719440698176882885853963445705823"),
        P25519.subtract(BigInteger.ONE));
    List<String> out = new ArrayList<>();
    BigInteger limit = BigInteger.TWO.pow(255);
    for (BigInteger u : small) {
      // u + p where it is still a 255-bit value (non-canonical), and each with the top bit set,
      // which RFC 7748 says to ignore
      for (BigInteger v : new BigInteger[] {u, u.add(P25519)}) {
        for (BigInteger w : new BigInteger[] {v, v.setBit(255)}) {
          if (v.compareTo(limit) < 0 && !out.contains(w.toString(16))) {
            out.add(w.toString(16));
          }
        }
      }
    }
    return out.stream();
  }

  private static byte[] littleEndian32(BigInteger v) {
    byte[] be = v.toByteArray();
    byte[] le = new byte[32];
    for (int i = 0; i < 32 && i < be.length; i++) {
      le[i] = be[be.length - 1 - i];
    }
    return le;
  }

  @ParameterizedTest(name = "u = 0x{0}")
  @MethodSource("x25519SmallOrder")
  void open_x25519EpkOfSmallOrder_failsInvalidKey(String uHex) {
    PartyIdentity[] p = intl();
    byte[] u = littleEndian32(new BigInteger(uHex, 16));
    byte[] env = outerEdited(p, h -> ((ObjectNode) h.get("epk")).put("x", b64(u)));
    assertRejected(opener(p), env, InvalidPublicKeyException.class, "small order");
  }

  @Test
  void open_x25519EpkWrongLength_failsInvalidKey() {
    PartyIdentity[] p = intl();
    byte[] env = outerEdited(p, h -> ((ObjectNode) h.get("epk")).put("x", b64(new byte[31])));
    assertRejected(opener(p), env, InvalidPublicKeyException.class, "X25519");
  }

  @Test
  void open_x25519EpkMissing_failsInvalidKey() {
    PartyIdentity[] p = intl();
    assertRejected(opener(p), outerEdited(p, h -> h.remove("epk")), InvalidPublicKeyException.class, "epk");
  }

  private static final BigInteger P256_P =
      new BigInteger("ffffffff00000001000000000000000000000000ffffffffffffffffffffffff", 16);
  private static final BigInteger P256_B =
      new BigInteger("5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b", 16);

  private static BigInteger p256Rhs(BigInteger x) {
    return x.pow(3).subtract(x.multiply(BigInteger.valueOf(3))).add(P256_B).mod(P256_P);
  }

  /** A square root mod p (p = 3 mod 4), or null if v is not a square. */
  private static BigInteger sqrt(BigInteger v) {
    BigInteger r = v.modPow(P256_P.add(BigInteger.ONE).shiftRight(2), P256_P);
    return r.multiply(r).mod(P256_P).equals(v.mod(P256_P)) ? r : null;
  }

  private static byte[] be32(BigInteger v) {
    byte[] b = v.toByteArray();
    byte[] out = new byte[32];
    int n = Math.min(32, b.length);
    System.arraycopy(b, b.length - n, out, 32 - n, n);
    return out;
  }

  /** A valid P-256 point with a small x, so that x + p still fits in 32 bytes. */
  private static final BigInteger[] SMALL_X_POINT = smallXPoint();

  private static BigInteger[] smallXPoint() {
    BigInteger x = BigInteger.ZERO;
    BigInteger y;
    while ((y = sqrt(p256Rhs(x))) == null) {
      x = x.add(BigInteger.ONE);
    }
    return new BigInteger[] {x, y};
  }

  static Stream<Arguments> p256InvalidPoints() {
    BigInteger x = SMALL_X_POINT[0];
    BigInteger y = SMALL_X_POINT[1];
    // a point of the quadratic twist: -y^2 = x^3 - 3x + b (-1 is a non-square since p = 3 mod 4)
    BigInteger tx = BigInteger.ONE;
    BigInteger ty;
    while (sqrt(p256Rhs(tx)) != null || (ty = sqrt(P256_P.subtract(p256Rhs(tx)))) == null) {
      tx = tx.add(BigInteger.ONE);
    }
    return Stream.of(
        Arguments.of("off curve (y + 1)", be32(x), be32(y.add(BigInteger.ONE))),
        Arguments.of("x >= p (x + p)", be32(x.add(P256_P)), be32(y)),
        Arguments.of("y >= p (y = p)", be32(x), be32(P256_P)),
        Arguments.of("(0, 0)", new byte[32], new byte[32]),
        Arguments.of("point of the twist", be32(tx), be32(ty)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("p256InvalidPoints")
  void open_p256EpkNotOnCurve_failsInvalidKey(String what, byte[] x, byte[] y) {
    PartyIdentity[] p = EnvelopeForge.pair("INTL-P256");
    byte[] env = outerEdited(p, h -> ((ObjectNode) h.get("epk")).put("x", b64(x)).put("y", b64(y)));
    assertRejected(opener(p), env, InvalidPublicKeyException.class, "P-256");
  }

  @Test
  void open_p256EpkValidButNotTheSendersPoint_failsDecryptionNotInvalidKey() {
    // Control for the cases above: the untouched small-x point is on the curve, so the "x + p"
    // case is refused only for its non-canonical coordinate.
    PartyIdentity[] p = EnvelopeForge.pair("INTL-P256");
    byte[] env = outerEdited(p, h -> ((ObjectNode) h.get("epk"))
        .put("x", b64(be32(SMALL_X_POINT[0]))).put("y", b64(be32(SMALL_X_POINT[1]))));
    assertRejected(opener(p), env, DecryptionFailedException.class);
  }

  @Test
  void open_sm2C1OffCurve_failsInvalidKey() throws Exception {
    PartyIdentity[] p = EnvelopeForge.pair("GM");
    String[] parts = EnvelopeForge.parts(seal(p));
    byte[] ek = Base64Url.decode(parts[1]);
    ek[64] ^= 1; // last byte of C1's y coordinate
    parts[1] = b64(ek);
    assertRejected(opener(p), EnvelopeForge.compact(parts), InvalidPublicKeyException.class, "C1");
  }

  @Test
  void open_sm2C3Modified_failsDecryption() throws Exception {
    PartyIdentity[] p = EnvelopeForge.pair("GM");
    String[] parts = EnvelopeForge.parts(seal(p));
    byte[] ek = Base64Url.decode(parts[1]);
    ek[70] ^= 1;
    parts[1] = b64(ek);
    assertRejected(opener(p), EnvelopeForge.compact(parts), DecryptionFailedException.class, "SM2");
  }

  @ParameterizedTest
  @ValueSource(strings = {"INTL", "INTL-P256"})
  void open_ecdhEsWithEncryptedKey_failsMalformed(String suite) throws Exception {
    // RFC 7518 4.6: with direct key agreement the encrypted key is empty. Bytes there are not
    // authenticated, so accepting them would make envelopes malleable.
    PartyIdentity[] p = EnvelopeForge.pair(suite);
    String[] parts = EnvelopeForge.parts(seal(p));
    parts[1] = "AAAA";
    assertRejected(opener(p), EnvelopeForge.compact(parts), MalformedEnvelopeException.class, "encrypted key");
  }

  // ---- signature --------------------------------------------------------------------------

  @ParameterizedTest
  @MethodSource("suites")
  void open_signatureBitFlipped_failsBadSignature(String suite) {
    PartyIdentity[] p = EnvelopeForge.pair(suite);
    byte[] jws = EnvelopeForge.signedJws(jwsHeader(p), PAYLOAD, p[0]);
    String[] parts = EnvelopeForge.parts(jws);
    byte[] sig = Base64Url.decode(parts[2]);
    sig[10] ^= 0x20;
    parts[2] = b64(sig);
    byte[] env = EnvelopeForge.encrypt(p[1].encryptionCertificate(), EnvelopeForge.compact(parts));
    assertRejected(opener(p), env, BadSignatureException.class, "does not verify");
  }

  @ParameterizedTest
  @MethodSource("suites")
  void open_signatureOverOtherPayload_failsBadSignature(String suite) {
    PartyIdentity[] p = EnvelopeForge.pair(suite);
    ObjectNode h = jwsHeader(p);
    String sig = EnvelopeForge.parts(EnvelopeForge.signedJws(h, "other".getBytes(StandardCharsets.US_ASCII), p[0]))[2];
    String[] parts = EnvelopeForge.parts(EnvelopeForge.signedJws(h, PAYLOAD, p[0]));
    parts[2] = sig;
    byte[] env = EnvelopeForge.encrypt(p[1].encryptionCertificate(), EnvelopeForge.compact(parts));
    assertRejected(opener(p), env, BadSignatureException.class, "does not verify");
  }

  /**
   * The traceparent travels in the signed header (docs/tracing.md): one changed in transit, keeping
   * the sender's signature, does not verify; the same header with the original traceparent does.
   */
  @ParameterizedTest
  @MethodSource("suites")
  void open_traceparentChangedAfterSigning_failsBadSignature(String suite) throws Exception {
    PartyIdentity[] p = EnvelopeForge.pair(suite);
    ObjectNode h = jwsHeader(p);
    h.put("tp", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
    String[] parts = EnvelopeForge.parts(EnvelopeForge.signedJws(h, PAYLOAD, p[0]));
    assertThat(opener(p).open(EnvelopeForge.encrypt(p[1].encryptionCertificate(), EnvelopeForge.compact(parts)))
        .header().traceparent()).hasValue("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");

    h.put("tp", "00-4bf92f3577b34da6a3ce929d0e0e4736-1111111111111111-01");
    parts[0] = b64(h.toString().getBytes(StandardCharsets.UTF_8));
    byte[] env = EnvelopeForge.encrypt(p[1].encryptionCertificate(), EnvelopeForge.compact(parts));
    assertRejected(opener(p), env, BadSignatureException.class, "does not verify");
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 63, 65, 128})
  void open_signatureOfWrongLength_failsBadSignature(int length) {
    PartyIdentity[] p = intl();
    byte[] env = EnvelopeForge.encrypt(p[1].encryptionCertificate(), EnvelopeForge.jws(jwsHeader(p), PAYLOAD, new byte[length]));
    assertRejected(opener(p), env, BadSignatureException.class, "does not verify");
  }

  static Stream<Arguments> psychicSignatures() {
    BigInteger n = new BigInteger("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551", 16);
    return Stream.of(
        Arguments.of("r = s = 0 (CVE-2022-21449)", new byte[64]),
        Arguments.of("r = s = n", concat(be32(n), be32(n))),
        Arguments.of("r = 0, s = 1", concat(new byte[32], be32(BigInteger.ONE))),
        Arguments.of("r = 1, s = 0", concat(be32(BigInteger.ONE), new byte[32])));
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("psychicSignatures")
  void open_es256OutOfRangeSignature_failsBadSignature(String what, byte[] sig) {
    PartyIdentity[] p = EnvelopeForge.pair("INTL-P256");
    byte[] env = EnvelopeForge.encrypt(p[1].encryptionCertificate(), EnvelopeForge.jws(jwsHeader(p), PAYLOAD, sig));
    assertRejected(opener(p), env, BadSignatureException.class, "does not verify");
  }

  @Test
  void open_sm2AllZeroSignature_failsBadSignature() {
    PartyIdentity[] p = EnvelopeForge.pair("GM");
    byte[] env = EnvelopeForge.encrypt(p[1].encryptionCertificate(), EnvelopeForge.jws(jwsHeader(p), PAYLOAD, new byte[64]));
    assertRejected(opener(p), env, BadSignatureException.class, "does not verify");
  }

  @Test
  void open_signerNotTrusted_failsUntrusted() throws Exception {
    PartyIdentity[] p = intl();
    PartyIdentity stranger = EnvelopeForge.third("INTL");
    byte[] env = EnvelopeSealer.builder(stranger).clock(at(T0)).build().seal(request(p).build(), PAYLOAD).toByteArray();
    assertRejected(opener(p), env, UntrustedSenderException.class, "not trusted");
  }

  @Test
  void open_issuerIsNotKeyOwner_failsUntrusted() {
    PartyIdentity[] p = intl();
    byte[] env = innerEdited(p, h -> h.put("iss", TestParties.DISTRICT.toString()));
    assertRejected(opener(p), env, UntrustedSenderException.class, TestParties.DISTRICT.toString(), "not trusted");
  }

  // ---- receiver ---------------------------------------------------------------------------

  @ParameterizedTest
  @MethodSource("suites")
  void open_encryptedToAnotherParty_failsWrongReceiver(String suite) throws Exception {
    PartyIdentity[] p = EnvelopeForge.pair(suite);
    PartyIdentity other = EnvelopeForge.third(suite);
    byte[] env = EnvelopeSealer.builder(p[0]).clock(at(T0)).build()
        .seal(request(p).recipient(other.encryptionCertificate()).build(), PAYLOAD).toByteArray();
    assertRejected(opener(p), env, WrongReceiverException.class, "encrypted to key",
        other.encryptionCertificate().keyId().value().substring(0, 40));
  }

  @Test
  void open_encryptedToAnotherKeyButOurKid_failsDecryption() throws Exception {
    // The kid is only a hint: a JWE encrypted to another key fails authenticated decryption.
    PartyIdentity[] p = intl();
    PartyIdentity other = EnvelopeForge.third("INTL");
    byte[] jws = EnvelopeForge.signedJws(jwsHeader(p), PAYLOAD, p[0]);
    byte[] env = EnvelopeForge.encrypt(other.encryptionCertificate(), jws,
        h -> h.put("kid", p[1].encryptionCertificate().keyId().value()));
    assertRejected(opener(p), env, DecryptionFailedException.class, "decryption failed");
  }

  @ParameterizedTest
  @MethodSource("suites")
  void open_audienceIsAnotherParty_failsWrongReceiver(String suite) {
    // Correctly encrypted to us and signed by a trusted sender, but addressed to someone else:
    // the forwarding attack that putting the receiver inside the signature defeats.
    PartyIdentity[] p = EnvelopeForge.pair(suite);
    byte[] env = innerEdited(p, h -> h.put("aud", TestParties.DISTRICT.toString()));
    assertRejected(opener(p), env, WrongReceiverException.class, "addressed to " + TestParties.DISTRICT);
  }

  // ---- time -------------------------------------------------------------------------------

  @Test
  void open_expiredExactlyAtSkew_succeeds() throws Exception {
    PartyIdentity[] p = intl();
    byte[] env = seal(p); // valid [T0, T0 + 5 min]
    Instant edge = T0.plus(SealRequest.DEFAULT_TTL).plus(EnvelopeOpener.DEFAULT_CLOCK_SKEW);
    assertThat(opener(p, edge).open(env).payload()).isEqualTo(PAYLOAD);
  }

  @Test
  void open_expiredOneSecondBeyondSkew_failsExpired() throws Exception {
    PartyIdentity[] p = intl();
    byte[] env = seal(p);
    Instant late = T0.plus(SealRequest.DEFAULT_TTL).plus(EnvelopeOpener.DEFAULT_CLOCK_SKEW).plusSeconds(1);
    assertRejected(opener(p, late), env, EnvelopeExpiredException.class, "expired at");
  }

  @Test
  void open_issuedInFutureExactlyAtSkew_succeeds() throws Exception {
    PartyIdentity[] p = intl();
    byte[] env = seal(p);
    assertThat(opener(p, T0.minus(EnvelopeOpener.DEFAULT_CLOCK_SKEW)).open(env).payload()).isEqualTo(PAYLOAD);
  }

  @Test
  void open_issuedInFutureOneSecondBeyondSkew_failsNotYetValid() throws Exception {
    PartyIdentity[] p = intl();
    byte[] env = seal(p);
    Instant early = T0.minus(EnvelopeOpener.DEFAULT_CLOCK_SKEW).minusSeconds(1);
    assertRejected(opener(p, early), env, EnvelopeNotYetValidException.class, "in the future");
  }

  @Test
  void open_configuredSkew_isTheBoundary() throws Exception {
    PartyIdentity[] p = intl();
    byte[] env = seal(p);
    Duration skew = Duration.ofSeconds(5);
    Instant expiry = T0.plus(SealRequest.DEFAULT_TTL);
    EnvelopeOpener atEdge = EnvelopeOpener.builder(p[1], PinnedSenderTrust.of(p[0].certificates()))
        .clock(at(expiry.plus(skew))).allowClockSkew(skew).build();
    EnvelopeOpener beyond = EnvelopeOpener.builder(p[1], PinnedSenderTrust.of(p[0].certificates()))
        .clock(at(expiry.plus(skew).plusSeconds(1))).allowClockSkew(skew).build();
    assertThat(atEdge.open(env).payload()).isEqualTo(PAYLOAD);
    assertRejected(beyond, env, EnvelopeExpiredException.class, "expired at");
  }

  @Test
  void open_lifetimeLongerThanMax_failsExpired() throws Exception {
    PartyIdentity[] p = intl();
    // a default sealer refuses this ttl (SealerLifetimeTest): a sealer raised on purpose makes it
    Duration tooLong = EnvelopeOpener.DEFAULT_MAX_LIFETIME.plusSeconds(1);
    byte[] env = EnvelopeSealer.builder(p[0]).clock(at(T0)).maxLifetime(tooLong).build()
        .seal(request(p).ttl(tooLong).build(), PAYLOAD).toByteArray();
    assertRejected(opener(p), env, EnvelopeExpiredException.class, "lifetime");
  }

  @Test
  void open_lifetimeExactlyMax_succeeds() throws Exception {
    PartyIdentity[] p = intl();
    byte[] env = EnvelopeSealer.builder(p[0]).clock(at(T0)).build()
        .seal(request(p).ttl(EnvelopeOpener.DEFAULT_MAX_LIFETIME).build(), PAYLOAD).toByteArray();
    assertThat(opener(p).open(env).payload()).isEqualTo(PAYLOAD);
  }

  // ---- replay -----------------------------------------------------------------------------

  @ParameterizedTest
  @MethodSource("suites")
  void open_sameEnvelopeTwice_failsReplayed(String suite) throws Exception {
    PartyIdentity[] p = EnvelopeForge.pair(suite);
    byte[] env = seal(p);
    EnvelopeOpener o = opener(p);
    o.open(env);
    assertRejected(o, env, ReplayedEnvelopeException.class, "already opened");
  }

  @Test
  void open_sameIdReEncrypted_failsReplayed() throws Exception {
    // Re-encrypting the same signed JWS gives new JWE bytes but the same envelope id.
    PartyIdentity[] p = intl();
    byte[] jws = EnvelopeForge.signedJws(jwsHeader(p), PAYLOAD, p[0]);
    EnvelopeOpener o = opener(p);
    o.open(EnvelopeForge.encrypt(p[1].encryptionCertificate(), jws));
    assertRejected(o, EnvelopeForge.encrypt(p[1].encryptionCertificate(), jws), ReplayedEnvelopeException.class,
        "already opened");
  }

  @Test
  void open_concurrentlyFromEightThreads_exactlyOneSucceeds() throws Exception {
    PartyIdentity[] p = intl();
    byte[] env = seal(p);
    EnvelopeOpener o = opener(p);
    int threads = 8;
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<Object>> results = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        results.add(pool.submit((Callable<Object>) () -> {
          start.await();
          try {
            return o.open(env);
          } catch (EnvelopeException e) {
            return e;
          }
        }));
      }
      start.countDown();
      int opened = 0;
      int replayed = 0;
      for (Future<Object> f : results) {
        Object r = f.get(60, TimeUnit.SECONDS);
        if (r instanceof OpenedEnvelope) {
          opened++;
        } else if (r instanceof ReplayedEnvelopeException) {
          replayed++;
        } else {
          throw new AssertionError("unexpected outcome " + r);
        }
      }
      assertThat(opened).isEqualTo(1);
      assertThat(replayed).isEqualTo(threads - 1);
    } finally {
      pool.shutdownNow();
    }
  }

  @ParameterizedTest
  @MethodSource("suites")
  void open_expectedSenderIsAnotherParty_failsWithoutUsingTheReplaySlot(String suite) throws Exception {
    PartyIdentity[] p = EnvelopeForge.pair(suite);
    byte[] env = seal(p);
    EnvelopeOpener o = opener(p);

    assertThatThrownBy(() -> o.open(env, p[1].party()))
        .isInstanceOf(SenderMismatchException.class)
        .hasMessageContaining("delivered it")
        .satisfies(e -> {
          assertThat(((SenderMismatchException) e).code()).isEqualTo("SENDER_MISMATCH");
          assertThat(((SenderMismatchException) e).header().sender()).isEqualTo(p[0].party());
        });
    // the genuine sender still gets it opened, once
    assertThat(o.open(env, p[0].party()).payload()).isEqualTo(PAYLOAD);
    assertRejected(o, env, ReplayedEnvelopeException.class, "already opened");
  }

  @Test
  void open_replayCacheFull_failsClosedInsteadOfForgetting() throws Exception {
    PartyIdentity[] p = intl();
    EnvelopeOpener o = EnvelopeOpener.builder(p[1], PinnedSenderTrust.of(p[0].certificates())).clock(at(T0))
        .replayCache(ReplayCache.inMemory(1, at(T0))).build();
    byte[] first = seal(p);
    o.open(first);

    assertRejected(o, seal(p), ReplayStateUnavailableException.class, "not expired");
    assertRejected(o, first, ReplayedEnvelopeException.class, "already opened");
  }

  // ---- suites -----------------------------------------------------------------------------

  @Test
  void seal_recipientOfOtherSuite_failsSuiteMismatch() {
    PartyIdentity[] intl = intl();
    PartyIdentity[] gm = EnvelopeForge.pair("GM");
    EnvelopeSealer s = EnvelopeSealer.builder(intl[0]).build();
    assertThatThrownBy(() -> s.seal(request(gm).build(), PAYLOAD))
        .isInstanceOf(SuiteMismatchException.class)
        .hasMessageContaining("suites never mix");
    EnvelopeSealer g = EnvelopeSealer.builder(gm[0]).build();
    assertThatThrownBy(() -> g.seal(request(intl).build(), PAYLOAD))
        .isInstanceOf(SuiteMismatchException.class)
        .hasMessageContaining("GM");
  }

  @Test
  void open_gmEnvelopeByIntlRecipient_failsDisallowed() throws Exception {
    // A GM envelope handed to an INTL party: its SM2-PKE algorithm is not in the INTL allow-list.
    PartyIdentity[] gm = EnvelopeForge.pair("GM");
    assertRejected(opener(intl()), seal(gm), DisallowedAlgorithmException.class, "JWE alg 'SM2-PKE'");
  }

  @Test
  void reasons_eachExceptionType_hasItsOwnCode() {
    assertThat(new MalformedEnvelopeException("m").code()).isEqualTo("MALFORMED");
    assertThat(new ReplayedEnvelopeException("m").code()).isEqualTo("REPLAYED");
    assertThat(new ReplayStateUnavailableException("m").code()).isEqualTo("REPLAY_STATE_UNAVAILABLE");
  }
}
