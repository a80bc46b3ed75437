package io.shulian.core.trust;

import io.shulian.core.io.BoundedRead;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shulian.core.internal.crypto.Crypto;
import io.shulian.core.internal.crypto.KeyCodec;
import io.shulian.core.internal.crypto.Pkix;
import io.shulian.core.internal.pki.BundleJws;
import io.shulian.core.internal.pki.Pki;
import io.shulian.core.keys.KeyAlgorithm;
import io.shulian.core.keys.KeyId;
import io.shulian.core.keys.KeyMaterialException;
import io.shulian.core.keys.KeyUse;
import io.shulian.core.keys.PartyCertificate;
import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.keys.Suite;
import io.shulian.core.party.PartyId;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.jspecify.annotations.Nullable;

/**
 * The city root CA: its key in {@code <dir>/ca.p12}, its certificate in {@code <dir>/root.pem} and
 * its registry of issued and revoked certificates in {@code <dir>/ca-state.json}. Every change of
 * state is written to a temporary file and renamed, under a lock file, so two commands never lose
 * each other's work and a crash never leaves a partial file.
 *
 * <p>Profiles (see docs/trust.md): INTL root ECDSA P-256, party signing Ed25519, encryption X25519;
 * GM root SM2 with SM3 (GM/T 0015 as far as Bouncy Castle allows), party signing and encryption
 * SM2 keys apart; TLS keys are ECDSA P-256 in both suites (TLS 1.3 in the JDK has no SM2). Party
 * certificates carry {@code CN=<PartyId>, C=CN} and the SAN URI {@code urn:shulian:party:<PartyId>}.
 *
 * <p>Not thread-safe for concurrent mutation within one process; use one instance per thread or
 * synchronise. Its {@code toString} never shows key material.
 */
public final class CityAuthority {
  public static final String CA_P12 = "ca.p12";
  public static final String ROOT_PEM = "root.pem";
  public static final String STATE_JSON = "ca-state.json";
  static final String ALIAS = "ca";
  private static final String LOCK = ".ca.lock";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path dir;
  private final Suite suite;
  private final byte[] caPkcs8;
  private final X509Certificate root;
  private final KeyId rootKeyId;
  private final Clock clock;

  private CityAuthority(Path dir, byte[] caPkcs8, X509Certificate root, Clock clock) {
    this.dir = dir;
    this.caPkcs8 = caPkcs8;
    this.root = root;
    this.clock = clock;
    this.suite = KeyCodec.privateKey(caPkcs8).algorithm().suite();
    this.rootKeyId = KeyId.ofCertificate(der(root));
  }

  private static byte[] der(X509Certificate c) {
    try {
      return c.getEncoded();
    } catch (CertificateEncodingException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Creates a new city root CA in {@code dir}.
   *
   * @throws FileAlreadyExistsException if {@code dir} already holds a CA
   */
  public static CityAuthority init(
      Suite suite, String commonName, Path dir, char[] password, Duration validity, Clock clock) throws IOException {
    Objects.requireNonNull(suite, "suite");
    if (commonName.isBlank() || commonName.length() > 64) {
      throw new IllegalArgumentException("CA name must have 1 to 64 characters");
    }
    if (validity.compareTo(Duration.ofDays(1)) < 0 || validity.compareTo(Duration.ofDays(30 * 365)) > 0) {
      throw new IllegalArgumentException("CA validity must be between 1 day and 30 years, got " + validity);
    }
    Files.createDirectories(dir);
    if (Files.exists(dir.resolve(CA_P12))) {
      throw new FileAlreadyExistsException(dir.resolve(CA_P12) + " (a CA already exists there)");
    }
    Pkix.GeneratedKey k = Pkix.generate(suite == Suite.GM ? KeyAlgorithm.SM2 : KeyAlgorithm.P256);
    X500Name name = new X500NameBuilder(BCStyle.INSTANCE)
        .addRDN(BCStyle.CN, commonName).addRDN(BCStyle.C, "CN").build();
    Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
    Pkix.CertSpec s = new Pkix.CertSpec();
    s.subject = name;
    s.issuer = name;
    s.subjectSpki = k.spki;
    s.issuerPkcs8 = k.pkcs8;
    s.issuerSpki = k.spki;
    s.notBefore = now.minus(Duration.ofMinutes(5));
    s.notAfter = now.plus(validity);
    s.ca = true;
    s.keyUsage = KeyUsage.keyCertSign | KeyUsage.cRLSign;
    X509Certificate root = Pkix.issue(s);
    try (Lock l = lock(dir)) {
      ObjectNode state = JSON.createObjectNode();
      state.put("format", 1);
      state.put("suite", suite.name());
      state.put("name", commonName);
      state.put("crlNumber", 0);
      state.putArray("issued");
      state.putArray("revoked");
      writeState(dir, state);
      PartyIdentity.writeAtomically(dir.resolve(ROOT_PEM), Pkix.toPem(List.of(root)).getBytes(StandardCharsets.US_ASCII));
      PartyIdentity.writeAtomically(dir.resolve(CA_P12),
          Pkix.writePkcs12(List.of(new Pkix.KeyEntry(ALIAS, k.pkcs8, List.of(root))), password));
    }
    return new CityAuthority(dir, k.pkcs8, root, clock);
  }

  /**
   * Opens the CA in {@code dir}.
   *
   * @throws KeyMaterialException if the directory holds no CA, the password is wrong, or a file is
   *     malformed
   */
  public static CityAuthority open(Path dir, char[] password, Clock clock) throws KeyMaterialException {
    Path p12 = dir.resolve(CA_P12);
    byte[] data;
    try {
      if (!Files.exists(p12)) {
        throw new KeyMaterialException(dir + " holds no city CA (no " + CA_P12 + "); run 'shulian ca init' first");
      }
      data = BoundedRead.file(p12, Pkix.MAX_FILE_BYTES);
    } catch (IOException e) {
      throw new KeyMaterialException("cannot read " + p12 + ": " + e.getMessage(), e);
    }
    List<Pkix.KeyEntry> entries;
    try {
      entries = Pkix.readPkcs12(data, password);
    } catch (Pkix.Pkcs12Exception e) {
      throw new KeyMaterialException(p12 + ": " + e.getMessage(), e);
    }
    for (Pkix.KeyEntry e : entries) {
      if (ALIAS.equals(e.alias) && CityTrust.isCaCertificate(e.chain.get(0))) {
        CityAuthority ca = new CityAuthority(dir, e.pkcs8, e.chain.get(0), clock);
        try {
          ca.readState();
        } catch (IOException ex) {
          throw new KeyMaterialException("cannot read the CA state: " + ex.getMessage(), ex);
        }
        return ca;
      }
    }
    throw new KeyMaterialException(p12 + " holds no CA key entry '" + ALIAS + "'");
  }

  public Suite suite() {
    return suite;
  }

  /** Returns the self-signed root certificate. */
  public X509Certificate root() {
    return root;
  }

  /** Returns the root certificate as PEM text. */
  public String rootPem() {
    return Pkix.toPem(List.of(root));
  }

  public Path directory() {
    return dir;
  }

  // ---- issuance --------------------------------------------------------------------------

  /**
   * Generates a party's keys and issues their certificates: separate signing and encryption keys
   * of the CA's suite, and a P-256 TLS key when {@code tls} is set.
   */
  public PartyIdentity issue(PartyId party, boolean tls, Duration validity) throws IOException {
    checkValidity(validity);
    KeyAlgorithm signAlg = suite == Suite.GM ? KeyAlgorithm.SM2 : KeyAlgorithm.ED25519;
    KeyAlgorithm encAlg = suite == Suite.GM ? KeyAlgorithm.SM2 : KeyAlgorithm.X25519;
    Pkix.GeneratedKey sk = Pkix.generate(signAlg);
    Pkix.GeneratedKey ek = Pkix.generate(encAlg);
    Pkix.GeneratedKey tk = tls ? Pkix.generate(KeyAlgorithm.P256) : null;
    Map<KeyUse, byte[]> spkis = new EnumMap<>(KeyUse.class);
    spkis.put(KeyUse.SIGN, sk.spki);
    spkis.put(KeyUse.ENCRYPT, ek.spki);
    if (tk != null) {
      spkis.put(KeyUse.TLS, tk.spki);
    }
    Map<KeyUse, X509Certificate> certs;
    try {
      certs = certify(party, spkis, validity);
    } catch (TrustException e) {
      throw new IllegalStateException("generated keys were refused", e);
    }
    try {
      return PartyIdentity.of(
          sk.pkcs8, List.of(certs.get(KeyUse.SIGN), root),
          ek.pkcs8, List.of(certs.get(KeyUse.ENCRYPT), root),
          tk == null ? null : tk.pkcs8, tk == null ? null : List.of(certs.get(KeyUse.TLS), root));
    } catch (KeyMaterialException e) {
      throw new IllegalStateException("issued identity is inconsistent", e);
    }
  }

  /**
   * Issues certificates for the requests of {@code shulian csr} (PEM, one request per key). The
   * signing-key request must be signed by its own key (proof of possession); every other request
   * (encryption, TLS) must be signed by that signing key, which binds it to the same holder (an
   * X25519 key cannot sign, so it cannot prove possession itself; see docs/trust.md). The CA
   * decides the profile; of the requests it reads only the key, the party and which use is asked.
   *
   * @return the issued certificates, signing first, then encryption, then TLS if requested
   * @throws TrustException BAD_TRUST_MATERIAL for a malformed or unacceptable request
   */
  public List<PartyCertificate> signRequests(String csrPem, Duration validity) throws TrustException, IOException {
    checkValidity(validity);
    List<Pki.ParsedCsr> reqs;
    try {
      reqs = Pki.parseCsrs(csrPem);
    } catch (IllegalArgumentException e) {
      throw bad(Objects.requireNonNullElse(e.getMessage(), e.getClass().getSimpleName()));
    }
    Map<KeyUse, X509Certificate> certs;
    try {
      certs = checkAndCertify(reqs, validity);
    } catch (IllegalArgumentException | IllegalStateException | ClassCastException e) {
      // Bouncy Castle parses parts of a request lazily; a mangled one can fail deep inside it
      throw bad("malformed request (" + e.getClass().getSimpleName() + ")");
    }
    List<PartyCertificate> out = new ArrayList<>();
    for (X509Certificate c : certs.values()) {
      try {
        out.add(PartyCertificate.of(c));
      } catch (KeyMaterialException e) {
        throw new IllegalStateException("issued certificate is unreadable", e);
      }
    }
    return out;
  }

  private Map<KeyUse, X509Certificate> checkAndCertify(List<Pki.ParsedCsr> reqs, Duration validity)
      throws TrustException, IOException {
    PartyId party = null;
    for (Pki.ParsedCsr r : reqs) {
      PartyId p = partyOf(r);
      if (party != null && !party.equals(p)) {
        throw bad("the requests name two parties: " + party + " and " + p);
      }
      party = p;
    }
    if (party == null) {
      throw bad("no certificate requests");
    }
    Pki.ParsedCsr signing = null;
    for (Pki.ParsedCsr r : reqs) {
      if (!r.tls && r.keyUsage >= 0 && (r.keyUsage & KeyUsage.digitalSignature) != 0 && r.algorithm.canSign()
          && r.signedBy(r.spki)) {
        if (signing != null) {
          throw bad("more than one signing-key request");
        }
        signing = r;
      }
    }
    if (signing == null) {
      throw bad("no signing-key request signed by its own key (proof of possession) among the requests");
    }
    Map<KeyUse, byte[]> spkis = new EnumMap<>(KeyUse.class);
    spkis.put(KeyUse.SIGN, signing.spki);
    for (Pki.ParsedCsr r : reqs) {
      if (r == signing) {
        continue;
      }
      if (!r.signedBy(signing.spki)) {
        throw bad("a request for a " + r.algorithm + " key is not signed by the party's signing key");
      }
      KeyUse use = r.tls ? KeyUse.TLS : KeyUse.ENCRYPT;
      if (spkis.containsKey(use)) {
        throw bad("more than one request for " + use);
      }
      spkis.put(use, r.spki);
    }
    if (!spkis.containsKey(KeyUse.ENCRYPT)) {
      throw bad("no encryption-key request among the requests");
    }
    return certify(party, spkis, validity);
  }

  private static PartyId partyOf(Pki.ParsedCsr r) throws TrustException {
    PartyId p = null;
    int uris = 0;
    for (String u : r.uris) {
      if (u.regionMatches(true, 0, PartyCertificate.PARTY_URI_PREFIX, 0, PartyCertificate.PARTY_URI_PREFIX.length())) {
        // like PartyCertificate: one party id, spelled canonically, or the request is ambiguous
        if (++uris > 1) {
          throw bad("request carries more than one party id (SAN URI " + PartyCertificate.PARTY_URI_PREFIX + "...)");
        }
        if (!u.startsWith(PartyCertificate.PARTY_URI_PREFIX)) {
          throw bad("request party id URI must be written " + PartyCertificate.PARTY_URI_PREFIX + "<party id>");
        }
        try {
          p = PartyId.parse(u.substring(PartyCertificate.PARTY_URI_PREFIX.length()));
        } catch (IllegalArgumentException e) {
          throw bad("request names an invalid party id: " + e.getMessage());
        }
      }
    }
    if (p == null) {
      throw bad("request carries no party id (SAN URI " + PartyCertificate.PARTY_URI_PREFIX + "...)");
    }
    if (!Pki.subjectOf(p).equals(r.subject)) {
      throw bad("request subject " + r.subject + " is not " + Pki.subjectOf(p));
    }
    return p;
  }

  private static TrustException bad(String m) {
    return new TrustException(TrustException.Reason.BAD_TRUST_MATERIAL, "certificate request rejected: " + m);
  }

  private static void checkValidity(Duration validity) {
    if (validity.compareTo(Duration.ofHours(1)) < 0 || validity.compareTo(Duration.ofDays(3650)) > 0) {
      throw new IllegalArgumentException("certificate validity must be between 1 hour and 3650 days, got " + validity);
    }
  }

  /** Checks suites, issues one certificate per use and records them all in the registry. */
  private Map<KeyUse, X509Certificate> certify(PartyId party, Map<KeyUse, byte[]> spkis, Duration validity)
      throws IOException, TrustException {
    Map<KeyUse, X509Certificate> out = new EnumMap<>(KeyUse.class);
    Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
    Instant notAfter = now.plus(validity);
    if (notAfter.isAfter(root.getNotAfter().toInstant())) {
      notAfter = root.getNotAfter().toInstant();
    }
    try (Lock l = lock(dir)) {
      ObjectNode state = readState();
      ArrayNode issued = (ArrayNode) state.get("issued");
      for (Map.Entry<KeyUse, byte[]> e : spkis.entrySet()) {
        KeyUse use = e.getKey();
        KeyAlgorithm alg;
        try {
          alg = KeyCodec.publicKey(e.getValue()).algorithm();
        } catch (IllegalArgumentException ex) {
          throw bad("the " + use + " key is not a valid public key");
        }
        Pkix.CertSpec s = new Pkix.CertSpec();
        s.subject = Pki.subjectOf(party);
        s.issuer = X500Name.getInstance(root.getSubjectX500Principal().getEncoded());
        s.subjectSpki = e.getValue();
        s.issuerPkcs8 = caPkcs8;
        s.issuerSpki = root.getPublicKey().getEncoded();
        s.notBefore = now.minus(Duration.ofMinutes(5));
        s.notAfter = notAfter;
        s.uris.add(PartyCertificate.PARTY_URI_PREFIX + party);
        switch (use) {
          case SIGN:
            requireSuite(alg, use);
            if (!alg.canSign()) {
              throw bad(alg + " keys cannot sign");
            }
            s.keyUsage = KeyUsage.digitalSignature | KeyUsage.nonRepudiation;
            break;
          case ENCRYPT:
            requireSuite(alg, use);
            if (!alg.canEncrypt()) {
              throw bad(alg + " keys cannot be used for encryption");
            }
            s.keyUsage = alg == KeyAlgorithm.SM2
                ? KeyUsage.keyEncipherment | KeyUsage.dataEncipherment | KeyUsage.keyAgreement
                : KeyUsage.keyAgreement;
            break;
          default:
            if (alg != KeyAlgorithm.P256) {
              throw bad("TLS keys must be ECDSA P-256 (TLS 1.3 in the JDK has no SM2 or reliable Ed25519), got " + alg);
            }
            s.keyUsage = KeyUsage.digitalSignature;
            s.extendedKeyUsages.add(KeyPurposeId.id_kp_serverAuth);
            s.extendedKeyUsages.add(KeyPurposeId.id_kp_clientAuth);
            break;
        }
        while (known(issued, s.serial)) {
          s.serial = new BigInteger(127, Crypto.random()).setBit(126);
        }
        X509Certificate c = Pkix.issue(s);
        out.put(use, c);
        ObjectNode rec = issued.addObject();
        rec.put("serial", c.getSerialNumber().toString(16));
        rec.put("party", party.toString());
        rec.put("use", use.name());
        rec.put("algorithm", alg.name());
        rec.put("keyId", KeyId.ofCertificate(der(c)).value());
        rec.put("notBefore", c.getNotBefore().toInstant().toString());
        rec.put("notAfter", c.getNotAfter().toInstant().toString());
      }
      writeState(dir, state);
    }
    return out;
  }

  private void requireSuite(KeyAlgorithm alg, KeyUse use) throws TrustException {
    if (alg.suite() != suite) {
      throw bad("the " + use + " key is " + alg + " (" + alg.suite() + "), but this is a " + suite + " CA");
    }
  }

  private static boolean known(ArrayNode issued, BigInteger serial) {
    String hex = serial.toString(16);
    for (JsonNode n : issued) {
      if (hex.equals(n.path("serial").asText())) {
        return true;
      }
    }
    return false;
  }

  // ---- revocation ------------------------------------------------------------------------

  /**
   * Revokes the certificate with this serial number.
   *
   * @return false if it was already revoked (nothing changes)
   * @throws IllegalArgumentException if this CA never issued that serial
   */
  public boolean revoke(BigInteger serial, RevocationReason reason) throws IOException {
    try (Lock l = lock(dir)) {
      ObjectNode state = readState();
      if (!known((ArrayNode) state.get("issued"), serial)) {
        throw new IllegalArgumentException("this CA issued no certificate with serial " + serial.toString(16));
      }
      ArrayNode revoked = (ArrayNode) state.get("revoked");
      if (known(revoked, serial)) {
        return false;
      }
      ObjectNode r = revoked.addObject();
      r.put("serial", serial.toString(16));
      r.put("revokedAt", clock.instant().truncatedTo(ChronoUnit.SECONDS).toString());
      r.put("reason", reason.name());
      writeState(dir, state);
      return true;
    }
  }

  /**
   * Issues a CRL of every revocation so far, valid from now until now + {@code nextUpdate}, with
   * the next CRL number.
   */
  public X509CRL crl(Duration nextUpdate) throws IOException {
    if (nextUpdate.compareTo(Duration.ofMinutes(1)) < 0 || nextUpdate.compareTo(Duration.ofDays(31)) > 0) {
      throw new IllegalArgumentException("CRL next update must be between 1 minute and 31 days, got " + nextUpdate);
    }
    try (Lock l = lock(dir)) {
      ObjectNode state = readState();
      long number = state.path("crlNumber").asLong() + 1;
      List<Pki.RevokedEntry> entries = new ArrayList<>();
      for (JsonNode r : state.get("revoked")) {
        entries.add(new Pki.RevokedEntry(new BigInteger(r.path("serial").asText(), 16),
            Instant.parse(r.path("revokedAt").asText()),
            RevocationReason.valueOf(r.path("reason").asText()).code()));
      }
      Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
      X509CRL crl = Pki.buildCrl(root, caPkcs8, now, now.plus(nextUpdate), BigInteger.valueOf(number), entries);
      state.put("crlNumber", number);
      writeState(dir, state);
      return crl;
    }
  }

  /** Returns the PEM text of a CRL. */
  public static String toPem(X509CRL crl) {
    return Pkix.toPem(List.of(crl));
  }

  // ---- bundle ----------------------------------------------------------------------------

  /** Signs a bundle's JSON with the CA key (ES256 or SM2-SM3); see {@link CityBundle}. */
  String signJws(byte[] payload) {
    return BundleJws.sign(payload, caPkcs8, rootKeyId.value());
  }

  // ---- state files -----------------------------------------------------------------------

  private ObjectNode readState() throws IOException {
    Path p = dir.resolve(STATE_JSON);
    byte[] data = BoundedRead.file(p, 64L << 20);
    JsonNode n;
    try {
      n = JSON.readTree(data);
    } catch (com.fasterxml.jackson.core.JacksonException e) {
      throw new IOException("CA state " + p + " is not valid JSON");
    }
    if (!(n instanceof ObjectNode) || !n.path("issued").isArray() || !n.path("revoked").isArray()
        || !suite.name().equals(n.path("suite").asText())) {
      throw new IOException(p + " is not the state of this " + suite + " CA");
    }
    return (ObjectNode) n;
  }

  private static void writeState(Path dir, ObjectNode state) throws IOException {
    PartyIdentity.writeAtomically(dir.resolve(STATE_JSON),
        JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(state));
  }

  /** An exclusive lock on the CA directory, across processes. */
  private static final class Lock implements AutoCloseable {
    private final FileChannel channel;
    private final @Nullable FileLock lock;

    Lock(FileChannel channel, FileLock lock) {
      this.channel = channel;
      this.lock = lock;
    }

    @Override
    public void close() throws IOException {
      try {
        if (lock != null) {
          lock.release();
        }
      } finally {
        channel.close();
      }
    }
  }

  private static Lock lock(Path dir) throws IOException {
    FileChannel ch = FileChannel.open(dir.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    try {
      return new Lock(ch, ch.lock());
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
  }

  @Override
  public String toString() {
    return "CityAuthority[" + suite + ", " + root.getSubjectX500Principal().getName() + ", key hidden]";
  }
}
