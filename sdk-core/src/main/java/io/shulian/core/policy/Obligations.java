package io.shulian.core.policy;

import io.shulian.core.policy.mask.MaskSpec;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What the provider gateway must do with a permitted response: mask (or drop) fields, and audit at
 * a level. Masks of all deciding rules are merged per field, the strictest winning (drop > hash >
 * partial > none). Immutable.
 */
public final class Obligations {
  private static final Obligations NONE = new Obligations(Map.of(), AuditLevel.STANDARD);

  private final Map<String, MaskSpec> masks;
  private final AuditLevel audit;

  private Obligations(Map<String, MaskSpec> masks, AuditLevel audit) {
    this.masks = masks;
    this.audit = audit;
  }

  /** No masks, standard audit. */
  public static Obligations none() {
    return NONE;
  }

  /** Returns obligations with these masks (copied, order kept) and audit level. */
  public static Obligations of(Map<String, MaskSpec> masks, AuditLevel audit) {
    return new Obligations(Collections.unmodifiableMap(new LinkedHashMap<>(masks)), Objects.requireNonNull(audit));
  }

  /** Wraps a map the caller hands over and never changes again. */
  static Obligations owned(Map<String, MaskSpec> masks, AuditLevel audit) {
    return new Obligations(Collections.unmodifiableMap(masks), audit);
  }

  /** Returns the masks by field path, including {@code drop}. */
  public Map<String, MaskSpec> masks() {
    return masks;
  }

  public AuditLevel audit() {
    return audit;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof Obligations && ((Obligations) o).masks.equals(masks) && ((Obligations) o).audit == audit;
  }

  @Override
  public int hashCode() {
    return masks.hashCode() * 31 + audit.hashCode();
  }

  @Override
  public String toString() {
    return "Obligations[masks=" + masks + ", audit=" + audit.wireName() + "]";
  }
}
