/**
 * Forwarding: pooled HTTP/1.1 keep-alive connections to backends and to other gateways, one pool
 * per event loop so that a request never leaves the loop it arrived on.
 */
@NullMarked
package io.shulian.gateway.forward;

import org.jspecify.annotations.NullMarked;
