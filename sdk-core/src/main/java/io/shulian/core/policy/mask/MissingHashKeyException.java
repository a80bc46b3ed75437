package io.shulian.core.policy.mask;

import java.util.List;

/**
 * A configuration error found before any data flows: the policy or the masker hashes a field
 * ({@code function: hash}) but no hash key was given. Thrown when the policy engine is built or its
 * policy set swapped ({@code PolicyEngine.Builder.maskHashKey}), and when a {@link Masker} is built
 * ({@link Masker.Builder#hashKey}); never while a payload is masked. The message names every rule
 * and field that hashes.
 */
public final class MissingHashKeyException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  private final List<String> hashedFields;

  /**
   * @param hashedFields where a hash mask is configured, e.g. {@code rule civil-marriage-review:
   *     owner.idNumber} or {@code field owner.idNumber}
   */
  public MissingHashKeyException(List<String> hashedFields, String howToSet) {
    super("a hash key is required but none is set: " + String.join(", ", hashedFields) + " hash"
        + (hashedFields.size() == 1 ? "es" : "") + " with a keyed hash; set one with " + howToSet);
    this.hashedFields = List.copyOf(hashedFields);
  }

  /** Returns where a hash mask is configured, each as {@code rule <id>: <field>} or {@code field <path>}. */
  public List<String> hashedFields() {
    return hashedFields;
  }
}
