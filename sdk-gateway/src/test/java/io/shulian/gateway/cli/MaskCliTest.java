package io.shulian.gateway.cli;

import static io.shulian.gateway.cli.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

import io.shulian.gateway.cli.CliRun.Run;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code shulian mask} on response shapes that do not match the catalog (issue 12, finding 3). */
class MaskCliTest {
  static final Path EXAMPLES = Path.of("..", "docs", "examples");
  static final String CIVIL = "440600/11440600MB2C5678CX";
  static final String PROPERTY = "housing.property-registry";
  static final String ENTERPRISE = "market.enterprise-registry";
  static final String ID = "440604199001011234";

  @TempDir static Path dir;
  static Path propertyDecision;
  static Path enterpriseDecision;

  @BeforeAll
  static void decide() {
    propertyDecision = dir.resolve("property.json");
    Run p = run("policy", "check", "--bundle", EXAMPLES.toString(), "--subject", CIVIL, "--resource", PROPERTY,
        "--purpose", "housing-subsidy-review", "--out", propertyDecision.toString());
    assertThat(p.code()).as(p.err()).isZero();
    enterpriseDecision = dir.resolve("enterprise.json");
    Run e = run("policy", "check", "--bundle", EXAMPLES.toString(), "--subject", CIVIL, "--resource", ENTERPRISE,
        "--purpose", "business-licensing", "--out", enterpriseDecision.toString());
    assertThat(e.code()).as(e.err()).isZero();
  }

  static Run mask(Path decision, String json, Path out, String... extra) throws Exception {
    Path in = Files.createTempFile(dir, "in", ".json");
    Files.writeString(in, json, StandardCharsets.UTF_8);
    String[] base = {"mask", "--decision", decision.toString(), "--in", in.toString(), "--out", out.toString()};
    String[] args = new String[base.length + extra.length];
    System.arraycopy(base, 0, args, 0, base.length);
    System.arraycopy(extra, 0, args, base.length, extra.length);
    return run(args);
  }

  @Test
  void mask_arrayWhereObjectExpected_exitThreeNoOutputNoClearValue() throws Exception {
    Path out = dir.resolve("shape.json");
    Run r = mask(propertyDecision, "[{\"owner\":[{\"name\":\"张三\",\"idNumber\":\"" + ID + "\"}],\"floorArea\":88.5}]", out);

    assertThat(r.code()).isEqualTo(ExitCodes.REJECTED);
    assertThat(r.err()).contains("SHAPE_MISMATCH").contains("owner").doesNotContain(ID);
    assertThat(out).doesNotExist();
  }

  @Test
  void mask_wrapperAroundImportantData_unlistedMembersDropped() throws Exception {
    Path out = dir.resolve("wrapper.json");
    Run r = mask(propertyDecision, "{\"data\":{\"owner\":{\"idNumber\":\"" + ID + "\"}},\"owner.idNumber\":\"" + ID
        + "\",\"floorArea\":1e400}", out);

    assertThat(r.code()).as(r.err()).isZero();
    assertThat(Files.readString(out, StandardCharsets.UTF_8)).isEqualTo("{\"floorArea\":1e400}");
  }

  @Test
  void mask_wrapperAroundGeneralData_aliasRefused() throws Exception {
    Path out = dir.resolve("general.json");
    Run r = mask(enterpriseDecision, "{\"data\":{\"legalRepresentative\":\"张三丰\"},\"enterpriseName\":\"某公司\"}", out);

    assertThat(r.code()).isEqualTo(ExitCodes.REJECTED);
    assertThat(r.err()).contains("ALIASED_FIELD").contains("legalRepresentative").doesNotContain("张三丰");
    assertThat(out).doesNotExist();
  }

  @Test
  void mask_dropUnlistedOption_projectsGeneralData() throws Exception {
    Path out = dir.resolve("projected.json");
    Run r = mask(enterpriseDecision, "{\"data\":{\"legalRepresentative\":\"张三丰\"},\"enterpriseName\":\"某公司\"}", out,
        "--drop-unlisted");

    assertThat(r.code()).as(r.err()).isZero();
    assertThat(Files.readString(out, StandardCharsets.UTF_8)).isEqualTo("{\"enterpriseName\":\"某公司\"}");
  }
}
