/**
 * The inbound edge of the gateway: TLS, a strict HTTP/1.1 decoder, size and time limits,
 * connection limits, and RFC 9457 problem responses for everything refused here.
 */
@NullMarked
package io.shulian.gateway.inbound;

import org.jspecify.annotations.NullMarked;
