/**
 * Internal: the JOSE wire format of envelopes: strict base64url, compact serialization and header
 * JSON with depth, size and duplicate-key limits; the one Nimbus signer/verifier adapter that grant
 * tokens and city bundles use. Not an API.
 */
@NullMarked
package io.shulian.core.internal.jose;

import org.jspecify.annotations.NullMarked;
