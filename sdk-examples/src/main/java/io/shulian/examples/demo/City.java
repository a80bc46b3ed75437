package io.shulian.examples.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.shulian.core.audit.AuditLog;
import io.shulian.core.catalog.Catalog;
import io.shulian.core.keys.PartyCertificate;
import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.keys.Suite;
import io.shulian.core.policy.Grant;
import io.shulian.core.policy.GrantIssuer;
import io.shulian.core.policy.PolicySet;
import io.shulian.core.trust.CityAuthority;
import io.shulian.core.trust.CityBundle;
import io.shulian.gateway.Gateway;
import io.shulian.gateway.audit.AuditLogAuditor;
import io.shulian.gateway.authenticate.ApiKeys;
import io.shulian.gateway.config.ConfigLoader;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Builds the demo city in a work directory, the way a city data bureau and its departments would:
 * root CAs, department keys and certificates, catalog and policies, a grant, the signed city
 * bundle, the departments' systems and one gateway per department started from a YAML file.
 *
 * <p>Everything is real: the gateways are the production {@link Gateway} started through
 * {@link ConfigLoader} from the files written here, exactly as {@code shulian gateway --config}
 * starts them.
 */
final class City implements AutoCloseable {
  static final Duration CERT_VALIDITY = Duration.ofDays(365);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ObjectMapper YAML =
      new ObjectMapper(new YAMLFactory().disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER));

  /** One running gateway with what the demo needs to talk to it and check its audit log. */
  record RunningGateway(String name, Path dir, PartyIdentity identity, Gateway gateway, AuditLog audit) {
    URI consumerUrl() {
      return URI.create("http://127.0.0.1:" + gateway.address("consumer").getPort());
    }
  }

  final Path dir;
  final char[] password;
  final Backends backends = new Backends(20261126L);
  private List<CityAuthority> authorities = List.of();
  final Map<String, PartyIdentity> intl = new LinkedHashMap<>();
  final Map<String, PartyIdentity> gm = new LinkedHashMap<>();
  final Map<String, RunningGateway> gateways = new LinkedHashMap<>();
  /** API key of each consumer department's app (the gateway stores only its SHA-256). */
  final Map<String, String> apiKeys = new LinkedHashMap<>();
  String grant = "";
  /** Secret of the providers' keyed-hash masks: $SHULIAN_MASK_KEY, else random for this run. */
  final String maskKey = maskKey();
  URI housingEndpoint = URI.create("https://127.0.0.1");
  URI housingGmEndpoint = URI.create("https://127.0.0.1");
  URI provinceEndpoint = URI.create("https://127.0.0.1");
  /** The city data bureau's hub; started after the bundles are signed, before the gateways. */
  private @Nullable CityHub hub;

  /** Size of the provincial pension extract (the return-flow data set), in bytes before masking. */
  final long extractBytes;

  private City(Path dir, char[] password, long extractBytes) {
    this.dir = dir;
    this.password = password;
    this.extractBytes = extractBytes;
  }

  /**
   * Creates the city in {@code dir} (which must be empty or absent) and starts every gateway; the
   * provincial system's pension extract is at least {@code extractBytes} bytes.
   */
  static City build(Path dir, char[] password, long extractBytes) throws Exception {
    City c = new City(dir, password, extractBytes);
    try {
      c.issueIdentities();
      c.writeCatalogAndGrant();
      c.signBundles();
      c.startHub();
      c.startGateways();
      return c;
    } catch (Exception | Error e) {
      c.close();
      throw e;
    }
  }

  /** Step a: one root CA per suite, and keys plus certificates (sign, encrypt, tls) per department. */
  private void issueIdentities() throws IOException {
    Clock clock = Clock.systemUTC();
    CityAuthority intlCa = CityAuthority.init(Suite.INTL, "Demo City Data Bureau Root CA", dir.resolve("ca/intl"),
        password, Duration.ofDays(3650), clock);
    CityAuthority gmCa = CityAuthority.init(Suite.GM, "Demo City Data Bureau Root CA (GM)", dir.resolve("ca/gm"),
        password, Duration.ofDays(3650), clock);
    for (CityParty p : CityParty.ALL) {
      intl.put(p.role(), issue(intlCa, p, partyDir(p, Suite.INTL)));
    }
    // the GM pair: the housing bureau and the district office also hold SM2 identities
    for (CityParty p : List.of(CityParty.HOUSING, CityParty.DISTRICT)) {
      gm.put(p.role(), issue(gmCa, p, partyDir(p, Suite.GM)));
    }
    authorities = List.of(intlCa, gmCa);
  }

  Path partyDir(CityParty p, Suite suite) {
    Path d = dir.resolve("parties").resolve(p.role());
    return suite == Suite.GM ? d.resolve("gm") : d;
  }

  private PartyIdentity issue(CityAuthority ca, CityParty p, Path to) throws IOException {
    PartyIdentity id = ca.issue(p.id(), true, CERT_VALIDITY);
    if (ca.suite() == Suite.GM) {
      // Keep only the leaf certificates in the key store's chains: peers hold the GM root already
      // (the gateway sends only its TLS leaf in the handshake in any case).
      try {
        id = id.withCertificates(id.certificates().stream().map(PartyCertificate::certificate).toList());
      } catch (io.shulian.core.keys.KeyMaterialException e) {
        throw new IllegalStateException(e);
      }
    }
    Files.createDirectories(to);
    id.store(to.resolve("key.p12"), password);
    PartyIdentity.writeAtomically(to.resolve("cert.pem"),
        PartyCertificate.toPem(id.certificates()).getBytes(StandardCharsets.US_ASCII));
    return id;
  }

  /** Step b: catalog, policies (checked by the real parsers before use) and the housing bureau's grant. */
  private void writeCatalogAndGrant() throws Exception {
    Files.writeString(dir.resolve("catalog.yaml"), CityDocuments.catalog());
    Files.writeString(dir.resolve("policies.yaml"), CityDocuments.policies());
    Catalog catalog = Catalog.parse("catalog.yaml", CityDocuments.catalog().getBytes(StandardCharsets.UTF_8));
    PolicySet.parse(catalog, "policies.yaml", CityDocuments.policies().getBytes(StandardCharsets.UTF_8));

    // the housing bureau approves civil affairs' application: name, ID number and balance, 30 days
    Instant now = Instant.now();
    grant = GrantIssuer.of(Objects.requireNonNull(intl.get(CityParty.HOUSING.role()))).issue(Grant.builder()
        .id("HZ-2026-0042")
        .issuer(CityParty.HOUSING.id())
        .consumer(CityParty.CIVIL_AFFAIRS.id())
        .resource(CityDocuments.PROVIDENT_FUND)
        .fields(List.of("applicant.name", "applicant.idNumber", "balance"))
        .purpose("social-assistance-review")
        .validity(now.minusSeconds(60), now.plus(Duration.ofDays(30)))
        .maxUses(100)
        .build());
    Path grants = partyDir(CityParty.CIVIL_AFFAIRS, Suite.INTL).resolve("grants");
    Files.createDirectories(grants);
    Files.writeString(grants.resolve("provident-fund.jwt"), grant);
  }

  /**
   * Step b, continued: the signed city bundles (one per CA). Members carry their certificates and
   * the provider gateways' endpoints; the catalog and policies ride along as bundle extensions.
   * The source is written beside each bundle ({@code shulian bundle sign} accepts it).
   */
  private void signBundles() throws Exception {
    housingEndpoint = URI.create("https://127.0.0.1:" + freePort());
    provinceEndpoint = URI.create("https://127.0.0.1:" + freePort());
    housingGmEndpoint = URI.create("https://127.0.0.1:" + freePort());
    Map<String, URI> intlEndpoints = Map.of(CityParty.HOUSING.role(), housingEndpoint,
        CityParty.PROVINCE.role(), provinceEndpoint);
    signBundle(authorities.get(0), Suite.INTL, intlEndpoints, "bundle");
    signBundle(authorities.get(1), Suite.GM, Map.of(CityParty.HOUSING.role(), housingGmEndpoint), "bundle-gm");
  }

  private void signBundle(CityAuthority ca, Suite suite, Map<String, URI> endpoints, String name) throws Exception {
    Instant now = Instant.now();
    Map<String, PartyIdentity> ids = suite == Suite.GM ? gm : intl;
    CityBundle.Draft draft = CityBundle.draft().version(1).validity(now.minusSeconds(60), now.plus(Duration.ofDays(1)))
        .caCertificate(ca.root()).crl(ca.crl(Duration.ofHours(24)));
    List<Map<String, Object>> sourceParties = new ArrayList<>();
    for (Map.Entry<String, PartyIdentity> e : ids.entrySet()) {
      CityParty p = party(e.getKey());
      URI endpoint = endpoints.get(p.role());
      draft.member(CityBundle.Member.of(p.id(), p.name(), endpoint, e.getValue().certificates()));
      Map<String, Object> src = new LinkedHashMap<>();
      src.put("party", p.id().toString());
      src.put("name", p.name());
      if (endpoint != null) {
        src.put("endpoint", endpoint.toString());
      }
      src.put("certificates", List.of(dir.relativize(partyDir(p, suite).resolve("cert.pem")).toString()));
      sourceParties.add(src);
    }
    JsonNode catalog = YAML.readTree(CityDocuments.catalog());
    JsonNode policies = YAML.readTree(CityDocuments.policies());
    draft.extension("catalog", JSON.writeValueAsString(catalog)).extension("policies", JSON.writeValueAsString(policies));
    Files.writeString(dir.resolve(name + ".jws"), draft.sign(ca));

    Map<String, Object> source = new LinkedHashMap<>();
    source.put("version", 1);
    source.put("validFor", "24h");
    source.put("parties", sourceParties);
    source.put("extensions", Map.of("catalog", catalog, "policies", policies));
    Files.writeString(dir.resolve(name + ".yaml"), "# Source of " + name + ".jws: shulian bundle sign --ca ca/"
        + suite.name().toLowerCase(java.util.Locale.ROOT) + " --in " + name + ".yaml --out " + name + ".jws\n"
        + YAML.writeValueAsString(source));
  }

  /**
   * Step b, continued: the bureau's hub, holding bundle.jws as its first published version. The INTL
   * gateways follow it; the GM pair keeps its bundle file (the hub's TLS certificate is an INTL one,
   * which a GM gateway cannot authenticate).
   */
  private void startHub() throws Exception {
    hub = CityHub.start(dir, authorities.get(0), password, freePort(), dir.resolve("bundle.jws"));
  }

  CityHub hub() {
    return Objects.requireNonNull(hub, "build() starts the hub");
  }

  static CityParty party(String role) {
    for (CityParty p : CityParty.ALL) {
      if (p.role().equals(role)) {
        return p;
      }
    }
    throw new IllegalArgumentException(role);
  }

  /** Providers decide with the catalog and policy engine, on the catalog and policies the bundle carries. */
  private static final String POLICY_FROM_BUNDLE = "  policy: {fromBundle: true}     # catalog + policies: extensions of the signed bundle";
  /** The GM provider reads the same catalog and policies from the work directory. */
  private static final String POLICY_FROM_FILES = "  policy: {dir: ../../..}        # catalog.yaml + policies.yaml of the work directory";

  /** Step c: the departments' systems, then provider gateways in front of them, then consumer gateways. */
  private void startGateways() throws Exception {
    URI housingSystem = backends.startHousing();
    URI provinceSystem = backends.startProvince(extractBytes);

    start(CityParty.HOUSING, Suite.INTL, String.join("\n",
        "provider:",
        "  listen: 127.0.0.1:" + housingEndpoint.getPort(),
        "  backends:",
        "    - {resource: " + CityDocuments.PROPERTY + ", url: \"" + housingSystem + "/api/property\"}",
        "    - {resource: " + CityDocuments.PROVIDENT_FUND + ", url: \"" + housingSystem + "/api/provident-fund\"}",
        "    - {resource: " + CityDocuments.PETITIONS + ", url: \"" + housingSystem + "/api/petitions\"}",
        "    - {resource: " + CityDocuments.RENTAL_SUBSIDY + ", url: \"" + housingSystem + "/api/rental-subsidy\"}",
        POLICY_FROM_BUNDLE));
    start(CityParty.PROVINCE, Suite.INTL, String.join("\n",
        "provider:",
        "  listen: 127.0.0.1:" + provinceEndpoint.getPort(),
        "  backends:",
        "    - {resource: " + CityDocuments.PENSION + ", url: \"" + provinceSystem + "/api/pension\"}",
        "    - {resource: " + CityDocuments.PENSION_EXTRACT + ", url: \"" + provinceSystem + "/api/pension-extract\"}",
        POLICY_FROM_BUNDLE));
    start(CityParty.HOUSING, Suite.GM, String.join("\n",
        "provider:",
        "  listen: 127.0.0.1:" + housingGmEndpoint.getPort(),
        "  backends:",
        "    - {resource: " + CityDocuments.PROPERTY + ", url: \"" + housingSystem + "/api/property\"}",
        POLICY_FROM_FILES));

    start(CityParty.CIVIL_AFFAIRS, Suite.INTL, consumer(CityParty.CIVIL_AFFAIRS, "assistance-review-app",
        Map.of(CityDocuments.PROPERTY, CityParty.HOUSING, CityDocuments.PROVIDENT_FUND, CityParty.HOUSING,
            CityDocuments.PETITIONS, CityParty.HOUSING, CityDocuments.RENTAL_SUBSIDY, CityParty.HOUSING)));
    start(CityParty.DISTRICT, Suite.INTL, consumer(CityParty.DISTRICT, "grid-management-app",
        Map.of(CityDocuments.PROPERTY, CityParty.HOUSING, CityDocuments.PENSION, CityParty.PROVINCE,
            CityDocuments.PENSION_EXTRACT, CityParty.PROVINCE)));
    start(CityParty.STREET, Suite.INTL, consumer(CityParty.STREET, "street-service-app",
        Map.of(CityDocuments.PENSION, CityParty.PROVINCE)));
    start(CityParty.DISTRICT, Suite.GM, consumer(CityParty.DISTRICT, "grid-management-app",
        Map.of(CityDocuments.PROPERTY, CityParty.HOUSING), housingGmEndpoint));
  }

  /** The consumer section: one app with a fresh API key, routes whose endpoints come from the bundle. */
  private String consumer(CityParty p, String app, Map<String, CityParty> routes) {
    return consumer(p, app, routes, null);
  }

  private String consumer(CityParty p, String app, Map<String, CityParty> routes, @Nullable URI endpoint) {
    String key = apiKeys.computeIfAbsent(p.role(), r -> {
      byte[] random = new byte[12];
      new java.security.SecureRandom().nextBytes(random);
      return "demo-" + r + "-" + java.util.HexFormat.of().formatHex(random);
    });
    StringBuilder b = new StringBuilder();
    b.append("consumer:\n  listen: 127.0.0.1:0\n");
    b.append("  apps:\n    - {name: ").append(app).append(", apiKeySha256: ").append(ApiKeys.hash(key)).append("}\n");
    b.append(endpoint == null ? "  routes:            # endpoints come from the bundle members\n" : "  routes:\n");
    routes.forEach((resource, provider) -> b.append("    - {resource: ").append(resource).append(", provider: \"")
        .append(provider.id()).append('"').append(endpoint == null ? "" : ", endpoint: \"" + endpoint + "\"").append("}\n"));
    return b.toString();
  }

  /** Writes {@code gateway.yaml} in the party's folder and starts the gateway from it. */
  private void start(CityParty p, Suite suite, String roles) throws Exception {
    Path pd = partyDir(p, suite);
    String trust;
    if (suite == Suite.INTL) {
      // pushed by the hub (long-poll); bundle.jws only for the first start, hub-bundle.jws in audit-state/ after it;
      // the audit log is shipped to the hub's collector (the GM pair is not a member of the hub's INTL city)
      trust = "trust: {root: ../../ca/intl/root.pem, bundle: \"" + hub().bundleUrl()
          + "\", initialBundle: ../../bundle.jws, bundleReload: 30s}\n"
          + "collector: {hub: \"" + hub().eventsUrl() + "\", batch: 500, interval: 200ms, heartbeat: 5s}";
    } else {
      trust = "trust: {root: ../../../ca/gm/root.pem, bundle: ../../../bundle-gm.jws, bundleReload: 30s}";
    }
    String yaml = String.join("\n",
        "# Gateway of " + p.name() + " (" + suite + "). Run it alone with:",
        "#   cd " + dir + " && SHULIAN_KEY_PASSWORD=... java -jar <repository>/sdk-gateway/target/shulian.jar gateway --config "
            + dir.relativize(pd.resolve("gateway.yaml")),
        "identity: {keystore: key.p12, passwordEnv: SHULIAN_KEY_PASSWORD}",
        trust,
        roles.stripTrailing(),
        "audit: {dir: audit}",
        "runtime: {eventLoops: 1}",
        "");
    Path file = pd.resolve("gateway.yaml");
    Files.writeString(file, yaml);

    Function<String, String> env = name -> switch (name) {
      case "SHULIAN_KEY_PASSWORD" -> new String(password);
      case "SHULIAN_MASK_KEY" -> maskKey;
      default -> System.getenv(name);
    };
    ConfigLoader.Loaded loaded = ConfigLoader.load(file, env);
    Path auditDir = loaded.resolve(loaded.config.audit.dir);
    Files.createDirectories(auditDir);
    AuditLog log = AuditLog.builder(auditDir, loaded.identity).open();
    Gateway g;
    try {
      g = ConfigLoader.apply(loaded, new AuditLogAuditor(log), env).build().start();
    } catch (Exception | Error e) {
      log.close();
      throw e;
    }
    String name = p.role() + (suite == Suite.GM ? "/gm" : "");
    gateways.put(name, new RunningGateway(name, pd, loaded.identity, g, log));
  }

  RunningGateway gateway(String name) {
    RunningGateway g = gateways.get(name);
    if (g == null) {
      throw new IllegalArgumentException("no gateway " + name);
    }
    return g;
  }

  private static String maskKey() {
    String fromEnv = System.getenv("SHULIAN_MASK_KEY");
    if (fromEnv != null && fromEnv.length() >= 16) {
      return fromEnv;
    }
    byte[] random = new byte[16];
    new java.security.SecureRandom().nextBytes(random);
    return java.util.HexFormat.of().formatHex(random);
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** Closes every gateway (drain, then the audit log's final checkpoint), the hub and the systems. */
  @Override
  public void close() {
    for (RunningGateway g : gateways.values()) {
      g.gateway().close();
    }
    if (hub != null) {
      hub.close();
    }
    backends.close();
  }
}
