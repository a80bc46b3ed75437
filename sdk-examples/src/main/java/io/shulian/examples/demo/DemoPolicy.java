package io.shulian.examples.demo;

/**
 * The provider gateways' access-policy section of {@code gateway.yaml}.
 *
 * <p>Static allow-list ({@code provider.permissions}): the gateway cannot check grants, sharing
 * types or masking with it, so the scenarios that need the catalog policy engine report ✗ until
 * the gateway's {@code provider.policy} option is configured here.
 */
final class DemoPolicy {
  private DemoPolicy() {}

  /** Whether the provider gateways decide with the catalog and policy engine. */
  static final boolean ENGINE = false;

  static String providerPolicy(CityParty provider) {
    if (provider.equals(CityParty.PROVINCE)) {
      return String.join("\n",
          "  permissions:       # static allow-list (default deny)",
          "    - {consumer: \"" + CityParty.DISTRICT.id() + "\", resource: " + CityDocuments.PENSION
              + ", purposes: [grassroots-governance]}",
          "    - {consumer: \"" + CityParty.STREET.id() + "\", resource: " + CityDocuments.PENSION
              + ", purposes: [grassroots-governance]}");
    }
    return String.join("\n",
        "  permissions:       # static allow-list (default deny)",
        "    - {consumer: \"" + CityParty.CIVIL_AFFAIRS.id() + "\", resource: " + CityDocuments.PROPERTY
            + ", purposes: [social-assistance-review]}",
        "    - {consumer: \"" + CityParty.DISTRICT.id() + "\", resource: " + CityDocuments.PROPERTY
            + ", purposes: [social-assistance-review, housing-subsidy-review]}");
  }
}
