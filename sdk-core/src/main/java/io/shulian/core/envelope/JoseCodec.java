package io.shulian.core.envelope;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shulian.core.internal.crypto.Epk;
import io.shulian.core.internal.crypto.KdfInfo;
import io.shulian.core.internal.jose.Base64Url;
import io.shulian.core.internal.jose.Json;
import io.shulian.core.party.PartyId;
import java.time.Instant;
import java.util.Iterator;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The JOSE wire format of envelopes (see docs/envelope-format.md): the names of header
 * parameters, and the strict checks shared by both layers.
 */
final class JoseCodec {
  static final String TYP = "shulian-envelope";
  static final String CTY_NESTED = "JOSE";

  /** Header parameters by which a JOSE object offers its own keys; keys come only from trust. */
  static final Set<String> EMBEDDED_KEYS = Set.of("jwk", "jku", "x5u", "x5c");

  private JoseCodec() {}

  // ---- JWS (inner, signed) header ---------------------------------------------------------

  static byte[] jwsHeader(String alg, String kid, EnvelopeHeader h) {
    return Json.write(jwsHeaderNode(alg, kid, h));
  }

  /** The signed header fields; the framed encoding adds its own member to the same node. */
  static ObjectNode jwsHeaderNode(String alg, String kid, EnvelopeHeader h) {
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    n.put("alg", alg);
    n.put("kid", kid);
    n.put("typ", TYP);
    n.put("cty", h.contentType());
    n.put("ver", h.version());
    n.put("jti", h.id().toString());
    n.put("iss", h.sender().toString());
    n.put("aud", h.receiver().toString());
    n.put("res", h.resource());
    n.put("pur", h.purpose());
    n.put("cls", h.classification().wireName());
    n.put("iat", h.issuedAt().getEpochSecond());
    n.put("exp", h.expiresAt().getEpochSecond());
    h.correlationId().ifPresent(c -> n.put("cid", c.toString()));
    h.grantRef().ifPresent(g -> n.put("grt", g));
    h.traceparent().ifPresent(t -> n.put("tp", t));
    return n;
  }

  static EnvelopeHeader parseEnvelopeHeader(ObjectNode n) throws MalformedEnvelopeException {
    int ver = intField(n, "ver");
    if (ver != EnvelopeHeader.VERSION) {
      throw new MalformedEnvelopeException("envelope format version " + ver + " is not supported (this SDK reads "
          + EnvelopeHeader.VERSION + ")");
    }
    try {
      String cid = optText(n, "cid");
      return new EnvelopeHeader(
          ver,
          UUID.fromString(text(n, "jti")),
          PartyId.parse(text(n, "iss")),
          PartyId.parse(text(n, "aud")),
          text(n, "res"),
          text(n, "pur"),
          Classification.fromWireName(text(n, "cls")),
          Instant.ofEpochSecond(longField(n, "iat")),
          Instant.ofEpochSecond(longField(n, "exp")),
          text(n, "cty"),
          cid == null ? null : UUID.fromString(cid),
          optText(n, "grt"),
          optText(n, "tp"));
    } catch (IllegalArgumentException | java.time.DateTimeException e) {
      throw new MalformedEnvelopeException("envelope header is invalid: " + e.getMessage());
    }
  }

  // ---- JWE (outer) header -----------------------------------------------------------------

  static byte[] jweHeader(String alg, String enc, String recipientKid, @Nullable Epk epk, byte[] apu) {
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    n.put("alg", alg);
    n.put("enc", enc);
    n.put("kid", recipientKid);
    n.put("typ", TYP);
    n.put("cty", CTY_NESTED);
    putKeyAgreement(n, epk, apu);
    return Json.write(n);
  }

  /** Writes {@code epk} (when present) and {@code apu} (when not empty) into a header. */
  static void putKeyAgreement(ObjectNode n, @Nullable Epk epk, byte[] apu) {
    if (epk != null) {
      ObjectNode k = n.putObject("epk");
      k.put("kty", epk.kty);
      k.put("crv", epk.crv);
      k.put("x", Base64Url.encodeToString(epk.x));
      if (epk.y != null) {
        k.put("y", Base64Url.encodeToString(epk.y));
      }
    }
    if (apu.length > 0) {
      n.put("apu", Base64Url.encodeToString(apu));
    }
  }

  static @Nullable Epk parseEpk(ObjectNode n) throws MalformedEnvelopeException {
    JsonNode e = n.get("epk");
    if (e == null) {
      return null;
    }
    if (!e.isObject()) {
      throw new MalformedEnvelopeException("epk is not a JSON object");
    }
    ObjectNode k = (ObjectNode) e;
    for (Iterator<String> it = k.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!Set.of("kty", "crv", "x", "y").contains(f)) {
        throw new MalformedEnvelopeException("epk has an unexpected member '" + safe(f) + "'");
      }
    }
    try {
      String y = optText(k, "y");
      return new Epk(text(k, "kty"), text(k, "crv"), Base64Url.decode(text(k, "x")), y == null ? null : Base64Url.decode(y));
    } catch (IllegalArgumentException ex) {
      throw new MalformedEnvelopeException("epk is malformed: " + ex.getMessage());
    }
  }

  /**
   * Returns the decoded {@code apu} and {@code apv} of a JWE header (RFC 7518 4.6.1.2-3), each at
   * most {@link KdfInfo#MAX_BYTES} bytes.
   */
  static KdfInfo parseKdfInfo(ObjectNode n) throws MalformedEnvelopeException {
    String apu = optText(n, "apu");
    String apv = optText(n, "apv");
    if (apu == null && apv == null) {
      return KdfInfo.NONE;
    }
    try {
      return KdfInfo.of(apu == null ? new byte[0] : Base64Url.decode(apu), apv == null ? new byte[0] : Base64Url.decode(apv));
    } catch (IllegalArgumentException e) {
      throw new MalformedEnvelopeException("JWE apu/apv: " + e.getMessage());
    }
  }

  /**
   * Checks what both layers must satisfy: no embedded keys, no compression, no critical extensions
   * (Shulian understands none), the envelope type.
   */
  static void checkCommon(ObjectNode n, String layer)
      throws EmbeddedKeyException, UnknownCriticalHeaderException, DisallowedAlgorithmException,
          MalformedEnvelopeException {
    for (String k : EMBEDDED_KEYS) {
      if (n.has(k)) {
        throw new EmbeddedKeyException(layer + " header offers a key in '" + k
            + "'; Shulian takes keys only from configured trust");
      }
    }
    if (n.has("crit")) {
      JsonNode c = n.get("crit");
      if (!c.isArray() || c.isEmpty()) {
        throw new MalformedEnvelopeException(layer + " header 'crit' must be a non-empty array");
      }
      throw new UnknownCriticalHeaderException(layer + " header marks " + safe(c.toString())
          + " as critical; Shulian understands no critical extension");
    }
    if (n.has("zip")) {
      throw new DisallowedAlgorithmException(layer + " header asks for compression ('zip'), which is not allowed");
    }
    String typ = optText(n, "typ");
    if (!TYP.equals(typ)) {
      throw new MalformedEnvelopeException(layer + " header 'typ' must be '" + TYP + "'");
    }
  }

  // ---- JSON field helpers -----------------------------------------------------------------

  static String text(ObjectNode n, String f) throws MalformedEnvelopeException {
    JsonNode v = n.get(f);
    if (v == null || !v.isTextual()) {
      throw new MalformedEnvelopeException("header field '" + f + "' is missing or not a string");
    }
    return v.textValue();
  }

  static @Nullable String optText(ObjectNode n, String f) throws MalformedEnvelopeException {
    JsonNode v = n.get(f);
    if (v == null) {
      return null;
    }
    if (!v.isTextual()) {
      throw new MalformedEnvelopeException("header field '" + f + "' is not a string");
    }
    return v.textValue();
  }

  static long longField(ObjectNode n, String f) throws MalformedEnvelopeException {
    JsonNode v = n.get(f);
    if (v == null || !v.isIntegralNumber() || !v.canConvertToLong()) {
      throw new MalformedEnvelopeException("header field '" + f + "' is missing or not an integer");
    }
    long l = v.longValue();
    if (l < 0 || l > 253402300799L) {
      throw new MalformedEnvelopeException("header field '" + f + "' is out of range");
    }
    return l;
  }

  static int intField(ObjectNode n, String f) throws MalformedEnvelopeException {
    JsonNode v = n.get(f);
    if (v == null || !v.isInt()) {
      throw new MalformedEnvelopeException("header field '" + f + "' is missing or not an integer");
    }
    return v.intValue();
  }

  /** Shortens and strips untrusted text before it goes into a message. */
  static String safe(String s) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length() && b.length() < 40; i++) {
      char c = s.charAt(i);
      b.append(c >= 0x20 && c < 0x7f ? c : '?');
    }
    return s.length() > 40 ? b + "..." : b.toString();
  }

  /** Returns a version 7 UUID: 48 bits of Unix milliseconds, then random bits. */
  static UUID uuidV7(long epochMillis, java.util.Random random) {
    long msb = (epochMillis << 16) | 0x7000L | (random.nextInt() & 0x0fffL);
    long lsb = (random.nextLong() & 0x3fffffffffffffffL) | 0x8000000000000000L;
    return new UUID(msb, lsb);
  }
}
