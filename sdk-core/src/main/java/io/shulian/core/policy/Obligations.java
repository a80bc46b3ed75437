package io.shulian.core.policy;

import io.shulian.core.policy.mask.MaskSpec;
import io.shulian.core.policy.mask.Masker;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What the provider gateway must do with a permitted response: mask (or drop) fields, keep the
 * response to the shape of the resource's catalog fields (dropping unlisted members where the
 * resource holds important or core data), keep return flow to records of the requester's division,
 * and audit at a level. Masks of all deciding rules are
 * merged per field, the strictest winning (drop > hash > partial > none). Immutable.
 */
public final class Obligations {
  private static final Obligations NONE = new Obligations(Map.of(), AuditLevel.STANDARD, List.of(), false, Map.of());

  private final Map<String, MaskSpec> masks;
  private final AuditLevel audit;
  private final List<String> catalogFields;
  private final boolean dropUnlisted;
  private final Map<String, String> recordDivision;
  private final int hash;

  private Obligations(Map<String, MaskSpec> masks, AuditLevel audit, List<String> catalogFields, boolean dropUnlisted,
      Map<String, String> recordDivision) {
    this.masks = masks;
    this.audit = audit;
    this.catalogFields = catalogFields;
    this.dropUnlisted = dropUnlisted;
    this.recordDivision = recordDivision;
    // cached: gateways key their masker caches by obligations
    this.hash = Objects.hash(masks, audit, catalogFields, dropUnlisted, recordDivision);
  }

  /** No masks, standard audit. */
  public static Obligations none() {
    return NONE;
  }

  /** Returns obligations with these masks (copied, order kept) and audit level, no listed fields, no projection. */
  public static Obligations of(Map<String, MaskSpec> masks, AuditLevel audit) {
    return of(masks, audit, List.of(), false, Map.of());
  }

  /**
   * Returns obligations with these masks (copied, order kept), audit level, the resource's catalog
   * fields (the shape a response must have), whether members no field names are dropped, and the
   * division fields each record must carry with the division code they must lie within (return flow).
   *
   * @throws IllegalArgumentException if a record division is not a GB/T 2260 code
   */
  public static Obligations of(Map<String, MaskSpec> masks, AuditLevel audit, List<String> catalogFields,
      boolean dropUnlisted, Map<String, String> recordDivision) {
    for (String code : recordDivision.values()) {
      io.shulian.core.party.AdministrativeLevel.ofDivisionCode(code);
    }
    return new Obligations(Collections.unmodifiableMap(new LinkedHashMap<>(masks)), Objects.requireNonNull(audit),
        List.copyOf(catalogFields), dropUnlisted, Collections.unmodifiableMap(new LinkedHashMap<>(recordDivision)));
  }

  /** Wraps maps and a list the caller hands over and never changes again. */
  static Obligations owned(Map<String, MaskSpec> masks, AuditLevel audit, List<String> catalogFields, boolean dropUnlisted,
      Map<String, String> recordDivision) {
    return new Obligations(Collections.unmodifiableMap(masks), audit, catalogFields, dropUnlisted,
        Collections.unmodifiableMap(recordDivision));
  }

  /** Returns the masks by field path, including {@code drop}. */
  public Map<String, MaskSpec> masks() {
    return masks;
  }

  public AuditLevel audit() {
    return audit;
  }

  /** Returns every field path of the resource in catalog order (empty if unknown). */
  public List<String> catalogFields() {
    return catalogFields;
  }

  /** Returns true if members of a response that no catalog field names must be dropped. */
  public boolean dropUnlisted() {
    return dropUnlisted;
  }

  /**
   * Returns the division fields every record must carry, each with the division code (the
   * requester's) its value must lie within; empty unless the decision is a return flow on a resource
   * with {@code division} fields.
   */
  public Map<String, String> recordDivision() {
    return recordDivision;
  }

  /** Returns true if a response needs to pass a {@link Masker} before it is released. */
  public boolean needMasking() {
    return !masks.isEmpty() || dropUnlisted || !recordDivision.isEmpty();
  }

  /**
   * Starts a masker that applies these obligations: the masks, the catalog fields as listed fields,
   * and the projection. Add the provider's hash key if a mask hashes, then build.
   */
  public Masker.Builder masker() {
    Masker.Builder b = Masker.builder().fields(masks).listFields(catalogFields).dropUnlisted(dropUnlisted);
    recordDivision.forEach((path, code) -> b.requireDivisionWithin(path, Divisions.jurisdiction(code)));
    return b;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    if (o == this) {
      return true;
    }
    if (!(o instanceof Obligations)) {
      return false;
    }
    Obligations b = (Obligations) o;
    return b.hash == hash && b.masks.equals(masks) && b.audit == audit && b.catalogFields.equals(catalogFields)
        && b.dropUnlisted == dropUnlisted && b.recordDivision.equals(recordDivision);
  }

  @Override
  public int hashCode() {
    return hash;
  }

  @Override
  public String toString() {
    return "Obligations[masks=" + masks + ", audit=" + audit.wireName() + (dropUnlisted ? ", dropUnlisted" : "")
        + (recordDivision.isEmpty() ? "" : ", recordDivision=" + recordDivision) + "]";
  }
}
