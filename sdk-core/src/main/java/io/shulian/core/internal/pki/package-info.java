/**
 * Bouncy Castle and Nimbus adapters for the city trust: CSRs, CRLs, PKIX path validation and the
 * JWS of the city bundle. Not API: embedders use {@code io.shulian.core.trust}.
 */
@NullMarked
package io.shulian.core.internal.pki;

import org.jspecify.annotations.NullMarked;
