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
import io.shulian.core.internal.jwt.SignedToken;
import io.shulian.core.internal.pki.BundleJws;
import io.shulian.core.keys.KeyMaterialException;
import io.shulian.core.keys.PartyCertificate;
import io.shulian.core.party.AdministrativeLevel;
import io.shulian.core.party.PartyId;
import io.shulian.core.policy.Grant;
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
  /** The extension that lists revoked grants (see {@link RevokedGrant}). */
  public static final String GRANT_REVOCATIONS = "grantRevocations";
  /** The extension that lists the incident actions in force (see {@link Incidents}). */
  public static final String INCIDENTS = "incidents";
  /** Most revoked grants one bundle may list. */
  public static final int MAX_REVOKED_GRANTS = 100_000;
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
  private final List<RevokedGrant> revokedGrants;
  private final Set<String> revokedGrantKeys;
  private final Incidents incidents;
  private final byte[] payload;

  private CityBundle(long version, Instant issuedAt, Instant validUntil, List<Member> parties,
      List<X509Certificate> caCertificates, X509CRL crl, Map<String, String> extensions,
      List<RevokedGrant> revokedGrants, Incidents incidents, byte[] payload) {
    this.version = version;
    this.issuedAt = issuedAt;
    this.validUntil = validUntil;
    this.parties = List.copyOf(parties);
    this.caCertificates = List.copyOf(caCertificates);
    this.crl = crl;
    this.extensions = Map.copyOf(extensions);
    this.revokedGrants = List.copyOf(revokedGrants);
    Set<String> keys = new java.util.HashSet<>();
    for (RevokedGrant g : revokedGrants) {
      keys.add(g.grantKey());
    }
    this.revokedGrantKeys = Set.copyOf(keys);
    this.incidents = incidents;
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

  /**
   * The bundle version: a holder never goes back to a lower one. It is at most the bundle's
   * {@link #issuedAt} in milliseconds since 1970 (so a version from a clock, or a counter, both
   * work), which keeps every later bundle able to go higher: a bundle signed with version
   * 2<sup>63</sup>−1 would have blocked every update for good.
   */
  public long version() {
    return version;
  }

  /** Returns the revoked grants this bundle lists (its {@value #GRANT_REVOCATIONS} extension). */
  public List<RevokedGrant> revokedGrants() {
    return revokedGrants;
  }

  /**
   * Returns true if this bundle lists the grant as revoked.
   *
   * @param grantKey the grant's issuer and id as {@code <issuer party id>#<grant id>} (the form of
   *     {@code Grant.key()})
   */
  public boolean isGrantRevoked(String grantKey) {
    return revokedGrantKeys.contains(grantKey);
  }

  /** Returns the incident actions in force (its {@value #INCIDENTS} extension; none if absent). */
  public Incidents incidents() {
    return incidents;
  }

  /**
   * Returns a draft with this bundle's content — parties, CA certificates, extensions, revoked
   * grants, incidents — to change and sign as a new bundle; version, validity and CRL are not
   * copied (a new bundle needs its own).
   */
  public Draft toDraft() {
    Draft d = new Draft();
    parties.forEach(d::member);
    caCertificates.forEach(d::caCertificate);
    extensions.forEach((name, json) -> {
      if (!GRANT_REVOCATIONS.equals(name) && !INCIDENTS.equals(name)) {
        d.extension(name, json);
      }
    });
    revokedGrants.forEach(d::revokeGrant);
    d.incidents(incidents);
    return d;
  }

  /** Returns the SHA-256 of the signed JSON, in hex (what a rollback floor records). */
  String payloadSha256() {
    try {
      return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(payload));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
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
        + parties.size() + " parties, extensions " + extensions.keySet()
        + (revokedGrants.isEmpty() ? "" : ", " + revokedGrants.size() + " revoked grants") + "]";
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
    private final Map<String, RevokedGrant> revokedGrants = new LinkedHashMap<>();
    private Incidents incidents = Incidents.none();

    private Draft() {}

    /** The incident actions in force (the {@value #INCIDENTS} extension; written only if not empty). */
    public Draft incidents(Incidents i) {
      incidents = Objects.requireNonNull(i, "i");
      return this;
    }

    /** The incident actions this draft carries so far. */
    public Incidents incidents() {
      return incidents;
    }

    /** Removes a grant from the revoked list, by {@link RevokedGrant#grantKey()}; true if it was listed. */
    public boolean unrevokeGrant(String grantKey) {
      return revokedGrants.remove(grantKey) != null;
    }

    /**
     * The version, at least 1 and at most the issue time in milliseconds since 1970 (checked when
     * signing); each published bundle must have a higher one than the last.
     */
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
      JsonNode n;
      try {
        n = JSON.readTree(json);
      } catch (IOException e) {
        throw new IllegalArgumentException("extension '" + name + "' is not valid JSON within the limits");
      }
      if (GRANT_REVOCATIONS.equals(name)) {
        // checked now, with the same reader as verification: a bundle with a bad list is never signed
        for (RevokedGrant g : RevokedGrant.fromJson(n)) {
          revokeGrant(g);
        }
        return this;
      }
      if (INCIDENTS.equals(name)) {
        incidents = Incidents.fromJson(n);
        return this;
      }
      extensions.put(name, n);
      return this;
    }

    /**
     * Removes an extension (to replace it with {@link #extension}); the revoked grants and incidents
     * are changed through their own methods.
     *
     * @return whether the draft had it
     */
    public boolean removeExtension(String name) {
      return extensions.remove(name) != null;
    }

    /** Lists a grant as revoked (the {@value #GRANT_REVOCATIONS} extension); a repeated grant is listed once. */
    public Draft revokeGrant(RevokedGrant g) {
      revokedGrants.putIfAbsent(g.grantKey(), Objects.requireNonNull(g, "g"));
      if (revokedGrants.size() > MAX_REVOKED_GRANTS) {
        throw new IllegalArgumentException("a bundle lists at most " + MAX_REVOKED_GRANTS + " revoked grants");
      }
      return this;
    }

    /**
     * Signs the bundle with the CA key and returns the compact JWS.
     *
     * @throws IllegalStateException if version, validity or CRL is missing, or the version is
     *     above the issue time in milliseconds since 1970
     */
    public String sign(CityAuthority ca) {
      if (version < 1 || issuedAt == null || validUntil == null || crl == null) {
        throw new IllegalStateException("a bundle needs a version, a validity and a CRL");
      }
      if (version > maxVersion(issuedAt)) {
        throw new IllegalStateException(versionTooHigh(version, issuedAt));
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
      if (!revokedGrants.isEmpty()) {
        ext.set(GRANT_REVOCATIONS, RevokedGrant.toJsonNode(revokedGrants.values()));
      }
      if (!incidents.isEmpty()) {
        ext.set(INCIDENTS, incidents.toJsonNode());
      }
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
        lastError = Objects.requireNonNullElse(e.getMessage(), e.getClass().getSimpleName());
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
    if (v.asLong() > maxVersion(issued)) {
      throw malformed(versionTooHigh(v.asLong(), issued));
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
    List<RevokedGrant> revoked = List.of();
    if (e.has(GRANT_REVOCATIONS)) {
      try {
        revoked = RevokedGrant.fromJson(e.get(GRANT_REVOCATIONS));
      } catch (IllegalArgumentException ex) {
        throw malformed("bundle extension '" + GRANT_REVOCATIONS + "': " + ex.getMessage());
      }
    }
    Incidents incidents = Incidents.none();
    if (e.has(INCIDENTS)) {
      try {
        incidents = Incidents.fromJson(e.get(INCIDENTS));
      } catch (IllegalArgumentException ex) {
        throw malformed("bundle extension '" + INCIDENTS + "': " + ex.getMessage());
      }
    }
    return new CityBundle(v.asLong(), issued, until, members, cas, crl, ext, revoked, incidents, payload);
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
      throw malformed(Objects.requireNonNullElse(e.getMessage(), e.getClass().getSimpleName()));
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

  /** The highest version a bundle issued at {@code issuedAt} may carry: its issue time in milliseconds. */
  static long maxVersion(Instant issuedAt) {
    return issuedAt.toEpochMilli();
  }

  static String versionTooHigh(long version, Instant issuedAt) {
    return "bundle version " + version + " is above the highest allowed for a bundle issued at " + issuedAt + " ("
        + maxVersion(issuedAt) + ", the issue time in milliseconds since 1970): no later bundle could replace it";
  }

  /**
   * A grant listed as revoked in the city bundle: the issuing party and the grant id ({@code jti}),
   * optionally until when the listing is needed (the grant's expiry; after it the grant is refused
   * anyway) and why. JSON: {@code {"issuer": "...", "grant": "...", "until": "2026-12-01T00:00:00Z",
   * "reason": "..."}}. Immutable.
   */
  public static final class RevokedGrant {
    private static final Set<String> FIELDS = Set.of("issuer", "grant", "until", "reason");

    private final PartyId issuer;
    private final String grantId;
    private final @Nullable Instant until;
    private final @Nullable String reason;

    private RevokedGrant(PartyId issuer, String grantId, @Nullable Instant until, @Nullable String reason) {
      this.issuer = issuer;
      this.grantId = grantId;
      this.until = until;
      this.reason = reason;
    }

    /**
     * Creates an entry.
     *
     * @param grantId 1-128 printable ASCII characters, as grant ids are
     * @param until when the grant expires (null: unknown, listed until removed)
     * @param reason at most 200 characters, no control characters (null: none given)
     * @throws IllegalArgumentException naming the bad value
     */
    public static RevokedGrant of(PartyId issuer, String grantId, @Nullable Instant until, @Nullable String reason) {
      Objects.requireNonNull(issuer, "issuer");
      if (grantId.isEmpty() || grantId.length() > 128 || !grantId.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
        throw new IllegalArgumentException("grant id must be 1-128 printable ASCII characters");
      }
      if (reason != null && (reason.length() > 200 || reason.chars().anyMatch(Character::isISOControl))) {
        throw new IllegalArgumentException("revocation reason must have at most 200 characters and no control characters");
      }
      return new RevokedGrant(issuer, grantId, until, reason);
    }

    /**
     * Creates the entry that revokes the grant {@code token} names: its issuer ({@code iss}), id
     * ({@code jti}) and expiry ({@code exp}). The token's signature is not checked: listing a
     * forged token's id revokes nothing real, and the bureau that signs the bundle decides.
     *
     * @param token a grant token (compact JWS of type {@code shulian-grant+jwt}), at most {@code
     *     Grant.MAX_TOKEN_CHARS} characters
     * @throws IllegalArgumentException if it is not a grant token or names no issuer and id
     */
    public static RevokedGrant ofToken(String token, @Nullable String reason) {
      Map<String, Object> claims;
      try {
        claims = SignedToken.parse(token, Grant.TOKEN_TYPE).claims();
      } catch (SignedToken.TokenException e) {
        throw new IllegalArgumentException("not a grant token: " + e.getMessage(), e);
      }
      if (!(claims.get("iss") instanceof String) || !(claims.get("jti") instanceof String)) {
        throw new IllegalArgumentException("not a grant token: it has no 'iss' and 'jti'");
      }
      PartyId from;
      try {
        from = PartyId.parse((String) claims.get("iss"));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("issuer: " + e.getMessage(), e);
      }
      Object exp = claims.get("exp");
      Instant expires = exp instanceof java.util.Date ? ((java.util.Date) exp).toInstant()
          : exp instanceof Number ? Instant.ofEpochSecond(((Number) exp).longValue()) : null;
      return of(from, (String) claims.get("jti"), expires, reason);
    }

    public PartyId issuer() {
      return issuer;
    }

    public String grantId() {
      return grantId;
    }

    /** When the revoked grant expires, if known: after it the entry may be dropped. */
    public Optional<Instant> until() {
      return Optional.ofNullable(until);
    }

    public Optional<String> reason() {
      return Optional.ofNullable(reason);
    }

    /** The grant's issuer and id as {@code <issuer>#<grant id>}, the form of {@code Grant.key()}. */
    public String grantKey() {
      return issuer + "#" + grantId;
    }

    /**
     * Parses a JSON array of entries, strictly: only the four members, issuer and grant required,
     * at most {@link #MAX_REVOKED_GRANTS} entries, duplicate keys refused.
     *
     * @throws IllegalArgumentException naming the first problem
     */
    public static List<RevokedGrant> parseList(byte[] json) {
      JsonNode n;
      try {
        n = JSON.readTree(json);
      } catch (IOException e) {
        throw new IllegalArgumentException("not valid JSON within the limits (nesting, size, duplicate keys)");
      }
      return fromJson(n);
    }

    /** Writes entries as the JSON array {@link #parseList} reads. */
    public static String toJson(java.util.Collection<RevokedGrant> grants) {
      return toJsonNode(grants).toString();
    }

    static ArrayNode toJsonNode(java.util.Collection<RevokedGrant> grants) {
      ArrayNode a = JSON.createArrayNode();
      for (RevokedGrant g : grants) {
        ObjectNode o = a.addObject();
        o.put("issuer", g.issuer.toString());
        o.put("grant", g.grantId);
        if (g.until != null) {
          o.put("until", g.until.toString());
        }
        if (g.reason != null) {
          o.put("reason", g.reason);
        }
      }
      return a;
    }

    static List<RevokedGrant> fromJson(@Nullable JsonNode n) {
      if (n == null || !n.isArray()) {
        throw new IllegalArgumentException("revoked grants must be a JSON array of {issuer, grant, until, reason}");
      }
      if (n.size() > MAX_REVOKED_GRANTS) {
        throw new IllegalArgumentException("at most " + MAX_REVOKED_GRANTS + " revoked grants, got " + n.size());
      }
      List<RevokedGrant> out = new ArrayList<>(n.size());
      int i = 0;
      for (JsonNode e : n) {
        String at = "revoked grant [" + i++ + "]: ";
        if (!e.isObject()) {
          throw new IllegalArgumentException(at + "must be an object");
        }
        for (Iterator<String> it = e.fieldNames(); it.hasNext(); ) {
          String f = it.next();
          if (!FIELDS.contains(f)) {
            throw new IllegalArgumentException(at + "unknown member '" + f + "' (allowed: issuer, grant, until, reason)");
          }
        }
        if (!e.path("issuer").isTextual() || !e.path("grant").isTextual()) {
          throw new IllegalArgumentException(at + "'issuer' and 'grant' are required strings");
        }
        Instant until = null;
        if (e.has("until")) {
          if (!e.get("until").isTextual()) {
            throw new IllegalArgumentException(at + "'until' must be an ISO-8601 instant");
          }
          try {
            until = Instant.parse(e.get("until").asText());
          } catch (DateTimeParseException ex) {
            throw new IllegalArgumentException(at + "'until' must be an ISO-8601 instant");
          }
        }
        if (e.has("reason") && !e.get("reason").isTextual()) {
          throw new IllegalArgumentException(at + "'reason' must be a string");
        }
        try {
          out.add(of(PartyId.parse(e.get("issuer").asText()), e.get("grant").asText(), until,
              e.has("reason") ? e.get("reason").asText() : null));
        } catch (IllegalArgumentException ex) {
          throw new IllegalArgumentException(at + ex.getMessage());
        }
      }
      return out;
    }

    @Override
    public boolean equals(@Nullable Object o) {
      return o instanceof RevokedGrant && ((RevokedGrant) o).grantKey().equals(grantKey());
    }

    @Override
    public int hashCode() {
      return grantKey().hashCode();
    }

    @Override
    public String toString() {
      return "RevokedGrant[" + grantKey() + (until == null ? "" : " until " + until) + "]";
    }
  }
}
