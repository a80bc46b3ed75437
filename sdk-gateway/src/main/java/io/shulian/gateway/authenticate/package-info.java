/**
 * Who is calling: department apps at the consumer gateway (API keys stored as SHA-256 hashes), and
 * peer gateways at the provider (mutual TLS with certificates of the city trust).
 */
@NullMarked
package io.shulian.gateway.authenticate;

import org.jspecify.annotations.NullMarked;
