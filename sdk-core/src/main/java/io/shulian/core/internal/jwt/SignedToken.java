package io.shulian.core.internal.jwt;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.shulian.core.internal.crypto.Signer;
import io.shulian.core.internal.jose.NimbusJws;
import io.shulian.core.internal.crypto.Verifier;
import java.text.ParseException;
import java.util.Map;

/**
 * A compact JWS with JSON claims, signed and verified through Nimbus with our own algorithms. The
 * verifier accepts exactly one {@code alg} and one {@code typ}, and refuses {@code crit} and keys
 * or key URLs embedded in the header.
 */
public final class SignedToken {
  /** Longest token accepted for parsing. */
  public static final int MAX_TOKEN_CHARS = 16 * 1024;

  private final SignedJWT jwt;
  private final Map<String, Object> claims;

  private SignedToken(SignedJWT jwt, Map<String, Object> claims) {
    this.jwt = jwt;
    this.claims = claims;
  }

  /** Thrown for a token that is malformed or whose header is not acceptable. */
  public static final class TokenException extends Exception {
    private static final long serialVersionUID = 1L;

    TokenException(String message) {
      super(message, null, false, false);
    }
  }

  /** Signs {@code claims} (JSON-compatible values) with header alg, {@code typ} and {@code kid}. */
  public static String sign(Signer signer, String typ, String kid, Map<String, Object> claims) {
    JWSHeader header = new JWSHeader.Builder(new JWSAlgorithm(signer.joseAlgorithm()))
        .type(new JOSEObjectType(typ))
        .keyID(kid)
        .build();
    try {
      SignedJWT jwt = new SignedJWT(header, JWTClaimsSet.parse(claims));
      jwt.sign(NimbusJws.signer(signer));
      return jwt.serialize();
    } catch (ParseException | JOSEException e) {
      throw new IllegalArgumentException("cannot sign token: " + e.getMessage(), e);
    }
  }

  /**
   * Parses a compact token without verifying it yet; checks the header shape.
   *
   * @throws TokenException if malformed, too long, or the header has {@code crit}, embedded keys or
   *     another {@code typ}
   */
  public static SignedToken parse(String token, String expectedTyp) throws TokenException {
    return parse(token, expectedTyp, MAX_TOKEN_CHARS);
  }

  /** As {@link #parse(String, String)}, for a token type with its own size limit. */
  public static SignedToken parse(String token, String expectedTyp, int maxChars) throws TokenException {
    if (token.length() > maxChars) {
      throw new TokenException("token is longer than " + maxChars + " characters");
    }
    SignedJWT jwt;
    Map<String, Object> claims;
    try {
      jwt = SignedJWT.parse(token.trim());
      claims = jwt.getJWTClaimsSet().toJSONObject();
    } catch (ParseException | RuntimeException e) {
      throw new TokenException("token is not a well-formed signed JWT");
    }
    JWSHeader h = jwt.getHeader();
    if (h.getCriticalParams() != null && !h.getCriticalParams().isEmpty()) {
      throw new TokenException("token header has critical parameters " + h.getCriticalParams());
    }
    if (h.getJWK() != null || h.getJWKURL() != null || h.getX509CertURL() != null || h.getX509CertChain() != null) {
      throw new TokenException("token header embeds a key or key URL; keys come only from trust");
    }
    if (h.getType() == null || !expectedTyp.equals(h.getType().getType())) {
      throw new TokenException("token typ is " + (h.getType() == null ? "missing" : "'" + h.getType() + "'")
          + ", expected '" + expectedTyp + "'");
    }
    if (h.getKeyID() == null) {
      throw new TokenException("token header has no kid");
    }
    return new SignedToken(jwt, claims);
  }

  public String algorithm() {
    return jwt.getHeader().getAlgorithm().getName();
  }

  public String keyId() {
    String k = jwt.getHeader().getKeyID();
    return k == null ? "" : k;
  }

  /** Returns the (unverified until {@link #verify}) claims. */
  public Map<String, Object> claims() {
    return claims;
  }

  /** Returns true only if the signature verifies with {@code verifier} and the alg is the verifier's. */
  public boolean verify(Verifier verifier) {
    if (!verifier.joseAlgorithm().equals(algorithm())) {
      return false;
    }
    try {
      return jwt.verify(NimbusJws.verifier(verifier));
    } catch (JOSEException | RuntimeException e) {
      return false;
    }
  }
}
