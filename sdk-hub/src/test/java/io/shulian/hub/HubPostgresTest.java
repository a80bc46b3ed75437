package io.shulian.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hub on a real PostgreSQL server (the Debian package, started by {@link PostgresServer}).
 * Skipped when the binaries are absent, except under CI (CI set), where .ci/run installs them.
 */
class HubPostgresTest {
  @TempDir Path dir;
  TestHubCity city;
  PostgresServer pg;
  Hub hub;

  @BeforeEach
  void setUp() throws Exception {
    Optional<Path> bin = PostgresServer.binaries();
    if (System.getenv("CI") == null) {
      assumeTrue(bin.isPresent(), "PostgreSQL is not installed (apt-get install postgresql)");
    }
    city = new TestHubCity(dir);
    pg = PostgresServer.start(bin.orElseThrow(() -> new AssertionError("CI is set but PostgreSQL is not installed")), dir);
  }

  @AfterEach
  void tearDown() throws Exception {
    if (hub != null) {
      hub.close();
    }
    if (pg != null) {
      pg.close();
    }
  }

  Hub startHub() throws Exception {
    return city.startHub("database: { url: \"" + pg.jdbcUrl() + "\", user: " + PostgresServer.USER + " }");
  }

  @Test
  void postgres_publishLongPollRestart_likeTheEmbeddedDatabase() throws Exception {
    hub = startHub();
    String v1 = city.bundle(1);
    assertThat(city.publish(hub, TestHubCity.OFFICER_TOKEN, v1).statusCode()).isEqualTo(201);
    HttpClient dept = city.client(city.housing);
    CompletableFuture<HttpResponse<String>> poll = dept.sendAsync(HttpRequest.newBuilder(
        TestHubCity.url(hub, "/v1/bundle/intl?after=1&wait=60s")).build(), HttpResponse.BodyHandlers.ofString());
    Hub h = hub;
    assertThat(TestWait.within(Duration.ofSeconds(10), () -> h.registry().find("shulian.hub.longpolls").gauge().value() == 1.0))
        .isTrue();
    String v2 = city.bundle(2);
    assertThat(city.publish(hub, TestHubCity.OFFICER_TOKEN, v2).statusCode()).isEqualTo(201);
    assertThat(poll.get(30, TimeUnit.SECONDS).body()).isEqualTo(v2);
    assertThat(city.publish(hub, TestHubCity.OFFICER_TOKEN, city.bundle(2)).statusCode()).isEqualTo(409);

    hub.close();
    hub = startHub();
    assertThat(dept.send(HttpRequest.newBuilder(TestHubCity.url(hub, "/v1/bundle/intl")).build(),
        HttpResponse.BodyHandlers.ofString()).body()).isEqualTo(v2);
    // H2 and PostgreSQL ran the same migration: a second start does not migrate again
    assertThat(city.publish(hub, TestHubCity.OFFICER_TOKEN, city.bundle(1)).statusCode()).isEqualTo(409);
  }

  @Test
  void postgres_incidentAction_takenListedLifted_inOneTransactionWithItsBundle() throws Exception {
    hub = city.startHub("database: { url: \"" + pg.jdbcUrl() + "\", user: " + PostgresServer.USER + " }",
        "signing: { intl: { ca: ca, passwordEnv: SHULIAN_KEY_PASSWORD } }");
    assertThat(city.publish(hub, TestHubCity.OFFICER_TOKEN, city.bundle(1)).statusCode()).isEqualTo(201);
    HttpClient ops = city.client(null);
    HttpResponse<String> taken = ops.send(HttpRequest.newBuilder(TestHubCity.url(hub, "/v1/admin/actions"))
        .header("Authorization", "Bearer " + TestHubCity.OFFICER_TOKEN).POST(HttpRequest.BodyPublishers.ofString(
            "{\"kind\":\"freeze-resource\",\"target\":\"HOUSING-001\",\"reason\":\"incident\"}")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(taken.statusCode()).as(taken.body()).isEqualTo(201);
    assertThat(taken.body()).contains("\"id\":1").contains("\"inForce\":true");
    HttpResponse<String> lifted = ops.send(HttpRequest.newBuilder(TestHubCity.url(hub, "/v1/admin/actions/1"))
        .header("Authorization", "Bearer " + TestHubCity.OFFICER_TOKEN)
        .method("DELETE", HttpRequest.BodyPublishers.ofString("{\"reason\":\"done\"}")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(lifted.statusCode()).as(lifted.body()).isEqualTo(200);
    assertThat(lifted.body()).contains("\"inForce\":false").contains("\"liftReason\":\"done\"");
  }

  @Test
  void databaseDown_publishRefused503_readyzFails_lastBundleStillServed() throws Exception {
    hub = startHub();
    String v1 = city.bundle(1);
    city.publish(hub, TestHubCity.OFFICER_TOKEN, v1);
    pg.stopImmediately();

    HttpResponse<String> r = city.publish(hub, TestHubCity.OFFICER_TOKEN, city.bundle(2));
    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(r.body()).contains("DATABASE_UNAVAILABLE");
    HttpResponse<String> ready = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + hub.address("admin").getPort() + "/readyz")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(ready.statusCode()).isEqualTo(503);
    assertThat(ready.body()).contains("database");
    assertThat(city.client(city.housing).send(HttpRequest.newBuilder(TestHubCity.url(hub, "/v1/bundle/intl")).build(),
        HttpResponse.BodyHandlers.ofString()).body()).isEqualTo(v1);
  }
}
