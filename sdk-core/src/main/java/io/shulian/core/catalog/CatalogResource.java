package io.shulian.core.catalog;

import io.shulian.core.party.PartyId;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A data resource registered in the catalog.
 *
 * @param code unique catalog code, e.g. {@code housing.provident-fund.balance}
 * @param provider the party that holds the data and issues grants for it
 * @param fields data items in catalog order
 * @param conditions for conditional sharing, the conditions an application must meet (text)
 * @param legalBasis the law or regulation behind a not-shared resource (required for it)
 * @param purposes codes from the catalog's purpose list that requests may state
 * @param updateCycle e.g. {@code daily}
 * @param openAttribute public-data open attribute: {@code open}, {@code conditional-open} or {@code not-open}
 * @param dataset for a resource delivered as a data set ({@code "delivery": "dataset"}), its record
 *     format; null for an ordinary resource, whose responses are exchanged whole
 */
public record CatalogResource(
    String code,
    String name,
    PartyId provider,
    String description,
    List<CatalogField> fields,
    SharingType sharingType,
    @Nullable String conditions,
    @Nullable String legalBasis,
    Set<String> purposes,
    String updateCycle,
    String openAttribute,
    List<Endpoint> endpoints,
    @Nullable DatasetFormat dataset) {

  /** An ordinary resource (not a data set). */
  public CatalogResource(String code, String name, PartyId provider, String description, List<CatalogField> fields,
      SharingType sharingType, @Nullable String conditions, @Nullable String legalBasis, Set<String> purposes,
      String updateCycle, String openAttribute, List<Endpoint> endpoints) {
    this(code, name, provider, description, fields, sharingType, conditions, legalBasis, purposes, updateCycle,
        openAttribute, endpoints, null);
  }

  public CatalogResource {
    Objects.requireNonNull(code, "code");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(provider, "provider");
    Objects.requireNonNull(description, "description");
    fields = List.copyOf(fields);
    Objects.requireNonNull(sharingType, "sharingType");
    purposes = Set.copyOf(purposes);
    Objects.requireNonNull(updateCycle, "updateCycle");
    Objects.requireNonNull(openAttribute, "openAttribute");
    endpoints = List.copyOf(endpoints);
    if (sharingType == SharingType.NOT_SHARED && (legalBasis == null || legalBasis.isBlank())) {
      throw new IllegalArgumentException("resource " + code + " is not-shared but has no legal basis");
    }
  }

  /** Whether the resource is delivered as a streamed data set ({@link #dataset()} is its format). */
  public boolean isDataset() {
    return dataset != null;
  }

  /** Returns the field with this name. */
  public Optional<CatalogField> field(String fieldName) {
    for (CatalogField f : fields) {
      if (f.name().equals(fieldName)) {
        return Optional.of(f);
      }
    }
    return Optional.empty();
  }
}
