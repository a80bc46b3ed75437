/**
 * The hub's HTTPS API (Netty): routing, authentication of departments and operators, limits, problem+json.
 */
@NullMarked
package io.shulian.hub.http;

import org.jspecify.annotations.NullMarked;
