/**
 * Operations: the admin listener ({@code /healthz}, {@code /readyz}, {@code /metrics} for
 * Prometheus) and the gateway's Micrometer meters.
 */
@NullMarked
package io.shulian.gateway.ops;

import org.jspecify.annotations.NullMarked;
