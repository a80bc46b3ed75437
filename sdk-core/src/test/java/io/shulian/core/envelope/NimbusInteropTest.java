package io.shulian.core.envelope;

import static org.assertj.core.api.Assertions.assertThat;

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
import com.nimbusds.jose.util.Base64URL;
import io.shulian.core.internal.crypto.Crypto;
import io.shulian.core.keys.KeyAlgorithm;
import io.shulian.core.keys.PartyCertificate;
import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.trust.PinnedSenderTrust;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.EdECPrivateKey;
import java.security.interfaces.XECPrivateKey;
import java.security.spec.X509EncodedKeySpec;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Interoperability with a conformant JOSE library (Nimbus JOSE+JWT, with Tink for the 25519
 * curves): Nimbus, holding the keys, opens an INTL envelope (decrypts the JWE, verifies the JWS,
 * reads exactly the payload), and an envelope built by Nimbus with Shulian's header fields opens
 * with {@link EnvelopeOpener}. Keys reach Nimbus the way an integrator would get them: from the
 * {@code key.p12} that {@link PartyIdentity#store} writes, loaded with the JDK's PKCS#12 KeyStore.
 */
class NimbusInteropTest {
  private static final char[] PASSWORD = "interop-test".toCharArray();

  @TempDir Path dir;

  /** A party's keys as JCA/Nimbus objects, read from its PKCS#12 file. */
  private static final class JcaKeys {
    final PrivateKey sign;
    final PrivateKey decrypt;

    JcaKeys(PartyIdentity id, Path dir) throws Exception {
      Path p12 = dir.resolve(id.party().creditCode() + ".p12");
      id.store(p12, PASSWORD);
      KeyStore ks = KeyStore.getInstance("PKCS12");
      try (InputStream in = Files.newInputStream(p12)) {
        ks.load(in, PASSWORD);
      }
      this.sign = (PrivateKey) ks.getKey("sign", PASSWORD);
      this.decrypt = (PrivateKey) ks.getKey("encrypt", PASSWORD);
      assertThat(sign).as("'sign' entry").isNotNull();
      assertThat(decrypt).as("'encrypt' entry").isNotNull();
    }
  }

  /** The raw 32-byte public key of an Ed25519 or X25519 certificate (the tail of its SPKI). */
  private static Base64URL rawPublic(PartyCertificate c) {
    byte[] spki = c.certificate().getPublicKey().getEncoded();
    return Base64URL.encode(Arrays.copyOfRange(spki, spki.length - 32, spki.length));
  }

  private static ECPublicKey ecPublic(PartyCertificate c) throws Exception {
    return (ECPublicKey) KeyFactory.getInstance("EC")
        .generatePublic(new X509EncodedKeySpec(c.certificate().getPublicKey().getEncoded()));
  }

  private static JWEDecrypter decrypter(PartyIdentity id, JcaKeys k) throws Exception {
    PartyCertificate c = id.encryptionCertificate();
    if (c.algorithm() == KeyAlgorithm.X25519) {
      byte[] d = ((XECPrivateKey) k.decrypt).getScalar().orElseThrow();
      return new X25519Decrypter(new OctetKeyPair.Builder(Curve.X25519, rawPublic(c)).d(Base64URL.encode(d)).build());
    }
    return new ECDHDecrypter((ECPrivateKey) k.decrypt);
  }

  private static JWEEncrypter encrypter(PartyCertificate c) throws Exception {
    return c.algorithm() == KeyAlgorithm.X25519
        ? new X25519Encrypter(new OctetKeyPair.Builder(Curve.X25519, rawPublic(c)).build())
        : new ECDHEncrypter(ecPublic(c));
  }

  private static JWSVerifier verifier(PartyCertificate c) throws Exception {
    return c.algorithm() == KeyAlgorithm.ED25519
        ? new Ed25519Verifier(new OctetKeyPair.Builder(Curve.Ed25519, rawPublic(c)).build())
        : new ECDSAVerifier(ecPublic(c));
  }

  private static JWSSigner signer(PartyIdentity id, JcaKeys k) throws Exception {
    PartyCertificate c = id.signingCertificate();
    if (c.algorithm() == KeyAlgorithm.ED25519) {
      byte[] d = ((EdECPrivateKey) k.sign).getBytes().orElseThrow();
      return new Ed25519Signer(new OctetKeyPair.Builder(Curve.Ed25519, rawPublic(c)).d(Base64URL.encode(d)).build());
    }
    return new ECDSASigner((ECPrivateKey) k.sign);
  }

  private static byte[] payload(int size) {
    byte[] b = new byte[size];
    new Random(size).nextBytes(b);
    return b;
  }

  @ParameterizedTest(name = "{0}, ephemeral key reuse {1}")
  @org.junit.jupiter.params.provider.CsvSource({"INTL,false", "INTL-P256,false", "INTL,true", "INTL-P256,true"})
  void nimbus_opensOurEnvelope_readsExactlyThePayload(String suite, boolean reuse) throws Exception {
    PartyIdentity[] p = EnvelopeForge.pair(suite);
    JcaKeys receiverKeys = new JcaKeys(p[1], dir);
    EnvelopeSealer.Builder sb = EnvelopeSealer.builder(p[0]);
    if (reuse) {
      sb.reuseEphemeralKeys(java.time.Duration.ofMinutes(1), 1000);
    }
    EnvelopeSealer sealer = sb.build();
    for (int size : new int[] {0, 1, 2, 3, 1024, 65_537}) {
      byte[] payload = payload(size);
      SealedEnvelope sealed =
          sealer
              .seal(
                  SealRequest.builder()
                      .recipient(p[1].encryptionCertificate())
                      .resource("HOUSING-001")
                      .purpose("social-assistance-review")
                      .contentType("application/json")
                      .grantRef("grant-42")
                      .build(),
                  payload);

      JWEObject jwe = JWEObject.parse(sealed.toCompactString());
      assertThat(jwe.getHeader().getAlgorithm()).isEqualTo(JWEAlgorithm.ECDH_ES);
      assertThat(jwe.getHeader().getEncryptionMethod()).isEqualTo(EncryptionMethod.A256GCM);
      assertThat(jwe.getHeader().getKeyID()).isEqualTo(p[1].encryptionCertificate().keyId().value());
      assertThat(jwe.getHeader().getType().getType()).isEqualTo("shulian-envelope");
      assertThat(jwe.getHeader().getContentType()).isEqualTo("JOSE");
      assertThat(jwe.getHeader().getAgreementPartyUInfo() != null).isEqualTo(reuse);
      jwe.decrypt(decrypter(p[1], receiverKeys));

      JWSObject jws = jwe.getPayload().toJWSObject();
      assertThat(jws).isNotNull();
      assertThat(jws.verify(verifier(p[0].signingCertificate()))).isTrue();
      assertThat(jws.getPayload().toBytes()).isEqualTo(payload);
      JWSHeader h = jws.getHeader();
      assertThat(h.getKeyID()).isEqualTo(p[0].signingCertificate().keyId().value());
      assertThat(h.getContentType()).isEqualTo("application/json");
      assertThat(h.getCustomParam("iss")).isEqualTo(p[0].party().toString());
      assertThat(h.getCustomParam("aud")).isEqualTo(p[1].party().toString());
      assertThat(h.getCustomParam("jti")).isEqualTo(sealed.header().id().toString());
      assertThat(h.getCustomParam("res")).isEqualTo("HOUSING-001");
      assertThat(h.getCustomParam("grt")).isEqualTo("grant-42");
      assertThat(((Number) h.getCustomParam("exp")).longValue()).isEqualTo(sealed.header().expiresAt().getEpochSecond());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"INTL", "INTL-P256"})
  void opener_opensEnvelopeBuiltByNimbus(String suite) throws Exception {
    PartyIdentity[] p = EnvelopeForge.pair(suite);
    JcaKeys senderKeys = new JcaKeys(p[0], dir);
    byte[] payload = payload(3000);
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    UUID id = JoseCodec.uuidV7(now.toEpochMilli(), Crypto.random());

    JWSHeader jwsHeader =
        new JWSHeader.Builder(p[0].signingCertificate().algorithm() == KeyAlgorithm.ED25519 ? JWSAlgorithm.EdDSA : JWSAlgorithm.ES256)
            .keyID(p[0].signingCertificate().keyId().value())
            .type(new JOSEObjectType("shulian-envelope"))
            .contentType("text/csv")
            .customParam("ver", 1)
            .customParam("jti", id.toString())
            .customParam("iss", p[0].party().toString())
            .customParam("aud", p[1].party().toString())
            .customParam("res", "HOUSING-001")
            .customParam("pur", "social-assistance-review")
            .customParam("cls", "important")
            .customParam("iat", now.getEpochSecond())
            .customParam("exp", now.plusSeconds(300).getEpochSecond())
            .build();
    JWSObject jws = new JWSObject(jwsHeader, new Payload(payload));
    jws.sign(signer(p[0], senderKeys));
    JWEHeader jweHeader =
        new JWEHeader.Builder(JWEAlgorithm.ECDH_ES, EncryptionMethod.A256GCM)
            .keyID(p[1].encryptionCertificate().keyId().value())
            .type(new JOSEObjectType("shulian-envelope"))
            .contentType("JOSE")
            .build();
    JWEObject jwe = new JWEObject(jweHeader, new Payload(jws));
    jwe.encrypt(encrypter(p[1].encryptionCertificate()));

    EnvelopeOpener opener = EnvelopeOpener.builder(p[1], PinnedSenderTrust.of(p[0].certificates())).build();
    OpenedEnvelope opened = opener.open(jwe.serialize().getBytes(StandardCharsets.US_ASCII));

    assertThat(opened.payload()).isEqualTo(payload);
    EnvelopeHeader h = opened.header();
    assertThat(h.id()).isEqualTo(id);
    assertThat(h.sender()).isEqualTo(p[0].party());
    assertThat(h.receiver()).isEqualTo(p[1].party());
    assertThat(h.classification()).isEqualTo(Classification.IMPORTANT);
    assertThat(h.contentType()).isEqualTo("text/csv");
    assertThat(h.expiresAt()).isEqualTo(now.plusSeconds(300));
    assertThat(opened.signer()).isEqualTo(p[0].signingCertificate());
  }
}
