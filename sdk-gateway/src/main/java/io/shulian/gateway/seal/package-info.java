/**
 * Sealing and opening at the gateway: HTTP requests and responses travel as {@code message/http}
 * payloads inside envelopes; the consumer seals requests and opens responses, the provider opens
 * requests and seals responses.
 */
@NullMarked
package io.shulian.gateway.seal;

import org.jspecify.annotations.NullMarked;
