/**
 * Field masking (脱敏) of JSON payloads: named functions with documented defaults, applied by
 * field path while the payload streams through, in constant memory.
 */
@NullMarked
package io.shulian.core.policy.mask;

import org.jspecify.annotations.NullMarked;
