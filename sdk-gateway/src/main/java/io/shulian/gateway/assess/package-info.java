/**
 * Security assessment (安全评估) of a city's sharing configuration: reads a catalog, its policy set,
 * optionally the signed city bundle (members, certificates, CRL) and grants, and reports risky
 * configuration as {@link io.shulian.gateway.assess.Finding}s with a severity and a fix. Used by
 * {@code shulian assess}; callable from the hub (pure, no I/O beyond the values handed in).
 */
@NullMarked
package io.shulian.gateway.assess;

import org.jspecify.annotations.NullMarked;
