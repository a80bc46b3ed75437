package io.shulian.gateway.authorize;

import io.shulian.core.policy.mask.Masker;
import io.shulian.core.policy.mask.MaskingException;
import io.shulian.core.policy.mask.RecordMasker;
import java.util.List;
import java.util.Objects;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * The outcome of a policy decision as the gateway uses it: permit or deny, reason codes, the rules
 * that decided, the policy version, and the response transformation the obligations require.
 */
public final class Verdict {
  private final boolean permit;
  private final List<String> reasons;
  private final List<String> ruleIds;
  private final List<String> obligations;
  private final String policyVersion;
  private final UnaryOperator<byte[]> responseFilter;
  private final @Nullable Masker masker;

  public Verdict(boolean permit, List<String> reasons, List<String> ruleIds, List<String> obligations,
      String policyVersion, UnaryOperator<byte[]> responseFilter) {
    this(permit, reasons, ruleIds, obligations, policyVersion, responseFilter, null);
  }

  private Verdict(boolean permit, List<String> reasons, List<String> ruleIds, List<String> obligations,
      String policyVersion, UnaryOperator<byte[]> responseFilter, @Nullable Masker masker) {
    this.permit = permit;
    this.reasons = List.copyOf(reasons);
    this.ruleIds = List.copyOf(ruleIds);
    this.obligations = List.copyOf(obligations);
    this.policyVersion = Objects.requireNonNull(policyVersion);
    this.responseFilter = Objects.requireNonNull(responseFilter);
    this.masker = masker;
  }

  /**
   * A permit whose obligations are carried out by {@code masker}: the response filter is its
   * {@link Masker#mask(byte[])}, a failure an {@link UnmaskableResponseException} with its code.
   */
  public static Verdict permitMasked(List<String> ruleIds, List<String> obligations, String policyVersion, Masker masker) {
    Objects.requireNonNull(masker);
    UnaryOperator<byte[]> filter = body -> {
      try {
        return masker.mask(body);
      } catch (MaskingException e) {
        throw new UnmaskableResponseException(e.code(), "response cannot be masked: " + e.getMessage());
      }
    };
    return new Verdict(true, List.of(), ruleIds, obligations, policyVersion, filter, masker);
  }

  public static Verdict deny(String reason, String message, String policyVersion) {
    return new Verdict(false, List.of(reason), List.of(), List.of(), policyVersion, UnaryOperator.identity());
  }

  public static Verdict permit(List<String> ruleIds, String policyVersion) {
    return new Verdict(true, List.of(), ruleIds, List.of(), policyVersion, UnaryOperator.identity());
  }

  public boolean isPermit() {
    return permit;
  }

  public List<String> reasons() {
    return reasons;
  }

  public List<String> ruleIds() {
    return ruleIds;
  }

  /** Obligations applied, as text (e.g. {@code mask:idNumber:id-number}), for the audit record. */
  public List<String> obligations() {
    return obligations;
  }

  public String policyVersion() {
    return policyVersion;
  }

  /**
   * Applies the obligations to a JSON response body (masking, dropping fields).
   *
   * @throws UnmaskableResponseException (from the function) if the body cannot be masked; it must not be released
   */
  public UnaryOperator<byte[]> responseFilter() {
    return responseFilter;
  }

  /**
   * For a data set of JSON Lines: a fresh masker of its records (one per transfer) that does what
   * {@link #responseFilter()} does to each record, without copying it; null if the response filter
   * is not a {@link Masker}'s.
   */
  public @Nullable RecordMasker recordMasker() {
    return masker == null ? null : masker.recordMasker();
  }

  public boolean hasObligations() {
    return !obligations.isEmpty();
  }
}
