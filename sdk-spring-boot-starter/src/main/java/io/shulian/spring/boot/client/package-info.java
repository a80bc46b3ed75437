/**
 * Calling data through the department's consumer gateway with Spring's {@code RestClient}: the
 * gateway's headers (API key, purpose, grant, action) are set for the caller, and a refusal
 * (RFC 9457 problem+json) becomes a typed {@link io.shulian.spring.boot.client.GatewayException}
 * carrying the gateway's primary code and reasons.
 */
@NullMarked
package io.shulian.spring.boot.client;

import org.jspecify.annotations.NullMarked;
