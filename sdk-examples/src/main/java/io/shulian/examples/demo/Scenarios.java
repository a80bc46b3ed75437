package io.shulian.examples.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shulian.core.audit.AuditException;
import io.shulian.core.audit.AuditLogReader;
import io.shulian.core.audit.AuditRecord;
import io.shulian.core.envelope.EnvelopeSealer;
import io.shulian.core.envelope.SealRequest;
import io.shulian.core.envelope.SealedEnvelope;
import io.shulian.core.keys.KeyAlgorithm;
import io.shulian.core.keys.PartyIdentity;
import io.shulian.examples.demo.City.RunningGateway;
import io.shulian.gateway.seal.HttpPayload;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * The demo's scenarios. Each one is what a department app does: an HTTP request to its own
 * consumer gateway with an API key, a purpose and (sometimes) a grant or an action; the checks are
 * on what comes back and on what the provider wrote to its audit log.
 */
final class Scenarios {
  /** The result of one scenario: passed or not, and one sentence saying what it showed. */
  record Outcome(String name, boolean passed, String sentence) {
    String line() {
      return (passed ? "✓ " : "✗ ") + name + " — " + sentence;
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private final City city;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final String personId;

  Scenarios(City city) {
    this.city = city;
    this.personId = city.backends.residents.get(0).idNumber();
  }

  /** Runs every scenario in order, handing each outcome to {@code each} as soon as it is known. */
  List<Outcome> all(java.util.function.Consumer<Outcome> each) {
    Map<String, Body> scenarios = new java.util.LinkedHashMap<>();
    scenarios.put("unconditional query", this::unconditional);
    scenarios.put("conditional query and grant", this::conditional);
    scenarios.put("not-shared resource", this::notShared);
    scenarios.put("wrong purpose", this::wrongPurpose);
    scenarios.put("path traversal", this::traversal);
    scenarios.put("tampered envelope", this::tampered);
    scenarios.put("replayed envelope", this::replayed);
    scenarios.put("return flow", this::returnFlow);
    scenarios.put("return flow of a data set", new DatasetScenario(city)::run);
    scenarios.put("GM suite end to end", this::gm);
    new HubScenarios(city, this).register(scenarios);
    List<Outcome> out = new ArrayList<>();
    scenarios.forEach((name, body) -> {
      Outcome o = attempt(name, body);
      each.accept(o);
      out.add(o);
    });
    return out;
  }

  interface Body {
    Outcome run(String name) throws Exception;
  }

  private static Outcome attempt(String name, Body body) {
    try {
      return body.run(name);
    } catch (Exception e) {
      return new Outcome(name, false, "failed with " + e);
    }
  }

  // --- the scenarios ----------------------------------------------------------------------------

  /** Civil affairs reads a property record that the catalog shares unconditionally. */
  Outcome unconditional(String name) throws Exception {
    HttpResponse<String> r = call("civil-affairs", CityDocuments.PROPERTY, "/" + personId, "social-assistance-review", Map.of());
    if (r.statusCode() != 200) {
      return fail(name, r);
    }
    String id = JSON.readTree(r.body()).path("owner").path("idNumber").asText();
    boolean masked = id.contains("*");
    return new Outcome(name, masked, masked
        ? "civil affairs read a property record through both gateways; personal information masked by the catalog (owner.idNumber "
            + id + ")"
        : "served, but personal information was not masked (owner.idNumber " + id + ")");
  }

  /** Without the housing bureau's grant the provident-fund balance is refused; with it, served and masked. */
  Outcome conditional(String name) throws Exception {
    String path = "/" + personId;
    HttpResponse<String> refused = call("civil-affairs", CityDocuments.PROVIDENT_FUND, path, "social-assistance-review", Map.of());
    HttpResponse<String> served = call("civil-affairs", CityDocuments.PROVIDENT_FUND, path, "social-assistance-review",
        Map.of("X-Shulian-Grant", city.grant));
    if (refused.statusCode() != 403 || !refused.body().contains("GRANT_REQUIRED")) {
      return new Outcome(name, false, "without a grant expected 403 GRANT_REQUIRED, got " + summary(refused));
    }
    if (served.statusCode() != 200) {
      return new Outcome(name, false, "with the grant expected 200, got " + summary(served));
    }
    JsonNode rec = JSON.readTree(served.body());
    String id = rec.path("applicant").path("idNumber").asText();
    boolean ok = id.contains("*") && rec.has("balance") && !rec.has("bankCard") && !rec.path("applicant").has("phone");
    return new Outcome(name, ok, ok
        ? "provident-fund balance refused without a grant (GRANT_REQUIRED), served with the housing bureau's grant: only granted fields, ID masked ("
            + id + "), bank card (core) dropped"
        : "served with the grant but not reduced to the granted, masked fields: " + served.body());
  }

  /** The petition records are not shared by law: refused whoever asks. */
  Outcome notShared(String name) throws Exception {
    HttpResponse<String> r = call("civil-affairs", CityDocuments.PETITIONS, "/2026-001", "social-assistance-review", Map.of());
    boolean ok = r.statusCode() == 403 && r.body().contains("NOT_SHARED");
    return new Outcome(name, ok, ok
        ? "housing petition records (not shared, legal basis 《信访工作条例》 in the catalog) refused with NOT_SHARED"
        : "expected 403 NOT_SHARED, got " + summary(r));
  }

  /** The district office states a purpose the catalog does not allow for property records. */
  Outcome wrongPurpose(String name) throws Exception {
    HttpResponse<String> r = call("district-office", CityDocuments.PROPERTY, "/" + personId, "business-licensing", Map.of());
    boolean ok = r.statusCode() == 403 && r.body().contains("PURPOSE_NOT_ALLOWED");
    return new Outcome(name, ok, ok
        ? "district office asking property records for business-licensing refused with PURPOSE_NOT_ALLOWED"
        : "expected 403 PURPOSE_NOT_ALLOWED, got " + summary(r));
  }

  /**
   * The attack of issue 12: from the property registry's path, climb to the sibling provident-fund API
   * (encoded and not) to read a conditional resource without a grant. Refused before sealing, audited.
   */
  Outcome traversal(String name) throws Exception {
    RunningGateway civil = city.gateway("civil-affairs");
    RunningGateway housing = city.gateway("housing-bureau");
    long providerBefore = auditCount(housing, r -> true);
    long refusedBefore = auditCount(civil, r -> r.outcome().equals("BAD_TARGET"));
    List<String> attempts = List.of("/%2e%2e/provident-fund/" + personId, "/..%2fprovident-fund/" + personId,
        "/%252e%252e/provident-fund/" + personId, "/..;/provident-fund/" + personId);
    List<Integer> statuses = new ArrayList<>();
    boolean leaked = false;
    for (String path : attempts) {
      HttpResponse<String> r = call("civil-affairs", CityDocuments.PROPERTY, path, "social-assistance-review", Map.of());
      statuses.add(r.statusCode());
      leaked |= r.body().contains("balance") || r.body().contains("bankCard");
    }
    long refused = auditCount(civil, r -> r.outcome().equals("BAD_TARGET") && r.resource().equals(CityDocuments.PROPERTY))
        - refusedBefore;
    long reached = auditCount(housing, r -> true) - providerBefore;
    boolean ok = !leaked && statuses.stream().allMatch(s -> s == 400) && refused == attempts.size() && reached == 0;
    return new Outcome(name, ok, ok
        ? attempts.size() + " paths climbing from the property registry to the provident fund ('%2e%2e/', '..%2f', "
            + "'%252e%252e/', '..;/') refused before sealing (400 BAD_TARGET), each audited by the civil-affairs gateway; "
            + "none reached the housing bureau"
        : "expected 400 BAD_TARGET for every attempt and no request at the provider, got " + statuses + ", " + refused
            + " audited refusal(s), " + reached + " provider record(s)" + (leaked ? ", and fund data came back" : ""));
  }

  /** One flipped character in an envelope sent straight to the provider: refused and audited. */
  Outcome tampered(String name) throws Exception {
    SealedEnvelope env = sealDirect();
    String[] parts = env.toCompactString().split("\\.", -1);
    char[] ct = parts[3].toCharArray();
    ct[ct.length / 2] = ct[ct.length / 2] == 'A' ? 'B' : 'A';
    parts[3] = new String(ct);
    byte[] tampered = String.join(".", parts).getBytes(StandardCharsets.US_ASCII);
    RunningGateway housing = city.gateway("housing-bureau");
    long before = auditCount(housing, r -> r.status() == 400);
    DirectPeer.Answer answer;
    try (DirectPeer peer = new DirectPeer(civil(), housing.identity().certificates())) {
      answer = peer.post(city.housingEndpoint, tampered);
    }
    long after = auditCount(housing, r -> r.status() == 400);
    boolean ok = answer.status() == 400 && answer.body().contains("ENVELOPE_REJECTED") && after == before + 1;
    return new Outcome(name, ok, ok
        ? "an envelope with one ciphertext character changed, sent straight to the housing bureau's gateway over mTLS, was refused (400 ENVELOPE_REJECTED) and the refusal is in its audit log"
        : "expected 400 ENVELOPE_REJECTED and one audit record, got " + answer + " and " + (after - before) + " record(s)");
  }

  /** The same valid envelope twice: served once, then 409, both audited. */
  Outcome replayed(String name) throws Exception {
    SealedEnvelope env = sealDirect();
    RunningGateway housing = city.gateway("housing-bureau");
    Predicate<AuditRecord> replay = r -> r.status() == 409 && r.decision().reasonCodes().contains("REPLAYED");
    long before = auditCount(housing, replay);
    int first;
    int second;
    try (DirectPeer peer = new DirectPeer(civil(), housing.identity().certificates())) {
      first = peer.post(city.housingEndpoint, env.toByteArray()).status();
      second = peer.post(city.housingEndpoint, env.toByteArray()).status();
    }
    String id = env.header().id().toString();
    long served = auditCount(housing, r -> r.direction().isRequest() && r.envelopeId().equals(id) && r.status() == 200);
    long replays = auditCount(housing, replay) - before;
    boolean ok = first == 200 && second == 409 && served == 1 && replays == 1;
    return new Outcome(name, ok, ok
        ? "the same envelope sent twice was served once and refused the second time (409 REPLAYED); both are in the audit log"
        : "expected 200 then 409 with a REPLAYED audit record, got " + first + ", " + second + " and " + replays + " REPLAYED record(s)");
  }

  /** The provincial pension system returns its data set for the district down to the district and street offices. */
  Outcome returnFlow(String name) throws Exception {
    Map<String, String> action = Map.of("X-Shulian-Action", "return-flow");
    HttpResponse<String> district = call("district-office", CityDocuments.PENSION, "/status?division=440604",
        "grassroots-governance", action);
    HttpResponse<String> street = call("street-office", CityDocuments.PENSION, "/status?division=440604",
        "grassroots-governance", action);
    if (district.statusCode() != 200 || street.statusCode() != 200) {
      return new Outcome(name, false, "expected 200 for the district and the street office, got " + summary(district)
          + " and " + summary(street));
    }
    JsonNode rows = JSON.readTree(district.body());
    long byRule = auditCount(city.gateway("province-pension"),
        r -> r.direction().isRequest() && r.status() == 200
            && r.decision().ruleIds().contains("pension-return-flow-in-province"));
    String address = rows.path(0).path("person").path("address").asText();
    boolean ok = rows.isArray() && rows.size() == city.backends.residents.size() && address.endsWith("****")
        && !rows.path(0).has("monthlyPension") && byRule == 2;
    return new Outcome(name, ok, ok
        ? "the provincial pension system returned " + rows.size() + " records of district 440604 to the district office and the street office (action return-flow, permitted by the upper-to-lower rule pension-return-flow-in-province); addresses masked ("
            + address + "), pension amounts dropped"
        : "served, but not as the return-flow rule requires (masked addresses, no pension amounts, "
            + byRule + " of 2 audit records by the rule): " + truncate(district.body()));
  }

  /** SM2 keys on both sides: the envelopes are SM2/SM3/SM4 and the audit chains are SM3. */
  Outcome gm(String name) throws Exception {
    HttpResponse<String> r = call("district-office/gm", CityDocuments.PROPERTY, "/" + personId, "housing-subsidy-review", Map.of());
    RunningGateway consumer = city.gateway("district-office/gm");
    RunningGateway provider = city.gateway("housing-bureau/gm");
    boolean sm2 = consumer.identity().signingCertificate().algorithm() == KeyAlgorithm.SM2
        && provider.identity().encryptionCertificate().algorithm() == KeyAlgorithm.SM2;
    boolean sm3 = provider.audit().hashAlgorithm().displayName().toUpperCase(java.util.Locale.ROOT).contains("SM3");
    boolean ok = r.statusCode() == 200 && sm2 && sm3;
    return new Outcome(name, ok, ok
        ? "the district office's GM gateway read a property record from the housing bureau's GM gateway, both with SM2 keys (GM envelopes: SM2 signature, SM2 key encryption, SM4-GCM) and SM3 audit chains (response envelope "
            + r.headers().firstValue("X-Shulian-Envelope-Id").orElse("?") + ")"
        : "expected 200 between SM2 identities with an SM3 audit log, got " + summary(r) + ", SM2 keys " + sm2 + ", SM3 audit " + sm3);
  }

  // --- helpers ----------------------------------------------------------------------------------

  /** What a department app sends to its own consumer gateway. */
  HttpResponse<String> call(String gateway, String resource, String path, String purpose, Map<String, String> headers)
      throws Exception {
    RunningGateway g = city.gateway(gateway);
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(g.consumerUrl() + "/exchange/" + resource + path))
        .timeout(Duration.ofSeconds(20))
        .header("X-Api-Key", city.apiKeys.get(gateway.replace("/gm", "")))
        .header("X-Shulian-Purpose", purpose);
    headers.forEach(b::header);
    return http.send(b.GET().build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  private PartyIdentity civil() {
    return Objects.requireNonNull(city.intl.get(CityParty.CIVIL_AFFAIRS.role()));
  }

  /** A valid request envelope from civil affairs to the housing bureau, sealed with the SDK directly. */
  SealedEnvelope sealDirect() throws Exception {
    PartyIdentity housing = Objects.requireNonNull(city.intl.get(CityParty.HOUSING.role()));
    byte[] request = HttpPayload.request("GET", "/" + personId, List.of(), new byte[0]).encode();
    return EnvelopeSealer.builder(civil()).build().seal(SealRequest.builder()
        .recipient(housing.encryptionCertificate())
        .resource(CityDocuments.PROPERTY)
        .purpose("social-assistance-review")
        .contentType(HttpPayload.MEDIA_TYPE)
        .build(), request);
  }

  /**
   * Counts the records of a gateway's audit log that match; records are durable before a response
   * is sent. An exchange that released a response has a request and a response record.
   */
  static long auditCount(RunningGateway g, Predicate<AuditRecord> p) throws AuditException {
    Path dir = g.audit().directory();
    long[] n = {0};
    AuditLogReader.forEach(dir, e -> {
      if (p.test(e.record())) {
        n[0]++;
      }
    });
    return n[0];
  }

  private static Outcome fail(String name, HttpResponse<String> r) {
    return new Outcome(name, false, "unexpected answer " + summary(r));
  }

  static String summary(HttpResponse<String> r) {
    return r.statusCode() + " " + truncate(r.body());
  }

  static String truncate(String s) {
    String one = s.replaceAll("\\s+", " ");
    return one.length() > 200 ? one.substring(0, 200) + "…" : one;
  }
}
