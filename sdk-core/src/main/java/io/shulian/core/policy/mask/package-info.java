/**
 * Field masking (脱敏) of JSON payloads: named functions with documented defaults, applied by
 * field path while the payload streams through, in constant memory; a payload whose shape does
 * not match the paths is refused, never passed through.
 */
@NullMarked
package io.shulian.core.policy.mask;

import org.jspecify.annotations.NullMarked;
