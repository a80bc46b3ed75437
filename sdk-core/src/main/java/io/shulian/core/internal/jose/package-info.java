/**
 * Internal: the JOSE wire format of envelopes: strict base64url, compact serialization and header
 * JSON with depth, size and duplicate-key limits. Not an API.
 */
@NullMarked
package io.shulian.core.internal.jose;

import org.jspecify.annotations.NullMarked;
