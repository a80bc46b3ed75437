/**
 * Whether an opened request may be served: the provider asks the access policy (catalog sharing
 * type, purpose, grant, level, rules) and receives a verdict with the obligations to apply, such
 * as field masking of the response.
 */
@NullMarked
package io.shulian.gateway.authorize;

import org.jspecify.annotations.NullMarked;
