/**
 * Bundle distribution: the newest published bundle per suite with its parked long-polls, and the publisher that verifies, stores, audits and then wakes them.
 */
@NullMarked
package io.shulian.hub.bundle;

import org.jspecify.annotations.NullMarked;
