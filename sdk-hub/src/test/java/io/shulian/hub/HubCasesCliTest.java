package io.shulian.hub;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code shulian hub apply / applications / objection} through the real CLI, against the real hub. */
class HubCasesCliTest {
  @TempDir Path dir;
  Hub hub;

  @AfterEach
  void tearDown() {
    if (hub != null) {
      hub.close();
    }
  }

  List<String> as(String who, String... args) {
    List<String> a = new ArrayList<>(List.of(args));
    a.addAll(List.of("--hub", "https://127.0.0.1:" + hub.address("hub").getPort(), "--key", dir.resolve(who + ".p12").toString(),
        "--password", "test-only", "--root", dir.resolve("root.pem").toString(), "--bundle", dir.resolve("bundle.jws").toString()));
    return a;
  }

  /** {@code shulian hub apply} as civil affairs for the provident fund; returns the application's id. */
  String applyAsCivil() throws Exception {
    Instant from = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    HubCliTest.Run applied = shulian(as("civil", "hub", "apply", "--resource", "housing.provident-fund.balance",
        "--purpose", "social-assistance-review", "--field", "applicant.name,balance", "--from", from.toString(),
        "--until", from.plus(Duration.ofDays(30)).toString(), "--legal-basis", "《社会救助暂行办法》", "--max-uses", "100"));
    assertThat(applied.code()).as(applied.err()).isZero();
    return new ObjectMapper().readTree(applied.out()).get("id").asText();
  }

  static HubCliTest.Run shulian(List<String> args) {
    return HubCliTest.shulian(args.toArray(new String[0]));
  }

  @Test
  void cli_applyApproveWithIssuedGrantFetch_thenIllegalWithdraw_exit3() throws Exception {
    TestHubCity city = new TestHubCity(dir);
    hub = city.startHub();
    String bundle = HubApplicationsEndToEndTest.catalogBundle(city, 1);
    Files.writeString(dir.resolve("bundle.jws"), bundle);
    assertThat(city.publish(hub, TestHubCity.OFFICER_TOKEN, bundle).statusCode()).isEqualTo(201);
    String id = applyAsCivil();

    HubCliTest.Run listed = shulian(as("housing", "hub", "applications", "list"));
    assertThat(listed.code()).isZero();
    assertThat(listed.out()).contains(id);

    // the provider issues the grant with its own key, exactly as it would for a gateway
    HubCliTest.Run issued = HubCliTest.shulian("grant", "issue", "--key", dir.resolve("housing.p12").toString(),
        "--password", "test-only", "--consumer", TestHubCity.CIVIL.toString(), "--resource", "housing.provident-fund.balance",
        "--fields", "applicant.name,balance", "--purpose", "social-assistance-review", "--ttl", "30d", "--max-uses", "100",
        "--out", dir.resolve("grant.jwt").toString());
    assertThat(issued.code()).as(issued.err()).isZero();
    HubCliTest.Run approved = shulian(as("housing", "hub", "applications", "approve", id, "--grant", dir.resolve("grant.jwt").toString()));
    assertThat(approved.code()).as(approved.err()).isZero();
    assertThat(approved.out()).contains("\"state\":\"approved\"");

    HubCliTest.Run fetched = shulian(as("civil", "hub", "applications", "grant", id));
    assertThat(fetched.code()).isZero();
    assertThat(fetched.out().strip()).isEqualTo(Files.readString(dir.resolve("grant.jwt")).strip());

    HubCliTest.Run late = shulian(as("civil", "hub", "applications", "withdraw", id));
    assertThat(late.code()).isEqualTo(3);
    assertThat(late.err()).contains("ILLEGAL_TRANSITION");
    HubCliTest.Run notMine = shulian(as("civil", "hub", "applications", "decline", id, "--reason", "no"));
    assertThat(notMine.code()).isEqualTo(3);
    assertThat(notMine.err()).contains("NOT_PROVIDER");

    HubCliTest.Run objected = shulian(as("civil", "hub", "objection", "submit", "--resource", "housing.property-registry",
        "--record", "owner.idNumber=1", "--description", "wrong floor area"));
    assertThat(objected.code()).as(objected.err()).isZero();
    String oid = new ObjectMapper().readTree(objected.out()).get("id").asText();
    HubCliTest.Run answered = shulian(as("housing", "hub", "objection", "answer", oid, "--outcome", "rejected",
        "--reason", "the registry is right"));
    assertThat(answered.code()).as(answered.err()).isZero();
    assertThat(answered.out()).contains("\"state\":\"rejected\"");

    HubCliTest.Run plain = HubCliTest.shulian("hub", "applications", "list", "--hub", "http://127.0.0.1:1", "--key",
        dir.resolve("civil.p12").toString(), "--password", "test-only", "--root", dir.resolve("root.pem").toString(),
        "--bundle", dir.resolve("bundle.jws").toString());
    assertThat(plain.code()).isEqualTo(2);
  }

  @Test
  void cli_operatorListsEveryCaseByStateWithOverdueFlag_badStateExit3_noTokenExit2() throws Exception {
    TestHubCity city = new TestHubCity(dir);
    hub = city.startHub("applications: { responseDeadline: 1ms }");
    String bundle = HubApplicationsEndToEndTest.catalogBundle(city, 1);
    Files.writeString(dir.resolve("bundle.jws"), bundle);
    Files.writeString(dir.resolve("reviewer.token"), TestHubCity.REVIEWER_TOKEN + "\n");
    assertThat(city.publish(hub, TestHubCity.OFFICER_TOKEN, bundle).statusCode()).isEqualTo(201);
    String id = applyAsCivil();

    List<String> operator = List.of("--hub", "https://127.0.0.1:" + hub.address("hub").getPort(), "--root",
        dir.resolve("root.pem").toString(), "--bundle", dir.resolve("bundle.jws").toString(), "--token-file",
        dir.resolve("reviewer.token").toString());
    List<String> args = new ArrayList<>(List.of("hub", "cases", "--state", "submitted", "--kind", "application", "--overdue"));
    args.addAll(operator);
    HubCliTest.Run listed = shulian(args);
    assertThat(listed.code()).as(listed.err()).isZero();
    com.fasterxml.jackson.databind.JsonNode apps = new ObjectMapper().readTree(listed.out()).get("applications");
    assertThat(apps).hasSize(1);
    assertThat(apps.get(0).get("id").asText()).isEqualTo(id);
    assertThat(apps.get(0).get("overdue").asBoolean()).isTrue();

    List<String> bad = new ArrayList<>(List.of("hub", "cases", "--state", "nope"));
    bad.addAll(operator);
    HubCliTest.Run refused = shulian(bad);
    assertThat(refused.code()).isEqualTo(3);
    assertThat(refused.err()).contains("BAD_QUERY");
    HubCliTest.Run noToken = HubCliTest.shulian("hub", "cases", "--hub", "https://127.0.0.1:1", "--root",
        dir.resolve("root.pem").toString(), "--bundle", dir.resolve("bundle.jws").toString(), "--token-env", "SHULIAN_NOT_SET_ANYWHERE");
    assertThat(noToken.code()).isEqualTo(2);
  }
}
