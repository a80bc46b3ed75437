package io.shulian.core.policy;

import io.shulian.core.internal.access.CoreAccess;
import io.shulian.core.internal.crypto.Signer;
import io.shulian.core.internal.jwt.SignedToken;
import io.shulian.core.keys.PartyIdentity;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Issues grant tokens: a compact JWS ({@code typ} {@value Grant#TOKEN_TYPE}) signed with the
 * provider's signing key, EdDSA or ES256 (INTL) or SM2-SM3 (GM, GM/T 0009 default user id
 * {@code 1234567812345678}). Thread-safe.
 */
public final class GrantIssuer {
  private final PartyIdentity provider;
  private final Signer signer;

  private GrantIssuer(PartyIdentity provider) {
    this.provider = provider;
    this.signer = CoreAccess.keys().signingKey(provider).signer();
  }

  /** Issues grants signed by this provider identity. */
  public static GrantIssuer of(PartyIdentity provider) {
    return new GrantIssuer(provider);
  }

  /**
   * Signs the grant.
   *
   * @throws IllegalArgumentException if the grant's issuer is not this provider
   */
  public String issue(Grant grant) {
    if (!grant.issuer().equals(provider.party())) {
      throw new IllegalArgumentException("grant issuer " + grant.issuer() + " is not the signing party " + provider.party());
    }
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("jti", grant.id());
    c.put("iss", grant.issuer().toString());
    c.put("sub", grant.consumer().toString());
    c.put("res", grant.resource());
    c.put("fields", new ArrayList<>(grant.fields()));
    c.put("purpose", grant.purpose());
    c.put("nbf", grant.notBefore().getEpochSecond());
    c.put("exp", grant.expiresAt().getEpochSecond());
    c.put("max_uses", grant.maxUses());
    return SignedToken.sign(signer, Grant.TOKEN_TYPE, provider.signingCertificate().keyId().value(), c);
  }
}
