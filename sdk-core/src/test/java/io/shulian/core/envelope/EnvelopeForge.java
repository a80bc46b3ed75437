package io.shulian.core.envelope;

import io.shulian.core.internal.access.CoreAccess;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shulian.core.internal.crypto.ContentCipher;
import io.shulian.core.internal.crypto.Crypto;
import io.shulian.core.internal.crypto.Encapsulated;
import io.shulian.core.internal.crypto.KeyEncapsulation;
import io.shulian.core.internal.crypto.Signer;
import io.shulian.core.internal.jose.Base64Url;
import io.shulian.core.internal.jose.Json;
import io.shulian.core.keys.KeyAlgorithm;
import io.shulian.core.keys.PartyCertificate;
import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.keys.Suite;
import io.shulian.core.party.PartyId;
import io.shulian.core.testing.TestParties;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Test-only: builds envelopes piece by piece, so that tests can hand the opener what a well-behaved
 * sealer never produces (foreign algorithms, embedded keys, bad signatures, other receivers) while
 * everything else about the envelope is valid. Anyone holding the recipient's certificate can build
 * such an outer JWE, so the opener must treat the inner JWS as hostile.
 */
final class EnvelopeForge {
  private EnvelopeForge() {}

  /** The JWS header a sealer would write, as an editable JSON object. */
  static ObjectNode jwsHeader(PartyIdentity sender, PartyId receiver, Instant issuedAt, Instant expiresAt) {
    EnvelopeHeader h =
        new EnvelopeHeader(
            EnvelopeHeader.VERSION,
            JoseCodec.uuidV7(issuedAt.toEpochMilli(), Crypto.random()),
            sender.party(),
            receiver,
            "HOUSING-001",
            "social-assistance-review",
            Classification.GENERAL,
            issuedAt,
            expiresAt,
            "application/json",
            null,
            null,
            null);
    String alg = CoreAccess.keys().signingKey(sender).signer(sm2Id()).joseAlgorithm();
    return parse(JoseCodec.jwsHeader(alg, sender.signingCertificate().keyId().value(), h));
  }

  static byte[] sm2Id() {
    return io.shulian.core.internal.crypto.Crypto.sm2DefaultUserId();
  }

  static ObjectNode parse(byte[] json) {
    try {
      return Json.parseObject(json, 0, json.length);
    } catch (Json.JsonException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Returns {@code B64(header) '.' B64(payload)}, the JWS signing input. */
  static byte[] signingInput(ObjectNode header, byte[] payload) {
    return (b64(Json.write(header)) + "." + b64(payload)).getBytes(StandardCharsets.US_ASCII);
  }

  /** A compact JWS with the given signature bytes. */
  static byte[] jws(ObjectNode header, byte[] payload, byte[] signature) {
    return (new String(signingInput(header, payload), StandardCharsets.US_ASCII) + "." + b64(signature))
        .getBytes(StandardCharsets.US_ASCII);
  }

  /** A compact JWS signed with the signer (header 'alg' is not touched). */
  static byte[] signedJws(ObjectNode header, byte[] payload, Signer signer) {
    byte[] in = signingInput(header, payload);
    return jws(header, payload, signer.sign(in, 0, in.length));
  }

  /** A compact JWS signed by the sender's real signing key. */
  static byte[] signedJws(ObjectNode header, byte[] payload, PartyIdentity sender) {
    return signedJws(header, payload, CoreAccess.keys().signingKey(sender).signer(sm2Id()));
  }

  /** Encrypts {@code inner} to the recipient with the header a sealer would write. */
  static byte[] encrypt(PartyCertificate recipient, byte[] inner) {
    return encrypt(recipient, inner, h -> {});
  }

  /**
   * Encrypts {@code inner} to the recipient; {@code edit} may change the JWE header (which is the
   * authenticated data of the content encryption, so the result is a correctly encrypted JWE).
   */
  static byte[] encrypt(PartyCertificate recipient, byte[] inner, Consumer<ObjectNode> edit) {
    KeyEncapsulation kem = CoreAccess.certificates().publicKey(recipient).recipient();
    ContentCipher cipher = kem.contentCipher();
    Encapsulated e = kem.encapsulate(cipher.joseName());
    ObjectNode header = parse(JoseCodec.jweHeader(kem.joseAlgorithm(), cipher.joseName(), recipient.keyId().value(), e.epk, e.apu));
    edit.accept(header);
    return encryptRaw(Json.write(header), e.encryptedKey, cipher, e.cek, inner);
  }

  /**
   * Encrypts many inner payloads to one recipient under one content key (fresh IV each time), so
   * that the key agreement is paid once: for fuzzing, where the content key need not be secret.
   */
  static final class FixedKeyEncrypter {
    private final byte[] header;
    private final byte[] encryptedKey;
    private final ContentCipher cipher;
    private final byte[] cek;

    FixedKeyEncrypter(PartyCertificate recipient) {
      KeyEncapsulation kem = CoreAccess.certificates().publicKey(recipient).recipient();
      this.cipher = kem.contentCipher();
      Encapsulated e = kem.encapsulate(cipher.joseName());
      this.header = JoseCodec.jweHeader(kem.joseAlgorithm(), cipher.joseName(), recipient.keyId().value(), e.epk, e.apu);
      this.encryptedKey = e.encryptedKey;
      this.cek = e.cek;
    }

    byte[] encrypt(byte[] inner) {
      return encryptRaw(header, encryptedKey, cipher, cek, inner);
    }
  }

  /** Encrypts {@code inner} under {@code cek} with arbitrary header bytes as authenticated data. */
  static byte[] encryptRaw(byte[] headerJson, byte[] encryptedKey, ContentCipher cipher, byte[] cek, byte[] inner) {
    byte[] aad = Base64Url.encode(headerJson);
    byte[] iv = Crypto.randomBytes(ContentCipher.IV_BYTES);
    byte[] ctAndTag = cipher.encrypt(cek, iv, aad, inner, 0, inner.length);
    int ctLen = ctAndTag.length - ContentCipher.TAG_BYTES;
    return compact(
        new String(aad, StandardCharsets.US_ASCII),
        b64(encryptedKey),
        b64(iv),
        b64(Arrays.copyOf(ctAndTag, ctLen)),
        b64(Arrays.copyOfRange(ctAndTag, ctLen, ctAndTag.length)));
  }

  /**
   * A JWE whose header is exactly {@code headerJson} and whose other parts are random bytes of the
   * right sizes: for checks that must fail before any decryption.
   */
  static byte[] withHeader(String headerJson) {
    return compact(
        b64(headerJson.getBytes(StandardCharsets.UTF_8)),
        "",
        b64(Crypto.randomBytes(12)),
        b64(Crypto.randomBytes(40)),
        b64(Crypto.randomBytes(16)));
  }

  static byte[] compact(String... parts) {
    return String.join(".", parts).getBytes(StandardCharsets.US_ASCII);
  }

  /** Splits a compact serialization into its parts (empty parts kept). */
  static String[] parts(byte[] compact) {
    return new String(compact, StandardCharsets.US_ASCII).split("\\.", -1);
  }

  static String b64(byte[] b) {
    return Base64Url.encodeToString(b);
  }

  /** Returns {sender, receiver} for "INTL" (Ed25519/X25519), "INTL-P256" or "GM". */
  static PartyIdentity[] pair(String suite) {
    return suite.equals("INTL-P256") ? TestParties.p256Pair() : TestParties.pair(Suite.valueOf(suite));
  }

  private static final Map<String, PartyIdentity> THIRD = new HashMap<>();

  /** A third party of the suite (neither sender nor receiver), generated once per test JVM. */
  static synchronized PartyIdentity third(String suite) {
    return THIRD.computeIfAbsent(suite, s -> {
      Duration v = Duration.ofDays(30);
      return s.equals("INTL-P256")
          ? PartyIdentity.generateSelfSigned(KeyAlgorithm.P256, KeyAlgorithm.P256, TestParties.DISTRICT, v)
          : PartyIdentity.generateSelfSigned(Suite.valueOf(s), TestParties.DISTRICT, v);
    });
  }

  /** A request to the recipient's encryption key for HOUSING-001, social-assistance-review. */
  static SealRequest request(PartyIdentity to) {
    return SealRequest.builder()
        .recipient(to.encryptionCertificate())
        .resource("HOUSING-001")
        .purpose("social-assistance-review")
        .build();
  }

  static UUID newId() {
    return JoseCodec.uuidV7(System.currentTimeMillis(), Crypto.random());
  }
}
