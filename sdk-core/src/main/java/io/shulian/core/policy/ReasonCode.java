package io.shulian.core.policy;

import io.shulian.core.ErrorCode;

/**
 * The stable code of a decision {@link Reason}: what audit records, problem responses and {@code
 * shulian policy check} show. The names are the wire strings.
 */
public enum ReasonCode implements ErrorCode {
  // PERMIT
  /** Permitted; the message names the permitting rules. */
  PERMITTED,
  /** Permitted, and fields no rule releases are dropped from the response. */
  FIELDS_DROPPED,

  // DENY before any rule
  /** The resource is not in the catalog. */
  UNKNOWN_RESOURCE,
  /** The purpose is not in the catalog's list. */
  UNKNOWN_PURPOSE,
  /** A requested field is not a field of the resource. */
  UNKNOWN_FIELD,
  /** A return flow would leave the provider's division. */
  RETURN_FLOW_OUTSIDE_DIVISION,
  /** A return flow would go from a lower level to a higher one. */
  RETURN_FLOW_NOT_DOWNWARD,

  // DENY by a FORBID
  /** The resource is not shared; the message quotes its legal basis. */
  NOT_SHARED,
  /** An explicit FORBID rule without fields applies. */
  FORBIDDEN,
  /** A FORBID rule could not be evaluated, so it applies (fail closed). */
  FORBID_ERROR,
  /** A requested field is forbidden by a FORBID rule. */
  FIELD_FORBIDDEN,

  // DENY for want of a PERMIT
  /** No rule permits the request; more reasons say why each candidate did not apply. */
  NO_PERMIT,
  /** A PERMIT rule could not be evaluated, so it does not apply. */
  PERMIT_ERROR,
  /** The permitting rule's rate limit is used up. */
  RATE_LIMITED,
  /** The rate limiter cannot count the request, so the rate-limited rule does not apply (fail closed). */
  RATE_STATE_UNAVAILABLE,
  /** The purpose is not among the rule's purposes. */
  PURPOSE_NOT_ALLOWED,
  /** The rule's administrative-level relation between requester and provider does not hold. */
  LEVEL_RELATION_NOT_MET,
  /** The request is outside the rule's time window. */
  OUTSIDE_TIME_WINDOW,
  /** A core field is requested that no rule releases. */
  CORE_FIELD_NOT_PERMITTED,
  /** A requested field is released by no applicable rule. */
  FIELD_NOT_PERMITTED,
  /** The permitting rules release none of the requested fields. */
  NO_FIELDS_PERMITTED,
  /** The rule needs a grant from the provider and none was presented. */
  GRANT_REQUIRED,
  /** The use of a grant cannot be recorded, so it is not counted and not honoured (fail closed). */
  GRANT_STATE_UNAVAILABLE,
  /**
   * With {@link #GRANT_STATE_UNAVAILABLE}: the shared state applied the use, but fewer of its
   * replicas than required acknowledged it in time ({@link StateNotReplicatedException}); the use
   * may stay counted although nothing was released.
   */
  STATE_NOT_REPLICATED,

  // DENY because of the presented grant: the codes of GrantException.Reason, same names
  GRANT_MALFORMED,
  GRANT_UNTRUSTED,
  GRANT_BAD_SIGNATURE,
  GRANT_NOT_YET_VALID,
  GRANT_EXPIRED,
  GRANT_REVOKED,
  GRANT_USED_UP,
  GRANT_WRONG_CONSUMER,
  GRANT_WRONG_RESOURCE,
  GRANT_WRONG_ISSUER,
  GRANT_WRONG_PURPOSE,
  GRANT_FIELDS_NOT_GRANTED;

  /** Returns the decision code for a refused grant: the constant of the same name. */
  public static ReasonCode of(GrantException.Reason grant) {
    return valueOf(grant.name());
  }
}
