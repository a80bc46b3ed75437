package io.shulian.hub;

import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.keys.Suite;
import io.shulian.core.party.CreditCode;
import io.shulian.core.party.PartyId;
import io.shulian.core.trust.BundleHolder;
import io.shulian.core.trust.CityAuthority;
import io.shulian.core.trust.CityBundle;
import io.shulian.gateway.authenticate.ApiKeys;
import io.shulian.gateway.authenticate.CityPeerVerifier;
import io.shulian.gateway.authenticate.GatewayTls;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A city CA with a hub, a department and two operators, and the bundles and clients tests need. */
public final class TestHubCity {
  static final char[] PW = "test-only".toCharArray();
  static final Map<String, String> ENV = Map.of("SHULIAN_KEY_PASSWORD", "test-only");
  static final String OFFICER_TOKEN = "officer-token-for-tests-only";
  static final String REVIEWER_TOKEN = "reviewer-token-for-tests-only";
  static final PartyId HUB = PartyId.of("440600", CreditCode.withCheckCharacter("11440600MB2C9999H"), "hub");
  static final PartyId HOUSING = PartyId.of("440600", CreditCode.withCheckCharacter("11440600MB2C1234H"), "housing");
  static final PartyId CIVIL = PartyId.of("440600", CreditCode.withCheckCharacter("11440600MB2C5678C"), null);

  final Path dir;
  public final CityAuthority ca;
  final PartyIdentity hub;
  public final PartyIdentity housing;
  public final PartyIdentity civil;

  public TestHubCity(Path dir) throws Exception {
    this.dir = dir;
    ca = CityAuthority.init(Suite.INTL, "Test City Data Bureau", dir.resolve("ca"), PW, Duration.ofDays(3650), Clock.systemUTC());
    hub = ca.issue(HUB, true, Duration.ofDays(30));
    housing = ca.issue(HOUSING, true, Duration.ofDays(30));
    civil = ca.issue(CIVIL, true, Duration.ofDays(30));
    hub.store(dir.resolve("hub.p12"), PW);
    housing.store(dir.resolve("housing.p12"), PW);
    civil.store(dir.resolve("civil.p12"), PW);
    Files.writeString(dir.resolve("root.pem"), ca.rootPem());
  }

  /** Writes hub.yaml (H2 in dataDir, or {@code database} lines) and returns its path. */
  Path hubYaml(String... extra) throws Exception {
    List<String> lines = new ArrayList<>(List.of(
        "identity: { keystore: hub.p12 }",
        "listen: 127.0.0.1:0",
        "admin: { listen: 127.0.0.1:0 }",
        "city: { intl: root.pem }",
        "dataDir: hub-data",
        "operators:",
        "  - { name: alice, role: security-officer, tokenSha256: \"" + ApiKeys.hash(OFFICER_TOKEN) + "\" }",
        "  - { name: bob, role: reviewer, tokenSha256: \"" + ApiKeys.hash(REVIEWER_TOKEN) + "\" }",
        "limits: { eventLoops: 1 }"));
    lines.addAll(List.of(extra));
    Path p = dir.resolve("hub.yaml");
    Files.writeString(p, String.join("\n", lines) + "\n");
    return p;
  }

  Hub startHub(String... extra) throws Exception {
    return Hub.load(hubYaml(extra), ENV::get).start();
  }

  /** A bundle of {@code version} with every party, signed by {@code signer}, valid for a day. */
  static String bundle(CityAuthority signer, long version, PartyIdentity... members) throws Exception {
    CityBundle.Draft d = CityBundle.draft().version(version)
        .validity(Instant.now().minusSeconds(60), Instant.now().plus(Duration.ofDays(1)));
    for (PartyIdentity m : members) {
      d.member(CityBundle.Member.of(m.party(), m.party().toString(), null, m.certificates()));
    }
    return d.caCertificate(signer.root()).crl(signer.crl(Duration.ofHours(24))).sign(signer);
  }

  public String bundle(long version) throws Exception {
    return bundle(ca, version, hub, housing, civil);
  }

  /** An HTTPS client presenting {@code identity}'s TLS certificate (none if null), trusting the city. */
  HttpClient client(PartyIdentity identity) throws Exception {
    BundleHolder trust = BundleHolder.of(List.of(ca.root()));
    trust.update(bundle(1).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    return HttpClient.newBuilder().sslContext(GatewayTls.jdkClient(identity, new CityPeerVerifier(trust, Clock.systemUTC())))
        .connectTimeout(Duration.ofSeconds(10)).build();
  }

  static URI url(Hub h, String path) {
    return URI.create("https://127.0.0.1:" + h.address("hub").getPort() + path);
  }

  HttpResponse<String> publish(Hub h, String token, String jws) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(url(h, "/v1/admin/bundle/intl"))
        .POST(HttpRequest.BodyPublishers.ofString(jws)).timeout(Duration.ofSeconds(30));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return client(null).send(b.build(), HttpResponse.BodyHandlers.ofString());
  }
}
