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

/** catalog validate/diff, grant issue/verify, policy check and mask, end to end through the CLI. */
class PolicyCliTest {
  static final Path EXAMPLES = Path.of("..", "docs", "examples");
  static final String HOUSING = "440600/11440600MB2C1234HN/housing";
  static final String CIVIL = "440600/11440600MB2C5678CX";
  static final String FUND = "housing.provident-fund.balance";

  /** Policies with an unknown condition (line 8) and an unknown mask function (line 9) for the example catalog. */
  static final String INVALID_POLICIES = String.join("\n",
      "version: \"1\"",
      "rules:",
      "  - id: r1",
      "    effect: permit",
      "    subject: \"*\"",
      "    action: query",
      "    resource: housing.property-registry",
      "    conditions: {purpose: [statistics], weather: sunny}",
      "    obligations: {mask: {floorArea: scramble}}",
      "    basis: test",
      "");

  @TempDir static Path dir;
  static Path bundle;


  @BeforeAll
  static void setUp() throws Exception {
    bundle = Files.createDirectories(dir.resolve("bundle"));
    Files.copy(EXAMPLES.resolve("catalog.yaml"), bundle.resolve("catalog.yaml"));
    Files.copy(EXAMPLES.resolve("policies.yaml"), bundle.resolve("policies.yaml"));
    Run k = run("keygen", "--suite", "gm", "--party", HOUSING, "--out", dir.resolve("housing").toString(),
        "--password", "pw");
    assertThat(k.code()).as(k.err()).isZero();
    Run o = run("keygen", "--suite", "intl", "--party", HOUSING, "--out", dir.resolve("impostor").toString(),
        "--password", "pw");
    assertThat(o.code()).as(o.err()).isZero();
  }

  @Test
  void catalogValidate_examples_exitZero() {
    Run r = run("catalog", "validate", bundle.resolve("catalog.yaml").toString(), "--policies",
        bundle.resolve("policies.yaml").toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("5 resources").contains("policy-set version sha256:");
  }

  @Test
  void catalogValidate_manyProblems_reportsEachWithLocationAndExitsThree() throws Exception {
    Path bad = dir.resolve("bad-catalog.yaml");
    Files.writeString(bad, String.join("\n",
        "version: \"1\"",
        "purposes:",
        "  - {code: review, name: Review}",
        "resources:",
        "  - code: a.b",
        "    name: A",
        "    provider: 440600/11440600MB2C1234HN",
        "    colour: blue",
        "    sharing: {type: not-shared}",
        "    purposes: [review, unknown-purpose]",
        "    fields:",
        "      - {name: x, type: string, classification: secret}",
        "  - code: a.b",
        "    name: B",
        "    provider: not-a-party",
        "    sharing: {type: sometimes}",
        "    purposes: [review]",
        "    fields:",
        "      - {name: y, type: blob, classification: general}",
        ""));
    Run r = run("catalog", "validate", bad.toString());
    assertThat(r.code()).isEqualTo(ExitCodes.REJECTED);
    assertThat(r.err())
        .contains(bad + ":8:13: resources[0].colour: unknown key 'colour'")
        .contains("legalBasis")
        .contains("resources[0].purposes[1]")
        .contains(bad + ":12:49: resources[0].fields[0].classification: 'secret' is not one of general, important, core")
        .contains("resources[1].provider: not a party id")
        .contains("resources[1].sharing.type: 'sometimes'")
        .contains("resources[1].fields[0].type: 'blob'");
  }

  @Test
  void catalogValidate_duplicateKey_rejectedWithLine() throws Exception {
    Path bad = dir.resolve("dup.yaml");
    Files.writeString(bad, "version: \"1\"\nversion: \"2\"\npurposes: []\nresources: []\n");
    Run r = run("catalog", "validate", bad.toString());
    assertThat(r.code()).isEqualTo(ExitCodes.REJECTED);
    assertThat(r.err()).contains("dup.yaml:2").contains("Duplicate field 'version'");
  }

  @Test
  void catalogDiff_changedCatalog_listsAddedRemovedChanged() throws Exception {
    String text = Files.readString(bundle.resolve("catalog.yaml"))
        .replace("version: \"2026.11-1\"", "version: \"2026.12-1\"")
        .replace("{name: monthlyDeposit, type: number, classification: general}",
            "{name: monthlyDeposit, type: number, classification: important}")
        .replace("{name: status, type: string, classification: general}", "{name: status2, type: string, classification: general}");
    Path newer = dir.resolve("catalog-new.yaml");
    Files.writeString(newer, text);
    Run r = run("catalog", "diff", bundle.resolve("catalog.yaml").toString(), newer.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out())
        .contains("2026.11-1 -> 2026.12-1")
        .contains("~ field housing.provident-fund.balance / monthlyDeposit: number, general")
        .contains("- field market.enterprise-registry / status")
        .contains("+ field market.enterprise-registry / status2");
  }

  @Test
  void grantIssueVerifyCheckMask_smGrant_permitsAndMasks() throws Exception {
    Path grant = dir.resolve("grant.jwt");
    Run issue = run("grant", "issue", "--key", dir.resolve("housing/key.p12").toString(), "--password", "pw",
        "--consumer", CIVIL, "--resource", FUND, "--fields", "applicant.name,applicant.idNumber,balance",
        "--purpose", "social-assistance-review", "--ttl", "30d", "--max-uses", "100",
        "--catalog", bundle.resolve("catalog.yaml").toString(), "--out", grant.toString());
    assertThat(issue.code()).as(issue.err()).isZero();
    String cert = dir.resolve("housing/cert.pem").toString();

    Run ok = run("grant", "verify", "--trust", cert, "--in", grant.toString(), "--consumer", CIVIL);
    assertThat(ok.code()).as(ok.err()).isZero();
    assertThat(ok.out()).contains("is valid");

    Run other = run("grant", "verify", "--trust", cert, "--in", grant.toString(), "--consumer",
        "440600/11440600MB2C2468BF");
    assertThat(other.code()).isEqualTo(ExitCodes.REJECTED);
    assertThat(other.err()).contains("GRANT_WRONG_CONSUMER");

    Run forged = run("grant", "verify", "--trust", dir.resolve("impostor/cert.pem").toString(), "--in", grant.toString());
    assertThat(forged.code()).isEqualTo(ExitCodes.REJECTED);
    assertThat(forged.err()).contains("GRANT_UNTRUSTED");

    Path decision = dir.resolve("decision.json");
    Run check = run("policy", "check", "--bundle", bundle.toString(), "--subject", CIVIL, "--resource", FUND,
        "--purpose", "social-assistance-review", "--grant", grant.toString(), "--trust", cert, "--out", decision.toString());
    assertThat(check.code()).as(check.out() + check.err()).isZero();
    assertThat(check.out()).contains("\"effect\" : \"PERMIT\"").contains("catalog/housing.provident-fund.balance/conditional");

    Path in = dir.resolve("records.json");
    Files.writeString(in, "[{\"applicant\":{\"name\":\"张三丰\",\"idNumber\":\"440604199001011234\",\"phone\":\"13812345678\"},"
        + "\"balance\":1024.5,\"monthlyDeposit\":300,\"bankCard\":\"6222020200112233445\"}]");
    Path out = dir.resolve("masked.json");
    Run mask = run("mask", "--decision", decision.toString(), "--catalog", bundle.resolve("catalog.yaml").toString(),
        "--resource", FUND, "--in", in.toString(), "--out", out.toString());
    assertThat(mask.code()).as(mask.err()).isZero();
    assertThat(Files.readString(out, StandardCharsets.UTF_8))
        .isEqualTo("[{\"applicant\":{\"name\":\"张**\",\"idNumber\":\"440604********1234\"},\"balance\":1024.5}]");
  }

  @Test
  void policyCheck_conditionalWithoutGrant_deniesWithExitFour() {
    Run r = run("policy", "check", "--bundle", bundle.toString(), "--subject", CIVIL, "--resource", FUND,
        "--purpose", "social-assistance-review");
    assertThat(r.code()).isEqualTo(ExitCodes.DENIED);
    assertThat(r.out()).contains("\"effect\" : \"DENY\"").contains("GRANT_REQUIRED");
  }

  @Test
  void policyCheck_notShared_deniesWithLegalBasis() {
    Run r = run("policy", "check", "--bundle", bundle.toString(), "--subject", CIVIL, "--resource",
        "security.case-records", "--purpose", "social-assistance-review");
    assertThat(r.code()).isEqualTo(ExitCodes.DENIED);
    assertThat(r.out()).contains("NOT_SHARED").contains("刑事诉讼法");
  }

  @Test
  void policyCheck_badAction_usageError() {
    Run r = run("policy", "check", "--bundle", bundle.toString(), "--subject", CIVIL, "--resource", FUND,
        "--purpose", "social-assistance-review", "--action", "steal");
    assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("--action must be");
  }

  @Test
  void policyCheck_invalidPolicies_rejectedWithLocation() throws Exception {
    Path b = Files.createDirectories(dir.resolve("bad-bundle"));
    Files.copy(EXAMPLES.resolve("catalog.yaml"), b.resolve("catalog.yaml"));
    Files.writeString(b.resolve("policies.yaml"), INVALID_POLICIES);
    Run r = run("policy", "check", "--bundle", b.toString(), "--subject", CIVIL, "--resource", FUND, "--purpose",
        "statistics");
    assertThat(r.code()).isEqualTo(ExitCodes.REJECTED);
    assertThat(r.err()).contains("policies.yaml:8:").contains("unknown key 'weather'")
        .contains("unknown mask function 'scramble'");
  }

  @Test
  void mask_denyDecision_refused() throws Exception {
    Path decision = dir.resolve("deny.json");
    Run check = run("policy", "check", "--bundle", bundle.toString(), "--subject", CIVIL, "--resource", FUND,
        "--purpose", "social-assistance-review", "--out", decision.toString());
    assertThat(check.code()).isEqualTo(ExitCodes.DENIED);
    Path in = dir.resolve("x.json");
    Files.writeString(in, "{}");
    Run r = run("mask", "--decision", decision.toString(), "--in", in.toString(), "--out", dir.resolve("y.json").toString());
    assertThat(r.code()).isEqualTo(ExitCodes.REJECTED);
    assertThat(r.err()).contains("only a PERMIT releases data");
    assertThat(dir.resolve("y.json")).doesNotExist();
  }

  @Test
  void mask_invalidJson_rejectedAndNoOutput() throws Exception {
    Path decision = dir.resolve("permit.json");
    Run check = run("policy", "check", "--bundle", bundle.toString(), "--subject", CIVIL, "--resource",
        "housing.property-registry", "--purpose", "housing-subsidy-review", "--out", decision.toString());
    assertThat(check.code()).as(check.err()).isZero();
    Path in = dir.resolve("broken.json");
    Files.writeString(in, "[{\"owner\": {\"name\": \"李四\"}, ");
    Path out = dir.resolve("broken-out.json");
    Run r = run("mask", "--decision", decision.toString(), "--in", in.toString(), "--out", out.toString());
    assertThat(r.code()).isEqualTo(ExitCodes.REJECTED);
    assertThat(r.err()).contains("INVALID_JSON");
    assertThat(out).doesNotExist();
  }
}
