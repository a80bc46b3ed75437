package io.shulian.core.audit;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.shulian.core.keys.KeyMaterialException;
import io.shulian.core.keys.PartyCertificate;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/** JSON helpers shared by the two proof types. */
final class ProofSupport {
  static final int MAX_PROOF_BYTES = 1 << 20;

  private ProofSupport() {}

  static JsonNode parse(byte[] json, String type, int version) throws AuditException {
    if (json.length > MAX_PROOF_BYTES) {
      throw malformed("proof is larger than " + MAX_PROOF_BYTES + " bytes");
    }
    JsonNode n;
    try {
      n = Checkpoint.JSON.readTree(new String(json, StandardCharsets.UTF_8));
    } catch (JacksonException e) {
      throw malformed("proof is not JSON (" + e.getOriginalMessage() + ")");
    }
    if (n == null || !n.isObject()) {
      throw malformed("proof is not a JSON object");
    }
    String t = n.path("type").asText("");
    if (!type.equals(t)) {
      throw malformed("not a " + type + (t.isEmpty() ? "" : " (type is '" + t + "')"));
    }
    int v = n.path("v").asInt(-1);
    if (v != version) {
      if (v > version) {
        throw new AuditException(AuditException.Reason.UNSUPPORTED_VERSION,
            type + " version " + v + " is newer than this version of Shulian reads (" + version + ")");
      }
      throw malformed(type + " has no valid version field 'v'");
    }
    return n;
  }

  static ArrayNode hashes(List<byte[]> path) {
    ArrayNode a = Checkpoint.JSON.createArrayNode();
    for (byte[] h : path) {
      a.add(Base64.getEncoder().encodeToString(h));
    }
    return a;
  }

  static List<byte[]> hashes(JsonNode n, String field) throws AuditException {
    JsonNode a = n.get(field);
    if (a == null || !a.isArray() || a.size() > 64) {
      throw malformed("field '" + field + "' must be an array of at most 64 hashes");
    }
    List<byte[]> out = new ArrayList<>();
    for (JsonNode h : a) {
      byte[] b;
      try {
        b = Base64.getDecoder().decode(h.asText(""));
      } catch (IllegalArgumentException e) {
        throw malformed("field '" + field + "' holds a value that is not base64");
      }
      if (b.length != 32) {
        throw malformed("field '" + field + "' holds a hash of " + b.length + " bytes, not 32");
      }
      out.add(b);
    }
    return out;
  }

  static List<PartyCertificate> certificates(JsonNode n) throws AuditException {
    JsonNode c = n.get("certificates");
    if (c == null || c.isNull() || c.asText("").isEmpty()) {
      return List.of();
    }
    try {
      return PartyCertificate.fromPem(c.asText());
    } catch (KeyMaterialException e) {
      throw malformed("field 'certificates' is not PEM certificates: " + e.getMessage());
    }
  }

  static long nonNegative(JsonNode n, String field) throws AuditException {
    JsonNode v = n.get(field);
    if (v == null || !v.canConvertToLong() || !v.isIntegralNumber() || v.asLong() < 0) {
      throw malformed("field '" + field + "' must be a non-negative integer");
    }
    return v.asLong();
  }

  static AuditException malformed(String msg) {
    return new AuditException(AuditException.Reason.MALFORMED_PROOF, msg);
  }
}
