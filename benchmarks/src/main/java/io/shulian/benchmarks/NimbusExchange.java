package io.shulian.benchmarks;

import com.nimbusds.jose.EncryptionMethod;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWEAlgorithm;
import com.nimbusds.jose.JWEDecrypter;
import com.nimbusds.jose.JWEEncrypter;
import com.nimbusds.jose.JWEHeader;
import com.nimbusds.jose.JWEObject;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDHDecrypter;
import com.nimbusds.jose.crypto.ECDHEncrypter;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.Ed25519Signer;
import com.nimbusds.jose.crypto.Ed25519Verifier;
import com.nimbusds.jose.crypto.X25519Decrypter;
import com.nimbusds.jose.crypto.X25519Encrypter;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.gen.OctetKeyPairGenerator;
import io.shulian.core.envelope.EnvelopeOpener;
import io.shulian.core.envelope.ReplayCache;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * The same protection done directly with Nimbus JOSE, as a user would write it: a JWS carrying
 * the payload and the envelope's header fields as protected header parameters, nested in a JWE
 * ({@code cty: JOSE}) with ECDH-ES direct key agreement and A256GCM, each serialized to compact
 * form and parsed back. The receiver checks what Shulian checks: the key ids, the signature, that
 * it is the audience, the validity window, and the envelope id against the same kind of replay
 * cache (Caffeine, salted as for Shulian).
 *
 * <ul>
 *   <li>{@code INTL}: EdDSA (Ed25519) + ECDH-ES with X25519, on Nimbus's Tink-backed classes.
 *   <li>{@code INTL_P256}: ES256 + ECDH-ES with P-256, with JDK keys: the JDK-default (SunEC) path
 *       that Nimbus takes unless the user installs another provider.
 * </ul>
 *
 * Signers, verifiers, encrypters and decrypters are built once and reused (they are thread-safe),
 * which is the user's best case.
 */
final class NimbusExchange implements Exchange {
  private static final JOSEObjectType TYP = new JOSEObjectType("shulian-envelope");
  private static final Duration SKEW = Duration.ofSeconds(60);

  private final byte[] payload;
  private final JWSAlgorithm jwsAlg;
  private final JWSSigner signer;
  private final JWSVerifier verifier;
  private final JWEEncrypter encrypter;
  private final JWEDecrypter decrypter;
  private final String signKid = "sender-sign";
  private final String encKid = "receiver-enc";
  private final String sender = BenchSuite.SENDER.toString();
  private final String receiver = BenchSuite.RECEIVER.toString();
  private final ReplayCache replayCache =
      new SaltedReplayCache(ReplayCache.inMemory(EnvelopeOpener.DEFAULT_REPLAY_CACHE_ENTRIES, Clock.systemUTC()));
  private final String sealed;

  NimbusExchange(BenchSuite suite, byte[] payload) throws Exception {
    this.payload = payload;
    switch (suite) {
      case INTL: {
        OctetKeyPair sign = new OctetKeyPairGenerator(Curve.Ed25519).keyID(signKid).generate();
        OctetKeyPair enc = new OctetKeyPairGenerator(Curve.X25519).keyID(encKid).generate();
        this.jwsAlg = JWSAlgorithm.EdDSA;
        this.signer = new Ed25519Signer(sign);
        this.verifier = new Ed25519Verifier(sign.toPublicJWK());
        this.encrypter = new X25519Encrypter(enc.toPublicJWK());
        this.decrypter = new X25519Decrypter(enc);
        break;
      }
      case INTL_P256: {
        KeyPairGenerator kpg = KeyPairGenerator.getInstance("EC");
        kpg.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair sign = kpg.generateKeyPair();
        KeyPair enc = kpg.generateKeyPair();
        this.jwsAlg = JWSAlgorithm.ES256;
        this.signer = new ECDSASigner((ECPrivateKey) sign.getPrivate());
        this.verifier = new ECDSAVerifier((ECPublicKey) sign.getPublic());
        this.encrypter = new ECDHEncrypter((ECPublicKey) enc.getPublic());
        this.decrypter = new ECDHDecrypter((ECPrivateKey) enc.getPrivate());
        break;
      }
      default:
        throw new IllegalArgumentException("Nimbus has no " + suite + " algorithms");
    }
    this.sealed = sealNow();
    if (!Arrays.equals(openNow(sealed), payload)) {
      throw new IllegalStateException("nimbus round trip changed the payload");
    }
  }

  private String sealNow() throws Exception {
    long now = Instant.now().getEpochSecond();
    JWSHeader jwsHeader =
        new JWSHeader.Builder(jwsAlg)
            .keyID(signKid)
            .type(TYP)
            .contentType("application/octet-stream")
            .customParam("ver", 1)
            .customParam("jti", UUID.randomUUID().toString())
            .customParam("iss", sender)
            .customParam("aud", receiver)
            .customParam("res", BenchSuite.RESOURCE)
            .customParam("pur", BenchSuite.PURPOSE)
            .customParam("cls", "general")
            .customParam("iat", now)
            .customParam("exp", now + BenchSuite.TTL.getSeconds())
            .build();
    JWSObject jws = new JWSObject(jwsHeader, new Payload(payload));
    jws.sign(signer);
    JWEHeader jweHeader =
        new JWEHeader.Builder(JWEAlgorithm.ECDH_ES, EncryptionMethod.A256GCM)
            .keyID(encKid)
            .type(TYP)
            .contentType("JOSE")
            .build();
    JWEObject jwe = new JWEObject(jweHeader, new Payload(jws));
    jwe.encrypt(encrypter);
    return jwe.serialize();
  }

  private byte[] openNow(String compact) throws Exception {
    JWEObject jwe = JWEObject.parse(compact);
    if (!encKid.equals(jwe.getHeader().getKeyID()) || !TYP.equals(jwe.getHeader().getType())) {
      throw new IllegalStateException("not for our key");
    }
    jwe.decrypt(decrypter);
    JWSObject jws = jwe.getPayload().toJWSObject();
    if (jws == null || !jwsAlg.equals(jws.getHeader().getAlgorithm())
        || !signKid.equals(jws.getHeader().getKeyID())) {
      throw new IllegalStateException("not a JWS from the trusted sender key");
    }
    if (!jws.verify(verifier)) {
      throw new IllegalStateException("bad signature");
    }
    Map<String, Object> h = jws.getHeader().getCustomParams();
    long now = Instant.now().getEpochSecond();
    if (!receiver.equals(h.get("aud")) || !sender.equals(h.get("iss"))) {
      throw new IllegalStateException("wrong receiver or sender");
    }
    long iat = ((Number) Objects.requireNonNull(h.get("iat"), "iat")).longValue();
    long exp = ((Number) Objects.requireNonNull(h.get("exp"), "exp")).longValue();
    if (iat > now + SKEW.getSeconds() || exp < now - SKEW.getSeconds()) {
      throw new IllegalStateException("not valid now");
    }
    UUID id = UUID.fromString((String) h.get("jti"));
    if (!replayCache.firstSeen(id, Instant.ofEpochSecond(exp).plus(SKEW))) {
      throw new IllegalStateException("replayed");
    }
    return jws.getPayload().toBytes();
  }

  @Override
  public Object seal() throws Exception {
    return sealNow();
  }

  @Override
  public Object open() throws Exception {
    return openNow(sealed);
  }

  @Override
  public Object roundTrip() throws Exception {
    return openNow(sealNow());
  }
}
