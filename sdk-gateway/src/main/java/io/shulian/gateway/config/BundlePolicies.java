package io.shulian.gateway.config;

import io.shulian.core.catalog.Catalog;
import io.shulian.core.catalog.InvalidDocumentException;
import io.shulian.core.policy.PolicySet;
import io.shulian.core.trust.CityBundle;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * Reads the catalog and policy set a city bundle carries in its {@code catalog} and {@code
 * policies} extensions. The gateway loads them through here, and {@code shulian bundle sign} checks
 * them through here before signing, so a bundle the bureau can sign is one the gateway can load.
 */
public final class BundlePolicies {
  /** Name of the extension holding the catalog (JSON). */
  public static final String CATALOG = "catalog";
  /** Name of the extension holding the policy set (JSON). */
  public static final String POLICIES = "policies";

  private BundlePolicies() {}

  /**
   * Returns the bundle's policy set: its policies compiled against its catalog, or only the
   * catalog's derived rules if it carries no policies.
   *
   * @throws IOException if the bundle carries no catalog
   * @throws InvalidDocumentException listing every problem of the catalog or the policies
   */
  public static PolicySet load(CityBundle bundle) throws IOException, InvalidDocumentException {
    String catalog = bundle.extension(CATALOG)
        .orElseThrow(() -> new IOException("the city bundle has no '" + CATALOG + "' extension"));
    return parse(catalog, bundle.extension(POLICIES).orElse(null));
  }

  /**
   * Parses a catalog and, if given, a policy set as a bundle carries them (JSON text).
   *
   * @throws InvalidDocumentException listing every problem of the catalog or the policies
   */
  public static PolicySet parse(String catalogJson, @Nullable String policiesJson) throws InvalidDocumentException {
    Catalog catalog = Catalog.parse("bundle:" + CATALOG, catalogJson.getBytes(StandardCharsets.UTF_8));
    return policiesJson == null ? PolicySet.derivedOnly(catalog)
        : PolicySet.parse(catalog, "bundle:" + POLICIES, policiesJson.getBytes(StandardCharsets.UTF_8));
  }
}
