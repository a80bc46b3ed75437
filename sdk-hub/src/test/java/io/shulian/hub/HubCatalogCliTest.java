package io.shulian.hub;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code shulian catalog submit} and {@code shulian hub review} through the real CLI, against the real hub. */
class HubCatalogCliTest {
  @TempDir Path dir;
  Hub hub;

  @AfterEach
  void tearDown() {
    if (hub != null) {
      hub.close();
    }
  }

  String url() {
    return "https://127.0.0.1:" + hub.address("hub").getPort();
  }

  List<String> department(String who, String... args) {
    List<String> a = new ArrayList<>(List.of(args));
    a.addAll(List.of("--hub", url(), "--key", dir.resolve(who + ".p12").toString(), "--password", "test-only",
        "--root", dir.resolve("root.pem").toString(), "--bundle", dir.resolve("bundle.jws").toString()));
    return a;
  }

  List<String> operator(String tokenFile, String... args) {
    List<String> a = new ArrayList<>(List.of("hub", "review"));
    a.addAll(List.of(args));
    a.addAll(List.of("--hub", url(), "--root", dir.resolve("root.pem").toString(), "--bundle",
        dir.resolve("bundle.jws").toString(), "--token-file", dir.resolve(tokenFile).toString()));
    return a;
  }

  static HubCliTest.Run shulian(List<String> args) {
    return HubCliTest.shulian(args.toArray(new String[0]));
  }

  @Test
  void cli_submitDiffApprove_thenRejectAndWrongParty_exit3() throws Exception {
    TestHubCity city = new TestHubCity(dir);
    hub = city.startHub(HubCatalogReviewEndToEndTest.SIGNING);
    String bundle = HubApplicationsEndToEndTest.catalogBundle(city, 1);
    Files.writeString(dir.resolve("bundle.jws"), bundle);
    Files.writeString(dir.resolve("reviewer.token"), TestHubCity.REVIEWER_TOKEN);
    assertThat(city.publish(hub, TestHubCity.OFFICER_TOKEN, bundle).statusCode()).isEqualTo(201);
    Path yaml = dir.resolve("resource.yaml");
    Files.writeString(yaml, HubCatalogReviewEndToEndTest.resource(HubCatalogReviewEndToEndTest.NEW, city.housing.party(),
        "statistics"));

    HubCliTest.Run submitted = shulian(department("housing", "catalog", "submit", yaml.toString()));
    assertThat(submitted.code()).as(submitted.err()).isZero();
    String id = new ObjectMapper().readTree(submitted.out()).get("id").asText();

    HubCliTest.Run listed = shulian(operator("reviewer.token", "list"));
    assertThat(listed.code()).as(listed.err()).isZero();
    assertThat(listed.out()).contains(id).contains("\"state\":\"pending\"");
    HubCliTest.Run diff = shulian(operator("reviewer.token", "diff", id));
    assertThat(diff.code()).as(diff.err()).isZero();
    assertThat(diff.out()).contains("+ resource " + HubCatalogReviewEndToEndTest.NEW)
        .contains("assessment of the bundle approval would publish");
    HubCliTest.Run approved = shulian(operator("reviewer.token", "approve", id));
    assertThat(approved.code()).as(approved.err()).isZero();
    assertThat(approved.out()).contains("\"state\":\"approved\"").contains("bundleVersion");
    HubCliTest.Run again = shulian(operator("reviewer.token", "approve", id));
    assertThat(again.code()).isEqualTo(3);
    assertThat(again.err()).contains("SUBMISSION_DECIDED");

    HubCliTest.Run withdraw = shulian(department("housing", "catalog", "submit", "--withdraw", HubCatalogReviewEndToEndTest.NEW));
    assertThat(withdraw.code()).as(withdraw.err()).isZero();
    String wid = new ObjectMapper().readTree(withdraw.out()).get("id").asText();
    HubCliTest.Run rejected = shulian(operator("reviewer.token", "reject", wid, "--reason", "still in use"));
    assertThat(rejected.code()).as(rejected.err()).isZero();
    assertThat(rejected.out()).contains("\"state\":\"rejected\"");

    // civil affairs cannot submit housing's resource; bad usage is exit 2
    HubCliTest.Run wrong = shulian(department("civil", "catalog", "submit", yaml.toString()));
    assertThat(wrong.code()).isEqualTo(3);
    assertThat(wrong.err()).contains("WRONG_PARTY");
    assertThat(shulian(department("housing", "catalog", "submit")).code()).isEqualTo(2);
    assertThat(shulian(department("housing", "catalog", "submit", "--withdraw", "../x")).code()).isEqualTo(2);
    assertThat(shulian(operator("reviewer.token", "approve", "../../bundle")).code()).isEqualTo(2);
    assertThat(shulian(operator("reviewer.token", "reject", wid)).code()).isEqualTo(2);
  }
}
