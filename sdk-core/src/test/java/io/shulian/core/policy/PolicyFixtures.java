package io.shulian.core.policy;

import io.shulian.core.catalog.Catalog;
import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.keys.Suite;
import io.shulian.core.party.PartyId;
import io.shulian.core.testing.TestParties;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/** The example documents of docs/examples and the parties they name. */
final class PolicyFixtures {
  static final Path EXAMPLES = Path.of("..", "docs", "examples");
  /**
   * 10:00 in Asia/Shanghai on the next Wednesday after tomorrow: inside the 30-day validity of the
   * test certificates, which are generated now.
   */
  static final Instant WED10 = java.time.LocalDate.now(java.time.ZoneId.of("Asia/Shanghai")).plusDays(1)
      .with(java.time.temporal.TemporalAdjusters.nextOrSame(java.time.DayOfWeek.WEDNESDAY))
      .atTime(10, 0).atZone(java.time.ZoneId.of("Asia/Shanghai")).toInstant();

  static final PartyId CIVIL = PartyId.parse("440600/11440600MB2C5678CX");
  static final PartyId MARKET = PartyId.parse("440600/11440600MB2C2468BF");
  static final PartyId HOUSING = TestParties.HOUSING;

  static final Map<String, PartyId> SUBJECTS = Map.ofEntries(
      Map.entry("civil", CIVIL),
      Map.entry("civil-sys", PartyId.parse("440600/11440600MB2C5678CX/relief")),
      Map.entry("market", MARKET),
      Map.entry("housing", PartyId.parse("440600/11440600MB2C1234HN")),
      Map.entry("district", PartyId.parse("440604/11440604MB2C9012D6")),
      Map.entry("town", PartyId.parse("440604001/11440604MB2C7777TQ")),
      Map.entry("village", PartyId.parse("440604001001/11440604MB2C7777TQ")),
      Map.entry("province", PartyId.parse("440000/11440000MB2C3456PM")),
      Map.entry("hunan", PartyId.parse("430104/11440604MB2C9012D6")),
      Map.entry("shenzhen", PartyId.parse("440305/11440604MB2C9012D6")),
      Map.entry("shenzhen-town", PartyId.parse("440305001/11440604MB2C7777TQ")));

  static final Map<String, String> RESOURCES = Map.of(
      "PROP", "housing.property-registry",
      "FUND", "housing.provident-fund.balance",
      "ENT", "market.enterprise-registry",
      "CASE", "security.case-records",
      "PEN", "province.pension.status");

  static final Map<String, String> PURPOSES = Map.of(
      "sar", "social-assistance-review",
      "hsr", "housing-subsidy-review",
      "biz", "business-licensing",
      "gov", "grassroots-governance",
      "stats", "statistics");

  private static PolicySet set;
  private static PartyIdentity housingIdentity;
  private static PartyIdentity forgedHousing;
  private static PartyIdentity marketIdentity;

  private PolicyFixtures() {}

  static synchronized PolicySet exampleSet() throws Exception {
    if (set == null) {
      Catalog c = Catalog.load(EXAMPLES.resolve("catalog.yaml"));
      set = PolicySet.parse(c, "policies.yaml", Files.readAllBytes(EXAMPLES.resolve("policies.yaml")));
    }
    return set;
  }

  /** The housing bureau's identity: its party is the provider of FUND and PROP. */
  static synchronized PartyIdentity housing() {
    if (housingIdentity == null) {
      housingIdentity = TestParties.pair(Suite.INTL)[0];
    }
    return housingIdentity;
  }

  /** Another key pair claiming to be the housing bureau. */
  static synchronized PartyIdentity forgedHousing() {
    if (forgedHousing == null) {
      forgedHousing = PartyIdentity.generateSelfSigned(Suite.INTL, HOUSING, Duration.ofDays(30));
    }
    return forgedHousing;
  }

  static synchronized PartyIdentity market() {
    if (marketIdentity == null) {
      marketIdentity = PartyIdentity.generateSelfSigned(Suite.INTL, MARKET, Duration.ofDays(30));
    }
    return marketIdentity;
  }
}
