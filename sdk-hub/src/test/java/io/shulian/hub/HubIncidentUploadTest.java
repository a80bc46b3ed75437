package io.shulian.hub;

import static org.assertj.core.api.Assertions.assertThat;

import io.shulian.core.trust.CityBundle;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An uploaded bundle (POST /v1/admin/bundle/{suite}) that drops an incident action in force is
 * refused: the gateways would otherwise lift it while the hub lists it in force.
 */
class HubIncidentUploadTest {
  @TempDir Path dir;
  TestHubCity city;
  Hub hub;

  @BeforeEach
  void setUp() throws Exception {
    city = new TestHubCity(dir);
    hub = city.startHub("signing: { intl: { ca: ca, passwordEnv: SHULIAN_KEY_PASSWORD } }");
    assertThat(city.publish(hub, TestHubCity.OFFICER_TOKEN, city.bundle(1)).statusCode()).isEqualTo(201);
  }

  @AfterEach
  void tearDown() {
    hub.close();
  }

  HttpResponse<String> take(String kind, String target) throws Exception {
    return city.client(null).send(HttpRequest.newBuilder(TestHubCity.url(hub, "/v1/admin/actions"))
        .header("Authorization", "Bearer " + TestHubCity.OFFICER_TOKEN).timeout(Duration.ofSeconds(30))
        .POST(HttpRequest.BodyPublishers.ofString("{\"kind\":\"" + kind + "\",\"target\":\"" + target
            + "\",\"reason\":\"incident 2026-17\"}")).build(), HttpResponse.BodyHandlers.ofString());
  }

  CityBundle newest() throws Exception {
    String jws = city.client(city.housing).send(HttpRequest.newBuilder(TestHubCity.url(hub, "/v1/bundle/intl")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    return CityBundle.verify(jws.getBytes(StandardCharsets.US_ASCII), List.of(city.ca.root()), Instant.now(), Duration.ZERO);
  }

  /** The newest bundle re-signed offline with a newer version, changed by {@code change}. */
  String resigned(java.util.function.Consumer<CityBundle.Draft> change) throws Exception {
    CityBundle b = newest();
    CityBundle.Draft d = b.toDraft().crl(city.ca.crl(Duration.ofHours(24)));
    change.accept(d);
    return signNewer(d, b.version());
  }

  /** Signs {@code d} as version {@code previous + 1}, issued now (a version is at most its issue time in ms). */
  String signNewer(CityBundle.Draft d, long previous) throws Exception {
    while (Instant.now().toEpochMilli() <= previous + 1) {
      Thread.sleep(1);
    }
    Instant now = Instant.now();
    return d.version(previous + 1).validity(now, now.plus(Duration.ofDays(1))).sign(city.ca);
  }

  /** A bundle signed offline from scratch (every member, no incidents), newer than {@code previous}. */
  String fromScratch(long previous) throws Exception {
    CityBundle.Draft d = CityBundle.draft();
    for (io.shulian.core.keys.PartyIdentity m : List.of(city.hub, city.housing, city.civil)) {
      d.member(CityBundle.Member.of(m.party(), m.party().toString(), null, m.certificates()));
    }
    return signNewer(d.caCertificate(city.ca.root()).crl(city.ca.crl(Duration.ofHours(24))), previous);
  }

  @Test
  void upload_droppingASuspensionFreezeOrGrantRevocationInForce_refused409_nothingPublished() throws Exception {
    assertThat(take("suspend-party", TestHubCity.CIVIL.toString()).statusCode()).isEqualTo(201);
    assertThat(take("freeze-resource", "HOUSING-001").statusCode()).isEqualTo(201);
    String grant = city.housing.party() + "#g-17";
    assertThat(take("revoke-grant", grant).statusCode()).isEqualTo(201);
    long inForce = newest().version();

    // an offline bundle built from an old one: none of the three
    HttpResponse<String> old = city.publish(hub, TestHubCity.OFFICER_TOKEN, fromScratch(inForce));
    assertThat(old.statusCode()).as(old.body()).isEqualTo(409);
    assertThat(old.body()).contains("INCIDENT_DROPPED").contains(TestHubCity.CIVIL.toString()).contains("HOUSING-001")
        .contains("g-17");
    assertThat(newest().version()).isEqualTo(inForce);

    // each one dropped alone is refused too
    HttpResponse<String> noSuspension = city.publish(hub, TestHubCity.OFFICER_TOKEN,
        resigned(d -> d.incidents(d.incidents().withoutSuspended(TestHubCity.CIVIL))));
    assertThat(noSuspension.statusCode()).isEqualTo(409);
    assertThat(noSuspension.body()).contains("INCIDENT_DROPPED").contains(TestHubCity.CIVIL.toString());
    HttpResponse<String> noGrant = city.publish(hub, TestHubCity.OFFICER_TOKEN, resigned(d -> d.unrevokeGrant(grant)));
    assertThat(noGrant.statusCode()).isEqualTo(409);
    assertThat(noGrant.body()).contains("g-17");
    assertThat(newest().version()).isEqualTo(inForce);

    // built from the newest published bundle: everything in force is kept, so it is published
    HttpResponse<String> kept = city.publish(hub, TestHubCity.OFFICER_TOKEN, resigned(d -> { }));
    assertThat(kept.statusCode()).as(kept.body()).isEqualTo(201);
    assertThat(newest().incidents().isSuspended(TestHubCity.CIVIL)).isTrue();
  }

  @Test
  void upload_droppingAnEmergencyCrlRevocation_refused409() throws Exception {
    String serial = city.civil.tlsCertificate().orElseThrow().certificate().getSerialNumber().toString(16);
    // a CRL made before the revocation, as an offline copy of the CA would
    java.security.cert.X509CRL staleCrl = city.ca.crl(Duration.ofHours(24));
    HttpResponse<String> r = take("revoke-cert", serial);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    long inForce = newest().version();
    HttpResponse<String> stale = city.publish(hub, TestHubCity.OFFICER_TOKEN, resigned(d -> d.crl(staleCrl)));
    assertThat(stale.statusCode()).as(stale.body()).isEqualTo(409);
    assertThat(stale.body()).contains("INCIDENT_DROPPED").contains(serial);
    assertThat(newest().version()).isEqualTo(inForce);
  }

}
