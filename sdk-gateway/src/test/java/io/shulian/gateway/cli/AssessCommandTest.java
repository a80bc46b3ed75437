package io.shulian.gateway.cli;

import static io.shulian.gateway.cli.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.shulian.core.catalog.Catalog;
import io.shulian.core.keys.PartyCertificate;
import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.party.CreditCode;
import io.shulian.core.party.PartyId;
import io.shulian.core.policy.Grant;
import io.shulian.core.policy.GrantIssuer;
import io.shulian.core.policy.PolicySet;
import io.shulian.core.trust.CityAuthority;
import io.shulian.core.trust.CityBundle;
import io.shulian.core.trust.CityTrust;
import io.shulian.core.trust.RevocationReason;
import io.shulian.gateway.assess.Assessment;
import io.shulian.gateway.assess.Finding;
import io.shulian.gateway.assess.SecurityAssessor;
import io.shulian.gateway.assess.Severity;
import io.shulian.gateway.cli.CliRun.Run;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code shulian assess}: every finding kind triggered by a crafted, signed bundle (or grant), the
 * clean baseline quiet, exit codes, JSON and escaped HTML.
 */
class AssessCommandTest {
  static final PartyId PROVIDER = PartyId.of("440600", CreditCode.withCheckCharacter("11440600MB2C1001H"), "housing");
  static final PartyId CONSUMER = PartyId.of("440600", CreditCode.withCheckCharacter("11440600MB2C2002C"), "relief");
  static final PartyId STRANGER = PartyId.of("440604", CreditCode.withCheckCharacter("11440604MB2D3003G"), "grid");
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final AtomicLong VERSION = new AtomicLong(1);

  @TempDir static Path ca;
  static CityAuthority authority;
  static PartyIdentity provider;
  static PartyIdentity consumer;

  @TempDir Path tmp;

  @BeforeAll
  static void city() throws Exception {
    authority = CityAuthority.init(io.shulian.core.keys.Suite.INTL, "Assess Root", ca.resolve("ca"), "pw".toCharArray(),
        Duration.ofDays(3650), Clock.systemUTC());
    provider = authority.issue(PROVIDER, false, Duration.ofDays(365));
    consumer = authority.issue(CONSUMER, false, Duration.ofDays(365));
  }

  // ------------------------------------------------------------------------------ the documents

  static final String FUND = """
        - code: fund
          name: 公积金 fund
          provider: %s
          updateCycle: monthly
          sharing: {type: conditional, conditions: Approved application.}
          purposes: [review]
          fields:
            - {name: applicant.idNumber, type: string, classification: important, personalInfo: id-number}
            - {name: balance, type: number, classification: important}
            - {name: bankCard, type: string, classification: core, personalInfo: bank-card}
          endpoints:
            - {method: GET, path: "/{idNumber}"}
      """.formatted(PROVIDER);

  static String catalog(String... extraResources) {
    return """
        version: "t-1"
        purposes:
          - {code: review, name: Review}
          - {code: stats, name: Statistics}
        resources:
        """ + FUND + String.join("", extraResources);
  }

  static final String FUND_RULE = """
        - id: fund-for-consumer
          effect: permit
          subject: {party: [%s]}
          action: [query]
          resource: [fund]
          fields: [applicant.idNumber, balance]
          conditions: {purpose: [review], grant: required, rate: {max: 100, per: 1d}}
          basis: Test.
      """.formatted(CONSUMER);

  static String policies(String... extraRules) {
    return """
        version: "t-1"
        rules:
        """ + FUND_RULE + String.join("", extraRules);
  }

  static String resource(String code, String name, String sharing, String fields, String endpoints) {
    return """
          - code: %s
            name: "%s"
            provider: %s
            updateCycle: daily
            sharing: %s
            purposes: [review]
            fields:
        %s
            endpoints: %s
        """.formatted(code, name, PROVIDER, sharing, fields.indent(6).stripTrailing(), endpoints);
  }

  static final String UNCONDITIONAL = "{type: unconditional}";
  static final String ENDPOINT = "[{method: GET, path: \"/{id}\"}]";

  /** A bundle being built: the defaults are the clean city (provider and consumer with year-long certificates). */
  final class City {
    String catalog = catalog();
    String policies = policies();
    final List<CityBundle.Member> members = new ArrayList<>(List.of(member(provider), member(consumer)));
    final List<CityBundle.RevokedGrant> revoked = new ArrayList<>();
    Duration crlNextUpdate = Duration.ofDays(7);

    Path sign() throws Exception {
      Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
      CityBundle.Draft d = CityBundle.draft().version(VERSION.incrementAndGet())
          .validity(now, now.plus(Duration.ofHours(1))).crl(authority.crl(crlNextUpdate))
          .extension("catalog", json(catalog)).extension("policies", json(policies));
      members.forEach(d::member);
      revoked.forEach(d::revokeGrant);
      Path out = tmp.resolve("bundle-" + VERSION.get() + ".jws");
      Files.writeString(out, d.sign(authority), StandardCharsets.US_ASCII);
      return out;
    }

    Run assess(String... more) throws Exception {
      List<String> args = new ArrayList<>(List.of("assess", "--bundle", sign().toString(), "--root",
          ca.resolve("ca/root.pem").toString()));
      args.addAll(List.of(more));
      if (!args.contains("--format")) {
        args.addAll(List.of("--format", "json"));
      }
      return run(args.toArray(String[]::new));
    }
  }

  static CityBundle.Member member(PartyIdentity id) {
    return CityBundle.Member.of(id.party(), "dept " + id.party().creditCode(), null,
        List.of(id.signingCertificate(), id.encryptionCertificate()));
  }

  static String json(String yaml) throws Exception {
    return YAML.readTree(yaml).toString();
  }

  static List<JsonNode> findings(Run r, String kind) throws Exception {
    JsonNode doc = new ObjectMapper().readTree(r.out());
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode f : doc.get("findings")) {
      if (f.get("id").textValue().equals(kind)) {
        out.add(f);
      }
    }
    return out;
  }

  static JsonNode only(Run r, String kind) throws Exception {
    List<JsonNode> f = findings(r, kind);
    assertThat(f).as(r.out() + r.err()).hasSize(1);
    return f.get(0);
  }

  static void assertFinding(JsonNode f, String severity, String objectKind, String object) {
    assertThat(f.get("severity").textValue()).isEqualTo(severity);
    assertThat(f.get("object").get("kind").textValue()).isEqualTo(objectKind);
    assertThat(f.get("object").get("id").textValue()).isEqualTo(object);
    assertThat(f.get("fix").textValue()).isNotBlank();
  }

  Path grantFile(String name, PartyIdentity issuer, Grant g) throws Exception {
    Path dir = tmp.resolve("grants");
    Files.createDirectories(dir);
    Path f = dir.resolve(name);
    Files.writeString(f, GrantIssuer.of(issuer).issue(g) + "\n", StandardCharsets.US_ASCII);
    return dir;
  }

  static Grant.Builder grant() {
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    return Grant.builder().id("g-1").issuer(PROVIDER).consumer(CONSUMER).resource("fund").fields(List.of("balance"))
        .purpose("review").validity(now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(30))).maxUses(10);
  }

  // ------------------------------------------------------------------------------ baseline

  @Test
  void assess_cleanCity_noFindingAndExit0() throws Exception {
    City c = new City();
    Path grants = grantFile("ok.jwt", provider, grant().build());

    Run r = c.assess("--grants", grants.toString());

    assertThat(r.code()).as(r.out() + r.err()).isEqualTo(ExitCodes.OK);
    JsonNode doc = new ObjectMapper().readTree(r.out());
    assertThat(doc.get("schema").textValue()).isEqualTo(Assessment.SCHEMA);
    assertThat(doc.get("findings")).as(r.out()).isEmpty();
    assertThat(doc.get("worst").isNull()).isTrue();
    assertThat(doc.get("subject").get("bundleVersion").textValue()).isEqualTo(Long.toString(VERSION.get()));
  }

  // ------------------------------------------------------------------------------ catalog

  @Test
  void coreDataUnconditional_critical_exit7() throws Exception {
    City c = new City();
    c.catalog = catalog(resource("cards", "cards", UNCONDITIONAL,
        "- {name: cardNo, type: string, classification: core, personalInfo: bank-card}", ENDPOINT));

    Run r = c.assess();

    assertFinding(only(r, "CORE_DATA_UNCONDITIONAL"), "critical", "resource", "cards");
    assertThat(r.code()).isEqualTo(ExitCodes.FINDINGS_CRITICAL);
  }

  @Test
  void personalInfoUndeclared_fieldNamedLikePhone_high_exit6() throws Exception {
    City c = new City();
    c.catalog = catalog().replace("{name: balance, type: number, classification: important}",
        "{name: balance, type: number, classification: important}\n      - {name: applicant.mobilePhone, type: string, classification: important}");

    Run r = c.assess();

    assertFinding(only(r, "PERSONAL_INFO_UNDECLARED"), "high", "field", "fund#applicant.mobilePhone");
    assertThat(r.code()).isEqualTo(ExitCodes.FINDINGS_HIGH);
  }

  @Test
  void personalInfoUnconditional_medium_exit5_andFailOnHighExit0() throws Exception {
    City c = new City();
    c.catalog = catalog(resource("registry", "registry", UNCONDITIONAL,
        "- {name: owner.name, type: string, classification: important, personalInfo: name}", ENDPOINT));

    Run r = c.assess();
    assertFinding(only(r, "PERSONAL_INFO_UNCONDITIONAL"), "medium", "resource", "registry");
    assertThat(r.code()).isEqualTo(ExitCodes.FINDINGS_MEDIUM);

    Run lenient = c.assess("--fail-on", "high");
    assertThat(lenient.code()).isEqualTo(ExitCodes.OK);
    assertThat(findings(lenient, "PERSONAL_INFO_UNCONDITIONAL")).hasSize(1);
  }

  @Test
  void unlistedMembersKept_generalPersonalInfo_medium() throws Exception {
    City c = new City();
    c.catalog = catalog(resource("contacts", "contacts", UNCONDITIONAL,
        "- {name: phone, type: string, classification: general, personalInfo: phone}", ENDPOINT));

    Run r = c.assess();

    assertFinding(only(r, "UNLISTED_MEMBERS_KEPT"), "medium", "resource", "contacts");
  }

  @Test
  void unlistedMembersKept_quietWhenARuleDropsThem() throws Exception {
    City c = new City();
    c.catalog = catalog(resource("contacts", "contacts", UNCONDITIONAL,
        "- {name: phone, type: string, classification: general, personalInfo: phone}", ENDPOINT));
    c.policies = policies("""
          - id: contacts-drop
            effect: permit
            subject: {party: [%s]}
            action: [query]
            resource: [contacts]
            conditions: {purpose: [review]}
            obligations: {unlisted: drop}
            basis: Test.
        """.formatted(CONSUMER));

    Run r = c.assess();

    assertThat(findings(r, "UNLISTED_MEMBERS_KEPT")).as(r.out()).isEmpty();
  }

  @Test
  void notSharedWithEndpoints_low_exit0() throws Exception {
    City c = new City();
    c.catalog = catalog(resource("petitions", "petitions", "{type: not-shared, legalBasis: Confidential.}",
        "- {name: complaint, type: string, classification: important}", ENDPOINT).replace("purposes: [review]", "purposes: []"));

    Run r = c.assess();

    assertFinding(only(r, "NOT_SHARED_WITH_ENDPOINTS"), "low", "resource", "petitions");
    assertThat(r.code()).isEqualTo(ExitCodes.OK);
  }

  @Test
  void noEndpoints_info() throws Exception {
    City c = new City();
    c.catalog = catalog(resource("area", "area", UNCONDITIONAL,
        "- {name: floorArea, type: number, classification: general}", "[]"));

    Run r = c.assess();

    assertFinding(only(r, "NO_ENDPOINTS"), "info", "resource", "area");
  }

  @Test
  void conditionalWithoutRules_low() throws Exception {
    City c = new City();
    c.policies = "version: \"t-1\"\nrules: []\n";

    Run r = c.assess();

    assertFinding(only(r, "CONDITIONAL_WITHOUT_RULES"), "low", "resource", "fund");
  }

  @Test
  void bulkExportOfPersonalInfo_medium() throws Exception {
    City c = new City();
    c.catalog = catalog(resource("registry", "registry", UNCONDITIONAL,
        "- {name: owner.name, type: string, classification: important, personalInfo: name}",
        "[{method: GET, path: /all, action: export}]"));

    Run r = c.assess();

    assertFinding(only(r, "BULK_EXPORT_OF_PERSONAL_INFO"), "medium", "resource", "registry");
  }

  // ------------------------------------------------------------------------------ rules

  static String rule(String id, String body) {
    return ("  - id: " + id + "\n" + body.indent(4) + "    basis: Test.\n");
  }

  @Test
  void ruleAllResources_high() throws Exception {
    City c = new City();
    c.policies = policies(rule("all", """
        effect: permit
        subject: {party: [%s]}
        action: [query]
        resource: "*"
        conditions: {purpose: [review], grant: required}""".formatted(CONSUMER)));

    Run r = c.assess();

    assertFinding(only(r, "RULE_ALL_RESOURCES"), "high", "rule", "all");
  }

  @Test
  void coreFieldWithoutGrant_toEveryone_critical() throws Exception {
    City c = new City();
    c.policies = policies(rule("cards-open", """
        effect: permit
        subject: "*"
        action: [query]
        resource: [fund]
        fields: [bankCard]
        conditions: {purpose: [review]}"""));

    Run r = c.assess();

    assertFinding(only(r, "CORE_FIELD_WITHOUT_GRANT"), "critical", "rule", "cards-open");
    assertThat(r.code()).isEqualTo(ExitCodes.FINDINGS_CRITICAL);
  }

  @Test
  void rulePurposeNotDeclared_medium() throws Exception {
    City c = new City();
    c.policies = policies(rule("stats", """
        effect: permit
        subject: {party: [%s]}
        action: [query]
        resource: [fund]
        fields: [balance]
        conditions: {purpose: [stats], grant: required}""".formatted(CONSUMER)));

    Run r = c.assess();

    JsonNode f = only(r, "RULE_PURPOSE_NOT_DECLARED");
    assertFinding(f, "medium", "rule", "stats");
    assertThat(f.get("message").textValue()).contains("'stats'");
  }

  @Test
  void rulePurposeUnbounded_medium() throws Exception {
    City c = new City();
    c.policies = policies(rule("any-purpose", """
        effect: permit
        subject: {party: [%s]}
        action: [query]
        resource: [fund]
        fields: [balance]""".formatted(CONSUMER)));

    Run r = c.assess();

    assertFinding(only(r, "RULE_PURPOSE_UNBOUNDED"), "medium", "rule", "any-purpose");
  }

  @Test
  void ruleOnNotShared_low() throws Exception {
    City c = new City();
    c.catalog = catalog(resource("petitions", "petitions", "{type: not-shared, legalBasis: Confidential.}",
        "- {name: complaint, type: string, classification: important}", "[]").replace("purposes: [review]", "purposes: []"));
    c.policies = policies(rule("petitions-permit", """
        effect: permit
        subject: {party: [%s]}
        action: [query]
        resource: [petitions]
        conditions: {purpose: [review], grant: required}""".formatted(CONSUMER)));

    Run r = c.assess();

    assertFinding(only(r, "RULE_ON_NOT_SHARED"), "low", "rule", "petitions-permit");
  }

  @Test
  void ruleAnyParty_exportToEveryone_high() throws Exception {
    City c = new City();
    c.policies = policies(rule("export-all", """
        effect: permit
        subject: "*"
        action: [export]
        resource: [fund]
        fields: [balance]
        conditions: {purpose: [review]}"""));

    Run r = c.assess();

    assertFinding(only(r, "RULE_ANY_PARTY"), "high", "rule", "export-all");
  }

  @Test
  void ruleAllActions_medium() throws Exception {
    City c = new City();
    c.policies = policies(rule("every-action", """
        effect: permit
        subject: {party: [%s]}
        action: "*"
        resource: [fund]
        fields: [balance]
        conditions: {purpose: [review], grant: required}""".formatted(CONSUMER)));

    Run r = c.assess();

    assertFinding(only(r, "RULE_ALL_ACTIONS"), "medium", "rule", "every-action");
  }

  @Test
  void ruleAllFields_low() throws Exception {
    City c = new City();
    c.policies = policies(rule("every-field", """
        effect: permit
        subject: {party: [%s]}
        action: [query]
        resource: [fund]
        conditions: {purpose: [review], grant: required}""".formatted(CONSUMER)));

    Run r = c.assess();

    assertFinding(only(r, "RULE_ALL_FIELDS"), "low", "rule", "every-field");
  }

  @Test
  void ruleMaskWeakerIgnored_low() throws Exception {
    City c = new City();
    c.policies = policies(rule("no-mask", """
        effect: permit
        subject: {party: [%s]}
        action: [query]
        resource: [fund]
        fields: [applicant.idNumber]
        conditions: {purpose: [review], grant: required}
        obligations: {mask: {applicant.idNumber: none}}""".formatted(CONSUMER)));

    Run r = c.assess();

    assertFinding(only(r, "RULE_MASK_WEAKER_IGNORED"), "low", "rule", "no-mask");
  }

  @Test
  void rulePartyNotMember_low() throws Exception {
    City c = new City();
    c.policies = policies(rule("stranger", """
        effect: permit
        subject: {party: [%s]}
        action: [query]
        resource: [fund]
        fields: [balance]
        conditions: {purpose: [review], grant: required}""".formatted(STRANGER)));

    Run r = c.assess();

    assertFinding(only(r, "RULE_PARTY_NOT_MEMBER"), "low", "rule", "stranger");
  }

  // ------------------------------------------------------------------------------ bundle

  @Test
  void certificateExpiring_within30Days_medium_andWindowConfigurable() throws Exception {
    PartyIdentity soon = authority.issue(STRANGER, false, Duration.ofDays(10));
    City c = new City();
    c.members.add(member(soon));
    String serial = soon.signingCertificate().certificate().getSerialNumber().toString(16);

    Run r = c.assess();
    List<JsonNode> f = findings(r, "CERTIFICATE_EXPIRING");
    assertThat(f).as(r.out()).hasSize(2);
    assertThat(f).anySatisfy(x -> assertFinding(x, "medium", "certificate", STRANGER + "#" + serial));

    assertThat(findings(c.assess("--cert-warning-days", "5"), "CERTIFICATE_EXPIRING")).isEmpty();
  }

  @Test
  void certificateExpired_high() throws Exception {
    Clock past = Clock.fixed(Instant.now().minus(Duration.ofDays(3)), ZoneOffset.UTC);
    CityAuthority then = CityAuthority.open(ca.resolve("ca"), "pw".toCharArray(), past);
    PartyIdentity old = then.issue(STRANGER, false, Duration.ofDays(1));
    City c = new City();
    c.members.add(member(old));

    Run r = c.assess();

    assertThat(findings(r, "CERTIFICATE_EXPIRED")).as(r.out() + r.err()).hasSize(2)
        .allSatisfy(x -> assertThat(x.get("severity").textValue()).isEqualTo("high"));
    assertFinding(only(r, "PARTY_WITHOUT_VALID_CERTIFICATE"), "medium", "party", STRANGER.toString());
  }

  @Test
  void certificateRevoked_low_andPartyWithoutValidCertificate_medium() throws Exception {
    PartyIdentity gone = authority.issue(STRANGER, false, Duration.ofDays(365));
    for (PartyCertificate pc : List.of(gone.signingCertificate(), gone.encryptionCertificate())) {
      authority.revoke(pc.certificate().getSerialNumber(), RevocationReason.KEY_COMPROMISE);
    }
    City c = new City();
    c.members.add(member(gone));

    Run r = c.assess();

    assertThat(findings(r, "CERTIFICATE_REVOKED")).as(r.out() + r.err()).hasSize(2)
        .allSatisfy(x -> assertThat(x.get("severity").textValue()).isEqualTo("low"));
    assertFinding(only(r, "PARTY_WITHOUT_VALID_CERTIFICATE"), "medium", "party", STRANGER.toString());
  }

  @Test
  void providerNotMember_medium() throws Exception {
    City c = new City();
    c.members.remove(0);

    Run r = c.assess();

    assertFinding(only(r, "PROVIDER_NOT_MEMBER"), "medium", "resource", "fund");
  }

  @Test
  void crlNearUpdate_info() throws Exception {
    City c = new City();
    c.crlNextUpdate = Duration.ofHours(12);

    Run r = c.assess();

    assertThat(only(r, "CRL_NEAR_UPDATE").get("severity").textValue()).isEqualTo("info");
  }

  @Test
  void bundleExpiredAndCrlStale_high_whenTheHubAssessesWithGrace() throws Exception {
    City c = new City();
    Path jws = c.sign();
    CityBundle b = CityBundle.verify(Files.readAllBytes(jws), List.of(authority.root()), Instant.now(), Duration.ZERO);
    Instant later = b.validUntil().plus(Duration.ofDays(8));
    CityTrust t = b.trust(List.of(authority.root()), CityTrust.DEFAULT_CRL_GRACE);
    PolicySet set = PolicySet.parse(Catalog.parse("c", c.catalog.getBytes(StandardCharsets.UTF_8)), "p",
        c.policies.getBytes(StandardCharsets.UTF_8));

    Assessment a = SecurityAssessor.builder().policySet(set, c.policies).bundle(b, t).now(later).build().assess();

    assertThat(a.ofKind("BUNDLE_EXPIRED")).singleElement().extracting(Finding::severity).isEqualTo(Severity.HIGH);
    assertThat(a.ofKind("CRL_STALE")).singleElement().extracting(Finding::severity).isEqualTo(Severity.HIGH);
  }

  // ------------------------------------------------------------------------------ grants

  @Test
  void grantLongValidity_medium() throws Exception {
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    Path g = grantFile("long.jwt", provider, grant().validity(now, now.plus(Duration.ofDays(3 * 365))).build());

    Run r = new City().assess("--grants", g.toString());

    assertFinding(only(r, "GRANT_LONG_VALIDITY"), "medium", "grant", PROVIDER + "#g-1");
  }

  @Test
  void grantUnlimitedUses_medium() throws Exception {
    Path g = grantFile("many.jwt", provider, grant().maxUses(1_000_000_000L).build());

    Run r = new City().assess("--grants", g.toString());

    assertThat(only(r, "GRANT_UNLIMITED_USES").get("severity").textValue()).isEqualTo("medium");
  }

  @Test
  void grantInvalid_tamperedOrForeign_high() throws Exception {
    Path dir = grantFile("ok.jwt", provider, grant().build());
    String token = Files.readString(dir.resolve("ok.jwt")).strip();
    String[] p = token.split("\\.");
    Files.writeString(dir.resolve("tampered.jwt"), p[0] + "." + p[1] + "." + (p[2].charAt(0) == 'A' ? 'B' : 'A')
        + p[2].substring(1));
    PartyIdentity foreign = PartyIdentity.generateSelfSigned(io.shulian.core.keys.Suite.INTL, PROVIDER, Duration.ofDays(1));
    Files.writeString(dir.resolve("foreign.jwt"), GrantIssuer.of(foreign).issue(grant().id("g-2").build()));
    Files.writeString(dir.resolve("garbage.jwt"), "not a token");

    Run r = new City().assess("--grants", dir.toString());

    List<JsonNode> f = findings(r, "GRANT_INVALID");
    assertThat(f).as(r.out()).hasSize(3).allSatisfy(x -> assertThat(x.get("severity").textValue()).isEqualTo("high"));
    assertThat(f).extracting(x -> x.get("object").get("id").textValue())
        .containsExactlyInAnyOrder("tampered.jwt", "foreign.jwt", "garbage.jwt");
  }

  @Test
  void grantNotVerified_unsignedFilesWithoutIssuerCertificates_high() throws Exception {
    Files.writeString(tmp.resolve("catalog.yaml"), catalog());
    Files.writeString(tmp.resolve("policies.yaml"), policies());
    Path g = grantFile("ok.jwt", provider, grant().build());
    Files.writeString(tmp.resolve("provider.pem"), PartyCertificate.toPem(List.of(provider.signingCertificate())));

    Run r = run("assess", "--catalog", tmp.resolve("catalog.yaml").toString(), "--policies",
        tmp.resolve("policies.yaml").toString(), "--grants", g.toString(), "--format", "json");
    assertFinding(only(r, "GRANT_NOT_VERIFIED"), "high", "grant", "ok.jwt");

    Run pinned = run("assess", "--catalog", tmp.resolve("catalog.yaml").toString(), "--policies",
        tmp.resolve("policies.yaml").toString(), "--grants", g.toString(), "--grant-trust",
        tmp.resolve("provider.pem").toString(), "--format", "json");
    assertThat(pinned.code()).as(pinned.out() + pinned.err()).isEqualTo(ExitCodes.OK);
  }

  @Test
  void grantRevoked_info() throws Exception {
    Path g = grantFile("ok.jwt", provider, grant().build());
    City c = new City();
    c.revoked.add(CityBundle.RevokedGrant.of(PROVIDER, "g-1", null, "test"));

    Run r = c.assess("--grants", g.toString());

    assertThat(only(r, "GRANT_REVOKED").get("severity").textValue()).isEqualTo("info");
  }

  @Test
  void grantExpired_info() throws Exception {
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    Path g = grantFile("old.jwt", provider, grant().validity(now.minus(Duration.ofDays(9)), now.minus(Duration.ofDays(2))).build());

    Run r = new City().assess("--grants", g.toString());

    assertThat(only(r, "GRANT_EXPIRED").get("severity").textValue()).isEqualTo("info");
  }

  @Test
  void grantUnknownResource_low() throws Exception {
    Path g = grantFile("x.jwt", provider, grant().resource("nowhere").build());

    Run r = new City().assess("--grants", g.toString());

    assertThat(only(r, "GRANT_UNKNOWN_RESOURCE").get("severity").textValue()).isEqualTo("low");
  }

  @Test
  void grantNotFromProvider_medium() throws Exception {
    Path g = grantFile("x.jwt", consumer, grant().issuer(CONSUMER).build());

    Run r = new City().assess("--grants", g.toString());

    assertThat(only(r, "GRANT_NOT_FROM_PROVIDER").get("severity").textValue()).isEqualTo("medium");
  }

  @Test
  void grantForUnconditionalResource_low() throws Exception {
    City c = new City();
    c.catalog = catalog(resource("area", "area", UNCONDITIONAL,
        "- {name: floorArea, type: number, classification: general}", ENDPOINT));
    Path g = grantFile("x.jwt", provider, grant().resource("area").fields(List.of("floorArea")).build());

    Run r = c.assess("--grants", g.toString());

    assertThat(only(r, "GRANT_FOR_UNCONDITIONAL_RESOURCE").get("severity").textValue()).isEqualTo("low");
  }

  @Test
  void grantPurposeNotDeclared_medium() throws Exception {
    Path g = grantFile("x.jwt", provider, grant().purpose("stats").build());

    Run r = new City().assess("--grants", g.toString());

    assertThat(only(r, "GRANT_PURPOSE_NOT_DECLARED").get("severity").textValue()).isEqualTo("medium");
  }

  @Test
  void grantUnknownField_low_andGrantCoreField_medium() throws Exception {
    Path g = grantFile("x.jwt", provider, grant().fields(List.of("balance", "bankCard", "salary")).build());

    Run r = new City().assess("--grants", g.toString());

    assertThat(only(r, "GRANT_UNKNOWN_FIELD").get("message").textValue()).contains("salary");
    assertThat(only(r, "GRANT_CORE_FIELD").get("severity").textValue()).isEqualTo("medium");
  }

  // ------------------------------------------------------------------------------ output and input

  @Test
  void html_resourceNameWithScript_isEscaped() throws Exception {
    City c = new City();
    c.catalog = catalog(resource("cards", "<script>alert(1)</script>", UNCONDITIONAL,
        "- {name: cardNo, type: string, classification: core, personalInfo: bank-card}", ENDPOINT));
    Path out = tmp.resolve("report.html");

    Run r = c.assess("--format", "html", "--out", out.toString());

    assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.FINDINGS_CRITICAL);
    String html = Files.readString(out);
    assertThat(html).startsWith("<!DOCTYPE html>").contains("&lt;script&gt;alert(1)&lt;/script&gt;")
        .doesNotContain("<script").contains("CORE_DATA_UNCONDITIONAL").contains("Content-Security-Policy");
  }

  @Test
  void table_default_listsFindingAndFix() throws Exception {
    City c = new City();
    c.policies = "version: \"t-1\"\nrules: []\n";
    Path jws = c.sign();

    Run r = run("assess", "--bundle", jws.toString(), "--root", ca.resolve("ca/root.pem").toString());

    assertThat(r.out()).contains("CONDITIONAL_WITHOUT_RULES").contains("resource fund").contains("fix: ")
        .contains("1 finding: 0 critical, 0 high, 0 medium, 1 low, 0 info");
  }

  @Test
  void bundleOfAnotherRoot_rejectedExit3() throws Exception {
    Path jws = new City().sign();
    Path other = tmp.resolve("other");
    CityAuthority.init(io.shulian.core.keys.Suite.INTL, "Other Root", other, "pw".toCharArray(), Duration.ofDays(30),
        Clock.systemUTC());

    Run r = run("assess", "--bundle", jws.toString(), "--root", other.resolve("root.pem").toString());

    assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.REJECTED);
    assertThat(r.out()).isEmpty();
  }

  @Test
  void invalidPolicies_rejectedExit3WithLocation() throws Exception {
    Files.writeString(tmp.resolve("catalog.yaml"), catalog());
    Files.writeString(tmp.resolve("policies.yaml"), policies().replace("resource: [fund]", "resource: [nowhere]"));

    Run r = run("assess", "--catalog", tmp.resolve("catalog.yaml").toString(), "--policies",
        tmp.resolve("policies.yaml").toString());

    assertThat(r.code()).isEqualTo(ExitCodes.REJECTED);
    assertThat(r.err()).contains("nowhere").doesNotContain("\tat ");
  }

  @Test
  void usage_bothBundleAndCatalog_orBadFailOn_exit2() {
    assertThat(run("assess", "--bundle", "b.jws", "--root", "r.pem", "--catalog", "c.yaml").code()).isEqualTo(ExitCodes.USAGE);
    assertThat(run("assess", "--catalog", "c.yaml", "--fail-on", "low").code()).isEqualTo(ExitCodes.USAGE);
    assertThat(run("assess", "--catalog", "c.yaml", "--format", "pdf").code()).isEqualTo(ExitCodes.USAGE);
  }
}
