package io.shulian.examples.demo;

import io.shulian.core.keys.PartyCertificate;
import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.trust.BundleHolder;
import io.shulian.core.trust.CityAuthority;
import io.shulian.gateway.authenticate.ApiKeys;
import io.shulian.gateway.authenticate.CityPeerVerifier;
import io.shulian.gateway.authenticate.GatewayTls;
import io.shulian.hub.Hub;
import io.shulian.hub.access.Operators;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The city data bureau's hub in the demo: the production {@link Hub} started in-process from the
 * {@code hub/hub.yaml} written here, exactly as {@code shulian hub --config} starts it, with an
 * embedded H2 database and its own audit log in {@code hub/hub-data}. It holds the bureau's
 * bundle-signing key (the INTL city CA) for incident actions, and the INTL gateways follow it
 * ({@code trust.bundle: https://…/v1/bundle/intl}).
 *
 * <p>The operators' bearer tokens are random for each run and exist only in this process; the
 * configuration holds their SHA-256. Departments talk to it with their city-CA TLS certificates.
 */
final class CityHub implements AutoCloseable {
  /** The city data bureau, which runs the hub (its TLS certificate comes from the INTL city CA). */
  static final CityParty BUREAU = CityParty.of("data-bureau", "佛山市政务服务数据管理局 (city data bureau, runs the hub)",
      "440600", "11440600MB2C6006B", "hub");

  private final Path dir;
  private final PartyIdentity identity;
  private final Map<Operators.Role, String> tokens;
  private final Hub hub;
  /** Clients of the departments (by role) and of the operators (no client certificate). */
  private final Map<String, HttpClient> clients = new LinkedHashMap<>();
  private final BundleHolder trust;

  private CityHub(Path dir, PartyIdentity identity, Map<Operators.Role, String> tokens, Hub hub, BundleHolder trust) {
    this.dir = dir;
    this.identity = identity;
    this.tokens = tokens;
    this.hub = hub;
    this.trust = trust;
  }

  /**
   * Issues the hub's certificate, writes {@code hub/hub.yaml}, starts the hub on {@code port} and
   * publishes the signed city bundle {@code bundle} (the bundle.jws the gateways start from) as its
   * first version, through the publish API with the security officer's token.
   */
  static CityHub start(Path work, CityAuthority intlCa, char[] password, int port, Path bundle) throws Exception {
    Path dir = work.resolve("hub");
    Files.createDirectories(dir);
    PartyIdentity identity = intlCa.issue(BUREAU.id(), true, City.CERT_VALIDITY);
    identity.store(dir.resolve("key.p12"), password);
    PartyIdentity.writeAtomically(dir.resolve("cert.pem"),
        PartyCertificate.toPem(identity.certificates()).getBytes(StandardCharsets.US_ASCII));
    String officer = randomToken();
    String reviewer = randomToken();
    Map<Operators.Role, String> tokens = Map.of(Operators.Role.SECURITY_OFFICER, officer, Operators.Role.REVIEWER, reviewer);
    Path yaml = dir.resolve("hub.yaml");
    Files.writeString(yaml, String.join("\n",
        "# The city hub of the demo (issue 15; docs/hub.md). Run it alone with:",
        "#   cd " + dir + " && SHULIAN_KEY_PASSWORD=... SHULIAN_CA_PASSWORD=... java -jar <repository>/sdk-gateway/target/shulian.jar hub --config hub.yaml",
        "identity: {keystore: key.p12, passwordEnv: SHULIAN_KEY_PASSWORD}",
        "listen: 127.0.0.1:" + port,
        "city: {intl: ../ca/intl/root.pem}",
        "dataDir: hub-data                 # H2 database (hub.mv.db) and the hub's audit log (audit/)",
        "operators:                        # random tokens of this run, never written down: only their SHA-256",
        "  - {name: demo-officer, role: security-officer, tokenSha256: \""
            + ApiKeys.hash(officer) + "\"}",
        "  - {name: demo-reviewer, role: reviewer, tokenSha256: \"" + ApiKeys.hash(reviewer) + "\"}",
        "signing:                          # the bureau's bundle-signing key, for incident actions",
        "  intl: {ca: ../ca/intl, passwordEnv: SHULIAN_CA_PASSWORD}",
        "limits: {eventLoops: 1}",
        "alerts:                           # early-warning rules on the events the INTL gateways ship (collector:)",
        "  newConsumer: false              # in a city built a minute ago every consumer is new",
        ""));
    Function<String, String> env = name -> switch (name) {
      case "SHULIAN_KEY_PASSWORD", "SHULIAN_CA_PASSWORD" -> new String(password);
      default -> System.getenv(name);
    };
    BundleHolder trust = BundleHolder.of(List.of(intlCa.root()));
    byte[] first = Files.readAllBytes(bundle);
    trust.update(first);
    Hub hub = Hub.load(yaml, env).start();
    CityHub h = new CityHub(dir, identity, tokens, hub, trust);
    try {
      HttpResponse<String> r = h.operator(Operators.Role.SECURITY_OFFICER, "POST", "/v1/admin/bundle/intl",
          new String(first, StandardCharsets.US_ASCII));
      if (r.statusCode() != 201) {
        throw new IllegalStateException("the hub refused the city bundle: " + Scenarios.summary(r));
      }
      return h;
    } catch (Exception | Error e) {
      h.close();
      throw e;
    }
  }

  /** What the INTL gateways put in {@code trust.bundle}. */
  URI bundleUrl() {
    return url("/v1/bundle/intl");
  }

  /** What the INTL gateways put in {@code collector.hub}. */
  URI eventsUrl() {
    return url("/v1/events");
  }

  private URI url(String path) {
    return URI.create("https://127.0.0.1:" + hub.address("hub").getPort() + path);
  }

  PartyIdentity identity() {
    return identity;
  }

  /** The hub's tamper-evident audit log (checkpoints signed with its key). */
  Path auditDirectory() {
    return dir.resolve("hub-data").resolve("audit");
  }

  /** A department's request to the hub, authenticated by its city-CA TLS certificate. */
  HttpResponse<String> department(PartyIdentity department, String method, String path, @Nullable String json)
      throws Exception {
    return department(department, method, path, json, "application/json");
  }

  /** As above, with a body of {@code contentType} (a signed catalog submission is application/jose). */
  HttpResponse<String> department(PartyIdentity department, String method, String path, @Nullable String body,
      String contentType) throws Exception {
    HttpRequest.Builder b = request(path, method, body);
    if (body != null) {
      b.header("Content-Type", contentType);
    }
    return send(department.party().toString(), department, b);
  }

  /** A bureau operator's request, with this run's bearer token of {@code role}. */
  HttpResponse<String> operator(Operators.Role role, String method, String path, @Nullable String body) throws Exception {
    String token = java.util.Objects.requireNonNull(tokens.get(role));
    return send("operator", null, request(path, method, body).header("Authorization", "Bearer " + token));
  }

  private HttpRequest.Builder request(String path, String method, @Nullable String body) {
    return HttpRequest.newBuilder(url(path)).timeout(Duration.ofSeconds(30))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
  }

  private HttpResponse<String> send(String key, @Nullable PartyIdentity who, HttpRequest.Builder b) throws Exception {
    HttpClient c;
    synchronized (clients) {
      c = clients.get(key);
      if (c == null) {
        // the hub's certificate must chain to the city root and not be revoked in the bundle the demo signed
        c = HttpClient.newBuilder().sslContext(GatewayTls.jdkClient(who, new CityPeerVerifier(trust, Clock.systemUTC())))
            .connectTimeout(Duration.ofSeconds(10)).build();
        clients.put(key, c);
      }
    }
    return c.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  private static String randomToken() {
    byte[] b = new byte[32];
    new SecureRandom().nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  /** Stops the listener, then the database and the audit log (its final checkpoint). */
  @Override
  public void close() {
    hub.close();
  }
}
