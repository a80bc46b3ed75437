package io.shulian.examples.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import io.shulian.core.keys.Suite;
import io.shulian.core.trust.CityAuthority;
import io.shulian.core.trust.CityBundle;
import io.shulian.hub.access.Operators;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the whole city demo in-process: CI fails if any scenario or audit verification fails. */
class CityDemoTest {
  /** The return-flow data set in tests: 3 MB (the demo's default is 200 MB). */
  private static final long SMALL_DATASET = 3_000_000;

  @TempDir Path dir;

  @Test
  void run_wholeCity_everyScenarioPassesAndEveryLogVerifies() throws Exception {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    CityDemo.Result r = CityDemo.run(dir.resolve("work"), false, SMALL_DATASET, new PrintStream(buf, true, StandardCharsets.UTF_8));
    String out = buf.toString(StandardCharsets.UTF_8);

    assertThat(r.failedScenarios()).as(out).isEmpty();
    assertThat(r.auditProblems()).as(out).isEmpty();
    assertThat(r.scenarios()).extracting(Scenarios.Outcome::name).containsExactly("unconditional query",
        "conditional query and grant", "not-shared resource", "wrong purpose", "path traversal", "tampered envelope",
        "replayed envelope", "return flow", "return flow of a data set", "GM suite end to end", "sharing application through the hub",
        "incident action: party suspended, then restored", "resource registered through the hub, approved and live");
    assertThat(r.passed()).isTrue();
    // the hub's collector got every INTL gateway's log: the tampered and the replayed envelope raised an alert
    // each, and nothing else (the normal traffic of the scenarios stays quiet)
    assertThat(r.alerts()).as(out).containsExactlyInAnyOrder("rejected_envelope", "rejected_envelope");
    assertThat(out).contains("Live alerts").contains("] rejected_envelope: ").contains("Scorecard ")
        // both envelopes claimed to come from the relief office: its row carries the two alerts
        .containsPattern("440600/11440600MB2C2002CD +requests +0, served +0, refused +0, availability -, alerts 2");
    assertThat(out).contains("PASSED: 13 of 13 scenarios passed, 8 audit logs verified").doesNotContain("✗")
        .contains("✓ city hub").containsPattern("Response time recorded by the hub: \\d+ s")
        .containsPattern("refused civil affairs' envelopes with 403 PARTY_SUSPENDED \\d+ ms after the publish")
        .containsPattern("the hub published bundle v\\d+ with it, and civil affairs read it through both gateways")
        // the data set: > 3 MB generated, every record checked masked, digests equal (else the scenario fails)
        .containsPattern("streamed its extract \\(3\\.\\d MB generated on the fly, [\\d,]+ records of JSON Lines\\)")
        .containsPattern("ID numbers 440604\\*{8}\\d{3}[\\dX]").contains("its SHA-256 = the verified trailer's = both audit records'")
        .containsPattern("heap ceiling \\d+ MiB \\(-Xmx\\), peak heap used \\d+ MiB");
  }

  @Test
  void run_leavesTheDocumentedLayout() throws Exception {
    Path work = dir.resolve("work");
    CityDemo.run(work, false, SMALL_DATASET, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));

    for (String f : new String[] {"ca/intl/root.pem", "ca/gm/root.pem", "bundle.jws", "bundle.yaml", "bundle-gm.jws",
        "catalog.yaml", "policies.yaml", "parties/housing-bureau/key.p12", "parties/housing-bureau/cert.pem",
        "parties/housing-bureau/gateway.yaml", "parties/housing-bureau/gm/gateway.yaml",
        "parties/civil-affairs/grants/provident-fund.jwt", "hub/hub.yaml", "hub/key.p12", "hub/cert.pem",
        "hub/hub-data/hub.mv.db", "parties/civil-affairs/audit-state/hub-bundle.jws"}) {
      assertThat(work.resolve(f)).as(f).isRegularFile();
    }
    for (String role : new String[] {"housing-bureau", "civil-affairs", "district-office", "street-office", "province-pension"}) {
      assertThat(work.resolve("parties/" + role + "/audit")).as(role).isDirectory();
    }
    assertThat(work.resolve("hub/hub-data/audit")).isDirectory();
    String housing = Files.readString(work.resolve("parties/housing-bureau/gateway.yaml"));
    assertThat(housing).contains("policy: {fromBundle: true}")
        .containsPattern("bundle: \"https://127\\.0\\.0\\.1:\\d+/v1/bundle/intl\", initialBundle: \\.\\./\\.\\./bundle\\.jws");
    // the GM pair cannot authenticate the hub's INTL certificate: it keeps its bundle file
    assertThat(Files.readString(work.resolve("parties/housing-bureau/gm/gateway.yaml"))).contains("bundle: ../../../bundle-gm.jws");
  }

  @Test
  void hub_operatorTokens_randomPerRun_onlyTheirHashesWritten() throws Exception {
    Path work = dir.resolve("hubs");
    Files.createDirectories(work);
    char[] pw = "test-only".toCharArray();
    CityAuthority ca = CityAuthority.init(Suite.INTL, "Test root", work.resolve("ca/intl"), pw, Duration.ofDays(30),
        Clock.systemUTC());
    Files.writeString(work.resolve("bundle.jws"), CityBundle.draft().version(1)
        .validity(Instant.now().minusSeconds(60), Instant.now().plus(Duration.ofDays(1)))
        .caCertificate(ca.root()).crl(ca.crl(Duration.ofHours(24))).sign(ca));
    List<String> hashes = new ArrayList<>();
    for (String run : new String[] {"one", "two"}) {
      try (CityHub hub = CityHub.start(work, ca, pw, City.freePort(), work.resolve("bundle.jws"))) {
        // the security officer's token worked (start publishes v1 with it); the reviewer's is refused for publishing
        assertThat(hub.operator(Operators.Role.REVIEWER, "POST", "/v1/admin/bundle/intl", "x").statusCode()).isEqualTo(403);
      }
      String yaml = Files.readString(work.resolve("hub/hub.yaml"));
      Files.move(work.resolve("hub"), work.resolve("hub-" + run));
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("tokenSha256: \"([0-9a-f]{64})\"").matcher(yaml);
      while (m.find()) {
        hashes.add(m.group(1));
      }
    }
    assertThat(hashes).hasSize(4).doesNotHaveDuplicates();
  }

  @Test
  void prepare_foreignNonEmptyDirectory_isRefusedAndLeftAlone() throws Exception {
    Files.writeString(dir.resolve("notes.txt"), "mine");

    org.assertj.core.api.Assertions.assertThatThrownBy(() -> CityDemo.prepare(dir))
        .hasMessageContaining("not empty and was not made by the demo");
    assertThat(dir.resolve("notes.txt")).hasContent("mine");
  }

  @Test
  void idNumber_knownPrefix_hasGb11643CheckCharacter() {
    // 11010519491231002X is the worked example of GB 11643-1999
    assertThat(FakePeople.checkCharacter("11010519491231002")).isEqualTo('X');
    for (FakePeople.Person p : new FakePeople(7).residents("440604", "广东省佛山市禅城区", 50)) {
      assertThat(p.idNumber()).matches("440604(19|20)\\d{9}[0-9X]");
      assertThat(p.idNumber().charAt(17)).isEqualTo(FakePeople.checkCharacter(p.idNumber().substring(0, 17)));
      assertThat(p.phone()).matches("138\\d{8}");
    }
  }
}
