package io.shulian.core.audit;

import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The policy decision recorded with an exchange: effect, the rules that decided, the obligations
 * applied (e.g. {@code mask:idNumber}), the policy version hash and reason codes. The gateway fills
 * it from the policy engine's decision; the audit log does not interpret it beyond the effect and
 * the reason codes used by statistics.
 *
 * <p>Immutable. Every string is at most 65,535 UTF-8 bytes and each list at most 255 entries.
 */
public final class AuditDecision {
  /** The outcome of a decision. */
  public enum Effect {
    PERMIT,
    DENY
  }

  private final Effect effect;
  private final List<String> ruleIds;
  private final List<String> obligations;
  private final String policyVersionHash;
  private final List<String> reasonCodes;

  private AuditDecision(Builder b) {
    this.effect = b.effect;
    this.ruleIds = checked("ruleIds", b.ruleIds);
    this.obligations = checked("obligations", b.obligations);
    this.policyVersionHash = AuditRecord.checkText("policyVersionHash", b.policyVersionHash);
    this.reasonCodes = checked("reasonCodes", b.reasonCodes);
  }

  private static List<String> checked(String name, List<String> list) {
    List<String> copy = List.copyOf(list);
    if (copy.size() > 255) {
      throw new IllegalArgumentException(name + " has " + copy.size() + " entries; at most 255 allowed");
    }
    for (String s : copy) {
      AuditRecord.checkText(name, s);
    }
    return copy;
  }

  /** A PERMIT with no further detail. */
  public static AuditDecision permit() {
    return builder(Effect.PERMIT).build();
  }

  /** A DENY with the given reason codes. */
  public static AuditDecision deny(String... reasonCodes) {
    return builder(Effect.DENY).reasonCodes(List.of(reasonCodes)).build();
  }

  public static Builder builder(Effect effect) {
    return new Builder(effect);
  }

  public Effect effect() {
    return effect;
  }

  public List<String> ruleIds() {
    return ruleIds;
  }

  public List<String> obligations() {
    return obligations;
  }

  /** The policy version hash, or the empty string when none was given. */
  public String policyVersionHash() {
    return policyVersionHash;
  }

  public List<String> reasonCodes() {
    return reasonCodes;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    if (!(o instanceof AuditDecision)) {
      return false;
    }
    AuditDecision d = (AuditDecision) o;
    return effect == d.effect && ruleIds.equals(d.ruleIds) && obligations.equals(d.obligations)
        && policyVersionHash.equals(d.policyVersionHash) && reasonCodes.equals(d.reasonCodes);
  }

  @Override
  public int hashCode() {
    return Objects.hash(effect, ruleIds, obligations, policyVersionHash, reasonCodes);
  }

  @Override
  public String toString() {
    return effect + (reasonCodes.isEmpty() ? "" : " " + reasonCodes) + (ruleIds.isEmpty() ? "" : " rules=" + ruleIds);
  }

  /** Builds an {@link AuditDecision}; lists default to empty. */
  public static final class Builder {
    private final Effect effect;
    private List<String> ruleIds = List.of();
    private List<String> obligations = List.of();
    private String policyVersionHash = "";
    private List<String> reasonCodes = List.of();

    private Builder(Effect effect) {
      this.effect = Objects.requireNonNull(effect, "effect");
    }

    public Builder ruleIds(List<String> ruleIds) {
      this.ruleIds = Objects.requireNonNull(ruleIds, "ruleIds");
      return this;
    }

    public Builder obligations(List<String> obligations) {
      this.obligations = Objects.requireNonNull(obligations, "obligations");
      return this;
    }

    public Builder policyVersionHash(String policyVersionHash) {
      this.policyVersionHash = Objects.requireNonNull(policyVersionHash, "policyVersionHash");
      return this;
    }

    public Builder reasonCodes(List<String> reasonCodes) {
      this.reasonCodes = Objects.requireNonNull(reasonCodes, "reasonCodes");
      return this;
    }

    /** @throws IllegalArgumentException naming a field that is too long or a list that is too big */
    public AuditDecision build() {
      return new AuditDecision(this);
    }
  }
}
