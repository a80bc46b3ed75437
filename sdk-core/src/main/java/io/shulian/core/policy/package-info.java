/**
 * The access-policy engine: rules derived from the catalog plus explicit rules, compiled into an
 * index, decided default-deny with FORBID winning; grants (signed approvals of conditional
 * sharing) and the {@link io.shulian.core.policy.Decision} value with its masking obligations.
 */
@NullMarked
package io.shulian.core.policy;

import org.jspecify.annotations.NullMarked;
