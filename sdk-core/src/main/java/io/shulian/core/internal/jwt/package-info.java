/**
 * Internal: Nimbus JOSE adapters over Shulian's own signers and verifiers (EdDSA, ES256 and the
 * private SM2-SM3 algorithm, without Tink), used for grant tokens. No Nimbus type leaves this package.
 */
@NullMarked
package io.shulian.core.internal.jwt;

import org.jspecify.annotations.NullMarked;
