package io.shulian.gateway.authorize;

import java.util.List;
import java.util.Objects;
import java.util.function.UnaryOperator;

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

  public Verdict(boolean permit, List<String> reasons, List<String> ruleIds, List<String> obligations,
      String policyVersion, UnaryOperator<byte[]> responseFilter) {
    this.permit = permit;
    this.reasons = List.copyOf(reasons);
    this.ruleIds = List.copyOf(ruleIds);
    this.obligations = List.copyOf(obligations);
    this.policyVersion = Objects.requireNonNull(policyVersion);
    this.responseFilter = Objects.requireNonNull(responseFilter);
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

  public boolean hasObligations() {
    return !obligations.isEmpty();
  }
}
