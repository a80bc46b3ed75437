package io.shulian.core.envelope;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shulian.core.internal.crypto.Epk;
import io.shulian.core.internal.jose.Base64Url;
import io.shulian.core.internal.jose.Json;
import io.shulian.core.keys.KeyAlgorithm;
import io.shulian.core.keys.Suite;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The wire format "framed" v1 and v2 (docs/envelope-format.md, section "Framed encoding"):
 *
 * <pre>
 * preamble  = 0x89 'S' 'H' 'F' || version (1 byte, 1 or 2) || u16 L || outer header JSON (L bytes)
 * segment   = u32 ciphertext length || ciphertext || 16-byte tag       (repeated, at least one)
 * nonce     = np (7 bytes) || u32 segment index || last flag (1 on the final segment only)
 * AAD       = the preamble, for every segment
 * plaintext = u16 M || signed header JSON (M bytes) || payload || 64-byte signature
 * signed    = "shulian-framed-v1" 0x00 || u16 M || signed header || payload            (v1)
 * signed    = "shulian-framed-v2" 0x00 || u16 M || signed header || u64 payload length
 *             || H(payload)                                                          (v2)
 * </pre>
 *
 * <p>v1 signs the payload itself (Ed25519ph, ES256, SM2-SM3 over the stream); v2 signs a digest of
 * it, H = SHA-256 (INTL: {@code Ed25519} pure, {@code ES256}) or SM3 ({@code SM2-SM3}), which is
 * also the payload digest a gateway audits ({@link PayloadDigest}): one hash pass per byte.
 *
 * All integers are big-endian. Every segment but the last carries exactly {@code seg} plaintext
 * bytes.
 */
final class FramedCodec {
  static final byte[] MAGIC = {(byte) 0x89, 'S', 'H', 'F'};
  /** Framed v1: the signature covers the payload itself. Still opened; sealed only on request. */
  static final int VERSION_1 = 1;

  /** Framed v2 (the default): the signature covers the payload's length and digest. */
  static final int VERSION_2 = 2;
  static final String FMT = "framed";

  /** Bytes before the outer header: magic, version, u16 length. */
  static final int PREAMBLE_FIXED_BYTES = MAGIC.length + 1 + 2;

  static final int DEFAULT_SEGMENT_BYTES = 64 * 1024;
  static final int MIN_SEGMENT_BYTES = 4 * 1024;
  static final int MAX_SEGMENT_BYTES = 1024 * 1024;

  static final int NONCE_PREFIX_BYTES = 7;
  static final int LENGTH_BYTES = 4;
  static final int TAG_BYTES = 16;
  static final int SIGNATURE_BYTES = 64;
  static final long MAX_SEGMENTS = 0xFFFF_FFFFL + 1;

  /** RFC 8032 context of v1's Ed25519ph signatures, and the domain separator of v1 signatures. */
  static final byte[] SIGNATURE_CONTEXT = "shulian-framed-v1".getBytes(StandardCharsets.US_ASCII);

  static final byte[] SIGNATURE_PREFIX = {
    's', 'h', 'u', 'l', 'i', 'a', 'n', '-', 'f', 'r', 'a', 'm', 'e', 'd', '-', 'v', '1', 0
  };

  static final byte[] SIGNATURE_PREFIX_V2 = {
    's', 'h', 'u', 'l', 'i', 'a', 'n', '-', 'f', 'r', 'a', 'm', 'e', 'd', '-', 'v', '2', 0
  };

  /** The v2 name of pure Ed25519 (RFC 8032 5.1), distinct from v1's {@code Ed25519ph} and compact JWS's {@code EdDSA}. */
  static final String ED25519_V2 = "Ed25519";

  /** The KDF algorithm id prefix for ECDH-ES, so that a framed content key never equals a compact one. */
  static final String KDF_PREFIX = "SHF1-";

  static final Set<String> OUTER_MEMBERS = Set.of("typ", "fmt", "alg", "enc", "kid", "epk", "ek", "apu", "seg", "np");

  static final Set<String> SIGNED_MEMBERS =
      Set.of("alg", "kid", "typ", "cty", "ver", "jti", "iss", "aud", "res", "pur", "cls", "iat", "exp", "cid", "grt",
          "tp", "fmt");

  /** Signature algorithms of the v1 signed header, per suite. */
  static final Map<Suite, Set<String>> SIGNATURE_ALGS =
      Map.of(Suite.INTL, Set.of("Ed25519ph", "ES256"), Suite.GM, Set.of("SM2-SM3"));

  static final Map<String, KeyAlgorithm> KEY_OF_SIGNATURE_ALG =
      Map.of("Ed25519ph", KeyAlgorithm.ED25519, "ES256", KeyAlgorithm.P256, "SM2-SM3", KeyAlgorithm.SM2);

  /** Signature algorithms of the v2 signed header, per suite: {@code Ed25519ph} is not one of them. */
  static final Map<Suite, Set<String>> SIGNATURE_ALGS_V2 =
      Map.of(Suite.INTL, Set.of(ED25519_V2, "ES256"), Suite.GM, Set.of("SM2-SM3"));

  static final Map<String, KeyAlgorithm> KEY_OF_SIGNATURE_ALG_V2 =
      Map.of(ED25519_V2, KeyAlgorithm.ED25519, "ES256", KeyAlgorithm.P256, "SM2-SM3", KeyAlgorithm.SM2);

  private FramedCodec() {}

  static boolean isFramed(byte[] envelope) {
    return envelope.length > 0 && envelope[0] == MAGIC[0];
  }

  /** Checks a segment size for sealing. */
  static int checkSegmentBytes(int seg) {
    if (seg < MIN_SEGMENT_BYTES || seg > MAX_SEGMENT_BYTES) {
      throw new IllegalArgumentException("framed segment size must be in [" + MIN_SEGMENT_BYTES + ", "
          + MAX_SEGMENT_BYTES + "] bytes, got " + seg);
    }
    return seg;
  }

  static byte[] outerHeader(String alg, String enc, String kid, @Nullable Epk epk, byte[] encryptedKey, byte[] apu,
      int seg, byte[] noncePrefix) {
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    n.put("typ", JoseCodec.TYP);
    n.put("fmt", FMT);
    n.put("alg", alg);
    n.put("enc", enc);
    n.put("kid", kid);
    JoseCodec.putKeyAgreement(n, epk, apu);
    if (encryptedKey.length > 0) {
      n.put("ek", Base64Url.encodeToString(encryptedKey));
    }
    n.put("seg", seg);
    n.put("np", Base64Url.encodeToString(noncePrefix));
    return Json.write(n);
  }

  /** The v2 {@code alg} of a signer whose compact (JOSE) algorithm is {@code joseAlgorithm}. */
  static String v2Algorithm(String joseAlgorithm) {
    return "EdDSA".equals(joseAlgorithm) ? ED25519_V2 : joseAlgorithm;
  }

  /**
   * The v2 signed data: prefix, {@code m} (u16 M), the signed header, the u64 payload length and
   * the payload digest. Ed25519 signs it as is, ES256 over SHA-256 of it, SM2 over SM3(Z || it).
   */
  static byte[] signedV2(byte[] m, byte[] signedHeader, long payloadLength, byte[] payloadDigest) {
    int n = SIGNATURE_PREFIX_V2.length;
    byte[] s = new byte[n + 2 + signedHeader.length + 8 + payloadDigest.length];
    System.arraycopy(SIGNATURE_PREFIX_V2, 0, s, 0, n);
    s[n] = m[0];
    s[n + 1] = m[1];
    System.arraycopy(signedHeader, 0, s, n + 2, signedHeader.length);
    int at = n + 2 + signedHeader.length;
    for (int i = 0; i < 8; i++) {
      s[at + i] = (byte) (payloadLength >>> (56 - 8 * i));
    }
    System.arraycopy(payloadDigest, 0, s, at + 8, payloadDigest.length);
    return s;
  }

  /** Returns magic, version 2, u16 length and the outer header: the AAD of every segment. */
  static byte[] preamble(byte[] outerHeader) {
    return preamble(VERSION_2, outerHeader);
  }

  /** Returns magic, {@code version}, u16 length and the outer header: the AAD of every segment. */
  static byte[] preamble(int version, byte[] outerHeader) {
    if (outerHeader.length > Json.MAX_HEADER_BYTES) {
      throw new IllegalStateException("outer header of " + outerHeader.length + " bytes");
    }
    byte[] p = new byte[PREAMBLE_FIXED_BYTES + outerHeader.length];
    System.arraycopy(MAGIC, 0, p, 0, MAGIC.length);
    p[4] = (byte) version;
    p[5] = (byte) (outerHeader.length >>> 8);
    p[6] = (byte) outerHeader.length;
    System.arraycopy(outerHeader, 0, p, PREAMBLE_FIXED_BYTES, outerHeader.length);
    return p;
  }

  static byte[] signedHeader(String alg, String kid, EnvelopeHeader h) {
    ObjectNode n = JoseCodec.jwsHeaderNode(alg, kid, h);
    n.put("fmt", FMT);
    byte[] json = Json.write(n);
    if (json.length > Json.MAX_HEADER_BYTES) {
      throw new IllegalStateException("signed header of " + json.length + " bytes");
    }
    return json;
  }

  /** Writes the 12-byte nonce of segment {@code index} into {@code nonce}. */
  static void nonce(byte[] noncePrefix, long index, boolean last, byte[] nonce) {
    System.arraycopy(noncePrefix, 0, nonce, 0, NONCE_PREFIX_BYTES);
    nonce[7] = (byte) (index >>> 24);
    nonce[8] = (byte) (index >>> 16);
    nonce[9] = (byte) (index >>> 8);
    nonce[10] = (byte) index;
    nonce[11] = (byte) (last ? 1 : 0);
  }

  static void putU32(byte[] b, int at, int v) {
    b[at] = (byte) (v >>> 24);
    b[at + 1] = (byte) (v >>> 16);
    b[at + 2] = (byte) (v >>> 8);
    b[at + 3] = (byte) v;
  }

  static long u32(byte[] b, int at) {
    return ((b[at] & 0xffL) << 24) | ((b[at + 1] & 0xff) << 16) | ((b[at + 2] & 0xff) << 8) | (b[at + 3] & 0xff);
  }

  /** Refuses members that framed v1 does not define (the compact opener ignores them; framed is stricter). */
  static void onlyKnownMembers(ObjectNode n, Set<String> known, String layer) throws MalformedEnvelopeException {
    for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!known.contains(f)) {
        throw new MalformedEnvelopeException(layer + " has an unknown member '" + JoseCodec.safe(f) + "'");
      }
    }
  }

  static byte[] base64Field(ObjectNode n, String f) throws MalformedEnvelopeException {
    try {
      return Base64Url.decode(JoseCodec.text(n, f));
    } catch (IllegalArgumentException e) {
      throw new MalformedEnvelopeException("framed header field '" + f + "' is not base64url");
    }
  }

  static int intField(ObjectNode n, String f) throws MalformedEnvelopeException {
    JsonNode v = n.get(f);
    if (v == null || !v.isInt()) {
      throw new MalformedEnvelopeException("framed header field '" + f + "' is missing or not an integer");
    }
    return v.intValue();
  }
}
