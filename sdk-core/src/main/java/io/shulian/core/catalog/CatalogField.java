package io.shulian.core.catalog;

import io.shulian.core.envelope.Classification;
import java.util.Objects;

/**
 * One data item of a resource.
 *
 * @param name the field path in the payload: segments joined by '.', a segment ending in {@code []}
 *     steps into every element of an array, e.g. {@code members[].phone}
 * @param type one of {@code string, integer, number, boolean, date, datetime, division} (a GB/T 2260
 *     division code the record belongs to, 6, 9 or 12 digits: it binds return flow to the requester)
 * @param classification GB/T 43697 level
 * @param personalInfo personal-information category
 */
public record CatalogField(String name, String type, Classification classification, PersonalInfo personalInfo) {
  public CatalogField {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(classification, "classification");
    Objects.requireNonNull(personalInfo, "personalInfo");
  }
}
