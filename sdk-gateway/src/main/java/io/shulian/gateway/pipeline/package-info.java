/**
 * The gateway's channel pipelines, owned by {@link io.shulian.gateway.pipeline.GatewayInitializer}:
 * one concern per handler, in data-flow order.
 *
 * <pre>
 *  consumer listener (department apps, plain HTTP on a private interface)
 *    [limiter] -> http-decoder -> http-encoder -> sequencer -> deadline -> guard -> aggregator -> consumer-exchange
 *                 strict HTTP/1.1, one request at a time, limits,                API key, resolve, seal,
 *                 400/408/413/417/431 (audited as edge refusals)                 mTLS to the route's provider, open, audit
 *
 *  provider listener (peer gateways, mutual TLS 1.3)
 *    [limiter] -> tls -> peer -> http-decoder -> ... (as above) ... -> aggregator -> provider-exchange
 *                 client cert    party of the TLS peer            envelope size limit      open, peer == sender, policy,
 *                 of the city                                                              backend, mask, seal, audit
 *
 *  upstream connections (BackendPool, one pool per event loop)
 *    [tls] -> http-client-codec -> aggregator -> idle -> response
 *    (a provider's TLS certificate must speak for the route's provider before a byte is sent)
 * </pre>
 */
@NullMarked
package io.shulian.gateway.pipeline;

import org.jspecify.annotations.NullMarked;
