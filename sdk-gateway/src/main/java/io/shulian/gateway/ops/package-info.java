/**
 * Operations: the admin listener ({@code /healthz}, {@code /readyz}, {@code /metrics} for
 * Prometheus) and the gateway's Micrometer meters.
 */
package io.shulian.gateway.ops;
