package io.shulian.gateway.assess;

import java.util.Objects;

/**
 * One risky piece of configuration.
 *
 * @param kind stable upper-snake identifier of the check (e.g. {@code CORE_DATA_UNCONDITIONAL});
 *     docs/assessment-and-evaluation.md lists them
 * @param severity how much it matters
 * @param objectKind what {@code object} names: {@code resource}, {@code field}, {@code rule},
 *     {@code grant}, {@code party}, {@code certificate} or {@code bundle}
 * @param object the object concerned: a resource code, {@code resource#field}, a rule id, a grant
 *     key ({@code issuer#id}), a party id, {@code party#serial}, or the bundle version
 * @param message what is wrong, for an operator
 * @param fix what to change
 */
public record Finding(String kind, Severity severity, String objectKind, String object, String message, String fix) {
  public Finding {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(severity, "severity");
    Objects.requireNonNull(objectKind, "objectKind");
    Objects.requireNonNull(object, "object");
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(fix, "fix");
  }
}
