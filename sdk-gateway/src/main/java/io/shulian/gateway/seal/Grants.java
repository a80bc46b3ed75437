package io.shulian.gateway.seal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Base64;

/** Finds the id of a grant JWT for the envelope's grant reference; verification is the provider's. */
final class Grants {
  private static final ObjectMapper M = new ObjectMapper();

  private Grants() {}

  /** Returns the grant's {@code jti}, or a digest of the token if it has none or is not a JWT. */
  static String reference(String jwt) {
    try {
      String[] p = jwt.split("\\.", -1);
      if (p.length == 3 && p[1].length() < 8192) {
        JsonNode n = M.readTree(Base64.getUrlDecoder().decode(p[1]));
        JsonNode jti = n == null ? null : n.get("jti");
        if (jti != null && jti.isTextual() && jti.textValue().matches("[\\x21-\\x7e]{1,200}")) {
          return jti.textValue();
        }
      }
    } catch (Exception e) {
      // fall through to the digest: the reference is informative, the provider verifies the grant
    }
    return Exchanges.sha256(jwt.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
  }
}
