/**
 * Deciding whether a key speaks for a party: pinned certificates for development, and (with the
 * city CA) chain validation, revocation and the signed city bundle.
 */
@NullMarked
package io.shulian.core.trust;

import org.jspecify.annotations.NullMarked;
