package io.shulian.hub;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** docs/operations.md "Backing up the hub": a copy of a stopped hub's files is a working hub. */
class HubBackupTest {
  @TempDir Path dir;
  @TempDir Path restored;

  static void copyTree(Path from, Path to) throws Exception {
    try (Stream<Path> s = Files.walk(from)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        Path t = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(t);
        } else {
          Files.copy(p, t, StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
    }
  }

  @Test
  void backup_copyOfAStoppedHubsFiles_restoresBundlesCasesAndAnAppendableAuditLog() throws Exception {
    TestHubCity city = new TestHubCity(dir);
    String id;
    try (Hub h = city.startHub()) {
      assertThat(city.publish(h, TestHubCity.OFFICER_TOKEN, HubApplicationsEndToEndTest.catalogBundle(city, 7)).statusCode())
          .isEqualTo(201);
      HubApplicationsEndToEndTest apps = new HubApplicationsEndToEndTest();
      apps.from = java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
      apps.until = apps.from.plus(java.time.Duration.ofDays(30));
      HttpResponse<String> r = HubApplicationsEndToEndTest.send(city.client(city.civil), h, "POST", "/v1/applications",
          apps.fundApplication());
      assertThat(r.statusCode()).isEqualTo(201);
      id = HubApplicationsEndToEndTest.json(r).get("id").asText();
    }
    // the backup set: hub.yaml, the keystore and root it names, and the whole dataDir (database + audit log)
    copyTree(dir, restored);
    try (Hub h = Hub.load(restored.resolve("hub.yaml"), TestHubCity.ENV::get).start()) {
      HttpClient civil = city.client(city.civil);
      HttpResponse<String> b = civil.send(HttpRequest.newBuilder(TestHubCity.url(h, "/v1/bundle/intl")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(b.headers().firstValue("X-Shulian-Bundle-Version")).hasValue("7");
      assertThat(HubApplicationsEndToEndTest.send(civil, h, "GET", "/v1/applications/" + id, null).statusCode()).isEqualTo(200);
      // the restored audit log continues: a new state change is recorded and committed
      assertThat(h.readinessProblems()).isEmpty();
      assertThat(HubApplicationsEndToEndTest.send(civil, h, "POST", "/v1/applications/" + id + "/withdraw", null).statusCode())
          .isEqualTo(200);
    }
  }
}
