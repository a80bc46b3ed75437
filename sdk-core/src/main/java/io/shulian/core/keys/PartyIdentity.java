package io.shulian.core.keys;

import io.shulian.core.internal.access.CoreAccess;
import io.shulian.core.io.BoundedRead;
import io.shulian.core.internal.pki.Pki;
import io.shulian.core.internal.crypto.KeyCodec;
import io.shulian.core.internal.crypto.Pkix;
import io.shulian.core.internal.crypto.PrivateKeyHandle;
import io.shulian.core.party.PartyId;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.KeyManagerFactory;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.jspecify.annotations.Nullable;

/**
 * A party's own key material: a signing key and an encryption key (and, for gateways, a TLS key),
 * each with its certificate. Loaded from and stored to a PKCS#12 file whose entries are named
 * {@code sign}, {@code encrypt} and {@code tls}.
 *
 * <p>Immutable and thread-safe. {@link #toString} shows party and key ids, never key material.
 */
public final class PartyIdentity {
  static final String SIGN = "sign";
  static final String ENCRYPT = "encrypt";
  static final String TLS = "tls";

  private final PartyId party;
  private final Entry signing;
  private final Entry encryption;
  private final @Nullable Entry tls;

  static {
    CoreAccess.setKeys(new CoreAccess.Keys() {
      @Override
      public PrivateKeyHandle signingKey(PartyIdentity identity) {
        return identity.signing.key;
      }

      @Override
      public PrivateKeyHandle decryptionKey(PartyIdentity identity) {
        return identity.encryption.key;
      }

      @Override
      public byte[] signingPkcs8(PartyIdentity identity) {
        return identity.signing.pkcs8.clone();
      }

      @Override
      public byte[] encryptionPkcs8(PartyIdentity identity) {
        return identity.encryption.pkcs8.clone();
      }

      @Override
      public byte @Nullable [] tlsPkcs8(PartyIdentity identity) {
        Entry t = identity.tls;
        return t == null ? null : t.pkcs8.clone();
      }
    });
  }

  /** One private key with its certificate chain, leaf first. */
  static final class Entry {
    final PrivateKeyHandle key;
    final byte[] pkcs8;
    final PartyCertificate certificate;
    final List<X509Certificate> chain;

    Entry(byte[] pkcs8, List<X509Certificate> chain) throws KeyMaterialException {
      this.pkcs8 = pkcs8.clone();
      try {
        this.key = KeyCodec.privateKey(pkcs8);
      } catch (IllegalArgumentException e) {
        throw new KeyMaterialException(Objects.requireNonNullElse(e.getMessage(), e.getClass().getSimpleName()), e);
      }
      this.chain = List.copyOf(chain);
      this.certificate = PartyCertificate.of(chain.get(0));
      if (certificate.algorithm() != key.algorithm()) {
        throw new KeyMaterialException("private key (" + key.algorithm() + ") does not match its certificate ("
            + certificate.algorithm() + ")");
      }
    }
  }

  private PartyIdentity(Entry signing, Entry encryption, @Nullable Entry tls) throws KeyMaterialException {
    this.party = signing.certificate.party();
    if (!encryption.certificate.party().equals(party)) {
      throw new KeyMaterialException("signing and encryption certificates name different parties: "
          + party + " and " + encryption.certificate.party());
    }
    if (signing.certificate.suite() != encryption.certificate.suite()) {
      throw new KeyMaterialException("signing key is " + signing.certificate.suite()
          + " but encryption key is " + encryption.certificate.suite() + ": suites never mix");
    }
    if (!signing.certificate.allows(KeyUse.SIGN)) {
      throw new KeyMaterialException("the 'sign' certificate does not allow signing");
    }
    if (!encryption.certificate.allows(KeyUse.ENCRYPT)) {
      throw new KeyMaterialException("the 'encrypt' certificate does not allow key agreement or encipherment");
    }
    this.signing = signing;
    this.encryption = encryption;
    this.tls = tls;
  }

  /**
   * Loads an identity from a PKCS#12 file.
   *
   * @throws KeyMaterialException for an unreadable or malformed file, a wrong password, or missing
   *     entries; the message never contains the password
   */
  public static PartyIdentity load(Path p12, char[] password) throws KeyMaterialException {
    byte[] data;
    try {
      data = BoundedRead.file(p12, Pkix.MAX_FILE_BYTES);
    } catch (IOException e) {
      throw new KeyMaterialException("cannot read " + p12 + ": " + KeyMaterialException.describe(e), e);
    }
    try {
      return fromPkcs12(data, password);
    } catch (KeyMaterialException e) {
      throw new KeyMaterialException(p12 + ": " + e.getMessage(), e);
    }
  }

  /** Loads an identity from PKCS#12 bytes. */
  public static PartyIdentity fromPkcs12(byte[] data, char[] password) throws KeyMaterialException {
    List<Pkix.KeyEntry> entries;
    try {
      entries = Pkix.readPkcs12(data, password);
    } catch (Pkix.Pkcs12Exception e) {
      throw new KeyMaterialException(Objects.requireNonNullElse(e.getMessage(), e.getClass().getSimpleName()), e);
    }
    Entry sign = null;
    Entry enc = null;
    Entry tls = null;
    for (Pkix.KeyEntry e : entries) {
      Entry entry = new Entry(e.pkcs8, e.chain);
      if (SIGN.equals(e.alias) && sign == null) {
        sign = entry;
      } else if (ENCRYPT.equals(e.alias) && enc == null) {
        enc = entry;
      } else if (TLS.equals(e.alias) && tls == null) {
        tls = entry;
      }
    }
    if (sign == null || enc == null) {
      throw new KeyMaterialException("PKCS#12 file must hold entries named 'sign' and 'encrypt'");
    }
    return new PartyIdentity(sign, enc, tls);
  }

  /** Creates an identity from PKCS#8 keys and certificate chains (leaf first). */
  public static PartyIdentity of(
      byte[] signingPkcs8, List<X509Certificate> signingChain,
      byte[] encryptionPkcs8, List<X509Certificate> encryptionChain,
      byte @Nullable [] tlsPkcs8, @Nullable List<X509Certificate> tlsChain) throws KeyMaterialException {
    Entry tls = tlsPkcs8 == null || tlsChain == null ? null : new Entry(tlsPkcs8, tlsChain);
    return new PartyIdentity(new Entry(signingPkcs8, signingChain), new Entry(encryptionPkcs8, encryptionChain), tls);
  }

  /**
   * Generates a fresh identity with self-signed certificates, for development before a city CA
   * exists. INTL uses Ed25519 and X25519; GM uses two SM2 keys (signing and encryption, as GM
   * practice keeps them apart). Both also get a P-256 TLS key for mutual TLS between gateways.
   * The certificates are issued as {@link #generateSelfSigned(KeyAlgorithm, KeyAlgorithm, PartyId,
   * Duration)} describes.
   */
  public static PartyIdentity generateSelfSigned(Suite suite, PartyId party, Duration validity) {
    return suite == Suite.GM
        ? generateSelfSigned(KeyAlgorithm.SM2, KeyAlgorithm.SM2, party, validity)
        : generateSelfSigned(KeyAlgorithm.ED25519, KeyAlgorithm.X25519, party, validity);
  }

  /**
   * Generates a fresh identity with the given algorithms. An X25519 key cannot sign its own
   * certificate, so, as RFC 5280 wants, a <em>party root</em> issues all three: a self-signed
   * certificate with a fresh key of the signing algorithm, subject {@code CN=<PartyId>,
   * OU=self-signed party root, C=CN}, basicConstraints CA with pathLenConstraint 0 and keyUsage
   * keyCertSign only. Its private key is discarded once the three are issued, so it can certify
   * nothing else. The signing, encryption and TLS certificates have the profile a city CA gives
   * them (not CAs; docs/trust.md) and carry the party root as their chain; parties still trust
   * each other's certificates by pinning them, not through the party root.
   *
   * @throws IllegalArgumentException if the algorithms cannot serve their use or are of two suites
   */
  public static PartyIdentity generateSelfSigned(
      KeyAlgorithm signAlg, KeyAlgorithm encAlg, PartyId party, Duration validity) {
    if (!signAlg.canSign() || !encAlg.canEncrypt()) {
      throw new IllegalArgumentException(signAlg + " cannot sign or " + encAlg + " cannot encrypt");
    }
    if (signAlg.suite() != encAlg.suite()) {
      throw new IllegalArgumentException("signing and encryption keys must be of one suite");
    }
    Objects.requireNonNull(party, "party");
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    Pkix.GeneratedKey rk = Pkix.generate(signAlg);
    Pkix.GeneratedKey sk = Pkix.generate(signAlg);
    Pkix.GeneratedKey ek = Pkix.generate(encAlg);
    // TLS between gateways: P-256 in both suites, since TLS 1.3 stacks (JDK, BoringSSL) have no SM2
    Pkix.GeneratedKey tk = Pkix.generate(KeyAlgorithm.P256);
    X500Name rootName = new X500NameBuilder(BCStyle.INSTANCE)
        .addRDN(BCStyle.CN, party.toString())
        .addRDN(BCStyle.OU, "self-signed party root")
        .addRDN(BCStyle.C, "CN")
        .build();

    Pkix.CertSpec r = new Pkix.CertSpec();
    r.subject = rootName;
    r.issuer = rootName;
    r.subjectSpki = rk.spki;
    r.issuerPkcs8 = rk.pkcs8;
    r.issuerSpki = rk.spki;
    r.notBefore = now.minus(Duration.ofMinutes(5));
    r.notAfter = now.plus(validity);
    r.ca = true;
    r.pathLen = 0;
    r.keyUsage = KeyUsage.keyCertSign;
    X509Certificate root = Pkix.issue(r);

    X509Certificate signCert = Pkix.issue(leaf(r, party, sk.spki,
        KeyUsage.digitalSignature | KeyUsage.nonRepudiation));
    X509Certificate encCert = Pkix.issue(leaf(r, party, ek.spki, encAlg == KeyAlgorithm.SM2
        ? KeyUsage.keyEncipherment | KeyUsage.dataEncipherment | KeyUsage.keyAgreement
        : KeyUsage.keyAgreement));
    Pkix.CertSpec t = leaf(r, party, tk.spki, KeyUsage.digitalSignature);
    t.extendedKeyUsages.addAll(List.of(tlsPurposes()));
    X509Certificate tlsCert = Pkix.issue(t);
    try {
      return new PartyIdentity(
          new Entry(sk.pkcs8, List.of(signCert, root)), new Entry(ek.pkcs8, List.of(encCert, root)),
          new Entry(tk.pkcs8, List.of(tlsCert, root)));
    } catch (KeyMaterialException ex) {
      throw new IllegalStateException("generated identity is inconsistent", ex);
    }
  }

  /** A party certificate issued by the party root {@code root}: not a CA, with the party URI. */
  private static Pkix.CertSpec leaf(Pkix.CertSpec root, PartyId party, byte[] spki, int keyUsage) {
    Pkix.CertSpec s = new Pkix.CertSpec();
    s.subject = Pki.subjectOf(party);
    s.issuer = root.subject;
    s.subjectSpki = spki;
    s.issuerPkcs8 = root.issuerPkcs8;
    s.issuerSpki = root.subjectSpki;
    s.notBefore = root.notBefore;
    s.notAfter = root.notAfter;
    s.keyUsage = keyUsage;
    s.uris.add(PartyCertificate.PARTY_URI_PREFIX + party);
    return s;
  }

  /** Returns the X.500 subject Shulian gives a party's certificates: {@code CN=<party id>, C=CN}. */
  public static X500Principal subjectOf(PartyId party) {
    try {
      return new X500Principal(Pki.subjectOf(party).getEncoded(ASN1Encoding.DER));
    } catch (IOException e) {
      throw new IllegalStateException("cannot encode the subject of " + party, e);
    }
  }

  /** Extended key usages for a TLS certificate between gateways (server and client). */
  static KeyPurposeId[] tlsPurposes() {
    return new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth};
  }

  /**
   * Writes this identity to a PKCS#12 file atomically: a temporary file in the same directory is
   * written and then renamed, so a reader never sees a partial file.
   */
  public void store(Path p12, char[] password) throws IOException {
    List<Pkix.KeyEntry> entries = new ArrayList<>();
    entries.add(new Pkix.KeyEntry(SIGN, signing.pkcs8, signing.chain));
    entries.add(new Pkix.KeyEntry(ENCRYPT, encryption.pkcs8, encryption.chain));
    if (tls != null) {
      entries.add(new Pkix.KeyEntry(TLS, tls.pkcs8, tls.chain));
    }
    writeAtomically(p12, Pkix.writePkcs12(entries, password));
  }

  /** Writes bytes to {@code target} through a temporary file and an atomic rename. */
  public static void writeAtomically(Path target, byte[] data) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp");
    try {
      Files.write(tmp, data);
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  public PartyId party() {
    return party;
  }

  public Suite suite() {
    return signing.certificate.suite();
  }

  public PartyCertificate signingCertificate() {
    return signing.certificate;
  }

  public PartyCertificate encryptionCertificate() {
    return encryption.certificate;
  }

  /** Returns the TLS certificate, if this identity has a TLS key. */
  public java.util.Optional<PartyCertificate> tlsCertificate() {
    return java.util.Optional.ofNullable(tls == null ? null : tls.certificate);
  }

  /** Returns the public certificates (signing then encryption, plus TLS) for sharing as PEM. */
  public List<PartyCertificate> certificates() {
    List<PartyCertificate> out = new ArrayList<>(List.of(signing.certificate, encryption.certificate));
    if (tls != null) {
      out.add(tls.certificate);
    }
    return out;
  }

  /** Returns the certificate chains of the keys, leaf first. */
  public List<X509Certificate> signingChain() {
    return signing.chain;
  }

  /**
   * Returns a key manager factory holding the TLS key and certificate (the leaf only: peers
   * validate it against the city roots they already hold), for a JSSE or Netty TLS context.
   *
   * <p>The TLS key is the one private key that leaves the identity, because a TLS stack must hold
   * it; it is never the signing or the decryption key. Each call builds a new factory.
   *
   * @throws IllegalStateException if this identity has no TLS key (PKCS#12 entry {@code tls})
   */
  public KeyManagerFactory tlsKeyManagerFactory() {
    Entry t = tls;
    if (t == null) {
      throw new IllegalStateException(party + " has no TLS key (PKCS#12 entry 'tls')");
    }
    char[] pw = new char[0];
    try {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      ks.setKeyEntry(TLS, Pkix.jcaPrivateKey(t.pkcs8), pw, new X509Certificate[] {t.chain.get(0)});
      KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(ks, pw);
      return kmf;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("the JDK cannot hold the TLS key of " + party + " ("
          + t.certificate.algorithm() + ")", e);
    }
  }

  /** Returns the TLS certificate chain (leaf first), empty without a TLS key. */
  public List<X509Certificate> tlsChain() {
    return tls == null ? List.of() : tls.chain;
  }

  /**
   * Returns this identity with new certificates for its keys: each key gets the certificate in
   * {@code certificates} whose public key is its own, followed by the CA certificates (those with
   * basicConstraints CA) in {@code certificates}. This installs what the city CA issued for the
   * requests of {@code shulian csr}. A key with no matching certificate keeps its old one, except
   * that the signing and encryption keys must both match.
   *
   * @throws KeyMaterialException if the signing or encryption key has no certificate here, or a
   *     new certificate is inconsistent with its key or the others
   */
  public PartyIdentity withCertificates(List<X509Certificate> certificates) throws KeyMaterialException {
    List<X509Certificate> cas = new ArrayList<>();
    for (X509Certificate c : certificates) {
      if (c.getBasicConstraints() >= 0) {
        cas.add(c);
      }
    }
    Entry s = rebind(signing, certificates, cas);
    Entry e = rebind(encryption, certificates, cas);
    if (s == null || e == null) {
      throw new KeyMaterialException("the certificates include none for the " + (s == null ? "signing" : "encryption") + " key");
    }
    Entry t = tls == null ? null : rebind(tls, certificates, cas);
    return new PartyIdentity(s, e, t == null ? tls : t);
  }

  private static @Nullable Entry rebind(Entry old, List<X509Certificate> certs, List<X509Certificate> cas)
      throws KeyMaterialException {
    byte[] spki = old.certificate.certificate().getPublicKey().getEncoded();
    for (X509Certificate c : certs) {
      if (c.getBasicConstraints() < 0 && java.util.Arrays.equals(spki, c.getPublicKey().getEncoded())) {
        List<X509Certificate> chain = new ArrayList<>();
        chain.add(c);
        chain.addAll(cas);
        return new Entry(old.pkcs8, chain);
      }
    }
    return null;
  }

  @Override
  public String toString() {
    return "PartyIdentity[" + party + ", " + suite() + ", sign kid=" + signing.certificate.keyId()
        + ", encrypt kid=" + encryption.certificate.keyId() + "]";
  }
}
