package io.shulian.core.internal.crypto;

import io.shulian.core.keys.KeyAlgorithm;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.DERBMPString;
import org.bouncycastle.asn1.pkcs.PBES2Parameters;
import org.bouncycastle.asn1.pkcs.PBKDF2Params;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.InputDecryptorProvider;
import org.bouncycastle.operator.OutputEncryptor;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS12PfxPdu;
import org.bouncycastle.pkcs.PKCS12PfxPduBuilder;
import org.bouncycastle.pkcs.PKCS12SafeBag;
import org.bouncycastle.pkcs.PKCS12SafeBagBuilder;
import org.bouncycastle.pkcs.PKCS12SafeBagFactory;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.bouncycastle.pkcs.PKCSException;
import org.bouncycastle.pkcs.jcajce.JcePKCS12MacCalculatorBuilder;
import org.bouncycastle.pkcs.jcajce.JcePKCS12MacCalculatorBuilderProvider;
import org.bouncycastle.pkcs.jcajce.JcePKCSPBEInputDecryptorProviderBuilder;
import org.bouncycastle.pkcs.jcajce.JcePKCSPBEOutputEncryptorBuilder;
import org.jspecify.annotations.Nullable;

/**
 * Certificates, PKCS#12 and PEM through Bouncy Castle's PKIX API; nothing here is hand-encoded.
 *
 * <p>PKCS#12 files are written as OpenSSL 3 writes them by default: PKCS#8 v1 keys and
 * certificates in PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC) safes, each with its own salt and IV,
 * and an HMAC-SHA256 integrity MAC, DER-encoded, so that {@code openssl pkcs12}, {@code keytool}
 * and PyCA read them (Pkcs12InteropTest). When reading, iteration counts above
 * {@link #MAX_ITERATIONS} are refused before any key derivation (a crafted file must not be able to
 * pin a CPU, cf. CVE-2023-52428).
 */
public final class Pkix {
  public static final int ITERATIONS = 10_000;
  public static final int MAX_ITERATIONS = 1_000_000;
  /** Largest PEM or PKCS#12 input accepted, checked before parsing. */
  public static final int MAX_FILE_BYTES = 1 << 20;

  private Pkix() {}

  /** A private key with its certificate chain (leaf first) and friendly name. */
  public static final class KeyEntry {
    public final String alias;
    public final byte[] pkcs8;
    public final List<X509Certificate> chain;

    public KeyEntry(String alias, byte[] pkcs8, List<X509Certificate> chain) {
      this.alias = alias;
      this.pkcs8 = pkcs8;
      this.chain = List.copyOf(chain);
    }

    @Override
    public String toString() {
      return "KeyEntry[" + alias + ", key hidden]";
    }
  }

  /** A freshly generated key pair: PKCS#8 private key and SubjectPublicKeyInfo. */
  public static final class GeneratedKey {
    public final byte[] pkcs8;
    public final byte[] spki;

    GeneratedKey(byte[] pkcs8, byte[] spki) {
      this.pkcs8 = pkcs8;
      this.spki = spki;
    }

    @Override
    public String toString() {
      return "GeneratedKey[key hidden]";
    }
  }

  public static GeneratedKey generate(KeyAlgorithm alg) {
    try {
      KeyPairGenerator g;
      switch (alg) {
        case ED25519:
          g = KeyPairGenerator.getInstance("Ed25519", Crypto.BC);
          break;
        case X25519:
          g = KeyPairGenerator.getInstance("X25519", Crypto.BC);
          break;
        case P256:
          g = KeyPairGenerator.getInstance("EC", Crypto.BC);
          g.initialize(new ECGenParameterSpec("secp256r1"), Crypto.random());
          break;
        case SM2:
          g = KeyPairGenerator.getInstance("EC", Crypto.BC);
          g.initialize(new ECGenParameterSpec("sm2p256v1"), Crypto.random());
          break;
        default:
          throw new IllegalArgumentException("unsupported " + alg);
      }
      KeyPair kp = g.generateKeyPair();
      return new GeneratedKey(pkcs8V1(kp.getPrivate().getEncoded()), kp.getPublic().getEncoded());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("key generation failed for " + alg, e);
    }
  }

  static String signatureAlgorithm(KeyAlgorithm signerAlg) {
    switch (signerAlg) {
      case ED25519:
        return "Ed25519";
      case P256:
        return "SHA256withECDSA";
      case SM2:
        return "SM3withSM2";
      default:
        throw new IllegalArgumentException(signerAlg + " keys cannot sign certificates");
    }
  }

  public static PrivateKey jcaPrivateKey(byte[] pkcs8) {
    try {
      PrivateKeyInfo info = PrivateKeyInfo.getInstance(pkcs8);
      KeyAlgorithm alg = KeyCodec.algorithmOf(info.getPrivateKeyAlgorithm());
      String name = alg == KeyAlgorithm.ED25519 ? "Ed25519" : alg == KeyAlgorithm.X25519 ? "X25519" : "EC";
      return KeyFactory.getInstance(name, Crypto.BC).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("private key cannot be loaded", e);
    }
  }

  /** Returns a BC content signer for certificates and CRLs. */
  public static ContentSigner contentSigner(byte[] issuerPkcs8) {
    PrivateKeyHandle h = KeyCodec.privateKey(issuerPkcs8);
    try {
      return new JcaContentSignerBuilder(signatureAlgorithm(h.algorithm()))
          .setProvider(Crypto.BC)
          .build(jcaPrivateKey(issuerPkcs8));
    } catch (org.bouncycastle.operator.OperatorCreationException e) {
      throw new IllegalStateException("cannot create a certificate signer", e);
    }
  }

  /** What a certificate to be issued contains. */
  public static final class CertSpec {
    public X500Name subject = new X500Name("CN=unnamed");
    public byte[] subjectSpki = new byte[0];
    public X500Name issuer = new X500Name("CN=unnamed");
    public byte[] issuerPkcs8 = new byte[0];
    public byte @Nullable [] issuerSpki;
    public Instant notBefore = Instant.now();
    public Instant notAfter = Instant.now();
    public int keyUsage;
    public boolean ca;
    /** For a CA: the path length constraint, or -1 for none. */
    public int pathLen = -1;
    public List<String> uris = new ArrayList<>();
    public List<org.bouncycastle.asn1.x509.KeyPurposeId> extendedKeyUsages = new ArrayList<>();
    public BigInteger serial = new BigInteger(127, Crypto.random()).setBit(126);
  }

  public static X509Certificate issue(CertSpec s) {
    try {
      SubjectPublicKeyInfo spki = SubjectPublicKeyInfo.getInstance(s.subjectSpki);
      X509v3CertificateBuilder b =
          new X509v3CertificateBuilder(
              s.issuer, s.serial, Date.from(s.notBefore), Date.from(s.notAfter), s.subject, spki);
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      b.addExtension(Extension.basicConstraints, true,
          s.ca && s.pathLen >= 0 ? new BasicConstraints(s.pathLen) : new BasicConstraints(s.ca));
      b.addExtension(Extension.keyUsage, true, new KeyUsage(s.keyUsage));
      b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(spki));
      if (s.issuerSpki != null) {
        b.addExtension(
            Extension.authorityKeyIdentifier,
            false,
            ext.createAuthorityKeyIdentifier(SubjectPublicKeyInfo.getInstance(s.issuerSpki)));
      }
      if (!s.uris.isEmpty()) {
        GeneralName[] names = s.uris.stream()
            .map(u -> new GeneralName(GeneralName.uniformResourceIdentifier, u))
            .toArray(GeneralName[]::new);
        b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
      }
      if (!s.extendedKeyUsages.isEmpty()) {
        b.addExtension(
            Extension.extendedKeyUsage,
            false,
            new org.bouncycastle.asn1.x509.ExtendedKeyUsage(
                s.extendedKeyUsages.toArray(new org.bouncycastle.asn1.x509.KeyPurposeId[0])));
      }
      X509CertificateHolder holder = b.build(contentSigner(s.issuerPkcs8));
      return toX509(holder);
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("certificate issuance failed", e);
    }
  }

  public static X509Certificate toX509(X509CertificateHolder holder) throws GeneralSecurityException {
    return new JcaX509CertificateConverter().setProvider(Crypto.BC).getCertificate(holder);
  }

  /** Parses one DER certificate with the BC provider (which knows SM2 keys). */
  public static X509Certificate parseCertificate(byte[] der) throws GeneralSecurityException {
    CertificateFactory cf = CertificateFactory.getInstance("X.509", Crypto.BC);
    return (X509Certificate) cf.generateCertificate(new ByteArrayInputStream(der));
  }

  // ---- PEM -------------------------------------------------------------------------------

  /** Returns every common name (CN) in a certificate's subject, as strings, in order. */
  public static List<String> subjectCommonNames(X509Certificate c) {
    List<String> out = new ArrayList<>();
    X500Name subject = X500Name.getInstance(c.getSubjectX500Principal().getEncoded());
    for (org.bouncycastle.asn1.x500.RDN rdn : subject.getRDNs(org.bouncycastle.asn1.x500.style.BCStyle.CN)) {
      for (org.bouncycastle.asn1.x500.AttributeTypeAndValue atv : rdn.getTypesAndValues()) {
        if (org.bouncycastle.asn1.x500.style.BCStyle.CN.equals(atv.getType())) {
          out.add(org.bouncycastle.asn1.x500.style.IETFUtils.valueToString(atv.getValue()));
        }
      }
    }
    return out;
  }

  public static String toPem(List<?> objects) {
    StringWriter w = new StringWriter();
    try (JcaPEMWriter pw = new JcaPEMWriter(w)) {
      for (Object o : objects) {
        pw.writeObject(o);
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return w.toString();
  }

  /**
   * Reads every certificate in a PEM text.
   *
   * @throws IllegalArgumentException if the text has no certificate or a malformed one
   */
  public static List<X509Certificate> readPemCertificates(String pem) {
    List<X509Certificate> out = new ArrayList<>();
    try (PEMParser p = new PEMParser(new StringReader(pem))) {
      Object o;
      while ((o = p.readObject()) != null) {
        if (o instanceof X509CertificateHolder) {
          out.add(toX509((X509CertificateHolder) o));
        }
      }
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      throw new IllegalArgumentException("malformed PEM certificate data");
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("no certificate found in PEM data");
    }
    return out;
  }

  // ---- PKCS#12 ---------------------------------------------------------------------------

  /**
   * Writes a PKCS#12 file that OpenSSL 3.0, the JDK's keytool and PyCA read: every key as a PKCS#8
   * v1 PrivateKeyInfo (Bouncy Castle encodes Ed25519 and X25519 keys as RFC 5958 v2 with the
   * public key in a {@code [1]} field, which OpenSSL 3.0 refuses with "wrong tag ...
   * Field=attributes"), each shrouded key bag and the certificate safe encrypted under its own salt
   * and IV, each certificate stored once, and the whole PFX DER-encoded (PyCA warns about BER).
   */
  public static byte[] writePkcs12(List<KeyEntry> entries, char[] password) {
    try {
      PKCS12PfxPduBuilder pfx = new PKCS12PfxPduBuilder();
      List<PKCS12SafeBag> certBags = new ArrayList<>();
      List<PKCS12SafeBag> keyBags = new ArrayList<>();
      List<X509Certificate> issuers = new ArrayList<>();
      for (KeyEntry e : entries) {
        byte[] localKeyId = e.chain.get(0).getEncoded();
        ASN1Encodable lkid = new org.bouncycastle.asn1.DEROctetString(
            java.security.MessageDigest.getInstance("SHA-1").digest(localKeyId));
        boolean leaf = true;
        for (X509Certificate c : e.chain) {
          // a leaf carries its entry's attributes; an issuer shared by several entries is written once
          if (!leaf && issuers.contains(c)) {
            continue;
          }
          PKCS12SafeBagBuilder cb = new PKCS12SafeBagBuilder(new X509CertificateHolder(c.getEncoded()));
          if (leaf) {
            cb.addBagAttribute(PKCSObjectIdentifiers.pkcs_9_at_friendlyName, new DERBMPString(e.alias));
            cb.addBagAttribute(PKCSObjectIdentifiers.pkcs_9_at_localKeyId, lkid);
          }
          if (!leaf) {
            issuers.add(c);
          }
          leaf = false;
          certBags.add(cb.build());
        }
        PKCS12SafeBagBuilder kb = new PKCS12SafeBagBuilder(PrivateKeyInfo.getInstance(pkcs8V1(e.pkcs8)),
            pbes2(password));
        kb.addBagAttribute(PKCSObjectIdentifiers.pkcs_9_at_friendlyName, new DERBMPString(e.alias));
        kb.addBagAttribute(PKCSObjectIdentifiers.pkcs_9_at_localKeyId, lkid);
        keyBags.add(kb.build());
      }
      pfx.addEncryptedData(pbes2(password), certBags.toArray(new PKCS12SafeBag[0]));
      for (PKCS12SafeBag kb : keyBags) {
        pfx.addData(kb);
      }
      PKCS12PfxPdu pdu =
          pfx.build(
              new JcePKCS12MacCalculatorBuilder(NISTObjectIdentifiers.id_sha256)
                  .setProvider(Crypto.BC)
                  .setIterationCount(ITERATIONS),
              password);
      // the MAC covers the content octets, which DER re-encoding of the outer structure keeps
      return pdu.toASN1Structure().getEncoded(org.bouncycastle.asn1.ASN1Encoding.DER);
    } catch (IOException | GeneralSecurityException | PKCSException
        | org.bouncycastle.operator.OperatorCreationException e) {
      throw new IllegalStateException("cannot write PKCS#12", e);
    }
  }

  /**
   * A fresh PBES2 encryptor (PBKDF2-HMAC-SHA256, AES-256-CBC): Bouncy Castle draws salt and IV when
   * the encryptor is built, so one is built per encrypted structure.
   */
  private static OutputEncryptor pbes2(char[] password) throws org.bouncycastle.operator.OperatorCreationException {
    return new JcePKCSPBEOutputEncryptorBuilder(NISTObjectIdentifiers.id_aes256_CBC)
        .setProvider(Crypto.BC)
        .setPRF(new AlgorithmIdentifier(PKCSObjectIdentifiers.id_hmacWithSHA256, DERNull.INSTANCE))
        .setIterationCount(ITERATIONS)
        .build(password);
  }

  /**
   * Re-encodes a private key as PKCS#8 v1 (RFC 5208 PrivateKeyInfo: version 0, algorithm, key; no
   * attributes, no public key). Every reader accepts it; the public key of an Ed25519 or X25519 key
   * is derived from the private key when it is needed.
   */
  public static byte[] pkcs8V1(byte[] pkcs8) {
    try {
      PrivateKeyInfo info = PrivateKeyInfo.getInstance(pkcs8);
      return new PrivateKeyInfo(info.getPrivateKeyAlgorithm(), info.parsePrivateKey()).getEncoded(
          org.bouncycastle.asn1.ASN1Encoding.DER);
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("private key is not a valid PKCS#8 structure");
    }
  }

  /** Thrown for a PKCS#12 file that is malformed or whose password is wrong. */
  public static final class Pkcs12Exception extends Exception {
    private static final long serialVersionUID = 1L;

    Pkcs12Exception(String message) {
      super(message);
    }
  }

  public static List<KeyEntry> readPkcs12(byte[] data, char[] password) throws Pkcs12Exception {
    if (data.length > MAX_FILE_BYTES) {
      throw new Pkcs12Exception("PKCS#12 file is larger than " + MAX_FILE_BYTES + " bytes");
    }
    PKCS12PfxPdu pfx;
    try {
      pfx = new PKCS12PfxPdu(data);
    } catch (IOException | RuntimeException e) {
      throw new Pkcs12Exception("not a PKCS#12 file");
    }
    try {
      if (!pfx.hasMac()) {
        throw new Pkcs12Exception("PKCS#12 file has no integrity MAC");
      }
      org.bouncycastle.asn1.pkcs.MacData mac = pfx.toASN1Structure().getMacData();
      if (mac.getIterationCount().compareTo(BigInteger.valueOf(MAX_ITERATIONS)) > 0) {
        throw new Pkcs12Exception("PKCS#12 MAC iteration count is above " + MAX_ITERATIONS);
      }
      if (!pfx.isMacValid(new JcePKCS12MacCalculatorBuilderProvider().setProvider(Crypto.BC), password)) {
        throw new Pkcs12Exception("wrong password or corrupted PKCS#12 file (MAC check failed)");
      }
      InputDecryptorProvider dec =
          new JcePKCSPBEInputDecryptorProviderBuilder().setProvider(Crypto.BC).build(password);
      List<PKCS12SafeBag> bags = new ArrayList<>();
      for (org.bouncycastle.asn1.pkcs.ContentInfo ci : pfx.getContentInfos()) {
        PKCS12SafeBagFactory f;
        if (ci.getContentType().equals(PKCSObjectIdentifiers.encryptedData)) {
          org.bouncycastle.asn1.pkcs.EncryptedData ed =
              org.bouncycastle.asn1.pkcs.EncryptedData.getInstance(ci.getContent());
          checkIterations(ed.getEncryptionAlgorithm());
          f = new PKCS12SafeBagFactory(ci, dec);
        } else {
          f = new PKCS12SafeBagFactory(ci);
        }
        for (PKCS12SafeBag b : f.getSafeBags()) {
          bags.add(b);
        }
      }
      List<X509Certificate> certs = new ArrayList<>();
      List<byte[]> certIds = new ArrayList<>();
      List<KeyEntry> out = new ArrayList<>();
      List<byte[]> keyIds = new ArrayList<>();
      List<String> keyAliases = new ArrayList<>();
      List<byte[]> keys = new ArrayList<>();
      for (PKCS12SafeBag b : bags) {
        if (b.getBagValue() instanceof X509CertificateHolder) {
          certs.add(toX509((X509CertificateHolder) b.getBagValue()));
          certIds.add(attr(b, PKCSObjectIdentifiers.pkcs_9_at_localKeyId));
        } else if (b.getBagValue() instanceof PKCS8EncryptedPrivateKeyInfo) {
          PKCS8EncryptedPrivateKeyInfo epki = (PKCS8EncryptedPrivateKeyInfo) b.getBagValue();
          checkIterations(epki.getEncryptionAlgorithm());
          keys.add(epki.decryptPrivateKeyInfo(dec).getEncoded());
          keyIds.add(attr(b, PKCSObjectIdentifiers.pkcs_9_at_localKeyId));
          byte[] name = attr(b, PKCSObjectIdentifiers.pkcs_9_at_friendlyName);
          keyAliases.add(name == null ? "key" + keys.size() : new String(name, java.nio.charset.StandardCharsets.UTF_8));
        }
      }
      for (int i = 0; i < keys.size(); i++) {
        List<X509Certificate> chain = new ArrayList<>();
        for (int j = 0; j < certs.size(); j++) {
          if (keyIds.get(i) != null && certIds.get(j) != null
              && java.util.Arrays.equals(keyIds.get(i), certIds.get(j))) {
            chain.add(certs.get(j));
          }
        }
        if (chain.isEmpty()) {
          throw new Pkcs12Exception("PKCS#12 key '" + keyAliases.get(i) + "' has no certificate");
        }
        // the issuers of the leaf (CA certificates without a key) follow it
        for (X509Certificate c : certs) {
          if (!chain.contains(c) && certIds.get(certs.indexOf(c)) == null) {
            chain.add(c);
          }
        }
        out.add(new KeyEntry(keyAliases.get(i), keys.get(i), chain));
      }
      return out;
    } catch (Pkcs12Exception e) {
      throw e;
    } catch (PKCSException e) {
      throw new Pkcs12Exception("wrong password or corrupted PKCS#12 file");
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      throw new Pkcs12Exception("malformed PKCS#12 file");
    }
  }

  private static void checkIterations(AlgorithmIdentifier alg) throws Pkcs12Exception {
    if (PKCSObjectIdentifiers.id_PBES2.equals(alg.getAlgorithm())) {
      PBES2Parameters p = PBES2Parameters.getInstance(alg.getParameters());
      PBKDF2Params kdf = PBKDF2Params.getInstance(p.getKeyDerivationFunc().getParameters());
      if (kdf.getIterationCount().compareTo(BigInteger.valueOf(MAX_ITERATIONS)) > 0) {
        throw new Pkcs12Exception("PKCS#12 PBKDF2 iteration count is above " + MAX_ITERATIONS);
      }
    } else {
      // Legacy PKCS#12 PBE (3DES, RC2): parameters are (salt, iterations).
      org.bouncycastle.asn1.pkcs.PKCS12PBEParams p =
          org.bouncycastle.asn1.pkcs.PKCS12PBEParams.getInstance(alg.getParameters());
      if (p.getIterations().compareTo(BigInteger.valueOf(MAX_ITERATIONS)) > 0) {
        throw new Pkcs12Exception("PKCS#12 iteration count is above " + MAX_ITERATIONS);
      }
    }
  }

  private static byte @Nullable [] attr(PKCS12SafeBag b, org.bouncycastle.asn1.ASN1ObjectIdentifier oid) {
    for (org.bouncycastle.asn1.pkcs.Attribute a : b.getAttributes()) {
      if (a.getAttrType().equals(oid)) {
        ASN1Primitive v = a.getAttrValues().getObjectAt(0).toASN1Primitive();
        if (v instanceof DERBMPString) {
          return ((DERBMPString) v).getString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
        if (v instanceof org.bouncycastle.asn1.ASN1OctetString) {
          return ((org.bouncycastle.asn1.ASN1OctetString) v).getOctets();
        }
      }
    }
    return null;
  }
}
