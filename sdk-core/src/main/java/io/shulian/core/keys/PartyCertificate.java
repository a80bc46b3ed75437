package io.shulian.core.keys;

import io.shulian.core.internal.access.CoreAccess;
import io.shulian.core.io.BoundedRead;
import io.shulian.core.internal.crypto.KeyCodec;
import io.shulian.core.internal.crypto.Pkix;
import io.shulian.core.internal.crypto.PublicKeyHandle;
import io.shulian.core.party.PartyId;
import java.io.IOException;
import java.nio.file.Path;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * An X.509 certificate of a party key, with what Shulian reads from it: the party id (from the SAN
 * URI {@code urn:shulian:party:<PartyId>}), the key algorithm, the key id and the uses the key
 * usage extensions allow. Holding one does not mean it is trusted: that is decided by a {@code
 * SenderTrust}.
 *
 * <p>Immutable and thread-safe.
 */
public final class PartyCertificate {
  /** Prefix of the subjectAltName URI that carries the party id. */
  public static final String PARTY_URI_PREFIX = "urn:shulian:party:";

  private final X509Certificate certificate;
  private final PartyId party;
  private final KeyAlgorithm algorithm;
  private final KeyId keyId;
  private final Set<KeyUse> uses;
  private final PublicKeyHandle publicKey;
  // parsed once: BC's X509Certificate re-parses the ASN.1 time on every getNotBefore/After call
  private final Instant notBefore;
  private final Instant notAfter;

  static {
    CoreAccess.setCertificates(c -> c.publicKey);
  }

  private PartyCertificate(
      X509Certificate certificate, PartyId party, KeyAlgorithm algorithm, KeyId keyId, Set<KeyUse> uses,
      PublicKeyHandle publicKey) {
    this.certificate = certificate;
    this.party = party;
    this.algorithm = algorithm;
    this.keyId = keyId;
    this.uses = uses;
    this.publicKey = publicKey;
    this.notBefore = certificate.getNotBefore().toInstant();
    this.notAfter = certificate.getNotAfter().toInstant();
  }

  /**
   * Reads a party certificate.
   *
   * @throws KeyMaterialException if it carries no party id, or its key does not decode or is of no
   *     supported algorithm
   */
  public static PartyCertificate of(X509Certificate certificate) throws KeyMaterialException {
    Objects.requireNonNull(certificate, "certificate");
    byte[] der;
    try {
      der = certificate.getEncoded();
    } catch (CertificateEncodingException e) {
      throw new KeyMaterialException("certificate cannot be encoded", e);
    }
    // Re-read with Bouncy Castle whatever parsed it (e.g. the JDK for a TLS peer): BC's certificate
    // objects verify SM2-signed chains, the JDK's cannot.
    try {
      certificate = Pkix.parseCertificate(der);
    } catch (java.security.GeneralSecurityException e) {
      throw new KeyMaterialException("certificate cannot be parsed", e);
    }
    PartyId party = partyOf(certificate);
    if (party == null) {
      throw new KeyMaterialException(
          "certificate " + certificate.getSubjectX500Principal().getName()
              + " carries no party id (subjectAltName URI " + PARTY_URI_PREFIX + "...)");
    }
    PublicKeyHandle pk;
    try {
      pk = KeyCodec.publicKey(certificate.getPublicKey().getEncoded());
    } catch (IllegalArgumentException e) {
      throw new KeyMaterialException("certificate of " + party + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      // Bouncy Castle decodes the key lazily: a point off the curve fails only here
      throw new KeyMaterialException("certificate of " + party + ": public key does not decode", e);
    }
    return new PartyCertificate(certificate, party, pk.algorithm(), KeyId.ofCertificate(der), usesOf(certificate, pk.algorithm()), pk);
  }

  /**
   * Reads every certificate from a PEM file of at most 1 MiB (however large or endless the file).
   *
   * @throws KeyMaterialException if the file is unreadable, larger than 1 MiB, not PEM text (binary
   *     data, no PEM block), malformed, or has no party certificate
   */
  public static List<PartyCertificate> readPem(Path file) throws KeyMaterialException {
    try {
      return fromPem(BoundedRead.pemFile(file, Pkix.MAX_FILE_BYTES));
    } catch (BoundedRead.TooLargeException | BoundedRead.NotPemException e) {
      throw new KeyMaterialException(Objects.requireNonNullElse(e.getMessage(), e.getClass().getSimpleName()), e);
    } catch (IOException e) {
      throw new KeyMaterialException("cannot read " + file + ": " + KeyMaterialException.describe(e), e);
    } catch (KeyMaterialException e) {
      throw new KeyMaterialException(file + ": " + e.getMessage(), e);
    }
  }

  /** Reads every certificate from PEM text. */
  public static List<PartyCertificate> fromPem(String pem) throws KeyMaterialException {
    List<X509Certificate> certs;
    try {
      certs = Pkix.readPemCertificates(pem);
    } catch (IllegalArgumentException e) {
      throw new KeyMaterialException(Objects.requireNonNullElse(e.getMessage(), e.getClass().getSimpleName()), e);
    }
    List<PartyCertificate> out = new ArrayList<>();
    for (X509Certificate c : certs) {
      out.add(of(c));
    }
    return out;
  }

  /** Returns the PEM text of the given certificates, in order. */
  public static String toPem(Collection<PartyCertificate> certificates) {
    List<Object> list = new ArrayList<>();
    for (PartyCertificate c : certificates) {
      list.add(c.certificate);
    }
    return Pkix.toPem(list);
  }

  /**
   * Returns the certificate's party: the party id of its one subjectAltName URI {@code
   * urn:shulian:party:<PartyId>}, or null if it has none.
   *
   * @throws KeyMaterialException if the identity is ambiguous: more than one party id URI (equal or
   *     not), one spelled in another case (URNs compare case-insensitively, so another reader could
   *     take it for the party), an invalid party id, or a subject common name that is a different
   *     party id
   */
  static @Nullable PartyId partyOf(X509Certificate c) throws KeyMaterialException {
    Collection<List<?>> sans;
    try {
      sans = c.getSubjectAlternativeNames();
    } catch (CertificateParsingException e) {
      throw new KeyMaterialException("certificate subjectAltName is malformed", e);
    }
    if (sans == null) {
      return null;
    }
    PartyId party = null;
    int uris = 0;
    for (List<?> san : sans) {
      if (!Integer.valueOf(6).equals(san.get(0)) || !(san.get(1) instanceof String)) {
        continue;
      }
      String uri = (String) san.get(1);
      if (!uri.regionMatches(true, 0, PARTY_URI_PREFIX, 0, PARTY_URI_PREFIX.length())) {
        continue;
      }
      if (++uris > 1) {
        throw new KeyMaterialException("certificate " + c.getSubjectX500Principal().getName()
            + " carries more than one party id (subjectAltName URI " + PARTY_URI_PREFIX + "...); refused as ambiguous");
      }
      if (!uri.startsWith(PARTY_URI_PREFIX)) {
        throw new KeyMaterialException("certificate party id URI must be written " + PARTY_URI_PREFIX + "<party id>");
      }
      try {
        party = PartyId.parse(uri.substring(PARTY_URI_PREFIX.length()));
      } catch (IllegalArgumentException e) {
        throw new KeyMaterialException("certificate party id is invalid: " + e.getMessage(), e);
      }
    }
    if (party != null) {
      for (String cn : Pkix.subjectCommonNames(c)) {
        PartyId named;
        try {
          named = PartyId.parse(cn);
        } catch (IllegalArgumentException e) {
          continue; // a CN that is no party id (a host name, a department name) names no party
        }
        if (!named.equals(party)) {
          throw new KeyMaterialException("certificate subject names " + named + " but its party id is " + party
              + "; refused as ambiguous");
        }
      }
    }
    return party;
  }

  private static Set<KeyUse> usesOf(X509Certificate c, KeyAlgorithm alg) {
    Set<KeyUse> uses = EnumSet.noneOf(KeyUse.class);
    boolean[] ku = c.getKeyUsage();
    if (ku == null) {
      if (alg.canSign()) {
        uses.add(KeyUse.SIGN);
      }
      if (alg.canEncrypt()) {
        uses.add(KeyUse.ENCRYPT);
      }
      return uses;
    }
    if (ku.length > 0 && ku[0] && alg.canSign()) {
      uses.add(KeyUse.SIGN);
    }
    boolean keyEncipherment = ku.length > 2 && ku[2];
    boolean keyAgreement = ku.length > 4 && ku[4];
    if (alg.canEncrypt() && (keyAgreement || (alg == KeyAlgorithm.SM2 && keyEncipherment))) {
      uses.add(KeyUse.ENCRYPT);
    }
    try {
      List<String> eku = c.getExtendedKeyUsage();
      if (eku != null && (eku.contains("1.3.6.1.5.5.7.3.1") || eku.contains("1.3.6.1.5.5.7.3.2"))) {
        // a TLS certificate is for TLS only: its key never signs envelopes or receives them
        uses.clear();
        uses.add(KeyUse.TLS);
      }
    } catch (CertificateParsingException e) {
      // an unreadable EKU grants no TLS use
    }
    return uses;
  }

  public X509Certificate certificate() {
    return certificate;
  }

  public PartyId party() {
    return party;
  }

  public KeyAlgorithm algorithm() {
    return algorithm;
  }

  public Suite suite() {
    return algorithm.suite();
  }

  public KeyId keyId() {
    return keyId;
  }

  /** Returns the uses the certificate's key usage extensions allow. */
  public Set<KeyUse> uses() {
    return EnumSet.copyOf(uses.isEmpty() ? EnumSet.noneOf(KeyUse.class) : uses);
  }

  public boolean allows(KeyUse use) {
    return uses.contains(use);
  }

  public Instant notBefore() {
    return notBefore;
  }

  public Instant notAfter() {
    return notAfter;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof PartyCertificate && ((PartyCertificate) o).keyId.equals(keyId);
  }

  @Override
  public int hashCode() {
    return keyId.hashCode();
  }

  @Override
  public String toString() {
    return "PartyCertificate[" + party + ", " + algorithm + ", " + uses + ", kid=" + keyId + "]";
  }
}
