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
 * resource holds important or core data), and audit at a level. Masks of all deciding rules are
 * merged per field, the strictest winning (drop > hash > partial > none). Immutable.
 */
public final class Obligations {
  private static final Obligations NONE = new Obligations(Map.of(), AuditLevel.STANDARD, List.of(), false);

  private final Map<String, MaskSpec> masks;
  private final AuditLevel audit;
  private final List<String> catalogFields;
  private final boolean dropUnlisted;
  private final int hash;

  private Obligations(Map<String, MaskSpec> masks, AuditLevel audit, List<String> catalogFields, boolean dropUnlisted) {
    this.masks = masks;
    this.audit = audit;
    this.catalogFields = catalogFields;
    this.dropUnlisted = dropUnlisted;
    // cached: gateways key their masker caches by obligations
    this.hash = Objects.hash(masks, audit, catalogFields, dropUnlisted);
  }

  /** No masks, standard audit. */
  public static Obligations none() {
    return NONE;
  }

  /** Returns obligations with these masks (copied, order kept) and audit level, no listed fields, no projection. */
  public static Obligations of(Map<String, MaskSpec> masks, AuditLevel audit) {
    return of(masks, audit, List.of(), false);
  }

  /**
   * Returns obligations with these masks (copied, order kept), audit level, the resource's catalog
   * fields (the shape a response must have) and whether members no field names are dropped.
   */
  public static Obligations of(Map<String, MaskSpec> masks, AuditLevel audit, List<String> catalogFields,
      boolean dropUnlisted) {
    return new Obligations(Collections.unmodifiableMap(new LinkedHashMap<>(masks)), Objects.requireNonNull(audit),
        List.copyOf(catalogFields), dropUnlisted);
  }

  /** Wraps a map and list the caller hands over and never changes again. */
  static Obligations owned(Map<String, MaskSpec> masks, AuditLevel audit, List<String> catalogFields, boolean dropUnlisted) {
    return new Obligations(Collections.unmodifiableMap(masks), audit, catalogFields, dropUnlisted);
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

  /** Returns true if a response needs to pass a {@link Masker} before it is released. */
  public boolean needMasking() {
    return !masks.isEmpty() || dropUnlisted;
  }

  /**
   * Starts a masker that applies these obligations: the masks, the catalog fields as listed fields,
   * and the projection. Add the provider's hash key if a mask hashes, then build.
   */
  public Masker.Builder masker() {
    return Masker.builder().fields(masks).listFields(catalogFields).dropUnlisted(dropUnlisted);
  }

  @Override
  public boolean equals(@Nullable Object o) {
    if (!(o instanceof Obligations)) {
      return false;
    }
    Obligations b = (Obligations) o;
    return b.hash == hash && b.masks.equals(masks) && b.audit == audit && b.catalogFields.equals(catalogFields)
        && b.dropUnlisted == dropUnlisted;
  }

  @Override
  public int hashCode() {
    return hash;
  }

  @Override
  public String toString() {
    return "Obligations[masks=" + masks + ", audit=" + audit.wireName() + (dropUnlisted ? ", dropUnlisted" : "") + "]";
  }
}
