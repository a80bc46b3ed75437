package io.shulian.core.internal.pki;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import io.shulian.core.internal.crypto.KeyCodec;
import io.shulian.core.internal.crypto.PrivateKeyHandle;
import io.shulian.core.internal.crypto.PublicKeyHandle;
import io.shulian.core.internal.crypto.Signer;
import io.shulian.core.internal.jose.NimbusJws;
import io.shulian.core.keys.KeyAlgorithm;
import java.security.cert.X509Certificate;
import java.text.ParseException;
import java.util.Set;

/**
 * The compact JWS around a city bundle, through Nimbus with our own signer and verifier: ES256
 * (standard, any JOSE library verifies it) for a P-256 CA and the private {@code SM2-SM3} (SM2 with
 * SM3 and the GM/T 0009 default user id, signature r||s) for an SM2 CA. The verifier accepts only
 * the algorithm of the trusted root's key and only the header members {@code alg}, {@code kid} and
 * {@code typ}: no embedded or referenced keys, no {@code crit}.
 */
public final class BundleJws {
  public static final String TYP = "shulian-bundle+jws";
  private static final Set<String> ALLOWED_HEADER = Set.of("alg", "kid", "typ");

  private BundleJws() {}

  /** Why a bundle's JWS was refused. */
  public static final class JwsException extends Exception {
    private static final long serialVersionUID = 1L;

    JwsException(String message) {
      super(message, null, false, false);
    }
  }

  static JWSAlgorithm algorithmFor(KeyAlgorithm a) {
    switch (a) {
      case P256:
        return JWSAlgorithm.ES256;
      case SM2:
        return new JWSAlgorithm("SM2-SM3");
      case ED25519:
        return JWSAlgorithm.EdDSA;
      default:
        throw new IllegalArgumentException(a + " keys cannot sign a bundle");
    }
  }

  /** Signs {@code payload} with the CA key; {@code kid} names the CA certificate. */
  public static String sign(byte[] payload, byte[] caPkcs8, String kid) {
    PrivateKeyHandle key = KeyCodec.privateKey(caPkcs8);
    JWSAlgorithm alg = algorithmFor(key.algorithm());
    Signer s = key.signer();
    JWSObject jws = new JWSObject(
        new JWSHeader.Builder(alg).keyID(kid).type(new JOSEObjectType(TYP)).build(), new Payload(payload));
    try {
      jws.sign(NimbusJws.signer(s));
    } catch (JOSEException e) {
      throw new IllegalStateException("bundle signing failed", e);
    }
    return jws.serialize();
  }

  /**
   * Verifies a compact JWS against one root certificate and returns its payload.
   *
   * @throws JwsException if it is malformed, of another algorithm or type, carries other header
   *     members, or its signature does not verify
   */
  public static byte[] verify(String compact, X509Certificate root) throws JwsException {
    JWSObject jws;
    try {
      jws = JWSObject.parse(compact);
    } catch (ParseException | RuntimeException e) {
      throw new JwsException("not a compact JWS");
    }
    JWSHeader h = jws.getHeader();
    for (String name : h.getIncludedParams()) {
      if (!ALLOWED_HEADER.contains(name)) {
        throw new JwsException("JWS header member '" + name + "' is not allowed in a city bundle");
      }
    }
    if (h.getType() == null || !TYP.equals(h.getType().getType())) {
      throw new JwsException("JWS type is not " + TYP);
    }
    PublicKeyHandle pk;
    try {
      pk = KeyCodec.publicKey(root.getPublicKey().getEncoded());
    } catch (IllegalArgumentException e) {
      throw new JwsException("root key is of no supported algorithm");
    }
    JWSAlgorithm expected = algorithmFor(pk.algorithm());
    if (!expected.equals(h.getAlgorithm())) {
      throw new JwsException("JWS algorithm " + h.getAlgorithm() + " is not " + expected + " of the trusted root");
    }
    try {
      if (!jws.verify(NimbusJws.verifier(pk.verifier()))) {
        throw new JwsException("bundle signature does not verify under the trusted root");
      }
    } catch (JOSEException | IllegalStateException e) {
      throw new JwsException("bundle signature cannot be verified");
    }
    return jws.getPayload().toBytes();
  }
}
