package io.shulian.examples.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.policy.Grant;
import io.shulian.core.policy.GrantIssuer;
import io.shulian.examples.demo.City.RunningGateway;
import io.shulian.examples.demo.Scenarios.Outcome;
import io.shulian.hub.access.Operators;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * The scenarios that go through the city hub (issue 15): what the departments and the bureau do
 * with the hub's API, and what the gateways that follow it then do. Each one checks its outcome;
 * a wrong one fails the demo.
 *
 * <p>Registered in {@link #register}.
 */
final class HubScenarios {
  /** How long a change published by the hub may take to be honoured before the scenario fails. */
  static final Duration PROPAGATION_LIMIT = Duration.ofSeconds(10);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PURPOSE = "social-assistance-review";

  private final City city;
  private final Scenarios scenarios;
  private final String personId;

  HubScenarios(City city, Scenarios scenarios) {
    this.city = city;
    this.scenarios = scenarios;
    this.personId = city.backends.residents.get(0).idNumber();
  }

  /** Adds the hub scenarios, in order, after the others. */
  void register(Map<String, Scenarios.Body> to) {
    to.put("sharing application through the hub", this::sharingApplication);
    to.put("incident action: party suspended, then restored", this::suspension);
    to.put("resource registered through the hub, approved and live", this::registeredResource);
  }

  /**
   * 共享申请: civil affairs applies through the hub for the provident-fund balance; the housing bureau
   * sees the application addressed to it, approves it by issuing a grant with its own key and
   * uploading it; civil affairs fetches the grant and uses it through both gateways.
   */
  Outcome sharingApplication(String name) throws Exception {
    CityHub hub = city.hub();
    PartyIdentity civil = identity(CityParty.CIVIL_AFFAIRS);
    PartyIdentity housing = identity(CityParty.HOUSING);
    Instant from = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    Instant until = from.plus(Duration.ofDays(30));
    List<String> fields = List.of("applicant.name", "balance");
    Map<String, Object> application = new LinkedHashMap<>();
    application.put("resource", CityDocuments.PROVIDENT_FUND);
    application.put("purpose", PURPOSE);
    application.put("fields", fields);
    application.put("from", from.toString());
    application.put("until", until.toString());
    application.put("legalBasis", "《社会救助暂行办法》第十一条");
    application.put("maxUses", 10);
    HttpResponse<String> applied = hub.department(civil, "POST", "/v1/applications", JSON.writeValueAsString(application));
    if (applied.statusCode() != 201) {
      return new Outcome(name, false, "civil affairs' application: expected 201, got " + Scenarios.summary(applied));
    }
    String id = JSON.readTree(applied.body()).path("id").asText();

    // the housing bureau lists what is addressed to it
    HttpResponse<String> listed = hub.department(housing, "GET", "/v1/applications", null);
    boolean seen = false;
    for (JsonNode a : JSON.readTree(listed.body()).path("applications")) {
      seen |= a.path("id").asText().equals(id) && a.path("state").asText().equals("submitted");
    }
    if (!seen) {
      return new Outcome(name, false, "the housing bureau does not see application " + id + ": " + Scenarios.summary(listed));
    }

    // ... and approves it: a grant signed with its own key, exactly what was applied for, uploaded to the hub
    String grant = GrantIssuer.of(housing).issue(Grant.builder()
        .id("HZ-" + id)
        .issuer(CityParty.HOUSING.id())
        .consumer(CityParty.CIVIL_AFFAIRS.id())
        .resource(CityDocuments.PROVIDENT_FUND)
        .fields(fields)
        .purpose(PURPOSE)
        .validity(from, until)
        .maxUses(10)
        .build());
    HttpResponse<String> approved = hub.department(housing, "POST", "/v1/applications/" + id + "/approve",
        JSON.writeValueAsString(Map.of("grant", grant)));
    JsonNode a = JSON.readTree(approved.body());
    if (approved.statusCode() != 200 || !a.path("state").asText().equals("approved") || !a.has("responseSeconds")) {
      return new Outcome(name, false, "approval: expected 200 approved with a response time, got " + Scenarios.summary(approved));
    }

    // civil affairs fetches the grant and its app uses it through the gateways
    HttpResponse<String> fetched = hub.department(civil, "GET", "/v1/applications/" + id + "/grant", null);
    if (fetched.statusCode() != 200 || !fetched.body().equals(grant)) {
      return new Outcome(name, false, "fetching the grant: expected the housing bureau's grant, got " + Scenarios.summary(fetched));
    }
    HttpResponse<String> served = scenarios.call("civil-affairs", CityDocuments.PROVIDENT_FUND, "/" + personId, PURPOSE,
        Map.of("X-Shulian-Grant", fetched.body()));
    if (served.statusCode() != 200) {
      return new Outcome(name, false, "with the fetched grant expected 200, got " + Scenarios.summary(served));
    }
    JsonNode rec = JSON.readTree(served.body());
    boolean reduced = rec.has("balance") && rec.path("applicant").has("name") && !rec.path("applicant").has("idNumber")
        && !rec.has("bankCard");
    String response = a.path("responseSeconds").asLong() + " s (submitted " + a.path("submittedAt").asText() + ", answered "
        + a.path("answeredAt").asText() + ", deadline " + a.path("deadline").asText() + ")";
    return new Outcome(name, reduced, reduced
        ? "civil affairs applied through the hub (" + id + ", fields " + String.join(", ", fields) + "); the housing bureau "
            + "approved it with a grant signed by its own key; civil affairs fetched the grant and read the balance through both "
            + "gateways, reduced to the applied fields. Response time recorded by the hub: " + response
        : "served with the fetched grant, but not reduced to the applied fields: " + Scenarios.truncate(served.body()));
  }

  /**
   * 目录动态更新: the housing bureau registers a new resource (rental subsidy payments) through the
   * hub, signed with its own key; before the bureau's review civil affairs cannot read it; the
   * reviewer sees the diff and approves; the hub publishes a new bundle with the resource and, once
   * the gateways hold it, civil affairs reads it through both gateways.
   */
  Outcome registeredResource(String name) throws Exception {
    CityHub hub = city.hub();
    PartyIdentity housing = identity(CityParty.HOUSING);
    String resource = CityDocuments.RENTAL_SUBSIDY;
    HttpResponse<String> before = scenarios.call("civil-affairs", resource, "/" + personId, PURPOSE, Map.of());
    if (before.statusCode() == 200) {
      return new Outcome(name, false, "before registration the resource was served: " + Scenarios.summary(before));
    }
    String token = io.shulian.core.catalog.CatalogSubmission.register(housing,
        CityDocuments.rentalSubsidy().getBytes(java.nio.charset.StandardCharsets.UTF_8), Instant.now());
    HttpResponse<String> submitted = hub.department(housing, "POST", "/v1/catalog/submissions", token, "application/jose");
    if (submitted.statusCode() != 201) {
      return new Outcome(name, false, "the housing bureau's submission: expected 201, got " + Scenarios.summary(submitted));
    }
    String id = JSON.readTree(submitted.body()).path("id").asText();
    HttpResponse<String> review = hub.operator(Operators.Role.REVIEWER, "GET", "/v1/admin/reviews/" + id, null);
    if (review.statusCode() != 200 || !review.body().contains(resource)) {
      return new Outcome(name, false, "the reviewer does not see submission " + id + ": " + Scenarios.summary(review));
    }
    long t0 = System.nanoTime();
    HttpResponse<String> approved = hub.operator(Operators.Role.REVIEWER, "POST", "/v1/admin/reviews/" + id + "/approve", null);
    JsonNode a = JSON.readTree(approved.body());
    if (approved.statusCode() != 200 || !a.path("state").asText().equals("approved") || !a.has("bundleVersion")) {
      return new Outcome(name, false, "approval: expected 200 approved with a bundle version, got " + Scenarios.summary(approved));
    }
    long version = a.path("bundleVersion").asLong();
    AtomicReference<@Nullable HttpResponse<String>> last = new AtomicReference<>();
    boolean live = awaitBundle(version) && within(() -> {
      try {
        HttpResponse<String> r = scenarios.call("civil-affairs", resource, "/" + personId, PURPOSE, Map.of());
        last.set(r);
        return r.statusCode() == 200 && r.body().contains("monthlyAmount");
      } catch (Exception e) {
        return false;
      }
    });
    long served = System.nanoTime();
    if (!live) {
      return new Outcome(name, false, "after approval (bundle v" + version + ") expected civil affairs served, got "
          + summary(last));
    }
    return new Outcome(name, true, String.format(
        "the housing bureau submitted %s signed with its own key (refused to civil affairs before: %d); the reviewer "
            + "approved %s, the hub published bundle v%d with it, and civil affairs read it through both gateways %d ms "
            + "after the approval request", resource, before.statusCode(), id, version, millis(t0, served)));
  }

  /**
   * 应急处置: the bureau suspends civil affairs. The hub publishes an emergency bundle at once; the
   * provider refuses civil affairs' envelopes with PARTY_SUSPENDED (sent straight to it, as a
   * compromised department would, bypassing its own gateway), and civil affairs' own gateway
   * refuses its app. Lifting the action restores it.
   */
  Outcome suspension(String name) throws Exception {
    CityHub hub = city.hub();
    RunningGateway housing = city.gateway("housing-bureau");
    String civil = CityParty.CIVIL_AFFAIRS.id().toString();
    HttpResponse<String> before = scenarios.call("civil-affairs", CityDocuments.PROPERTY, "/" + personId, PURPOSE, Map.of());
    if (before.statusCode() != 200) {
      return new Outcome(name, false, "before the action expected 200, got " + Scenarios.summary(before));
    }

    long t0 = System.nanoTime();
    HttpResponse<String> taken = hub.operator(Operators.Role.SECURITY_OFFICER, "POST", "/v1/admin/actions",
        JSON.writeValueAsString(Map.of("kind", "suspend-party", "target", civil,
            "reason", "demo incident: the civil affairs bureau's app key leaked")));
    long published = System.nanoTime();
    if (taken.statusCode() != 201) {
      return new Outcome(name, false, "the security officer's action: expected 201, got " + Scenarios.summary(taken));
    }
    JsonNode action = JSON.readTree(taken.body());
    long actionId = action.path("id").asLong();

    AtomicReference<String> last = new AtomicReference<>("");
    boolean refused;
    try (DirectPeer peer = new DirectPeer(identity(CityParty.CIVIL_AFFAIRS), housing.identity().certificates())) {
      refused = within(() -> {
        try {
          DirectPeer.Answer r = peer.post(city.housingEndpoint, scenarios.sealDirect().toByteArray());
          last.set(r.status() == 200 ? "200 (served)" : r.status() + " " + r.body());
          return r.status() == 403 && r.body().contains("PARTY_SUSPENDED");
        } catch (Exception e) {
          last.set(e.toString()); // the provider closes a suspended party's open connection: try again
          return false;
        }
      });
    }
    long providerRefused = System.nanoTime();
    if (!refused) {
      return new Outcome(name, false, "the provider did not refuse civil affairs' envelopes within "
          + PROPAGATION_LIMIT.toSeconds() + " s of the action; last answer " + Scenarios.truncate(String.valueOf(last.get())));
    }
    AtomicReference<@Nullable HttpResponse<String>> app = new AtomicReference<>();
    boolean appRefused = within(() -> answers(app, r -> r.statusCode() == 403 && r.body().contains("PARTY_SUSPENDED")));
    long audited = Scenarios.auditCount(housing, r -> r.decision().reasonCodes().contains("PARTY_SUSPENDED")
        || r.outcome().equals("PARTY_SUSPENDED"));
    if (!appRefused || audited == 0) {
      return new Outcome(name, false, "expected civil affairs' own gateway to refuse its app with PARTY_SUSPENDED and the "
          + "provider's refusal audited, got " + summary(app) + " and " + audited + " audit record(s)");
    }

    long liftStart = System.nanoTime();
    HttpResponse<String> lifted = hub.operator(Operators.Role.SECURITY_OFFICER, "DELETE", "/v1/admin/actions/" + actionId,
        JSON.writeValueAsString(Map.of("reason", "demo incident closed: key rotated")));
    if (lifted.statusCode() != 200) {
      return new Outcome(name, false, "lifting the action: expected 200, got " + Scenarios.summary(lifted));
    }
    long liftedVersion = JSON.readTree(lifted.body()).path("liftedBundleVersion").asLong();
    boolean restored = awaitBundle(liftedVersion) && within(() -> answers(app, r -> r.statusCode() == 200));
    long restoredAt = System.nanoTime();
    HttpResponse<String> list = hub.operator(Operators.Role.REVIEWER, "GET", "/v1/admin/actions", null);
    boolean listedLifted = false;
    for (JsonNode x : JSON.readTree(list.body()).path("actions")) {
      listedLifted |= x.path("id").asLong() == actionId && !x.path("inForce").asBoolean(true);
    }
    if (!restored || !listedLifted) {
      return new Outcome(name, false, "after the lift expected civil affairs served again and the action listed as lifted, got "
          + summary(app) + " and " + Scenarios.summary(list));
    }
    return new Outcome(name, true, String.format(
        "the security officer suspended civil affairs through the hub (emergency bundle v%d, published in %d ms); the "
            + "housing bureau's gateway refused civil affairs' envelopes with 403 PARTY_SUSPENDED %d ms after the publish "
            + "(audited), and civil affairs' own gateway refused its app; lifted (bundle v%d), its app was served again "
            + "%d ms after the lift request", action.path("bundleVersion").asLong(), millis(t0, published),
        millis(published, providerRefused), liftedVersion,
        millis(liftStart, restoredAt)));
  }

  // --- helpers ----------------------------------------------------------------------------------

  private PartyIdentity identity(CityParty p) {
    return Objects.requireNonNull(city.intl.get(p.role()));
  }

  /**
   * Waits until every INTL gateway holds a bundle of at least {@code version} (pushed by the hub),
   * at most {@link #PROPAGATION_LIMIT}.
   */
  boolean awaitBundle(long version) throws InterruptedException {
    return within(() -> city.gateways.entrySet().stream().filter(e -> !e.getKey().endsWith("/gm"))
        .allMatch(e -> bundleVersion(e.getValue()) >= version));
  }

  static double bundleVersion(RunningGateway g) {
    io.micrometer.core.instrument.Gauge v = g.gateway().registry().find("shulian.bundle.version").gauge();
    return v == null ? Double.NaN : v.value();
  }

  /** Polls {@code check} every 20 ms until it holds or {@link #PROPAGATION_LIMIT} has passed. */
  static boolean within(BooleanSupplier check) throws InterruptedException {
    long end = System.nanoTime() + PROPAGATION_LIMIT.toNanos();
    while (true) {
      if (check.getAsBoolean()) {
        return true;
      }
      if (System.nanoTime() > end) {
        return false;
      }
      Thread.sleep(20);
    }
  }

  /** One app call as civil affairs, kept in {@code last}; true if {@code ok} holds for its answer. */
  private boolean answers(AtomicReference<@Nullable HttpResponse<String>> last, Predicate<HttpResponse<String>> ok) {
    try {
      HttpResponse<String> r = scenarios.call("civil-affairs", CityDocuments.PROPERTY, "/" + personId, PURPOSE, Map.of());
      last.set(r);
      return ok.test(r);
    } catch (Exception e) {
      return false;
    }
  }

  private static String summary(AtomicReference<@Nullable HttpResponse<String>> last) {
    HttpResponse<String> r = last.get();
    return r == null ? "no answer" : Scenarios.summary(r);
  }

  private static long millis(long fromNanos, long toNanos) {
    return (toNanos - fromNanos) / 1_000_000;
  }
}
