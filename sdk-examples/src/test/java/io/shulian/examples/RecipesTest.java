package io.shulian.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs every recipe's main logic, as {@code java -cp shulian-demo.jar io.shulian.examples.<recipe>.Main} does. */
class RecipesTest {
  private final ByteArrayOutputStream buf = new ByteArrayOutputStream();
  @TempDir Path work;
  private final PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8);

  private String output() {
    return buf.toString(StandardCharsets.UTF_8);
  }

  @Test
  void sealopen_bothSuites_openedOnceAndTamperingRefused() throws Exception {
    assertThat(io.shulian.examples.sealopen.Main.run(out)).as(output()).isTrue();
    assertThat(output()).contains("INTL: opened", "GM: opened", "replayed: refused, REPLAYED");
  }

  @Test
  void grant_issuedAndVerified_permitsWithMaskedRecord() throws Exception {
    assertThat(io.shulian.examples.grant.Main.run(out)).as(output()).isTrue();
    assertThat(output()).contains("without the grant: DENY", "with the grant:    PERMIT", "440604********123X")
        .doesNotContain("6222020200112233445\"}");
  }

  @Test
  void gateway_fromConfigFiles_servesOneExchange() throws Exception {
    assertThat(io.shulian.examples.gateway.Main.run(work, out)).as(output()).isTrue();
    assertThat(output()).contains("-> 200");
  }

  @Test
  void audit_sampleLog_verifiesProvesAndDetectsTampering() throws Exception {
    assertThat(io.shulian.examples.audit.Main.runSample(work, out)).as(output()).isTrue();
    assertThat(output()).contains("intact", "TAMPERED");
  }

  @Test
  void citizenReport_photoAndLocation_reachTheCityBureau() throws Exception {
    assertThat(io.shulian.examples.citizenreport.Main.run(work, out)).as(output()).isTrue();
    assertThat(output()).contains("answer 201", "\"received\"");
  }
}
