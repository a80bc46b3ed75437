package io.shulian.core.internal.crypto;

import io.shulian.core.keys.KeyAlgorithm;
import java.io.IOException;
import java.math.BigInteger;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.gm.GMObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECNamedDomainParameters;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.X25519PrivateKeyParameters;
import org.bouncycastle.crypto.util.PrivateKeyFactory;

/**
 * Turns standard encodings (PKCS#8 private keys, X.509 SubjectPublicKeyInfo) into the signers,
 * verifiers and key-management objects of the suites. EC keys are moved onto Bouncy Castle's
 * custom curve implementations (fast field arithmetic for P-256 and SM2).
 */
public final class KeyCodec {
  private KeyCodec() {}

  static final ASN1ObjectIdentifier P256 = SECObjectIdentifiers.secp256r1;
  static final ASN1ObjectIdentifier SM2P256V1 = GMObjectIdentifiers.sm2p256v1;

  /** Returns the algorithm of a public key, or throws IllegalArgumentException naming the problem. */
  public static KeyAlgorithm algorithmOf(SubjectPublicKeyInfo spki) {
    return algorithmOf(spki.getAlgorithm());
  }

  static KeyAlgorithm algorithmOf(AlgorithmIdentifier alg) {
    ASN1ObjectIdentifier oid = alg.getAlgorithm();
    if (EdECObjectIdentifiers.id_Ed25519.equals(oid)) {
      return KeyAlgorithm.ED25519;
    }
    if (EdECObjectIdentifiers.id_X25519.equals(oid)) {
      return KeyAlgorithm.X25519;
    }
    if (X9ObjectIdentifiers.id_ecPublicKey.equals(oid) || SM2P256V1.equals(oid)) {
      if (SM2P256V1.equals(oid)) {
        return KeyAlgorithm.SM2;
      }
      if (alg.getParameters() instanceof ASN1ObjectIdentifier) {
        ASN1ObjectIdentifier curve = (ASN1ObjectIdentifier) alg.getParameters();
        if (P256.equals(curve)) {
          return KeyAlgorithm.P256;
        }
        if (SM2P256V1.equals(curve)) {
          return KeyAlgorithm.SM2;
        }
      }
      throw new IllegalArgumentException("EC key on an unsupported curve (only P-256 and sm2p256v1)");
    }
    throw new IllegalArgumentException("unsupported key algorithm " + oid.getId());
  }

  static ECDomainParameters domain(KeyAlgorithm alg) {
    ASN1ObjectIdentifier oid = alg == KeyAlgorithm.SM2 ? SM2P256V1 : P256;
    X9ECParameters x9 = CustomNamedCurves.getByOID(oid);
    return new ECNamedDomainParameters(oid, x9);
  }

  /** A public key decoded from a SubjectPublicKeyInfo. */
  public static PublicKeyHandle publicKey(byte[] spkiDer) {
    SubjectPublicKeyInfo spki;
    try {
      spki = SubjectPublicKeyInfo.getInstance(spkiDer);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("public key is not a valid SubjectPublicKeyInfo");
    }
    KeyAlgorithm alg = algorithmOf(spki);
    try {
      switch (alg) {
        case ED25519:
          return new PublicKeyHandle(alg, spki.getPublicKeyData().getOctets(), null);
        case X25519:
          return new PublicKeyHandle(alg, spki.getPublicKeyData().getOctets(), null);
        default:
          ECDomainParameters dom = domain(alg);
          // decodePoint validates that the point is on the curve.
          ECPublicKeyParameters p =
              new ECPublicKeyParameters(dom.getCurve().decodePoint(spki.getPublicKeyData().getOctets()), dom);
          return new PublicKeyHandle(alg, null, p);
      }
    } catch (IllegalArgumentException | IllegalStateException e) {
      // BC throws IllegalStateException for a key BIT STRING with unused bits (Wycheproof
      // ecdh_secp256r1_test tcId 604, 607, 609); callers are promised IllegalArgumentException.
      throw new IllegalArgumentException(alg + " public key is not a valid point: " + e.getMessage());
    }
  }

  /** A private key decoded from PKCS#8. */
  public static PrivateKeyHandle privateKey(byte[] pkcs8) {
    PrivateKeyInfo info;
    AsymmetricKeyParameter p;
    try {
      info = PrivateKeyInfo.getInstance(pkcs8);
      p = PrivateKeyFactory.createKey(info);
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("private key is not a valid PKCS#8 structure");
    }
    KeyAlgorithm alg = algorithmOf(info.getPrivateKeyAlgorithm());
    if (p instanceof Ed25519PrivateKeyParameters) {
      return new PrivateKeyHandle(alg, ((Ed25519PrivateKeyParameters) p).getEncoded(), null);
    }
    if (p instanceof X25519PrivateKeyParameters) {
      return new PrivateKeyHandle(alg, ((X25519PrivateKeyParameters) p).getEncoded(), null);
    }
    if (p instanceof ECPrivateKeyParameters) {
      BigInteger d = ((ECPrivateKeyParameters) p).getD();
      return new PrivateKeyHandle(alg, null, new ECPrivateKeyParameters(d, domain(alg)));
    }
    throw new IllegalArgumentException("unsupported private key type");
  }
}
