package io.shulian.examples.demo;

import io.shulian.core.party.CreditCode;
import io.shulian.core.party.PartyId;

/**
 * One department of the demo city: its folder name under {@code parties/}, its display name and its
 * party id (division code, made-up credit code with a valid check character, system code).
 */
public record CityParty(String role, String name, PartyId id) {

  /** Housing bureau of the city (provider of housing data). */
  public static final CityParty HOUSING = of("housing-bureau", "佛山市住房和城乡建设局 (housing bureau)",
      "440600", "11440600MB2C1001H", "housing");
  /** Civil affairs bureau of the city (consumer: social assistance reviews). */
  public static final CityParty CIVIL_AFFAIRS = of("civil-affairs", "佛山市民政局 (civil affairs bureau)",
      "440600", "11440600MB2C2002C", "relief");
  /** A district office (district level, division 440604). */
  public static final CityParty DISTRICT = of("district-office", "禅城区政务服务数据管理局 (district office)",
      "440604", "11440604MB2D3003G", "grassroots");
  /** A street (town-level) office: 9-digit division code. */
  public static final CityParty STREET = of("street-office", "祖庙街道办事处 (street office)",
      "440604001", "11440604MB2E4004J", "grid");
  /** The provincial pension system: a vertical system one level up, the source of the return flow. */
  public static final CityParty PROVINCE = of("province-pension", "广东省社会保险基金管理局 (provincial pension system)",
      "440000", "11440000MB2A5005P", "pension");

  /** Every department of the demo city. */
  public static final java.util.List<CityParty> ALL = java.util.List.of(HOUSING, CIVIL_AFFAIRS, DISTRICT, STREET, PROVINCE);

  static CityParty of(String role, String name, String division, String creditFirst17, String system) {
    return new CityParty(role, name, PartyId.of(division, CreditCode.withCheckCharacter(creditFirst17), system));
  }
}
