/**
 * City-wide event collection: gateways ship their audit records and signed checkpoints to the
 * hub, which verifies them with sdk-core's {@link io.shulian.core.audit.AuditStreamVerifier} and
 * stores them in its database.
 */
@NullMarked
package io.shulian.hub.events;

import org.jspecify.annotations.NullMarked;
