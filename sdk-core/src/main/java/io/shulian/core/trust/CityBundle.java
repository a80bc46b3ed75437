package io.shulian.core.trust;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shulian.core.internal.crypto.Pkix;
import io.shulian.core.internal.pki.BundleJws;
import io.shulian.core.keys.KeyMaterialException;
import io.shulian.core.keys.PartyCertificate;
import io.shulian.core.party.AdministrativeLevel;
import io.shulian.core.party.PartyId;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The signed city bundle: what the city data bureau publishes so that every gateway knows the
 * member parties, their endpoints and certificates, the CA certificates and the current CRL. JSON
 * in a compact JWS signed by the city root CA key (ES256 for INTL, the private {@code SM2-SM3} for
 * GM). The format is described in docs/trust.md; later issues add the catalog and policies under
 * {@code extensions} (each a JSON value kept verbatim, see {@link #extension}).
 *
 * <p>A {@code CityBundle} exists only after its signature, size, nesting, fields and validity
 * were checked ({@link #verify}); {@link BundleHolder} adds rollback protection. Immutable.
 */
public final class CityBundle {
  /** Largest bundle accepted, checked before any parsing. */
  public static final int MAX_BUNDLE_BYTES = 8 << 20;
  /** Deepest JSON nesting accepted (the core fields need 4; the rest is for extensions). */
  public static final int MAX_DEPTH = 16;
  /** The format number this code writes and reads. */
  public static final int FORMAT = 1;
  private static final Set<String> TOP = Set.of(
      "format", "version", "issuedAt", "validUntil", "parties", "caCertificates", "crl", "extensions");
  private static final Set<String> MEMBER = Set.of("party", "name", "level", "endpoint", "certificates");
  /** Extension names: what {@link Draft#extension} writes is what {@link #verify} reads. */
  private static final java.util.regex.Pattern EXTENSION_NAME = java.util.regex.Pattern.compile("[a-z][a-zA-Z0-9-]{0,63}");
  private static final ObjectMapper JSON = mapper();

  private final long version;
  private final Instant issuedAt;
  private final Instant validUntil;
  private final List<Member> parties;
  private final List<X509Certificate> caCertificates;
  private final X509CRL crl;
  private final Map<String, String> extensions;
  private final byte[] payload;

  private CityBundle(long version, Instant issuedAt, Instant validUntil, List<Member> parties,
      List<X509Certificate> caCertificates, X509CRL crl, Map<String, String> extensions, byte[] payload) {
    this.version = version;
    this.issuedAt = issuedAt;
    this.validUntil = validUntil;
    this.parties = List.copyOf(parties);
    this.caCertificates = List.copyOf(caCertificates);
    this.crl = crl;
    this.extensions = Map.copyOf(extensions);
    this.payload = payload;
  }

  private static ObjectMapper mapper() {
    JsonFactory f = JsonFactory.builder()
        .streamReadConstraints(StreamReadConstraints.builder()
            .maxNestingDepth(MAX_DEPTH)
            .maxStringLength(1 << 20)
            .maxNumberLength(20)
            .build())
        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .build();
    ObjectMapper m = new ObjectMapper(f);
    m.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    m.enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);
    // exact decimals: a double would turn 1e400 into the string "Infinity" and 1e-400 into 0.0
    m.enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    m.disable(JsonParser.Feature.ALLOW_COMMENTS);
    return m;
  }

  /** One member party: id, display name, level, gateway endpoint and certificates. */
  public static final class Member {
    private final PartyId party;
    private final String name;
    private final @Nullable URI endpoint;
    private final List<PartyCertificate> certificates;

    private Member(PartyId party, String name, @Nullable URI endpoint, List<PartyCertificate> certificates) {
      this.party = party;
      this.name = name;
      this.endpoint = endpoint;
      this.certificates = List.copyOf(certificates);
    }

    /**
     * Creates a member; every certificate must name {@code party}.
     *
     * @param endpoint the gateway URL (https), or null for a party that embeds the SDK only
     * @throws IllegalArgumentException for a certificate of another party, an empty name or a
     *     non-https endpoint
     */
    public static Member of(PartyId party, String name, @Nullable URI endpoint, List<PartyCertificate> certificates) {
      Objects.requireNonNull(party, "party");
      if (name.isBlank() || name.length() > 200) {
        throw new IllegalArgumentException("member name of " + party + " must have 1 to 200 characters");
      }
      if (endpoint != null && (!"https".equals(endpoint.getScheme()) || endpoint.getHost() == null)) {
        throw new IllegalArgumentException("endpoint of " + party + " must be an https URL with a host, got " + endpoint);
      }
      for (PartyCertificate c : certificates) {
        if (!c.party().equals(party)) {
          throw new IllegalArgumentException("certificate " + c.keyId() + " names " + c.party() + ", not member " + party);
        }
      }
      return new Member(party, name, endpoint, certificates);
    }

    public PartyId party() {
      return party;
    }

    public String name() {
      return name;
    }

    /** The administrative level, from the party id's division code. */
    public AdministrativeLevel level() {
      return party.level();
    }

    public Optional<URI> endpoint() {
      return Optional.ofNullable(endpoint);
    }

    public List<PartyCertificate> certificates() {
      return certificates;
    }

    @Override
    public String toString() {
      return "Member[" + party + ", " + name + ", " + certificates.size() + " certificates]";
    }
  }

  // ---- accessors -------------------------------------------------------------------------

  /** The bundle version: a holder never goes back to a lower one. */
  public long version() {
    return version;
  }

  public Instant issuedAt() {
    return issuedAt;
  }

  public Instant validUntil() {
    return validUntil;
  }

  public List<Member> parties() {
    return parties;
  }

  public Optional<Member> member(PartyId party) {
    return parties.stream().filter(m -> m.party.equals(party)).findFirst();
  }

  public List<X509Certificate> caCertificates() {
    return caCertificates;
  }

  public X509CRL crl() {
    return crl;
  }

  /** The names of the extensions present (e.g. {@code catalog}, {@code policies}). */
  public Set<String> extensionNames() {
    return extensions.keySet();
  }

  /** Returns an extension's JSON text, verbatim as signed (re-serialised compactly). */
  public Optional<String> extension(String name) {
    return Optional.ofNullable(extensions.get(name));
  }

  /** Returns true if this bundle's signed JSON equals the other's. */
  public boolean sameContentAs(CityBundle other) {
    return java.security.MessageDigest.isEqual(payload, other.payload);
  }

  /**
   * Returns the trust this bundle establishes: chains to {@code roots} (the bundle's own CA
   * certificates serve only as intermediates, never as roots), its CRL, its members' certificates.
   *
   * @throws TrustException BAD_TRUST_MATERIAL if the CRL is not signed by a trusted CA
   */
  public CityTrust trust(Collection<X509Certificate> roots, Duration crlGracePeriod) throws TrustException {
    List<PartyCertificate> all = new ArrayList<>();
    for (Member m : parties) {
      all.addAll(m.certificates);
    }
    return CityTrust.builder()
        .roots(roots)
        .caCertificates(caCertificates)
        .crls(List.of(crl))
        .partyCertificates(all)
        .crlGracePeriod(crlGracePeriod)
        .build();
  }

  @Override
  public String toString() {
    return "CityBundle[v" + version + ", issued " + issuedAt + ", valid until " + validUntil + ", "
        + parties.size() + " parties, extensions " + extensions.keySet() + "]";
  }

  // ---- signing ---------------------------------------------------------------------------

  public static Draft draft() {
    return new Draft();
  }

  /** The content of a bundle before the CA signs it. */
  public static final class Draft {
    private long version = -1;
    private @Nullable Instant issuedAt;
    private @Nullable Instant validUntil;
    private final List<Member> parties = new ArrayList<>();
    private final List<X509Certificate> caCertificates = new ArrayList<>();
    private @Nullable X509CRL crl;
    private final Map<String, JsonNode> extensions = new LinkedHashMap<>();

    private Draft() {}

    /** The version, at least 1; each published bundle must have a higher one than the last. */
    public Draft version(long v) {
      if (v < 1) {
        throw new IllegalArgumentException("bundle version must be at least 1, got " + v);
      }
      version = v;
      return this;
    }

    public Draft validity(Instant issued, Instant until) {
      if (!until.isAfter(issued)) {
        throw new IllegalArgumentException("valid-until " + until + " must be after issued-at " + issued);
      }
      issuedAt = issued;
      validUntil = until;
      return this;
    }

    public Draft member(Member m) {
      for (Member x : parties) {
        if (x.party.equals(m.party)) {
          throw new IllegalArgumentException("party " + m.party + " is listed twice");
        }
      }
      parties.add(m);
      return this;
    }

    /** CA certificates besides the root that signs (which is always included). */
    public Draft caCertificate(X509Certificate c) {
      caCertificates.add(c);
      return this;
    }

    public Draft crl(X509CRL c) {
      crl = c;
      return this;
    }

    /**
     * Adds an extension (the catalog, policies, ...) as JSON text.
     *
     * @throws IllegalArgumentException if the name is a core field or taken, or the text is not JSON
     */
    public Draft extension(String name, String json) {
      if (!EXTENSION_NAME.matcher(name).matches() || extensions.containsKey(name)) {
        throw new IllegalArgumentException("extension name '" + name + "' is invalid or used twice");
      }
      try {
        extensions.put(name, JSON.readTree(json));
      } catch (IOException e) {
        throw new IllegalArgumentException("extension '" + name + "' is not valid JSON within the limits");
      }
      return this;
    }

    /**
     * Signs the bundle with the CA key and returns the compact JWS.
     *
     * @throws IllegalStateException if version, validity or CRL is missing
     */
    public String sign(CityAuthority ca) {
      if (version < 1 || issuedAt == null || validUntil == null || crl == null) {
        throw new IllegalStateException("a bundle needs a version, a validity and a CRL");
      }
      ObjectNode n = JSON.createObjectNode();
      n.put("format", FORMAT);
      n.put("version", version);
      n.put("issuedAt", issuedAt.toString());
      n.put("validUntil", validUntil.toString());
      ArrayNode ps = n.putArray("parties");
      for (Member m : parties) {
        ObjectNode o = ps.addObject();
        o.put("party", m.party.toString());
        o.put("name", m.name);
        o.put("level", m.party.level().name());
        if (m.endpoint != null) {
          o.put("endpoint", m.endpoint.toString());
        }
        ArrayNode cs = o.putArray("certificates");
        for (PartyCertificate c : m.certificates) {
          cs.add(PartyCertificate.toPem(List.of(c)));
        }
      }
      ArrayNode cas = n.putArray("caCertificates");
      cas.add(ca.rootPem());
      for (X509Certificate c : caCertificates) {
        if (!c.equals(ca.root())) {
          cas.add(Pkix.toPem(List.of(c)));
        }
      }
      n.put("crl", CityAuthority.toPem(crl));
      ObjectNode ext = n.putObject("extensions");
      extensions.forEach(ext::set);
      byte[] payload;
      try {
        payload = JSON.writeValueAsBytes(n);
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
      return ca.signJws(payload);
    }
  }

  // ---- verification ----------------------------------------------------------------------

  /**
   * Verifies a bundle: size, JWS signature under one of {@code roots}, JSON limits and fields, and
   * that {@code now} lies within [issuedAt - 5 min, validUntil + grace].
   *
   * @throws BundleException with the reason
   */
  public static CityBundle verify(byte[] jws, Collection<X509Certificate> roots, Instant now, Duration grace)
      throws BundleException {
    if (jws.length > MAX_BUNDLE_BYTES) {
      throw new BundleException(BundleException.Reason.TOO_LARGE,
          "bundle has " + jws.length + " bytes, over the limit of " + MAX_BUNDLE_BYTES);
    }
    String compact = new String(jws, StandardCharsets.US_ASCII).trim();
    if (!compact.matches("[A-Za-z0-9_.-]+")) {
      throw new BundleException(BundleException.Reason.MALFORMED, "bundle is not a compact JWS");
    }
    byte[] payload = null;
    String lastError = "no trusted root given";
    for (X509Certificate r : roots) {
      try {
        payload = BundleJws.verify(compact, r);
        break;
      } catch (BundleJws.JwsException e) {
        lastError = e.getMessage();
      }
    }
    if (payload == null) {
      BundleException.Reason reason = lastError.startsWith("not a compact JWS")
          ? BundleException.Reason.MALFORMED : BundleException.Reason.BAD_SIGNATURE;
      throw new BundleException(reason, "bundle refused: " + lastError);
    }
    CityBundle b = parse(payload);
    if (now.isBefore(b.issuedAt.minus(Duration.ofMinutes(5)))) {
      throw new BundleException(BundleException.Reason.NOT_YET_VALID, "bundle v" + b.version + " is issued in the future (" + b.issuedAt + ")");
    }
    if (now.isAfter(b.validUntil.plus(grace))) {
      throw new BundleException(BundleException.Reason.EXPIRED,
          "bundle v" + b.version + " expired at " + b.validUntil + " (grace period " + grace + " is over)");
    }
    return b;
  }

  private static CityBundle parse(byte[] payload) throws BundleException {
    JsonNode root;
    try {
      root = JSON.readTree(payload);
    } catch (com.fasterxml.jackson.core.exc.StreamConstraintsException e) {
      throw malformed("bundle JSON exceeds limits (nesting deeper than " + MAX_DEPTH + " or a value too long)");
    } catch (IOException e) {
      throw malformed("bundle is not valid JSON (or has duplicate keys)");
    }
    if (!(root instanceof ObjectNode)) {
      throw malformed("bundle JSON is not an object");
    }
    for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!TOP.contains(f)) {
        throw malformed("unknown bundle field '" + f + "' (new content goes under 'extensions')");
      }
    }
    if (root.path("format").asInt(-1) != FORMAT) {
      throw malformed("bundle format is not " + FORMAT);
    }
    JsonNode v = root.path("version");
    if (!v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < 1) {
      throw malformed("bundle version must be a positive integer");
    }
    Instant issued = instant(root, "issuedAt");
    Instant until = instant(root, "validUntil");
    if (!until.isAfter(issued)) {
      throw malformed("bundle validUntil is not after issuedAt");
    }
    List<Member> members = new ArrayList<>();
    JsonNode ps = root.path("parties");
    if (!ps.isArray()) {
      throw malformed("bundle 'parties' must be an array");
    }
    Set<PartyId> listed = new java.util.HashSet<>();
    for (JsonNode p : ps) {
      Member m = member(p);
      if (!listed.add(m.party)) {
        throw malformed("party " + m.party + " is listed twice");
      }
      members.add(m);
    }
    List<X509Certificate> cas = new ArrayList<>();
    JsonNode cs = root.path("caCertificates");
    if (!cs.isArray() || cs.isEmpty()) {
      throw malformed("bundle 'caCertificates' must be a non-empty array");
    }
    for (JsonNode c : cs) {
      try {
        cas.addAll(Pkix.readPemCertificates(text(c, "caCertificates[]")));
      } catch (IllegalArgumentException e) {
        throw malformed("bundle CA certificate: " + e.getMessage());
      }
    }
    X509CRL crl;
    try {
      List<X509CRL> crls = io.shulian.core.internal.pki.Pki.readPemCrls(text(root.path("crl"), "crl"));
      if (crls.size() != 1) {
        throw malformed("bundle 'crl' must hold exactly one CRL");
      }
      crl = crls.get(0);
    } catch (IllegalArgumentException e) {
      throw malformed("bundle CRL: " + e.getMessage());
    }
    Map<String, String> ext = new LinkedHashMap<>();
    JsonNode e = root.path("extensions");
    if (!e.isMissingNode()) {
      if (!e.isObject()) {
        throw malformed("bundle 'extensions' must be an object");
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = e.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> x = it.next();
        if (!EXTENSION_NAME.matcher(x.getKey()).matches()) {
          throw malformed("extension name '" + x.getKey() + "' is invalid (a letter a-z, then up to 63 letters, digits or '-')");
        }
        ext.put(x.getKey(), x.getValue().toString());
      }
    }
    return new CityBundle(v.asLong(), issued, until, members, cas, crl, ext, payload);
  }

  private static Member member(JsonNode p) throws BundleException {
    if (!p.isObject()) {
      throw malformed("each party must be an object");
    }
    for (Iterator<String> it = p.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!MEMBER.contains(f)) {
        throw malformed("unknown party field '" + f + "'");
      }
    }
    PartyId id;
    try {
      id = PartyId.parse(text(p.path("party"), "party"));
    } catch (IllegalArgumentException e) {
      throw malformed("party id: " + e.getMessage());
    }
    if (p.has("level") && !id.level().name().equals(p.path("level").asText())) {
      throw malformed("level of " + id + " is " + id.level() + ", not " + p.path("level").asText());
    }
    URI endpoint = null;
    if (p.has("endpoint")) {
      try {
        endpoint = new URI(text(p.path("endpoint"), "endpoint"));
      } catch (URISyntaxException e) {
        throw malformed("endpoint of " + id + " is not a URL");
      }
    }
    List<PartyCertificate> certs = new ArrayList<>();
    JsonNode cs = p.path("certificates");
    if (!cs.isArray()) {
      throw malformed("certificates of " + id + " must be an array");
    }
    for (JsonNode c : cs) {
      try {
        certs.addAll(PartyCertificate.fromPem(text(c, "certificates[]")));
      } catch (KeyMaterialException e) {
        throw malformed("certificate of " + id + ": " + e.getMessage());
      }
    }
    try {
      return Member.of(id, text(p.path("name"), "name"), endpoint, certs);
    } catch (IllegalArgumentException e) {
      throw malformed(e.getMessage());
    }
  }

  private static String text(JsonNode n, String field) throws BundleException {
    if (!n.isTextual()) {
      throw malformed("bundle field '" + field + "' must be a string");
    }
    return n.asText();
  }

  private static Instant instant(JsonNode root, String field) throws BundleException {
    try {
      return Instant.parse(text(root.path(field), field));
    } catch (DateTimeParseException e) {
      throw malformed("bundle field '" + field + "' is not an ISO-8601 instant");
    }
  }

  private static BundleException malformed(String m) {
    return new BundleException(BundleException.Reason.MALFORMED, m);
  }
}
