/**
 * Identifiers of the parties that exchange data: administrative division codes (GB/T 2260),
 * unified social credit codes (GB 32100) and the {@link io.shulian.core.party.PartyId} built from them.
 */
@NullMarked
package io.shulian.core.party;

import org.jspecify.annotations.NullMarked;
