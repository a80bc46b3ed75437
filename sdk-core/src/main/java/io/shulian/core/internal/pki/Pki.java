package io.shulian.core.internal.pki;

import io.shulian.core.internal.crypto.Crypto;
import io.shulian.core.internal.crypto.KeyCodec;
import io.shulian.core.internal.crypto.Pkix;
import io.shulian.core.keys.KeyAlgorithm;
import io.shulian.core.party.PartyId;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.security.spec.X509EncodedKeySpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.pkcs.Attribute;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.CRLNumber;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CRLHolder;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CRLConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.operator.ContentVerifierProvider;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.PKCS10CertificationRequestBuilder;
import org.jspecify.annotations.Nullable;

/**
 * CSRs (PKCS#10), CRLs (X.509 v2) and PKIX path validation through Bouncy Castle's PKIX API and
 * its provider instance {@link Crypto#BC}, which validates SM2/SM3 chains that the JDK's own PKIX
 * validator cannot.
 */
public final class Pki {
  private Pki() {}

  /** Returns the X.500 subject Shulian gives a party's certificates: CN = party id text, C = CN. */
  public static X500Name subjectOf(PartyId party) {
    return new X500NameBuilder(BCStyle.INSTANCE)
        .addRDN(BCStyle.CN, party.toString())
        .addRDN(BCStyle.C, "CN")
        .build();
  }

  // ---- keys ------------------------------------------------------------------------------

  /** Converts a SubjectPublicKeyInfo to a JCA key of the BC provider. */
  public static PublicKey publicKey(byte[] spki) {
    try {
      KeyAlgorithm alg = KeyCodec.algorithmOf(SubjectPublicKeyInfo.getInstance(spki));
      String name = alg == KeyAlgorithm.ED25519 ? "Ed25519" : alg == KeyAlgorithm.X25519 ? "X25519" : "EC";
      return KeyFactory.getInstance(name, Crypto.BC).generatePublic(new X509EncodedKeySpec(spki));
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new IllegalArgumentException("public key cannot be decoded");
    }
  }

  // ---- CSR -------------------------------------------------------------------------------

  /** A parsed certificate request; its signature is not yet checked. */
  public static final class ParsedCsr {
    public final X500Name subject;
    public final byte[] spki;
    public final KeyAlgorithm algorithm;
    /** The requested subjectAltName URIs. */
    public final List<String> uris;
    /** The requested key usage bits, or -1 when none was requested. */
    public final int keyUsage;
    /** Whether TLS (serverAuth or clientAuth) was requested. */
    public final boolean tls;
    final PKCS10CertificationRequest request;

    ParsedCsr(PKCS10CertificationRequest request, KeyAlgorithm algorithm, List<String> uris, int keyUsage, boolean tls) {
      this.request = request;
      this.subject = request.getSubject();
      this.spki = encoded(request.getSubjectPublicKeyInfo());
      this.algorithm = algorithm;
      this.uris = List.copyOf(uris);
      this.keyUsage = keyUsage;
      this.tls = tls;
    }

    /** Returns true if the request's signature verifies under the key {@code signerSpki}. */
    public boolean signedBy(byte[] signerSpki) {
      try {
        ContentVerifierProvider v =
            new JcaContentVerifierProviderBuilder().setProvider(Crypto.BC).build(publicKey(signerSpki));
        return request.isSignatureValid(v);
      } catch (Exception e) {
        return false;
      }
    }
  }

  private static byte[] encoded(ASN1Encodable o) {
    try {
      return o.toASN1Primitive().getEncoded();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Builds a PKCS#10 request for {@code subjectSpki}, signed with {@code signerPkcs8} (the key
   * itself for proof of possession, or the party's signing key for a key that cannot sign).
   */
  public static byte[] buildCsr(
      X500Name subject, byte[] subjectSpki, byte[] signerPkcs8, String partyUri, int keyUsage, boolean tls) {
    try {
      PKCS10CertificationRequestBuilder b =
          new PKCS10CertificationRequestBuilder(subject, SubjectPublicKeyInfo.getInstance(subjectSpki));
      ExtensionsGenerator ext = new ExtensionsGenerator();
      ext.addExtension(Extension.keyUsage, true, new KeyUsage(keyUsage));
      ext.addExtension(Extension.subjectAlternativeName, false,
          new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, partyUri)));
      if (tls) {
        ext.addExtension(Extension.extendedKeyUsage, false,
            new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
      }
      b.addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, ext.generate());
      return b.build(Pkix.contentSigner(signerPkcs8)).getEncoded();
    } catch (IOException e) {
      throw new IllegalStateException("CSR encoding failed", e);
    }
  }

  /**
   * Parses every {@code CERTIFICATE REQUEST} in a PEM text.
   *
   * @throws IllegalArgumentException for malformed PEM or DER, or no request at all
   */
  public static List<ParsedCsr> parseCsrs(String pem) {
    List<ParsedCsr> out = new ArrayList<>();
    try (PEMParser p = new PEMParser(new StringReader(pem))) {
      Object o;
      while ((o = p.readObject()) != null) {
        if (!(o instanceof PKCS10CertificationRequest)) {
          throw new IllegalArgumentException("PEM data holds something other than a certificate request");
        }
        out.add(parsed((PKCS10CertificationRequest) o));
        if (out.size() > 8) {
          throw new IllegalArgumentException("more than 8 certificate requests in one file");
        }
      }
    } catch (IOException | RuntimeException e) {
      if (e instanceof IllegalArgumentException && e.getMessage() != null && !e.getMessage().isEmpty()) {
        throw (IllegalArgumentException) e;
      }
      throw new IllegalArgumentException("malformed PEM certificate request");
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("no certificate request found in PEM data");
    }
    return out;
  }

  private static ParsedCsr parsed(PKCS10CertificationRequest r) {
    KeyAlgorithm alg;
    try {
      alg = KeyCodec.algorithmOf(r.getSubjectPublicKeyInfo());
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("certificate request has a key of no supported algorithm");
    }
    List<String> uris = new ArrayList<>();
    int ku = -1;
    boolean tls = false;
    for (Attribute a : r.getAttributes(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest)) {
      Extensions ex = Extensions.getInstance(a.getAttrValues().getObjectAt(0));
      KeyUsage k = KeyUsage.fromExtensions(ex);
      if (k != null) {
        ku = keyUsageBits(k);
      }
      GeneralNames san = GeneralNames.fromExtensions(ex, Extension.subjectAlternativeName);
      if (san != null) {
        for (GeneralName g : san.getNames()) {
          if (g.getTagNo() == GeneralName.uniformResourceIdentifier) {
            uris.add(g.getName().toString());
          }
        }
      }
      ExtendedKeyUsage eku = ExtendedKeyUsage.fromExtensions(ex);
      if (eku != null && (eku.hasKeyPurposeId(KeyPurposeId.id_kp_serverAuth)
          || eku.hasKeyPurposeId(KeyPurposeId.id_kp_clientAuth))) {
        tls = true;
      }
    }
    return new ParsedCsr(r, alg, uris, ku, tls);
  }

  private static int keyUsageBits(KeyUsage k) {
    int bits = 0;
    int[] all = {KeyUsage.digitalSignature, KeyUsage.nonRepudiation, KeyUsage.keyEncipherment,
        KeyUsage.dataEncipherment, KeyUsage.keyAgreement, KeyUsage.keyCertSign, KeyUsage.cRLSign,
        KeyUsage.encipherOnly, KeyUsage.decipherOnly};
    for (int u : all) {
      if (k.hasUsages(u)) {
        bits |= u;
      }
    }
    return bits;
  }

  // ---- CRL -------------------------------------------------------------------------------

  /** One revoked certificate in a CRL to be issued. */
  public static final class RevokedEntry {
    final BigInteger serial;
    final Instant revokedAt;
    final int reasonCode;

    public RevokedEntry(BigInteger serial, Instant revokedAt, int reasonCode) {
      this.serial = serial;
      this.revokedAt = revokedAt;
      this.reasonCode = reasonCode;
    }
  }

  /** Issues a CRL signed by the CA key, with authority key identifier and CRL number. */
  public static X509CRL buildCrl(
      X509Certificate ca, byte[] caPkcs8, Instant thisUpdate, Instant nextUpdate, BigInteger number,
      List<RevokedEntry> revoked) {
    try {
      X500Name issuer = X500Name.getInstance(ca.getSubjectX500Principal().getEncoded());
      X509v2CRLBuilder b = new X509v2CRLBuilder(issuer, Date.from(thisUpdate));
      b.setNextUpdate(Date.from(nextUpdate));
      for (RevokedEntry r : revoked) {
        b.addCRLEntry(r.serial, Date.from(r.revokedAt), r.reasonCode);
      }
      b.addExtension(Extension.authorityKeyIdentifier, false,
          new JcaX509ExtensionUtils().createAuthorityKeyIdentifier(
              SubjectPublicKeyInfo.getInstance(ca.getPublicKey().getEncoded())));
      b.addExtension(Extension.cRLNumber, false, new CRLNumber(number));
      X509CRLHolder h = b.build(Pkix.contentSigner(caPkcs8));
      return new JcaX509CRLConverter().setProvider(Crypto.BC).getCRL(h);
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("CRL issuance failed", e);
    }
  }

  /**
   * Parses every CRL in a PEM text.
   *
   * @throws IllegalArgumentException for malformed data or no CRL at all
   */
  public static List<X509CRL> readPemCrls(String pem) {
    List<X509CRL> out = new ArrayList<>();
    try (PEMParser p = new PEMParser(new StringReader(pem))) {
      Object o;
      while ((o = p.readObject()) != null) {
        if (o instanceof X509CRLHolder) {
          out.add(parseCrl(((X509CRLHolder) o).getEncoded()));
        }
      }
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      throw new IllegalArgumentException("malformed PEM CRL data");
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("no CRL found in PEM data");
    }
    return out;
  }

  public static X509CRL parseCrl(byte[] der) throws GeneralSecurityException {
    CertificateFactory cf = CertificateFactory.getInstance("X.509", Crypto.BC);
    return (X509CRL) cf.generateCRL(new ByteArrayInputStream(der));
  }

  /** Returns true if the CRL's signature verifies under the CA certificate's key. */
  public static boolean crlSignedBy(X509CRL crl, X509Certificate ca) {
    if (!crl.getIssuerX500Principal().equals(ca.getSubjectX500Principal())) {
      return false;
    }
    try {
      crl.verify(ca.getPublicKey(), Crypto.BC);
      return true;
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }

  /** Returns the CRL number, or -1 if it has none. */
  public static BigInteger crlNumber(X509CRL crl) {
    byte[] v = crl.getExtensionValue(Extension.cRLNumber.getId());
    if (v == null) {
      return BigInteger.ONE.negate();
    }
    try {
      return CRLNumber.getInstance(
          org.bouncycastle.asn1.ASN1OctetString.getInstance(v).getOctets()).getCRLNumber();
    } catch (RuntimeException e) {
      return BigInteger.ONE.negate();
    }
  }

  // ---- path validation -------------------------------------------------------------------

  /**
   * Validates {@code path} (leaf first, up to but excluding the anchor) to one of {@code anchors}
   * at time {@code at} with BC's PKIX validator. Revocation is checked by the caller against CRLs
   * it has verified itself (so that a CRL past its next update can be used during a grace period).
   */
  public static void validatePath(List<X509Certificate> path, Set<TrustAnchor> anchors, Instant at)
      throws CertPathValidatorException {
    try {
      CertificateFactory cf = CertificateFactory.getInstance("X.509", Crypto.BC);
      CertPath cp = cf.generateCertPath(path);
      PKIXParameters p = new PKIXParameters(anchors);
      p.setRevocationEnabled(false);
      p.setDate(Date.from(at));
      CertPathValidator.getInstance("PKIX", Crypto.BC).validate(cp, p);
    } catch (CertPathValidatorException e) {
      throw e;
    } catch (GeneralSecurityException e) {
      throw new CertPathValidatorException("certificate path cannot be validated: " + e.getMessage(), e);
    }
  }

  /** Returns true if {@code cert} is signed by {@code issuer}'s key and names it as issuer. */
  public static boolean issuedBy(X509Certificate cert, X509Certificate issuer) {
    if (!cert.getIssuerX500Principal().equals(issuer.getSubjectX500Principal())) {
      return false;
    }
    try {
      cert.verify(issuer.getPublicKey(), Crypto.BC);
      return true;
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }

  /** Returns the DER bytes, or null if the certificate cannot be encoded. */
  public static byte @Nullable [] der(X509Certificate c) {
    try {
      return c.getEncoded();
    } catch (GeneralSecurityException e) {
      return null;
    }
  }
}
