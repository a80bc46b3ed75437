package io.shulian.examples.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the whole city demo in-process: CI fails if any scenario or audit verification fails. */
class CityDemoTest {
  @TempDir Path dir;

  @Test
  void run_wholeCity_everyScenarioPassesAndEveryLogVerifies() throws Exception {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    CityDemo.Result r = CityDemo.run(dir.resolve("work"), false, new PrintStream(buf, true, StandardCharsets.UTF_8));
    String out = buf.toString(StandardCharsets.UTF_8);

    assertThat(r.failedScenarios()).as(out).isEmpty();
    assertThat(r.auditProblems()).as(out).isEmpty();
    assertThat(r.scenarios()).hasSize(11);
    assertThat(r.passed()).isTrue();
    assertThat(out).contains("PASSED: 11 of 11 scenarios passed").doesNotContain("✗");
  }

  @Test
  void run_leavesTheDocumentedLayout() throws Exception {
    Path work = dir.resolve("work");
    CityDemo.run(work, false, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));

    for (String f : new String[] {"ca/intl/root.pem", "ca/gm/root.pem", "bundle.jws", "bundle.yaml", "bundle-gm.jws",
        "catalog.yaml", "policies.yaml", "parties/housing-bureau/key.p12", "parties/housing-bureau/cert.pem",
        "parties/housing-bureau/gateway.yaml", "parties/housing-bureau/gm/gateway.yaml",
        "parties/civil-affairs/grants/provident-fund.jwt"}) {
      assertThat(work.resolve(f)).as(f).isRegularFile();
    }
    for (String role : new String[] {"housing-bureau", "civil-affairs", "district-office", "street-office", "province-pension"}) {
      assertThat(work.resolve("parties/" + role + "/audit")).as(role).isDirectory();
    }
    assertThat(Files.readString(work.resolve("parties/housing-bureau/gateway.yaml"))).contains("policy: {fromBundle: true}");
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
