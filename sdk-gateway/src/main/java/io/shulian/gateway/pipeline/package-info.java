/**
 * The gateway's channel pipelines, owned by {@link io.shulian.gateway.pipeline.GatewayInitializer}:
 * one concern per handler, in data-flow order.
 *
 * <pre>
 *  consumer listener (department apps, plain HTTP on a private interface)
 *    [limiter] -> http-decoder -> http-encoder -> deadline -> guard -> aggregator -> consumer-exchange
 *                 strict HTTP/1.1, limits, 400/413/431/408           API key, resolve, seal,
 *                                                                    mTLS to provider, open, audit
 *
 *  provider listener (peer gateways, mutual TLS 1.3)
 *    [limiter] -> tls -> peer -> http-decoder -> http-encoder -> deadline -> guard -> aggregator -> provider-exchange
 *                 client cert    party of the TLS peer                             open, peer == sender, policy,
 *                 of the city                                                      backend, mask, seal, audit
 *
 *  upstream connections (BackendPool, one pool per event loop)
 *    [tls] -> http-client-codec -> aggregator -> idle -> response
 * </pre>
 */
package io.shulian.gateway.pipeline;
